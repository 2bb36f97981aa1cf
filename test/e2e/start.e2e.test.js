'use strict';
// `npm start` (scripts/start.js) as a new user runs it: twice, the second time with another
// SANDBOX_PORT. The ready-made credential must follow the sandbox, so that an example workflow
// run then reaches the sandbox on the new port. Its n8n install is the shared one (symlinked);
// its user folder is its own.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const { e2eContext, local, waitFor } = require('./lib/context');
const { EXAMPLES_DIR, IDS } = require('./lib/constants');
const { SandboxClient } = require('../../sandbox/client');

const ROOT = path.join(__dirname, '..', '..');
const SWAHILI_TEXT = JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, '02-swahili-broadcast.json'), 'utf8')).nodes.find((node) => node.type === 'n8n-nodes-mifumo.mifumo').parameters.message;

/** A local dir whose n8n and Node are the installed ones (symlinked), with a user folder of its own. */
function privateLocalDir() {
	const shared = local.paths();
	const sharedDir = process.env.N8N_LOCAL_DIR ? path.resolve(process.env.N8N_LOCAL_DIR) : path.join(ROOT, '.n8n-local');
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mifumo-start-'));
	const mirror = (target) => {
		const link = path.join(dir, path.relative(sharedDir, target));
		fs.mkdirSync(path.dirname(link), { recursive: true });
		fs.symlinkSync(target, link);
	};
	mirror(shared.n8nPrefix);
	if (fs.existsSync(shared.nodePrefix)) mirror(shared.nodePrefix);
	return { dir, userFolder: path.join(dir, path.relative(sharedDir, shared.base), 'user') };
}

/** `npm start` until its banner is printed; `stop()` is Ctrl-C. */
async function npmStart(env) {
	const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'start.js')], { cwd: ROOT, env: { ...process.env, ...env }, detached: true });
	let output = '';
	child.stdout.on('data', (d) => (output += d));
	child.stderr.on('data', (d) => (output += d));
	const exited = new Promise((resolve) => child.on('exit', resolve));
	let done = false;
	exited.then(() => (done = true));
	await waitFor(() => output.includes('is running') || done, { timeoutMs: 240000, intervalMs: 500, what: 'the npm start banner' });
	if (done) throw new Error(`npm start exited early:\n${output}`);
	return {
		output: () => output,
		async stop() {
			process.kill(-child.pid, 'SIGINT');
			await exited;
		},
		kill() {
			if (!done) process.kill(-child.pid, 'SIGKILL');
		},
	};
}

describe('npm start', () => {
	const ctx = e2eContext();
	const tgz = process.env.MIFUMO_PACKAGE_TGZ || path.join(ctx.tmp, 'pack', fs.readdirSync(path.join(ctx.tmp, 'pack')).find((f) => f.endsWith('.tgz')));
	const { dir, userFolder } = privateLocalDir();
	let running;

	afterAll(() => {
		running?.kill();
		fs.rmSync(dir, { recursive: true, force: true });
	});

	it('run again with another SANDBOX_PORT, the credential "Mifumo Sandbox" points at the new port: an example workflow reaches it', async () => {
		const [n8nPort, firstSandboxPort, secondSandboxPort] = [await local.freePort(), await local.freePort(), await local.freePort()];
		const env = { N8N_LOCAL_DIR: dir, N8N_PORT: String(n8nPort), MIFUMO_PACKAGE_TGZ: tgz };

		running = await npmStart({ ...env, SANDBOX_PORT: String(firstSandboxPort) });
		const firstOutput = running.output();
		await running.stop();

		running = await npmStart({ ...env, SANDBOX_PORT: String(secondSandboxPort) });
		await local.executeWorkflow(local.n8nEnv({ userFolder, port: n8nPort }), IDS.swahili);
		const messages = await new SandboxClient(`http://127.0.0.1:${secondSandboxPort}`).messages();
		expect(messages.map((message) => message.message)).toEqual([SWAHILI_TEXT]);

		expect(firstOutput).toContain(`importing the credential "Mifumo Sandbox" at http://127.0.0.1:${firstSandboxPort}`);
		const secondOutput = running.output();
		expect(secondOutput).toContain(`pointing the credential "Mifumo Sandbox" at http://127.0.0.1:${secondSandboxPort}`);
		expect(secondOutput).toContain(`The credential "Mifumo Sandbox" points at the sandbox (http://127.0.0.1:${secondSandboxPort})`);
		await running.stop();
		running = undefined;
	}, 600000);
});
