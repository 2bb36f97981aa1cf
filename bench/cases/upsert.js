'use strict';
/** Case 7: a nightly CRM sync, Create or Update over every contact of the account, of which a few changed. */
const { runNode } = require('../lib/engine');
const { API_KEY, control, reset, median, e164Numbers, ms, assertRun } = require('../lib/common');

module.exports = async function upsert({ url, quick }) {
	const count = quick ? 200 : 1000;
	const changed = quick ? 2 : 10;
	const runs = quick ? 2 : 3;
	const ctl = control(url);
	const numbers = e164Numbers(count);
	// The sandbox seeds contact k as "Contact k+1" at e164Numbers(count)[k]; every 100th item renames its contact.
	const renamed = new Set(Array.from({ length: changed }, (_, i) => Math.floor((i * count) / changed)));
	const items = numbers.map((phone, k) => ({ phone, name: renamed.has(k) ? `Renamed ${k + 1}` : `Contact ${k + 1}` }));
	const parameters = { resource: 'contact', operation: 'upsert', name: '={{ $json.name }}', phoneNumber: '={{ $json.phone }}' };

	const times = [];
	let calls;
	let actions;
	for (let round = 0; round < runs; round++) {
		// The reset turns the sandbox's rate limits off (500 contact operations an hour would stop the per-item search).
		await reset(ctl);
		await ctl.seed({ contacts: count });
		await ctl.clearRequests();
		const run = await runNode({ type: 'n8n-nodes-mifumo.mifumo', parameters, items, credentials: { apiKey: API_KEY, baseUrl: url } });
		assertRun('upsert', run, count);
		times.push(run.ms);
		calls = (await ctl.requests()).filter((r) => r.path.startsWith('/api/integration/v1/')).length;
		actions = run.items.reduce((tally, json) => ({ ...tally, [json.action]: (tally[json.action] ?? 0) + 1 }), {});
	}
	if (actions.unchanged !== count - changed || actions.updated !== changed) {
		throw new Error(`upsert: expected ${count - changed} unchanged and ${changed} updated, got ${JSON.stringify(actions)}`);
	}
	const goal = Math.ceil(count / 50) + changed;
	return {
		raw: { count, changed, runs, times, calls, actions },
		rows: [
			{
				figure: `Sync of ${count.toLocaleString('en')} contacts, ${changed} changed: API calls (goal)`,
				value: `${calls} (search per item: ${2 * count})`,
				goal: `≤ ${goal}`,
				met: calls <= goal,
				explain: `Requests that reached the sandbox in one run of Create or Update with ${count} items against ${count} existing contacts, of which ${changed} have a new name. The goal is one list read (${Math.ceil(count / 50)} pages of 50) plus one PUT per change; searching per item and updating every contact would cost ${2 * count}.`,
			},
			{
				figure: `Sync of ${count.toLocaleString('en')} contacts: time (median of ${runs})`,
				value: ms(median(times)),
				explain: 'Wall time of the workflow run (the sandbox freshly seeded before each run).',
			},
		],
	};
};
