'use strict';
/** Case 9: what knowing the cost of a send costs: encoding, parts and total_segments for a long text to many recipients. */
const { runNode } = require('../lib/engine');
const { API_KEY, control, reset, median, e164Numbers, pct, ms, assertRun } = require('../lib/common');
const { loadNodeSource } = require('../lib/phones');

const SENTENCE = 'Habari Mama Asha, ng’ombe wako amepatiwa chanjo leo. Tafadhali lipa TZS 15,000 kupitia M-Pesa kabla ya Ijumaa. ';

/** `length` characters of Swahili, GSM-7, or UCS-2 when `apostrophe` keeps the first sentence's ’. */
function swahili(length, apostrophe) {
	const plain = SENTENCE.replace('’', "'");
	let text = apostrophe ? SENTENCE : plain;
	while (text.length < length) text += plain;
	return text.slice(0, length - 1) + '.';
}

module.exports = async function cost({ url, quick }) {
	const count = quick ? 2000 : 10_000;
	const runs = quick ? 3 : 5;
	const length = 1530;
	const ctl = control(url);
	const recipients = e164Numbers(count);
	const credentials = { apiKey: API_KEY, baseUrl: url };
	const texts = { gsm: swahili(length, false), ucs2: swahili(length, true) };
	const parameters = (dryRun) => ({
		resource: 'sms',
		operation: 'send',
		message: '={{ $json.text }}',
		recipients: '={{ $json.recipients }}',
		options: { longMessages: 'split', recipientsPerRequest: 100, messagesPerMinute: 0, dryRun },
	});

	// The plan the node makes for the same text and list (analysis, split, batches, cost per request), timed alone.
	const { planSend } = loadNodeSource('nodes/Mifumo/actions/sms/sendPlan.ts');
	const node = { id: 'bench', name: 'Mifumo SMS', type: 'n8n-nodes-mifumo.mifumo', typeVersion: 1, position: [0, 0], parameters: {} };
	const settings = {
		senderId: 'MIFUMO',
		country: 'TZ',
		skipInvalidNumbers: false,
		splitLongMessages: true,
		numberParts: false,
		recipientsPerRequest: 100,
		replaceTypography: false,
		maxSegments: 0,
		maxRecipients: 0,
		toolRecipientLimit: false,
		dryRun: false,
	};
	const plan = (text) => {
		const t = process.hrtime.bigint();
		const result = planSend(node, 0, text, recipients, [], settings);
		return { ms: Number(process.hrtime.bigint() - t) / 1e6, result };
	};

	const figures = {};
	for (const [kind, text] of Object.entries(texts)) {
		const cold = plan(text).ms;
		const warm = [];
		let requests = 0;
		for (let i = 0; i < (quick ? 5 : 20); i++) {
			const { ms: elapsed, result } = plan(text);
			warm.push(elapsed);
			requests = result.requests.length;
		}
		const sends = [];
		const dryRuns = [];
		for (let round = -1; round < runs; round++) {
			await reset(ctl);
			const run = await runNode({ type: 'n8n-nodes-mifumo.mifumo', parameters: parameters(false), items: [{ text, recipients }], credentials });
			assertRun(`cost ${kind}`, run, requests);
			const dry = await runNode({ type: 'n8n-nodes-mifumo.mifumo', parameters: parameters(true), items: [{ text, recipients }], credentials });
			assertRun(`cost ${kind} dry run`, dry, requests);
			if ((await ctl.requests()).length !== requests) throw new Error(`cost ${kind}: the dry run reached the sandbox`);
			if (round >= 0) {
				sends.push(run.ms);
				dryRuns.push(dry.ms);
			}
		}
		figures[kind] = { cold, plan: median(warm), send: median(sends), dry: median(dryRuns), requests, warm, sends, dryRuns };
	}

	const rows = [];
	for (const [kind, label] of [
		['gsm', 'GSM-7'],
		['ucs2', 'UCS-2 (one ’)'],
	]) {
		const f = figures[kind];
		const share = f.plan / f.send;
		rows.push(
			{
				figure: `Send, ${length} characters ${label}, split, ${count.toLocaleString('en')} recipients (median of ${runs})`,
				value: `${ms(f.send)} (${f.requests} requests)`,
				explain: 'Wall time of the workflow run: one item, parts of one SMS each, requests of 100 numbers, each output item with encoding, segments, total_segments.',
			},
			{
				figure: `Planning it: analysis, split, batches (${label})`,
				value: `${ms(f.plan)} (${ms(f.cold)} on first use)`,
				explain: 'planSend() from nodes/Mifumo/actions/sms/sendPlan.ts, bundled as the build does, on the same text and list (median; first call in a fresh process in brackets). An upper bound of the cost analysis: it includes the split and batching that sending needed anyway.',
			},
			{
				figure: `Planning, share of the send (${label})`,
				value: pct(share),
				goal: '< 2 %',
				met: share < 0.02,
				explain: 'Planning time over the send\'s run time.',
			},
			{
				figure: `Dry Run of the same (${label})`,
				value: `${ms(f.dry)} (no request; ${f.requests} output items)`,
				explain: 'The same workflow with Options → Dry Run: the whole price check without sending.',
			},
		);
	}
	return { raw: { count, length, runs, figures }, rows };
};
