'use strict';
/** Case 3: one item, many recipients, sandbox enforcing a (time-scaled) SMS limit, pacing set to it. */
const { measurePacing, pacingRows } = require('../lib/pacing');

module.exports = async function ratelimit({ url, quick }) {
	const setup = { limit: 100, windowMs: 5000, recipients: quick ? 150 : 1000, items: 1, recipientsPerRequest: 10 };
	const m = await measurePacing({ url, ...setup });
	const text = `Sandbox: ${setup.limit} SMS per ${setup.windowMs / 1000} s sliding window (= ${m.perMinute}/min); node: Messages Per Minute ${m.perMinute}; one item, ${setup.recipients} recipients, 10 per request.`;
	return { raw: { setup, m }, rows: pacingRows('Rate limit', text, m) };
};
