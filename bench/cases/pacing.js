'use strict';
/** Case 6c: pacing across items (one recipient each, concurrency 4) at 600/min against a sandbox enforcing it. */
const { measurePacing, pacingRows } = require('../lib/pacing');

module.exports = async function pacing({ url, quick }) {
	// 600/min enforced as 50 SMS per 5 s sliding window (a stricter window than 600 per 60 s).
	const setup = { limit: 50, windowMs: 5000, recipients: quick ? 60 : 300, recipientsPerRequest: 100, concurrency: 4 };
	setup.items = setup.recipients;
	const m = await measurePacing({ url, ...setup });
	const text = `Sandbox: ${setup.limit} SMS per ${setup.windowMs / 1000} s sliding window (= ${m.perMinute}/min); node: Messages Per Minute ${m.perMinute}, concurrency 4; ${setup.items} items of one recipient.`;
	return { raw: { setup, m }, rows: pacingRows('Pacing 600/min', text, m) };
};
