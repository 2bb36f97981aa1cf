'use strict';
// n8n in queue mode on this machine: PostgreSQL + Redis (Debian packages, started here on
// loopback with their data in a temp folder), one main, N workers and a webhook processor,
// all sharing one user folder with the package installed as a community node.
//
//   const queue = require('./scripts/lib/queue');
//   const stack = await queue.startQueueStack({ tgz, credentials, workflows, publish, log });
//   ... stack.urls.webhook, stack.workers[i].pid, stack.sql('select 1'), stack.workerOf(execId)
//   await stack.stop();          // every process ended, every temp folder removed
//
// Every process runs in its own process group (./processes.js); `killAllQueue()` (also run on
// process exit) SIGKILLs whatever is still running and removes the temp folders.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, spawnSync } = require('child_process');
const local = require('../n8n-local');
const { track, killStragglers, stopGroup, killAll } = require('./processes');

const tempDirs = new Set();

/** SIGKILLs every process group still running, removes the temp folders. Synchronous. */
function killAllQueue() {
	killAll();
	for (const d of tempDirs) {
		try {
			fs.rmSync(d, { recursive: true, force: true });
		} catch {}
	}
}
process.on('exit', killAllQueue);

/**
 * On SIGINT/SIGTERM/SIGHUP: kill the stack and remove its folders, then die of the same signal.
 * (The stack's processes run in groups of their own, so a Ctrl-C never reaches them by itself.)
 */
function installSignalHandlers() {
	for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
		const handler = () => {
			killAllQueue();
			process.removeListener(sig, handler);
			process.kill(process.pid, sig);
		};
		process.on(sig, handler);
	}
}

function mkTemp(prefix) {
	const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	tempDirs.add(d);
	return d;
}

function removeTemp(d) {
	fs.rmSync(d, { recursive: true, force: true });
	tempDirs.delete(d);
}

const { sleep, httpStatus } = local;

// ---------------------------------------------------------------------------------------------
// PostgreSQL and Redis from Debian's packages

function pgBinDir() {
	const base = '/usr/lib/postgresql';
	if (!fs.existsSync(base)) return null;
	const versions = fs
		.readdirSync(base)
		.filter((v) => fs.existsSync(path.join(base, v, 'bin', 'postgres')))
		.sort((a, b) => Number(b) - Number(a));
	return versions.length ? path.join(base, versions[0], 'bin') : null;
}

function which(cmd) {
	const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
	return r.status === 0 ? r.stdout.trim() : null;
}

/** Installs postgresql and redis-server with apt-get when missing (root only). */
async function ensureServices({ log = () => {} } = {}) {
	const missing = [];
	if (!pgBinDir()) missing.push('postgresql');
	if (!which('redis-server') || !which('redis-cli')) missing.push('redis-server');
	if (missing.length) {
		if (process.getuid && process.getuid() !== 0) {
			throw new local.UserError(`${missing.join(' and ')} missing: install them (apt-get install -y ${missing.join(' ')}) or run as root.`);
		}
		log(`installing ${missing.join(', ')} with apt-get (about a minute) …`);
		const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
		for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...missing]]) {
			const r = await local.exec('apt-get', args, { env, timeoutMs: 600000 });
			if (r.code !== 0) throw new Error(`apt-get ${args.join(' ')} failed:\n${r.stderr.slice(-3000)}`);
		}
	}
	const bin = pgBinDir();
	if (!bin) throw new Error('PostgreSQL binaries not found under /usr/lib/postgresql/*/bin');
	if (!which('runuser') && process.getuid() === 0) throw new Error('runuser is missing (util-linux)');
	return { pgBin: bin, redisServer: which('redis-server'), redisCli: which('redis-cli') };
}

/** The service user PostgreSQL runs as (it refuses root). */
function pgUser() {
	if (process.getuid() !== 0) return null; // run as ourselves
	const r = spawnSync('id', ['-u', 'postgres']);
	if (r.status !== 0) throw new Error('user "postgres" missing (it comes with the postgresql package)');
	return 'postgres';
}

function asPg(user, cmd, args) {
	return user ? ['runuser', ['-u', user, '--', cmd, ...args]] : [cmd, args];
}

