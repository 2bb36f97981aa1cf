#!/usr/bin/env node
'use strict';
// n8n in queue mode with the package, by hand: PostgreSQL + Redis (loopback, temp data),
// main + workers + webhook processor, and the Mifumo sandbox. Ctrl-C stops and removes everything.
//
//   node scripts/queue-mode.js [--workers 2] [--concurrency 5] [--no-build]
//
// The suite that asserts on it is `npm run test:e2e:queue` (test/e2e-queue).

const local = require('./n8n-local');
const queue = require('./lib/queue');

function arg(name, fallback) {
	const i = process.argv.indexOf(`--${name}`);
	return i > 0 ? process.argv[i + 1] : fallback;
}

async function main() {
	const log = (m) => process.stderr.write(`[queue-mode] ${m}\n`);
	await local.ensureN8n({ log });
	const tmpPack = queue.mkTemp('mifumo-queue-pack-');
	const tgz = await local.buildAndPack({ destDir: tmpPack, build: !process.argv.includes('--no-build'), log });
	const { startSandbox } = require('../sandbox');
	const sandbox = await startSandbox({ port: 0, host: '127.0.0.1', balance: 1e9, rateLimits: { smsPerMinute: 0, callsPerHour: 0, contactOpsPerHour: 0 } });
	const stack = await queue.startQueueStack({
		tgz,
		workers: Number(arg('workers', 2)),
		concurrency: Number(arg('concurrency', 5)),
		credentials: [{ id: 'MifumoSandbox001', name: 'Mifumo Sandbox', type: 'mifumoApi', data: { apiKey: 'sandbox-admin-key', baseUrl: sandbox.url.replace(/\/$/, '') } }],
		log,
	});
	log(`sandbox ${sandbox.url} (key sandbox-admin-key), logs in ${stack.logDir}`);
	log(`open ${stack.urls.main} ; production webhooks: ${stack.urls.webhook}/webhook/<path> ; Ctrl-C stops everything`);
	const stop = async () => {
		log('stopping …');
		await stack.stop();
		await sandbox.close();
		queue.removeTemp(tmpPack);
		process.exit(0);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
	await new Promise(() => {});
}

main().catch((err) => {
	process.stderr.write(`${err instanceof local.UserError ? err.message : err.stack}\n`);
	queue.killAllQueue();
	process.exit(1);
});

