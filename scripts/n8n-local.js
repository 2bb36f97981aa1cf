'use strict';
// A real n8n on this machine, for `npm start`, the e2e tests and later scripts.
//
//   const local = require('./scripts/n8n-local');
//   await local.ensureN8n();                       // Node 24 + n8n@2.41.1 into .n8n-local (once; N8N_LINE=1: 1.123)
//   const tgz = await local.buildAndPack();        // npm run build + npm pack
//   await local.installPackage(userFolder, tgz);   // into <userFolder>/.n8n/nodes
//   const env = local.n8nEnv({ userFolder, port });
//   await local.importCredentials(env, [{ id, name, type, data }]);
//   await local.importWorkflows(env, [workflowObject, ...]);
//   await local.publishWorkflow(env, id);
//   const n8n = await local.startN8n({ env });     // waits for /healthz/readiness
//   const run = await local.executeWorkflow(env, id);
//   await n8n.stop();                              // kills the whole process group
//
// Every child process is started in its own process group and remembered (lib/processes.js);
// `killAll()` (also run on process exit) ends whatever is still running.

const fs = require('fs');
const os = require('os');
const net = require('net');
const path = require('path');
const http = require('http');
const { spawn } = require('child_process');
const install = require('./lib/install');
const { track, killGroup, killStragglers, stopGroup, killAll } = require('./lib/processes');

const { ROOT, N8N_VERSION, paths, ensureN8n, runtimeEnv } = install;
const ENCRYPTION_KEY = 'n8n-nodes-mifumo-local-encryption-key';
const PACKAGE_NAME = 'n8n-nodes-mifumo';

// ---------------------------------------------------------------------------------------------
// small helpers

class UserError extends Error {} // a condition to report in one line, without a stack

function sleep(ms) {
	return new Promise((r) => setTimeout(r, ms));
}

/** Resolves with a free TCP port on host. */
function freePort(host = '127.0.0.1') {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, host, () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

/** Resolves true when something already listens on host:port (or binding fails). */
function portInUse(port, host = '127.0.0.1') {
	return new Promise((resolve) => {
		const sock = net.connect({ port, host });
		sock.setTimeout(1000);
		sock.once('connect', () => {
			sock.destroy();
			resolve(true);
		});
		sock.once('timeout', () => {
			sock.destroy();
			resolve(false);
		});
		sock.once('error', () => {
			// Nothing answers; also make sure we could bind it ourselves.
			const srv = net.createServer();
			srv.once('error', () => resolve(true));
			srv.listen(port, host === 'localhost' ? '127.0.0.1' : host, () => srv.close(() => resolve(false)));
		});
	});
}

/** Runs a command (own process group); resolves {code, stdout, stderr}. Never blocks the event loop. */
function exec(cmd, args, { env, cwd = ROOT, timeoutMs = 300000, input } = {}) {
	return new Promise((resolve, reject) => {
		const child = track(spawn(cmd, args, { env, cwd, detached: true, stdio: ['pipe', 'pipe', 'pipe'] }));
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d) => (stdout += d));
		child.stderr.on('data', (d) => (stderr += d));
		const timer = setTimeout(() => {
			killGroup(child, 'SIGKILL');
			reject(new Error(`${path.basename(cmd)} ${args.join(' ')} timed out after ${timeoutMs} ms\n${stdout}\n${stderr}`));
		}, timeoutMs);
		child.on('error', (err) => {
			clearTimeout(timer);
			reject(err);
		});
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			killStragglers(child); // the command is done; end what it left in its group (task runners...)
			resolve({ code: code === null ? 128 : code, signal, stdout, stderr });
		});
		if (input !== undefined) child.stdin.end(input);
		else child.stdin.end();
	});
}

// ---------------------------------------------------------------------------------------------
// environment

/**
 * Environment for an offline-safe n8n (see toolchain.md). `port` is n8n's HTTP port; the task
 * runner broker gets its own port (`brokerPort`, default port + 1) so two instances can coexist.
 */
function n8nEnv({ userFolder, port = 5678, brokerPort, host = 'localhost', logLevel = 'info', extra = {} } = {}) {
	if (!userFolder) throw new Error('n8nEnv: userFolder is required');
	const p = paths();
	const env = runtimeEnv(p);
	// Never inherit n8n settings from the caller's shell.
	// Nor jest's NODE_ENV=test: under it n8n logs nothing and its CLI commands quietly do nothing.
	for (const k of Object.keys(env)) {
		if (/^(N8N_|DB_|EXECUTIONS_|QUEUE_|WEBHOOK_URL$|GENERIC_TIMEZONE$|NODE_ENV$|JEST_)/.test(k)) delete env[k];
	}
	Object.assign(env, {
		N8N_USER_FOLDER: path.resolve(userFolder),
		N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
		N8N_PORT: String(port),
		N8N_HOST: host,
		N8N_PROTOCOL: 'http',
		N8N_RUNNERS_BROKER_PORT: String(brokerPort || port + 1),
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_LOG_LEVEL: logLevel,
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		GENERIC_TIMEZONE: 'Africa/Dar_es_Salaam',
		...p.line.env,
		...extra,
	});
	return env;
}

