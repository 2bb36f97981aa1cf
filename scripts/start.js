#!/usr/bin/env node
'use strict';
// `npm start`: a real n8n (2.41.1, on a private Node 24) with this package installed, next to the
// Mifumo sandbox, ready to click through.
//
//   1. builds the package (npm run build) and packs it (npm pack)
//   2. installs Node 24 + n8n into .n8n-local/ on first use (about 6 minutes and 3 GB, once;
//      N8N_LINE=1: n8n 1.123 on this machine's Node, in .n8n-local/n8n-1/)
//   3. installs the package into .n8n-local/user/.n8n/nodes (as Settings → Community Nodes would)
//   4. first run only: imports the "Mifumo Sandbox" credential (again when SANDBOX_PORT changed)
//      and the example workflows, publishes the delivery-receipts workflow
//   5. starts the sandbox on 127.0.0.1:8001 and n8n on http://localhost:5678, sets up the owner
//      account (printed below) on first run; the credential is pointed at the sandbox's port
//      again whenever SANDBOX_PORT changed since the last run
// Ctrl-C stops both.
//
// Options (environment): N8N_PORT (5678), SANDBOX_PORT (8001), MIFUMO_START_SKIP_BUILD=1 (pack the
// existing dist/), MIFUMO_PACKAGE_TGZ=<file> (install that package instead of building).

const fs = require('fs');
const path = require('path');
const local = require('./n8n-local');

const N8N_PORT = Number(process.env.N8N_PORT || 5678);
const SANDBOX_PORT = Number(process.env.SANDBOX_PORT || 8001);
const SANDBOX_URL = `http://127.0.0.1:${SANDBOX_PORT}`;
const USER_FOLDER = path.join(local.paths().base, 'user');
const SETUP_FILE = path.join(USER_FOLDER, 'mifumo-setup.json');
const OWNER = { email: 'admin@example.com', password: 'Mifumo-Sandbox-1', firstName: 'Mifumo', lastName: 'Admin' };
const CREDENTIAL = {
	id: 'MifumoSandbox001',
	name: 'Mifumo Sandbox',
	type: 'mifumoApi',
	data: { apiKey: 'sandbox-admin-key', baseUrl: SANDBOX_URL },
};
const EXAMPLES_DIR = path.join(local.ROOT, 'examples');
const RECEIPTS_WORKFLOW_ID = 'MifumoExample006';

function step(msg) {
	process.stdout.write(`▸ ${msg}\n`);
}

function readSetup() {
	try {
		return JSON.parse(fs.readFileSync(SETUP_FILE, 'utf8'));
	} catch {
		return { examples: [], credentialBaseUrl: null, owner: false };
	}
}

function writeSetup(s) {
	fs.mkdirSync(USER_FOLDER, { recursive: true });
	fs.writeFileSync(SETUP_FILE, JSON.stringify(s, null, 2));
}

function loadExamples() {
	if (!fs.existsSync(EXAMPLES_DIR)) return [];
	return fs
		.readdirSync(EXAMPLES_DIR)
		.filter((f) => f.endsWith('.json'))
		.sort()
		.map((f) => JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, f), 'utf8')));
}

function webhookPathOf(wf) {
	const hook = wf.nodes.find((n) => n.type === 'n8n-nodes-base.webhook');
	return hook && hook.parameters.path;
}

