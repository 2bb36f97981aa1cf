'use strict';
/** Case 6b: a sandbox answering after 100 ms; requests per second against the bound concurrency / latency. */
const { runNode } = require('../lib/engine');
const { sendNode, API_KEY, control, reset, e164Numbers, deliveryCheck, pct, ms, assertRun } = require('../lib/common');

const LATENCY_MS = 100;

module.exports = async function latency({ url, quick }) {
	const ctl = control(url);
	const rows = [];
	const raw = [];
	let dup = 0;
	let lost = 0;
	// Warm up the engine and the node (a long-running n8n is warm), without latency; not measured.
	await reset(ctl);
	await runNode({
		type: 'n8n-nodes-mifumo.mifumo',
		parameters: { resource: 'sms', operation: 'send', message: 'Warm-up', recipients: '={{ $json.phone }}', options: { messagesPerMinute: 0 } },
		items: e164Numbers(100, 50_000).map((phone) => ({ phone })),
		credentials: { apiKey: API_KEY, baseUrl: url },
	});
	for (const concurrency of [1, 4, 16]) {
		// Quick mode: fewer rounds of `concurrency` requests (30, 80, 160 items).
		const count = quick ? { 1: 30, 4: 80, 16: 160 }[concurrency] : 200;
		const phones = e164Numbers(count);
		await reset(ctl, { latencyMs: LATENCY_MS });
		await ctl.resetStats();
		const run = await runNode({
			...sendNode({ concurrency }),
			items: phones.map((phone) => ({ phone })),
			credentials: { apiKey: API_KEY, baseUrl: url },
		});
		assertRun(`latency c=${concurrency}`, run, count);
		const stats = await ctl.stats();
		const check = await deliveryCheck(ctl, phones);
		dup += check.duplicates;
		lost += check.lost;
		const achieved = count / (run.ms / 1000);
		const bound = concurrency / (LATENCY_MS / 1000);
		const share = achieved / bound;
		raw.push({ concurrency, count, ms: run.ms, cpuMs: run.cpuMs, achieved, bound, maxInFlight: stats.maxInFlight });
		rows.push({
			figure: `Latency ${LATENCY_MS} ms, concurrency ${concurrency}, ${count} items`,
			value: `${pct(share)} (${achieved.toFixed(1)} of ${bound} req/s, ${ms(run.ms)}, ≤ ${stats.maxInFlight} in flight, ${ms(run.cpuMs / count)} CPU/request)`,
			goal: '≥ 90 %',
			met: share >= 0.9,
			explain: `Requests per second over the bound concurrency / latency = ${bound}/s; the run's wall time includes the engine's start-up. CPU/request: CPU time of the n8n process per request; at concurrency c, requests that return together queue for that CPU, so reaching 90 % needs it below about latency / (9 c).`,
		});
	}
	rows.push({
		figure: 'Latency runs: duplicates / lost at the sandbox',
		value: `${dup} / ${lost}`,
		goal: '0 / 0',
		met: dup === 0 && lost === 0,
		explain: 'Every number got exactly one SMS in each of the three runs.',
	});
	return { raw, rows };
};