/** Starts PostgreSQL on 127.0.0.1:<port> with data in a fresh temp folder; creates database n8n. */
async function startPostgres({ pgBin, log = () => {} }) {
	const user = pgUser();
	const dir = mkTemp('mifumo-queue-pg-');
	fs.chmodSync(dir, 0o700);
	const data = path.join(dir, 'data');
	if (user) {
		const uid = Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout);
		const gid = Number(spawnSync('id', ['-g', user], { encoding: 'utf8' }).stdout);
		fs.chownSync(dir, uid, gid);
	}
	const [c1, a1] = asPg(user, path.join(pgBin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--locale=C']);
	const init = await local.exec(c1, a1, { env: { ...process.env, LC_ALL: 'C' }, cwd: dir, timeoutMs: 120000 });
	if (init.code !== 0) throw new Error(`initdb failed:\n${init.stdout}\n${init.stderr}`);
	const port = await local.freePort();
	const settings = [
		['listen_addresses', '127.0.0.1'],
		['port', port],
		['unix_socket_directories', dir],
		['max_connections', 200],
		['fsync', 'off'],
		['synchronous_commit', 'off'],
		['full_page_writes', 'off'],
		['shared_buffers', '64MB'],
	];
	const [c2, a2] = asPg(user, path.join(pgBin, 'postgres'), ['-D', data, ...settings.flatMap(([k, v]) => ['-c', `${k}=${v}`])]);
	const logFile = path.join(dir, 'postgres.log');
	const out = fs.openSync(logFile, 'a');
	const child = track(spawn(c2, a2, { cwd: dir, detached: true, stdio: ['ignore', out, out], env: { ...process.env, LC_ALL: 'C' } }));
	fs.closeSync(out);
	const psqlBin = path.join(pgBin, 'psql');
	const psql = (sql, db = 'n8n') => {
		const r = spawnSync(psqlBin, ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', db, '-v', 'ON_ERROR_STOP=1', '-AtX', '-F', '\t', '-c', sql], {
			encoding: 'utf8',
			maxBuffer: 256 * 1024 * 1024,
		});
		if (r.status !== 0) throw new Error(`psql: ${sql}\n${r.stderr}`);
		return r.stdout;
	};
	const deadline = Date.now() + 60000;
	for (;;) {
		if (child.exitCode !== null) throw new Error(`postgres exited at start:\n${fs.readFileSync(logFile, 'utf8').slice(-3000)}`);
		const r = spawnSync(path.join(pgBin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres']);
		if (r.status === 0) break;
		if (Date.now() > deadline) throw new Error(`postgres not ready within 60 s; log ${logFile}`);
		await sleep(200);
	}
	psql('CREATE DATABASE n8n', 'postgres');
	log(`PostgreSQL on 127.0.0.1:${port} (data ${data})`);
	return {
		port,
		dir,
		child,
		psql,
		/** Rows of a query as arrays of strings (tab-separated output). */
		rows: (sql) =>
			psql(sql)
				.split('\n')
				.filter((l) => l !== '')
				.map((l) => l.split('\t')),
		async stop() {
			await stopGroup(child, { signal: 'SIGINT' }); // SIGINT: PostgreSQL's fast shutdown
			removeTemp(dir);
		},
	};
}

/** Starts redis-server on 127.0.0.1:<port>, no persistence, dir in a temp folder. */
async function startRedis({ redisServer, redisCli, log = () => {} }) {
	const dir = mkTemp('mifumo-queue-redis-');
	const port = await local.freePort();
	const logFile = path.join(dir, 'redis.log');
	const out = fs.openSync(logFile, 'a');
	const child = track(
		spawn(redisServer, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'], {
			cwd: dir,
			detached: true,
			stdio: ['ignore', out, out],
		}),
	);
	fs.closeSync(out);
	const cli = (...args) => {
		const r = spawnSync(redisCli, ['-h', '127.0.0.1', '-p', String(port), '--raw', ...args.map(String)], { encoding: 'utf8' });
		if (r.status !== 0) throw new Error(`redis-cli ${args.join(' ')}: ${r.stderr}`);
		return r.stdout.trim();
	};
	const deadline = Date.now() + 30000;
	for (;;) {
		if (child.exitCode !== null) throw new Error(`redis-server exited at start:\n${fs.readFileSync(logFile, 'utf8').slice(-3000)}`);
		try {
			if (cli('PING') === 'PONG') break;
		} catch {}
		if (Date.now() > deadline) throw new Error(`redis not ready within 30 s; log ${logFile}`);
		await sleep(100);
	}
	log(`Redis on 127.0.0.1:${port}`);
	return {
		port,
		dir,
		child,
		cli,
		async stop() {
			await stopGroup(child, { signal: 'SIGKILL' }); // no persistence: nothing to shut down cleanly
			removeTemp(dir);
		},
	};
}

// ---------------------------------------------------------------------------------------------
// n8n processes

/**
 * Spawns `n8n <args>` (own process group, output to logFile) and waits until readyUrl answers 200.
 * Resolves { role, child, pid, logFile, url, stop(), kill(), exited }.
 */
async function spawnN8n({ role, args, env, logFile, readyUrl, timeoutMs = 180000 }) {
	const p = local.paths();
	const out = fs.openSync(logFile, 'a');
	const child = track(spawn(p.node, [p.n8nMain, ...args], { env, cwd: env.N8N_USER_FOLDER, detached: true, stdio: ['ignore', out, out] }));
	fs.closeSync(out);
	let exited = null;
	const exitPromise = new Promise((resolve) => child.on('exit', (code, signal) => resolve((exited = { code, signal }))));
	const proc = {
		role,
		child,
		pid: child.pid,
		logFile,
		url: readyUrl ? new URL(readyUrl).origin : null,
		get exited() {
			return exited;
		},
		/** SIGTERM (graceful), SIGKILL after graceMs; then SIGKILL the rest of the group (task runner). */
		async stop(graceMs = 10000) {
			await stopGroup(child, { graceMs });
			return exitPromise;
		},
		/** SIGKILL the whole process group at once (a crashed machine). */
		async kill() {
			killStragglers(child);
			return exitPromise;
		},
		log: () => fs.readFileSync(logFile, 'utf8'),
	};
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (exited) {
			const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n');
			throw new Error(`n8n ${role} exited before it was ready (${exited.signal || 'exit ' + exited.code}); log ${logFile}:\n${tail}`);
		}
		if ((await httpStatus(readyUrl)) === 200) break;
		if (Date.now() > deadline) {
			await proc.stop(2000);
			throw new Error(`n8n ${role} not ready within ${timeoutMs} ms; log ${logFile}`);
		}
		await sleep(500);
	}
	return proc;
}