async function main() {
	const t0 = Date.now();

	// Fail fast, before minutes of installing, on what the user must fix.
	for (const [port, what, envName] of [
		[N8N_PORT, 'n8n', 'N8N_PORT'],
		[SANDBOX_PORT, 'the Mifumo sandbox', 'SANDBOX_PORT'],
	]) {
		if (await local.portInUse(port)) {
			throw new local.UserError(`Port ${port} (for ${what}) is already in use: stop what listens there, or set ${envName}=<another port>.`);
		}
	}
	let startSandbox;
	try {
		({ startSandbox } = require(path.join(local.ROOT, 'sandbox')));
	} catch (err) {
		throw new local.UserError(`The Mifumo sandbox (sandbox/) cannot be loaded: ${err.message.split('\n')[0]}`);
	}

	let tgz;
	if (process.env.MIFUMO_PACKAGE_TGZ) {
		tgz = path.resolve(process.env.MIFUMO_PACKAGE_TGZ);
		step(`using ${tgz} (MIFUMO_PACKAGE_TGZ)`);
	} else if (process.env.MIFUMO_START_SKIP_BUILD === '1') {
		step('packing the existing build (MIFUMO_START_SKIP_BUILD=1) …');
		tgz = await local.buildAndPack({ build: false });
	} else {
		step('building the package (npm run build) …');
		tgz = await local.buildAndPack();
	}

	step(`checking n8n ${local.N8N_VERSION} in ${path.relative(process.cwd(), local.paths().base) || '.'}/ (the first run installs it: ${local.paths().line.cost}) …`);
	await local.ensureN8n({ log: (m) => process.stdout.write(`  ${m}\n`) });

	step(`installing ${path.basename(tgz)} into ${path.relative(process.cwd(), USER_FOLDER)}/.n8n/nodes …`);
	await local.installPackage(USER_FOLDER, tgz);

	const env = local.n8nEnv({ userFolder: USER_FOLDER, port: N8N_PORT, logLevel: process.env.N8N_LOG_LEVEL || 'warn' });
	const setup = readSetup();
	const examples = loadExamples();

	// The credential follows SANDBOX_PORT: imported again (n8n overwrites it by id) when the sandbox moved.
	// A setup written before this was recorded says only `credential: true`: its address is unknown.
	if (setup.credentialBaseUrl !== SANDBOX_URL) {
		step(`${setup.credentialBaseUrl || setup.credential ? 'pointing' : 'importing'} the credential "Mifumo Sandbox" at ${SANDBOX_URL} …`);
		await local.importCredentials(env, [CREDENTIAL]);
		delete setup.credential;
		setup.credentialBaseUrl = SANDBOX_URL;
		writeSetup(setup);
	}
	// Import examples once, so edits made in the editor survive restarts; new examples are added.
	const fresh = examples.filter((w) => !setup.examples.includes(w.id));
	if (fresh.length) {
		step(`importing ${fresh.length} example workflow(s) …`);
		await local.importWorkflows(env, fresh);
		if (fresh.some((w) => w.id === RECEIPTS_WORKFLOW_ID)) {
			step('publishing "Mifumo: delivery receipts" (its trigger receives the sandbox webhooks) …');
			await local.publishWorkflow(env, RECEIPTS_WORKFLOW_ID);
		}
		setup.examples.push(...fresh.map((w) => w.id));
		writeSetup(setup);
	}

	step(`starting the Mifumo sandbox on ${SANDBOX_URL} …`);
	const sandbox = await startSandbox({
		port: SANDBOX_PORT,
		host: '127.0.0.1',
		deliveryDelayMs: 3000,
		log: (line) => process.stdout.write(`  [sandbox] ${line}\n`),
	}).catch((err) => {
		if (err && err.code === 'EADDRINUSE') throw new local.UserError(`Port ${SANDBOX_PORT} (for the Mifumo sandbox) is already in use.`);
		throw err;
	});

	let n8n;
	let stopping = false;
	const stopAll = async (code) => {
		if (stopping) return;
		stopping = true;
		process.stdout.write('\nstopping n8n and the sandbox …\n');
		await Promise.allSettled([n8n ? n8n.stop() : null, sandbox.close()]);
		process.stdout.write('stopped.\n');
		process.exit(code);
	};
	process.on('SIGINT', () => stopAll(0));
	process.on('SIGTERM', () => stopAll(0));
	process.on('SIGHUP', () => stopAll(0));

	step(`starting n8n on http://localhost:${N8N_PORT} (log: ${path.relative(process.cwd(), path.join(USER_FOLDER, 'n8n.log'))}) …`);
	try {
		n8n = await local.startN8n({ env, timeoutMs: 180000 });
	} catch (err) {
		await sandbox.close().catch(() => {});
		throw err;
	}
	n8n.child.on('exit', (code, signal) => {
		if (stopping) return;
		process.stderr.write(`n8n stopped unexpectedly (${signal || 'exit ' + code}); see ${n8n.logFile}\n`);
		stopAll(1);
	});

	const rest = new local.RestClient(n8n.url);
	let ownerNote;
	try {
		const r = await rest.ensureOwner(OWNER);
		setup.owner = true;
		writeSetup(setup);
		ownerNote = r.created ? 'created now' : 'existing';
	} catch {
		ownerNote = 'could not log in with the default password: use the account you set up';
	}

	const hook = examples.map(webhookPathOf).find(Boolean);
	const secs = Math.round((Date.now() - t0) / 1000);
	process.stdout.write(`
──────────────────────────────────────────────────────────────────────────────
 n8n with n8n-nodes-mifumo is running (ready in ${secs} s)

   n8n editor       http://localhost:${N8N_PORT}
   log in as        ${OWNER.email} / ${OWNER.password}   (${ownerNote})
   Mifumo sandbox   ${SANDBOX_URL}   (API key: sandbox-admin-key)
   sandbox log      ${SANDBOX_URL}/__sandbox/requests  ·  /__sandbox/messages  ·  /__sandbox/webhooks

 Try first
   1. Open "Mifumo: Swahili message to a list of numbers" → Execute workflow.
      Three numbers written three ways reach the sandbox as E.164: see /__sandbox/messages.
   2. Open "Mifumo: send with a delivery webhook" → Execute workflow; ~3 s later the published
      "Mifumo: delivery receipts" workflow runs (Overview → Executions).
      Numbers ending in 999 (e.g. 0712 345 999) come back as failed.
${hook ? `   3. curl -X POST http://localhost:${N8N_PORT}/webhook/${hook} -H 'Content-Type: application/json' \\
        -d '{"phone":"0712 345 678","message":"Habari!"}'   (publish "Mifumo: send an SMS when a webhook fires" first)
` : ''}
 The credential "Mifumo Sandbox" points at the sandbox (${SANDBOX_URL}). Press Ctrl-C to stop both.
──────────────────────────────────────────────────────────────────────────────
`);
}

main().catch((err) => {
	const msg = err instanceof local.UserError ? err.message : err && err.message ? err.message : String(err);
	process.stderr.write(`npm start: ${msg}\n`);
	local.killAll();
	process.exit(1);
});
