'use strict';
/**
 * Case 9: sending to many. 5,000 items of one text: API calls and wall time with Combine Items,
 * without it, and through n8n's HTTP Request node (pacing off). Then 300 executions started at
 * once, one SMS each, against a time-scaled limit of 100 SMS per 6 s: the share of the limit used
 * and the rate-limit answers met; then the same burst split over two processes (two queue-mode
 * workers), each pacing itself, and sharing the pace in a real redis-server (queue mode).
 */
const { fork } = require('node:child_process');
const { join } = require('node:path');

const { registerHttpRequestNode, runNode } = require('../lib/engine');
const { sendNode, API_KEY, control, reset, median, e164Numbers, deliveryCheck, assertRun, ms, pct } = require('../lib/common');
const { findHttpRequestNode, httpRequestNode } = require('../lib/n8n-local');

const SEND_PATH = '/api/integration/v1/sms/send/';

/** Median wall time of `runs` runs, and the API calls and duplicates / lost of the last one. */
async function measure(ctl, variant, items, phones, credentials, runs) {
	const times = [];
	let calls = 0;
	let check;
	for (let round = -1; round < runs; round++) {
		await reset(ctl);
		const run = await runNode({ ...variant, items, credentials });
		assertRun(variant.type, run, items.length);
		if (round < 0) continue;
		times.push(run.ms);
		calls = (await ctl.requests()).filter((request) => request.path === SEND_PATH).length;
		check = await deliveryCheck(ctl, phones);
	}
	return { ms: median(times), calls, duplicates: check.duplicates, lost: check.lost };
}

const LIMIT = 100;
const WINDOW_MS = 6000;
const MESSAGES_PER_MINUTE = (LIMIT * 60_000) / WINDOW_MS;

async function burst(ctl, url, executions) {
	await resetLimited(ctl);
	const phones = e164Numbers(executions, 20_000);
	const credentials = { apiKey: API_KEY, baseUrl: url };
	const runs = await Promise.all(
		phones.map((phone) => runNode({ ...sendNode({ messagesPerMinute: MESSAGES_PER_MINUTE }), items: [{ phone }], credentials })),
	);
	return await burstFigures(ctl, phones, runs.filter((run) => run.error).length);
}

async function resetLimited(ctl) {
	await reset(ctl, { rateLimits: { smsPerMinute: LIMIT, callsPerHour: null, contactOpsPerHour: null }, rateWindowMs: { smsPerMinute: WINDOW_MS } });
}

/**
 * The same burst over `workers` processes started together, each with its share; `env` makes
 * them queue-mode workers (the pace in Redis) or not (each its own pace).
 */
async function workersBurst(ctl, url, executions, workers, env) {
	await resetLimited(ctl);
	const phones = e164Numbers(executions, 30_000);
	const children = Array.from({ length: workers }, () =>
		fork(join(__dirname, '..', 'lib', 'burst-worker.js'), [], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }),
	);
	await Promise.all(children.map((child) => new Promise((resolve) => child.once('message', resolve))));
	const startedAt = Date.now();
	const reports = await Promise.all(
		children.map((child, index) => {
			const report = new Promise((resolve) => child.once('message', resolve));
			child.send({ url, phones: phones.filter((_, at) => at % workers === index), messagesPerMinute: MESSAGES_PER_MINUTE });
			return report;
		}),
	);
	const figures = await burstFigures(ctl, phones, reports.reduce((sum, report) => sum + report.failed, 0));
	return { ...figures, workers, wallMs: Date.now() - startedAt };
}

/** A real redis-server for the queue-mode workers, or undefined where none is installed. */
async function startRedisIfInstalled() {
	const { startRedis } = require('../../scripts/lib/queue');
	try {
		return await startRedis({ redisServer: 'redis-server', redisCli: 'redis-cli' });
	} catch {
		return undefined;
	}
}

async function burstFigures(ctl, phones, failed) {
	const limit = LIMIT;
	const windowMs = WINDOW_MS;
	const stats = await ctl.stats();
	const times = stats.acceptedSendTimes;
	const perWindow = times.length > 1 ? ((times.length - 1) * windowMs) / (times[times.length - 1] - times[0]) : 0;
	const check = await deliveryCheck(ctl, phones);
	return { limit, windowMs, failed, share: perWindow / limit, rateLimited: stats.rateLimited, ...check };
}