/**
 * Environment of every process of the stack: the offline-safe n8nEnv plus PostgreSQL, Redis and
 * queue mode. `port` (N8N_PORT), broker port, health port and event log file are per process.
 */
function queueEnv({ userFolder, port, brokerPort, pg, redis, logDir, name, logLevel = 'info', extra = {} }) {
	return local.n8nEnv({
		userFolder,
		port,
		brokerPort,
		logLevel,
		extra: {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(pg.port),
			DB_POSTGRESDB_DATABASE: 'n8n',
			DB_POSTGRESDB_USER: 'postgres',
			DB_POSTGRESDB_PASSWORD: '',
			DB_POSTGRESDB_POOL_SIZE: '10',
			// A worker running 120–150 executions at once queues their queries for its 10 connections:
			// on 2 busy cores one waited more than n8n's 20 s (DB_POSTGRESDB_CONNECTION_TIMEOUT) and
			// n8n failed its execution ("timeout exceeded when trying to connect"), and the DB ping
			// (5 s) failed and n8n rebuilt the pool under running queries. Waited for instead.
			DB_POSTGRESDB_CONNECTION_TIMEOUT: '120000',
			DB_PING_TIMEOUT_MS: process.env.MIFUMO_QUEUE_PING_TIMEOUT_MS || '15000',
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			// A dead worker's job is declared stalled within ~lock duration + stalled interval
			// (defaults 60 s + 30 s); shortened so the crash test does not wait minutes.
			QUEUE_WORKER_LOCK_DURATION: '8000',
			QUEUE_WORKER_LOCK_RENEW_TIME: '2000',
			QUEUE_WORKER_STALLED_INTERVAL: '3000',
			// each process its own event log (they all share the user folder)
			N8N_EVENTBUS_LOGWRITER_LOGFULLPATH: path.join(logDir, `events-${name}.log`),
			N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
			N8N_PUBLIC_API_SWAGGERUI_DISABLED: 'true',
			// manual runs from the editor go to the workers too (n8n 3's only behaviour)
			OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
			N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
			...extra,
		},
	});
}

