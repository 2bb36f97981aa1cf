'use strict';
/**
 * Pacing against a sandbox that enforces an SMS rate limit: how much of the limit the node uses,
 * how many 429s it meets, and whether every number got its SMS exactly once.
 *
 * The node's messagesPerMinute is per 60 s. The sandbox's limit is `limit` SMS over a sliding
 * window of `windowMs`; the node is given the same rate, limit * 60 000 / windowMs per minute.
 */
const { runNode } = require('./engine');
const { API_KEY, control, reset, e164Numbers, deliveryCheck, pct, ms, assertRun } = require('./common');

async function measurePacing({ url, limit, windowMs, recipients, items, recipientsPerRequest, concurrency }) {
	const ctl = control(url);
	const perMinute = (limit * 60_000) / windowMs;
	const phones = e164Numbers(recipients);
	await reset(ctl, { rateLimits: { smsPerMinute: limit, callsPerHour: null, contactOpsPerHour: null }, rateWindowMs: { smsPerMinute: windowMs } });
	await ctl.resetStats();
	const perItem = recipients / items;
	const inputItems = Array.from({ length: items }, (_, i) => ({ recipients: phones.slice(i * perItem, (i + 1) * perItem) }));
	const options = { messagesPerMinute: perMinute, recipientsPerRequest };
	if (concurrency !== undefined) options.concurrency = concurrency;
	const run = await runNode({
		type: 'n8n-nodes-mifumo.mifumo',
		parameters: { resource: 'sms', operation: 'send', message: 'Benchmark paced message', recipients: '={{ $json.recipients }}', options },
		items: inputItems,
		credentials: { apiKey: API_KEY, baseUrl: url },
	});
	assertRun('pacing', run, Math.ceil(perItem / recipientsPerRequest) * items);
	const stats = await ctl.stats();
	const sends = (await ctl.requests()).filter((r) => r.method === 'POST' && r.path.startsWith('/api/integration/v1/sms/send'));
	const accepted = sends.filter((r) => r.status === 200).sort((a, b) => a.at - b.at);
	const rejected = sends.filter((r) => r.status === 429).length;
	const check = await deliveryCheck(ctl, phones);
	// Steady rate: the recipients of every accepted request but the last, over the time from the
	// first accepted request to the last (the last one's recipients would fall after the span).
	const span = accepted[accepted.length - 1].at - accepted[0].at;
	const steadyRecipients = accepted.slice(0, -1).reduce((sum, r) => sum + r.body.recipients.length, 0);
	const steadyPerMinute = (steadyRecipients / span) * 60_000;
	const wholePerMinute = (recipients / run.ms) * 60_000;
	return {
		perMinute,
		runMs: run.ms,
		share: steadyPerMinute / perMinute,
		wholeShare: wholePerMinute / perMinute,
		steadyPerMinute,
		rateLimited: Math.max(stats.rateLimited ?? 0, rejected),
		requests: sends.length,
		...check,
	};
}

function pacingRows(label, setup, m) {
	return [
		{
			figure: `${label}: throughput, share of the limit`,
			value: `${pct(m.share)} (${Math.round(m.steadyPerMinute)} of ${m.perMinute}/min)`,
			goal: '≥ 95 %',
			met: m.share >= 0.95,
			explain: `${setup} Rate at which the sandbox accepted recipients, first to last request, over the limit. The node keeps 2 % head-room, so about 98 % is its nominal ceiling.`,
		},
		{
			figure: `${label}: whole run`,
			value: `${ms(m.runMs)}, ${m.requests} requests (${pct(m.wholeShare)} of the limit end to end)`,
			explain: 'Wall time of the workflow run; recipients over that time (includes the start-up and the last request).',
		},
		{
			figure: `${label}: 429 answers met`,
			value: String(m.rateLimited),
			goal: '0',
			met: m.rateLimited === 0,
			explain: 'Requests the sandbox answered with RATE_LIMIT_EXCEEDED.',
		},
		{
			figure: `${label}: duplicates / lost at the sandbox`,
			value: `${m.duplicates} / ${m.lost}`,
			goal: '0 / 0',
			met: m.duplicates === 0 && m.lost === 0,
			explain: 'Every number got exactly one SMS.',
		},
	];
}

module.exports = { measurePacing, pacingRows };