function baseUrlOf(env) {
	return `http://127.0.0.1:${env.N8N_PORT}`;
}

// ---------------------------------------------------------------------------------------------
// build, pack, install the package

/** `npm run build` then `npm pack`; resolves the .tgz path (in destDir, default .n8n-local/pack). */
async function buildAndPack({ destDir = path.join(paths().base, 'pack'), log = () => {}, build = true } = {}) {
	if (build) {
		if (!fs.existsSync(path.join(ROOT, 'gulpfile.js'))) {
			throw new UserError('The package cannot be built yet: gulpfile.js is missing (npm run build = gulp build).');
		}
		log('building the package (npm run build) …');
		const r = await exec('npm', ['run', 'build'], { env: process.env, cwd: ROOT });
		if (r.code !== 0) {
			const lines = `${r.stdout}\n${r.stderr}`.split('\n').map((l) => l.trim()).filter(Boolean);
			const first = lines.find((l) => /error|cannot|not found|missing/i.test(l) && !/^(npm (ERR|error)|>)/.test(l)) || lines[lines.length - 1] || '';
			throw new UserError(`the build failed (npm run build): ${first.slice(0, 200)} (run \`npm run build\` for the whole output)`);
		}
	}
	const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
	for (const f of [...(pkg.n8n?.credentials || []), ...(pkg.n8n?.nodes || [])]) {
		if (!fs.existsSync(path.join(ROOT, f))) {
			throw new UserError(`The build is incomplete: ${f} is missing (run npm run build).`);
		}
	}
	fs.mkdirSync(destDir, { recursive: true });
	for (const f of fs.readdirSync(destDir)) if (f.endsWith('.tgz')) fs.rmSync(path.join(destDir, f), { force: true });
	const r = await exec('npm', ['pack', '--json', '--pack-destination', destDir], { env: process.env, cwd: ROOT });
	if (r.code !== 0) throw new Error(`npm pack failed:\n${r.stderr}`);
	const info = JSON.parse(r.stdout.slice(r.stdout.indexOf('[')));
	return path.join(destDir, info[0].filename);
}

/**
 * Installs the packed package into <userFolder>/.n8n/nodes the way Settings → Community Nodes
 * does (node types become n8n-nodes-mifumo.mifumo / .mifumoTrigger).
 */
async function installPackage(userFolder, tgz) {
	const nodesDir = path.join(path.resolve(userFolder), '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	const pj = path.join(nodesDir, 'package.json');
	if (!fs.existsSync(pj)) fs.writeFileSync(pj, JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2));
	// Force a fresh copy even when the version number did not change.
	fs.rmSync(path.join(nodesDir, 'node_modules', PACKAGE_NAME), { recursive: true, force: true });
	const r = await exec('npm', ['install', '--prefix', nodesDir, '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund', tgz], {
		env: runtimeEnv(),
		cwd: nodesDir,
	});
	if (r.code !== 0) throw new Error(`installing ${tgz} into ${nodesDir} failed:\n${r.stderr}`);
	return nodesDir;
}

// ---------------------------------------------------------------------------------------------
// n8n CLI

/** Runs `n8n <args>` with the line's Node. Resolves {code, stdout, stderr}. */
function n8nCli(env, args, opts = {}) {
	const p = paths();
	fs.mkdirSync(env.N8N_USER_FOLDER, { recursive: true }); // a missing cwd makes spawn fail with ENOENT
	return exec(p.node, [p.n8nMain, ...args], { env, cwd: env.N8N_USER_FOLDER, ...opts });
}

async function n8nCliOk(env, args, opts) {
	const r = await n8nCli(env, args, opts);
	if (r.code !== 0 || /^Error|An error occurred/m.test(r.stderr)) {
		throw new Error(`n8n ${args.join(' ')} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`.trim());
	}
	return r;
}