/**
 * One more worker beside a running stack (a test's third worker): same user folder, PostgreSQL
 * and Redis, ports of its own. Resolves the process (as spawnN8n), ready for jobs.
 */
async function startWorker({ name, userFolder, logDir, pgPort, redisPort, concurrency = 5 }) {
	const health = await local.freePort();
	const broker = await local.freePort();
	const env = queueEnv({
		userFolder,
		port: health,
		brokerPort: broker,
		pg: { port: pgPort },
		redis: { port: redisPort },
		logDir,
		name,
		extra: { QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(health) },
	});
	return await spawnN8n({
		role: name,
		args: ['worker', `--concurrency=${concurrency}`],
		env,
		logFile: path.join(logDir, `${name}.log`),
		readyUrl: `http://127.0.0.1:${health}/healthz/readiness`,
	});
}

/** Execution ids each worker log says it started ("Worker started execution <id> (job <n>)"). */
function executionsStartedIn(logText) {
	const ids = [];
	for (const m of logText.matchAll(/Worker started execution (\d+) \(job /g)) ids.push(m[1]);
	return ids;
}

/**
 * Starts the whole stack. Options:
 *   tgz            the packed package (local.buildAndPack)
 *   credentials    [{id, name, type, data}] imported before start
 *   workflows      workflow objects imported before start
 *   publish        ids published (active) before start
 *   workers        number of workers (2)
 *   concurrency    each worker's --concurrency (5)
 *   log            progress lines
 * Resolves the stack: { tmp, userFolder, pg, redis, main, workers, webhook, urls, env(name),
 *   restartMain(), workerOf(executionId), stop() }.
 */
async function startQueueStack({ tgz, credentials = [], workflows = [], publish = [], workers = 2, concurrency = 5, log = () => {}, services } = {}) {
	const t0 = Date.now();
	const since = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
	const stack = { workers: [], tmp: null, pg: null, redis: null, main: null, webhook: null, timings: {} };
	stack.stop = async () => {
		const procs = [stack.webhook, ...stack.workers, stack.main].filter(Boolean);
		await Promise.all(procs.map((p) => p.stop(8000).catch(() => {})));
		if (stack.redis) await stack.redis.stop().catch(() => {});
		if (stack.pg) await stack.pg.stop().catch(() => {});
		if (stack.tmp) removeTemp(stack.tmp);
	};
	try {
		services = services || (await ensureServices({ log }));
		stack.tmp = mkTemp('mifumo-queue-');
		const userFolder = (stack.userFolder = path.join(stack.tmp, 'user'));
		const logDir = (stack.logDir = path.join(stack.tmp, 'logs'));
		fs.mkdirSync(logDir, { recursive: true });

		const [pg, redis] = await Promise.all([startPostgres({ pgBin: services.pgBin, log }), startRedis({ ...services, log })]);
		stack.pg = pg;
		stack.redis = redis;
		stack.sql = pg.rows;

		log(`installing ${path.basename(tgz)} into ${userFolder}/.n8n/nodes (${since()}) …`);
		await local.installPackage(userFolder, tgz);

		const ports = {};
		for (const k of ['main', 'mainBroker', 'webhook', 'webhookBroker']) ports[k] = await local.freePort();
		for (let i = 0; i < workers; i++) {
			ports[`worker${i}Health`] = await local.freePort();
			ports[`worker${i}Broker`] = await local.freePort();
		}
		stack.ports = ports;
		const mk = (name, port, brokerPort, extra) => queueEnv({ userFolder, port, brokerPort, pg, redis, logDir, name, extra });
		stack.envs = {
			// main: REST API, UI, queue recovery (leader); production webhooks go to the webhook processor
			main: mk('main', ports.main, ports.mainBroker, { N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true', N8N_WEBHOOK_URL: `http://127.0.0.1:${ports.webhook}/` }),
			webhook: mk('webhook', ports.webhook, ports.webhookBroker, {
				N8N_WEBHOOK_URL: `http://127.0.0.1:${ports.webhook}/`,
				// A burst of webhooks holds every pooled connection; n8n's DB ping (which needs one
				// within DB_PING_TIMEOUT_MS, default 5 s) then fails and the process answers every
				// request 503 "Database is not ready!" until a ping succeeds. See docs/queue-mode.md.
				DB_POSTGRESDB_POOL_SIZE: process.env.MIFUMO_QUEUE_WEBHOOK_POOL || '20',
			}),
		};
		for (let i = 0; i < workers; i++) {
			stack.envs[`worker${i}`] = mk(`worker${i}`, ports[`worker${i}Health`], ports[`worker${i}Broker`], {
				QUEUE_HEALTH_CHECK_ACTIVE: 'true',
				QUEUE_HEALTH_CHECK_PORT: String(ports[`worker${i}Health`]),
			});
		}

		log(`importing ${credentials.length} credential(s) and ${workflows.length} workflow(s) into PostgreSQL (migrations run first) (${since()}) …`);
		const cliEnv = stack.envs.main;
		if (credentials.length) await local.importCredentials(cliEnv, credentials);
		if (workflows.length) await local.importWorkflows(cliEnv, workflows);
		for (const id of publish) await local.n8nCli(cliEnv, ['publish:workflow', `--id=${id}`]).then((r) => {
			if (r.code !== 0) throw new Error(`publish:workflow ${id} failed:\n${r.stdout}\n${r.stderr}`);
		});
		stack.timings.importedAt = since();

		const startMain = () =>
			spawnN8n({ role: 'main', args: ['start'], env: stack.envs.main, logFile: path.join(logDir, 'main.log'), readyUrl: `http://127.0.0.1:${ports.main}/healthz/readiness` });
		log(`starting main, ${workers} workers and the webhook processor (${since()}) …`);
		// main first: it is the leader and owns the migrations; the others start once it is ready
		stack.main = await startMain();
		const started = await Promise.all([
			...Array.from({ length: workers }, (_, i) =>
				spawnN8n({
					role: `worker${i}`,
					args: ['worker', `--concurrency=${concurrency}`],
					env: stack.envs[`worker${i}`],
					logFile: path.join(logDir, `worker${i}.log`),
					readyUrl: `http://127.0.0.1:${ports[`worker${i}Health`]}/healthz/readiness`,
				}),
			),
			spawnN8n({ role: 'webhook', args: ['webhook'], env: stack.envs.webhook, logFile: path.join(logDir, 'webhook.log'), readyUrl: `http://127.0.0.1:${ports.webhook}/healthz/readiness` }),
		]);
		stack.webhook = started.pop();
		stack.workers = started;
		stack.urls = { main: `http://127.0.0.1:${ports.main}`, webhook: `http://127.0.0.1:${ports.webhook}` };
		stack.timings.readyAt = since();
		log(`queue stack ready in ${since()}: main ${stack.urls.main}, webhook processor ${stack.urls.webhook}, workers ${stack.workers.map((w) => w.pid).join(', ')}`);

		stack.restartMain = async () => {
			await stack.main.stop(10000);
			stack.main = await startMain();
			return stack.main;
		};
		/** Which worker's log says it started the execution (worker index), or -1. */
		stack.workerOf = (executionId) => stack.workers.findIndex((w) => executionsStartedIn(w.log()).includes(String(executionId)));
		stack.startedBy = () => stack.workers.map((w) => executionsStartedIn(w.log()));
		return stack;
	} catch (err) {
		await stack.stop().catch(() => {});
		throw err;
	}
}

module.exports = {
	ensureServices,
	startPostgres,
	startRedis,
	spawnN8n,
	startWorker,
	queueEnv,
	startQueueStack,
	executionsStartedIn,
	killAllQueue,
	installSignalHandlers,
	mkTemp,
	removeTemp,
};
