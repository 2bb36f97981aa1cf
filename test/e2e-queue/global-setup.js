'use strict';
// Starts, once for the queue-mode run: the Mifumo sandbox (in this process, no rate limits, a
// large balance), a second sandbox in a process of its own for the paced bursts (so that the
// times it records are not those of this busy process), PostgreSQL + Redis, and n8n main +
// 2 workers + webhook processor with the packed package, the credentials and the workflows of
// lib/workflows.js published.
// Tests read the state from process.env.MIFUMO_E2E_QUEUE.

const path = require('path');
const local = require('../../scripts/n8n-local');
const queue = require('../../scripts/lib/queue');
const { OWNER, IDS, credentials, workflows } = require('./lib/workflows');

function log(msg) {
	process.stderr.write(`[e2e-queue] ${msg}\n`);
}

module.exports = async function globalSetup() {
	const t0 = Date.now();
	const since = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
	const state = (globalThis.__MIFUMO_E2E_QUEUE__ = { stack: null, sandbox: null, packDir: null, t0 });
	queue.installSignalHandlers(); // a Ctrl-C of jest still ends PostgreSQL, Redis and n8n
	try {
		log('ensuring n8n is installed in .n8n-local (a few minutes the first time) …');
		await local.ensureN8n({ log: (m) => log(`  ${m}`) });
		const services = await queue.ensureServices({ log });

		let tgz;
		if (process.env.MIFUMO_PACKAGE_TGZ) {
			tgz = path.resolve(process.env.MIFUMO_PACKAGE_TGZ);
			log(`using ${tgz} (MIFUMO_PACKAGE_TGZ)`);
		} else {
			state.packDir = queue.mkTemp('mifumo-queue-pack-');
			log(`building and packing the package (${since()}) …`);
			tgz = await local.buildAndPack({ destDir: state.packDir, build: process.env.MIFUMO_E2E_SKIP_BUILD !== '1' });
		}

		const { startSandbox } = require('../../sandbox');
		const sandbox = (state.sandbox = await startSandbox({
			port: 0,
			host: '127.0.0.1',
			balance: 1e9,
			rateLimits: { smsPerMinute: 0, callsPerHour: 0, contactOpsPerHour: 0 },
			deliveryDelayMs: null, // no delivery timers or webhooks: only what the tests send
		}));
		const sandboxUrl = sandbox.url.replace(/\/$/, '');
		const { startSandboxProcess } = require('../../bench/lib/sandbox-spawn');
		const burstSandbox = (state.burstSandbox = await startSandboxProcess());

		// Enough for a paced burst to be in the pace all at once (120 × 2 of 300): the executions wait
		// there, not in n8n's queue, so the burst measures the pace, not how fast n8n starts them.
		const concurrency = Number(process.env.MIFUMO_QUEUE_CONCURRENCY || 150);
		const stack = (state.stack = await queue.startQueueStack({
			tgz,
			services,
			workers: 2,
			concurrency,
			credentials: credentials(sandboxUrl, burstSandbox.url),
			workflows: workflows(),
			publish: Object.values(IDS),
			log: (m) => log(m),
		}));

		const rest = new local.RestClient(stack.urls.main);
		await rest.ensureOwner(OWNER);
		const key = await rest.ok('POST', '/rest/api-keys', { label: 'queue e2e', scopes: ['execution:list', 'execution:read'], expiresAt: null });
		const apiKey = key.rawApiKey || key.apiKey;

		process.env.MIFUMO_E2E_QUEUE = JSON.stringify({
			tmp: stack.tmp,
			logDir: stack.logDir,
			urls: stack.urls,
			ports: stack.ports,
			sandboxUrl,
			burstSandboxUrl: burstSandbox.url,
			concurrency,
			userFolder: stack.userFolder,
			apiKey,
			pg: { port: stack.pg.port, bin: services.pgBin },
			redis: { port: stack.redis.port, cli: services.redisCli, pid: stack.redis.child.pid },
			workers: stack.workers.map((w) => ({ pid: w.pid, logFile: w.logFile })),
			main: { pid: stack.main.pid, logFile: stack.main.logFile },
			timings: { setupSeconds: (Date.now() - t0) / 1000, ...stack.timings },
		});
		log(`ready in ${since()}`);
	} catch (err) {
		log(`setup failed: ${err.message}`);
		await require('./global-teardown')();
		throw err;
	}
};
