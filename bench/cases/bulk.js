'use strict';
/** Case 2: one message to many recipients in mixed local formats, recipientsPerRequest 100. */
const { runNode } = require('../lib/engine');
const { API_KEY, control, reset, median, e164Numbers, deliveryCheck, withMemoryPeaks, mb, pct, ms, assertRun } = require('../lib/common');
const { loadPhoneHelpers, mixedFormats } = require('../lib/phones');

module.exports = async function bulk({ url, quick }) {
	const count = quick ? 2000 : 10_000;
	const runs = quick ? 3 : 5;
	const ctl = control(url);
	const expected = e164Numbers(count);
	const mixed = mixedFormats(count);
	const credentials = { apiKey: API_KEY, baseUrl: url };
	const parameters = {
		resource: 'sms',
		operation: 'send',
		message: 'Benchmark bulk message',
		recipients: '={{ $json.recipients }}',
		options: { recipientsPerRequest: 100, messagesPerMinute: 0 },
	};
	const items = [{ recipients: mixed }];
	const itemsE164 = [{ recipients: expected }];

	const before = process.memoryUsage();
	const times = [];
	const timesE164 = [];
	let requests = 0;
	let check;
	let peak;
	for (let round = -1; round < runs; round++) {
		await reset(ctl);
		const measured = await withMemoryPeaks(() => runNode({ type: 'n8n-nodes-mifumo.mifumo', parameters, items, credentials }));
		const run = measured.result;
		assertRun('bulk', run, count / 100);
		if (round === -1) peak = measured.peak;
		else {
			peak.rss = Math.max(peak.rss, measured.peak.rss);
			peak.heapUsed = Math.max(peak.heapUsed, measured.peak.heapUsed);
			times.push(run.ms);
		}
		if (round === runs - 1) {
			requests = (await ctl.requests()).filter((r) => r.method === 'POST' && r.path.startsWith('/api/integration/v1/sms/send')).length;
			check = await deliveryCheck(ctl, expected);
		}
		await reset(ctl);
		const e164Run = await runNode({ type: 'n8n-nodes-mifumo.mifumo', parameters, items: itemsE164, credentials });
		assertRun('bulk e164', e164Run, count / 100);
		if (round >= 0) timesE164.push(e164Run.ms);
	}

	// The normalisation itself, through the node's own source, on the same input.
	const { normalizePhoneNumbers, splitRecipientList } = loadPhoneHelpers();
	const normalise = (list) => {
		const t = process.hrtime.bigint();
		const { valid, invalid } = normalizePhoneNumbers(splitRecipientList(list), 'TZ');
		const elapsed = Number(process.hrtime.bigint() - t) / 1e6;
		if (valid.length !== count || invalid.length) throw new Error(`normalisation gave ${valid.length} valid, ${invalid.length} invalid`);
		return elapsed;
	};
	const cold = normalise(mixed);
	const warm = [];
	for (let i = 0; i < (quick ? 5 : 10); i++) warm.push(normalise(mixed));
	const normaliseMs = median(warm);
	const runMs = median(times);
	const share = normaliseMs / runMs;
	const minimum = Math.ceil(count / 100);

	return {
		raw: { count, runs, times, timesE164, cold, warm, peak, before },
		rows: [
			{
				figure: `Run, ${count.toLocaleString('en')} mixed-format recipients (median of ${runs})`,
				value: ms(runMs),
				explain: 'Wall time of the workflow run: one item whose recipients (from an expression) go out in requests of 100.',
			},
			{
				figure: 'Normalising the recipients',
				value: `${ms(normaliseMs)} (${ms(cold)} on first use)`,
				explain: 'normalizePhoneNumbers(splitRecipientList(list), "TZ") from nodes/Mifumo/helpers/phone.ts, bundled as the build does, timed on the same list (median; first call in a fresh process in brackets).',
			},
			{
				figure: 'Normalising, share of the run',
				value: pct(share),
				goal: '≤ 5 %',
				met: share <= 0.05,
				explain: 'Normalisation time over run time.',
			},
			{
				figure: 'Run with the same numbers already in E.164',
				value: `${ms(median(timesE164))} (${pct(median(timesE164) / runMs)} of the mixed-format run)`,
				explain: 'Same run with pre-normalised input: what the mixed formats themselves cost (those numbers are still parsed).',
			},
			{
				figure: 'Requests (minimum)',
				value: `${requests} (${minimum})`,
				goal: `${minimum}`,
				met: requests === minimum,
				explain: 'POST /sms/send/ the sandbox received for one run.',
			},
			{
				figure: 'Peak memory of the n8n process',
				value: `RSS ${mb(peak.rss)} (+${mb(peak.rss - before.rss)}), heap ${mb(peak.heapUsed)} (+${mb(peak.heapUsed - before.heapUsed)})`,
				explain: 'process.memoryUsage() sampled every 5 ms during the runs; in brackets the growth over the process before the first run (engine and node loaded). The sandbox runs in another process.',
			},
			{
				figure: 'Duplicates / lost at the sandbox',
				value: `${check.duplicates} / ${check.lost}`,
				goal: '0 / 0',
				met: check.duplicates === 0 && check.lost === 0,
				explain: 'Each of the distinct numbers got the SMS exactly once.',
			},
		],
	};
};