function tmpJson(prefix, data) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	const file = path.join(dir, 'data.json');
	fs.writeFileSync(file, JSON.stringify(data, null, 2));
	return { file, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Imports credentials: [{id, name, type, data: {…plain…}}]; n8n encrypts plain `data`. */
async function importCredentials(env, credentials) {
	const t = tmpJson('mifumo-cred-', credentials);
	try {
		return await n8nCliOk(env, ['import:credentials', `--input=${t.file}`]);
	} finally {
		t.cleanup();
	}
}

/** Imports workflows (objects, or paths of JSON files). Ids must be 16 alphanumerics. */
async function importWorkflows(env, workflows) {
	const list = workflows.map((w) => (typeof w === 'string' ? JSON.parse(fs.readFileSync(w, 'utf8')) : w));
	const t = tmpJson('mifumo-wf-', list);
	try {
		return await n8nCliOk(env, ['import:workflow', `--input=${t.file}`]);
	} finally {
		t.cleanup();
	}
}

/** Publishes (activates) a workflow; takes effect at the next `n8n start`. */
function publishWorkflow(env, id) {
	return n8nCliOk(env, paths().line.activate(id));
}

/**
 * Extracts the JSON document printed among log lines (log lines may come before and after it:
 * the task runner logs after the result). Pretty-printed JSON opens and closes at column 0.
 */
function parseJsonAfterLogs(text) {
	const lines = text.split('\n');
	const ends = [];
	lines.forEach((l, j) => {
		if (/^[}\]]\s*$/.test(l)) ends.push(j);
	});
	for (let i = 0; i < lines.length; i++) {
		const c = lines[i][0];
		if (c !== '{' && c !== '[') continue;
		if (/[}\]]\s*$/.test(lines[i])) {
			try {
				return JSON.parse(lines[i]);
			} catch {}
		}
		for (let k = ends.length - 1; k >= 0 && ends[k] > i; k--) {
			try {
				return JSON.parse(lines.slice(i, ends[k] + 1).join('\n'));
			} catch {}
		}
	}
	return undefined;
}

/**
 * `n8n execute --id=<id> --rawOutput`. Resolves { ok, run, stdout, stderr, code } where run is
 * the parsed run data (IRun, when printed). Use nodeItems(run, 'Node name') for a node's output.
 */
async function executeWorkflow(env, id, { timeoutMs = 120000 } = {}) {
	// `n8n execute` starts its own task broker: give it a port of its own so it can run beside a
	// running `n8n start` (which holds N8N_RUNNERS_BROKER_PORT).
	const execEnv = { ...env, N8N_RUNNERS_BROKER_PORT: String(await freePort()) };
	const r = await n8nCli(execEnv, ['execute', `--id=${id}`, '--rawOutput'], { timeoutMs });
	const run = parseJsonAfterLogs(r.stdout);
	return { ok: r.code === 0 && run !== undefined, run, ...r };
}

/** The json of the items a node output (first run, given output index). */
function nodeItems(run, nodeName, { output = 0, runIndex = 0 } = {}) {
	const runData = run?.data?.resultData?.runData || run?.resultData?.runData;
	const task = runData?.[nodeName]?.[runIndex];
	if (!task) return undefined;
	const main = task.data?.main?.[output] || [];
	return main.map((i) => i.json);
}

function nodeError(run, nodeName) {
	const runData = run?.data?.resultData?.runData || run?.resultData?.runData;
	return runData?.[nodeName]?.[0]?.error;
}

// ---------------------------------------------------------------------------------------------
// server

/** The HTTP status of a GET (0 when nothing answers), for readiness polling. */
function httpStatus(url, timeoutMs = 2000) {
	return new Promise((resolve) => {
		const req = http.get(url, { timeout: timeoutMs }, (res) => {
			res.resume();
			res.on('end', () => resolve(res.statusCode));
		});
		req.on('timeout', () => req.destroy());
		req.on('error', () => resolve(0));
	});
}

/**
 * Starts `n8n start` in its own process group and waits for /healthz/readiness and the REST API.
 * Resolves { url, child, logFile, stop() }. Rejects (after killing it) if n8n exits or times out.
 */
