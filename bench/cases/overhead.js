'use strict';
/** Case 1: per-item overhead of Send against a minimal node doing one POST per item. */
const { compareInterleaved } = require('../lib/compare');
const { sendNode, API_KEY, control, median, e164Numbers, ms } = require('../lib/common');

module.exports = async function overhead({ url, quick }) {
	const itemCount = quick ? 200 : 1000;
	const runs = quick ? 3 : 7;
	const ctl = control(url);
	const phones = e164Numbers(itemCount);
	const items = phones.map((phone) => ({ phone }));
	const credentials = { apiKey: API_KEY, baseUrl: url };
	const variants = {
		send: sendNode({ concurrency: 1 }),
		baseline: {
			type: 'bench.baselineSend',
			parameters: { message: 'Benchmark message', recipients: '={{ $json.phone }}' },
		},
	};
	const { times, cpu, wall, duplicates: dup, lost } = await compareInterleaved({ ctl, variants, items, credentials, runs, phones });
	const send = wall.send;
	const baseline = wall.baseline;
	const ratio = send / baseline;
	return {
		raw: { itemCount, runs, times, cpu },
		rows: [
			{
				figure: `Send, ${itemCount} items, concurrency 1 (median of ${runs})`,
				value: `${ms(send)} (${ms(send / itemCount)}/item)`,
				explain: 'Wall time of the whole workflow run in WorkflowExecute, one SMS per item, one request at a time.',
			},
			{
				figure: `Baseline node, same items (median of ${runs})`,
				value: `${ms(baseline)} (${ms(baseline / itemCount)}/item)`,
				explain: 'A node that only reads message/recipients and POSTs them with httpRequestWithAuthentication (bench/lib/baseline.node.js).',
			},
			{
				figure: 'Send / baseline',
				value: ratio.toFixed(3),
				goal: '≤ 1.10',
				met: ratio <= 1.1,
				explain: 'What normalisation, validation, envelope checks and the pool cost per item, as a ratio to the bare POST.',
			},
			{
				figure: 'CPU time of the n8n process per item (send / baseline)',
				value: `${ms(median(cpu.send) / itemCount)} / ${ms(median(cpu.baseline) / itemCount)} (ratio ${(median(cpu.send) / median(cpu.baseline)).toFixed(3)})`,
				explain: 'process.cpuUsage() over the run, per item (median): the same comparison in CPU time, which a busy machine disturbs less than wall time.',
			},
			{
				figure: 'Duplicates / lost at the sandbox',
				value: `${dup} / ${lost}`,
				goal: '0 / 0',
				met: dup === 0 && lost === 0,
				explain: 'Every number got exactly one SMS in the last run of each variant.',
			},
		],
	};
};
