'use strict';
/** Case 4: Get Delivery Reports with Return All over many seeded reports. */
const { runNode } = require('../lib/engine');
const { API_KEY, control, reset, median, ms, assertRun } = require('../lib/common');

module.exports = async function paging({ url, quick }) {
	const count = quick ? 2000 : 10_000;
	const runs = quick ? 3 : 5;
	const ctl = control(url);
	await reset(ctl);
	await ctl.seed({ messages: { count, recipients: 1, status: 'delivered', intervalMs: 10 } });
	const times = [];
	let requests = 0;
	for (let round = -1; round < runs; round++) {
		await ctl.clearRequests();
		const run = await runNode({
			type: 'n8n-nodes-mifumo.mifumo',
			parameters: { resource: 'sms', operation: 'getDeliveryReports', returnAll: true, filters: {} },
			items: [{}],
			credentials: { apiKey: API_KEY, baseUrl: url },
		});
		assertRun('paging', run, count);
		if (round >= 0) times.push(run.ms);
		requests = (await ctl.requests()).filter((r) => r.path.startsWith('/api/integration/v1/sms/delivery-reports')).length;
	}
	const minimum = Math.ceil(count / 100);
	return {
		raw: { count, runs, times, requests },
		rows: [
			{
				figure: `Return All over ${count.toLocaleString('en')} delivery reports: requests (minimum)`,
				value: `${requests} (${minimum})`,
				goal: `${minimum}`,
				met: requests === minimum,
				explain: 'GET /sms/delivery-reports/ requests of one run; the server caps pages at 100, so the minimum is count/100.',
			},
			{
				figure: `Return All over ${count.toLocaleString('en')} delivery reports: time (median of ${runs})`,
				value: `${ms(median(times))} (${ms(median(times) / requests)}/page)`,
				explain: 'Wall time of the workflow run, including the sandbox building each page (it sorts all messages per request).',
			},
		],
	};
};