async function startN8n({ env, logFile, timeoutMs = 120000, onOutput } = {}) {
	const port = Number(env.N8N_PORT);
	if (await portInUse(port)) throw new UserError(`Port ${port} is already in use: stop whatever listens there (n8n?) or choose another port.`);
	const p = paths();
	logFile = logFile || path.join(env.N8N_USER_FOLDER, 'n8n.log');
	fs.mkdirSync(path.dirname(logFile), { recursive: true });
	const out = fs.openSync(logFile, 'a');
	const child = track(spawn(p.node, [p.n8nMain, 'start'], { env, cwd: env.N8N_USER_FOLDER, detached: true, stdio: ['ignore', 'pipe', 'pipe'] }));
	const write = (d) => {
		fs.writeSync(out, d);
		if (onOutput) onOutput(String(d));
	};
	child.stdout.on('data', write);
	child.stderr.on('data', write);
	let exited = null;
	const exitPromise = new Promise((resolve) => child.on('exit', (code, signal) => resolve((exited = { code, signal }))));
	exitPromise.then(() => {
		try {
			fs.closeSync(out);
		} catch {}
	});

	const url = `http://127.0.0.1:${port}`;
	const stop = async (graceMs = 15000) => {
		await stopGroup(child, { graceMs });
		return exitPromise;
	};

	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (exited) {
			const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
			throw new Error(`n8n exited before it was ready (${exited.signal || 'exit ' + exited.code}); log ${logFile}:\n${tail}`);
		}
		// n8n 1.x reports ready before its REST API is mounted: wait for that too.
		if ((await httpStatus(`${url}/healthz/readiness`)) === 200 && (await httpStatus(`${url}/rest/settings`)) === 200) break;
		if (Date.now() > deadline) {
			await stop(2000);
			throw new Error(`n8n did not become ready within ${timeoutMs} ms; log ${logFile}`);
		}
		await sleep(500);
	}
	return { url, child, logFile, stop, pid: child.pid };
}

// ---------------------------------------------------------------------------------------------
// REST API (internal /rest, cookie auth)

class RestClient {
	constructor(baseUrl) {
		this.baseUrl = baseUrl.replace(/\/$/, '');
		this.cookie = '';
		this.browserId = `mifumo-${process.pid}-${Date.now()}`;
	}

	async request(method, urlPath, body) {
		const headers = { 'browser-id': this.browserId, accept: 'application/json' };
		if (this.cookie) headers.cookie = this.cookie;
		if (body !== undefined) headers['content-type'] = 'application/json';
		const res = await fetch(this.baseUrl + urlPath, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
		const setCookie = res.headers.getSetCookie?.() || [];
		for (const c of setCookie) {
			const m = /^(n8n-auth=[^;]*)/.exec(c);
			if (m) this.cookie = m[1];
		}
		const text = await res.text();
		let json;
		try {
			json = JSON.parse(text);
		} catch {}
		return { status: res.status, json, text };
	}

	async ok(method, urlPath, body) {
		const r = await this.request(method, urlPath, body);
		if (r.status >= 400) throw new Error(`${method} ${urlPath} → ${r.status}: ${r.text.slice(0, 500)}`);
		return r.json?.data !== undefined ? r.json.data : r.json;
	}

	/** Sets up the instance owner if there is none yet, else logs in. */
	async ensureOwner({ email, password, firstName = 'Mifumo', lastName = 'Admin' }) {
		const r = await this.request('POST', '/rest/owner/setup', { email, password, firstName, lastName });
		if (r.status < 400 && this.cookie) return { created: true };
		await this.login({ email, password });
		return { created: false };
	}

	async login({ email, password }) {
		const r = await this.request('POST', '/rest/login', { emailOrLdapLoginId: email, email, password });
		if (r.status >= 400) throw new Error(`login as ${email} failed: ${r.status} ${r.text.slice(0, 300)}`);
		return r.json?.data;
	}

	/** POST /rest/credentials/test → {status: 'OK'|'Error', message}. */
	testCredential({ type, data, name = 'test', id }) {
		return this.ok('POST', '/rest/credentials/test', { credentials: { id, name, type, data } });
	}

	/** Executions of a workflow, newest first (summaries). */
	async executions(workflowId) {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const d = await this.ok('GET', `/rest/executions?filter=${filter}&limit=100`);
		return d.results || d;
	}

	/** One execution with its run data decoded (the API sends it `flatted`-encoded). */
	async execution(id) {
		const d = await this.ok('GET', `/rest/executions/${id}`);
		if (typeof d.data === 'string') d.data = flatted().parse(d.data);
		return d;
	}
}

function flatted() {
	// n8n ships `flatted`; use its copy rather than adding a dependency.
	const { createRequire } = require('module');
	const req = createRequire(path.join(paths().n8nPrefix, 'node_modules', 'n8n', 'package.json'));
	return req('flatted');
}

module.exports = {
	ROOT,
	N8N_VERSION,
	PACKAGE_NAME,
	ENCRYPTION_KEY,
	UserError,
	paths,
	ensureN8n,
	runtimeEnv,
	n8nEnv,
	baseUrlOf,
	freePort,
	portInUse,
	exec,
	buildAndPack,
	installPackage,
	n8nCli,
	importCredentials,
	importWorkflows,
	publishWorkflow,
	executeWorkflow,
	parseJsonAfterLogs,
	nodeItems,
	nodeError,
	startN8n,
	RestClient,
	killAll,
	sleep,
	httpStatus,
};