module.exports = async function combine({ url, quick }) {
	const itemCount = quick ? 1000 : 5000;
	const runs = quick ? 1 : 3;
	const executions = quick ? 100 : 300;
	const ctl = control(url);
	const phones = e164Numbers(itemCount);
	const items = phones.map((phone) => ({ phone }));
	const credentials = { apiKey: API_KEY, baseUrl: url };

	const combined = await measure(ctl, sendNode({ batchItems: true }), items, phones, credentials, runs);
	const perItem = await measure(ctl, sendNode({}), items, phones, credentials, runs);
	const modulePath = findHttpRequestNode();
	let http;
	let version;
	if (modulePath) {
		registerHttpRequestNode(modulePath);
		version = require(join(modulePath, '..', '..', '..', '..', 'package.json')).version;
		http = await measure(ctl, httpRequestNode(url), items, phones, credentials, runs);
	}
	const burstResult = await burst(ctl, url, executions);
	const perProcess = await workersBurst(ctl, url, executions, 2, { EXECUTIONS_MODE: 'regular' });
	const redis = await startRedisIfInstalled();
	let shared;
	try {
		if (redis) shared = await workersBurst(ctl, url, executions, 2, { EXECUTIONS_MODE: 'queue', QUEUE_BULL_REDIS_HOST: '127.0.0.1', QUEUE_BULL_REDIS_PORT: String(redis.port) });
	} finally {
		await redis?.stop();
	}
	const workersRow = (result, how) => ({
		figure: `${executions} executions over 2 worker processes, ${how}: share of the limit / rate-limit answers / failed / duplicates / lost / wall time`,
		value: result
			? `${pct(result.share)} / ${result.rateLimited} / ${result.failed} / ${result.duplicates} / ${result.lost} / ${ms(result.wallMs)}`
			: 'n/a (redis-server not installed)',
		explain: `The same burst, half of the executions in each of two processes started together (as two n8n queue-mode workers). ${how === 'each its own pace' ? 'Outside queue mode each process paces itself at Messages Per Minute: together they send twice the limit, and the sandbox answers the excess with 429.' : 'In queue mode (EXECUTIONS_MODE=queue, QUEUE_BULL_REDIS_* pointing at a redis-server on loopback) both share the pace kept in Redis.'}`,
	});

	const goalCalls = Math.ceil(itemCount / 100);
	const rows = [
		{
			figure: `API calls, ${itemCount} items of one text: Combine Items / one per item${http ? ' / HTTP Request' : ''}`,
			value: `${combined.calls} / ${perItem.calls}${http ? ` / ${http.calls}` : ''}`,
			goal: `${goalCalls}`,
			met: combined.calls === goalCalls,
			explain: 'POST /sms/send/ requests counted at the sandbox. Combine Items puts up to Recipients Per Request (100) numbers of items with the same text into one request.',
		},
		{
			figure: `Wall time, ${itemCount} items: Combine Items / one per item (median of ${runs})`,
			value: `${ms(combined.ms)} / ${ms(perItem.ms)}`,
			explain: 'Whole workflow run through WorkflowExecute, pacing off, default concurrency (4) for the per-item run.',
		},
		http
			? {
					figure: `Combine Items / HTTP Request node ${version}, wall time`,
					value: `${(combined.ms / http.ms).toFixed(3)} (${ms(combined.ms)} / ${ms(http.ms)})`,
					goal: '≤ 0.2',
					met: combined.ms / http.ms <= 0.2,
					explain: "The same items through n8n's own HTTP Request node (one POST per item, default options).",
				}
			: {
					figure: 'Combine Items / HTTP Request node, wall time',
					value: 'n/a (n8n-nodes-base not installed)',
					goal: '≤ 0.2',
					met: null,
					explain: 'Needs n8n-nodes-base under .n8n-local/ (a local n8n install); skipped.',
				},
		{
			figure: 'Duplicates / lost at the sandbox (all runs above)',
			value: `${combined.duplicates + perItem.duplicates + (http?.duplicates ?? 0)} / ${combined.lost + perItem.lost + (http?.lost ?? 0)}`,
			goal: '0 / 0',
			met: combined.duplicates + perItem.duplicates + (http?.duplicates ?? 0) === 0 && combined.lost + perItem.lost + (http?.lost ?? 0) === 0,
			explain: 'Each number received the SMS exactly once in every run.',
		},
		{
			figure: `${executions} executions at once, 1 SMS each: share of the limit used`,
			value: pct(burstResult.share),
			goal: '≥ 95 %',
			met: burstResult.share >= 0.95,
			explain: `Sandbox limit ${burstResult.limit} SMS per ${burstResult.windowMs / 1000} s (a minute scaled down 10×), every execution with Messages Per Minute ${(burstResult.limit * 60_000) / burstResult.windowMs}; all executions in one process share one pace. Rate from the first to the last accepted send.`,
		},
		{
			figure: `${executions} executions: rate-limit answers met / failed / duplicates / lost`,
			value: `${burstResult.rateLimited} / ${burstResult.failed} / ${burstResult.duplicates} / ${burstResult.lost}`,
			goal: '≤ 3 / 0 / 0 / 0',
			met: burstResult.rateLimited <= 3 && burstResult.failed === 0 && burstResult.duplicates === 0 && burstResult.lost === 0,
			explain: '429 answers the sandbox gave during the burst, and executions that failed.',
		},
		workersRow(perProcess, 'each its own pace'),
		{ ...workersRow(shared, 'one pace in Redis'), goal: '≥ 95 % / ≤ 3 / 0 / 0 / 0', met: shared ? shared.share >= 0.95 && shared.rateLimited <= 3 && shared.failed === 0 && shared.duplicates === 0 && shared.lost === 0 : null },
	];
	return { raw: { itemCount, runs, combined, perItem, http, burst: burstResult, perProcess, shared }, rows };
};
