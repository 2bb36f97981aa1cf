'use strict';
/** Case 6a: Send (concurrency default 4, pacing off) vs n8n's own HTTP Request node doing the same POSTs. */
const { join } = require('node:path');

const { registerHttpRequestNode } = require('../lib/engine');
const { compareInterleaved } = require('../lib/compare');
const { sendNode, API_KEY, control, median, e164Numbers, ms } = require('../lib/common');
const { findHttpRequestNode, httpRequestNode } = require('../lib/n8n-local');

module.exports = async function httprequest({ url, quick }) {
	const itemCount = quick ? 200 : 1000;
	const runs = quick ? 3 : 7;
	const modulePath = findHttpRequestNode();
	if (!modulePath) {
		return {
			raw: { skipped: true },
			rows: [
				{
					figure: `Send vs HTTP Request node, ${itemCount} items`,
					value: 'n/a (n8n-nodes-base not installed)',
					goal: '≤ 1.10',
					met: null,
					explain: 'Needs n8n-nodes-base under .n8n-local/ (a local n8n install); skipped.',
				},
			],
		};
	}
	registerHttpRequestNode(modulePath);
	const version = require(join(modulePath, '..', '..', '..', '..', 'package.json')).version;
	const ctl = control(url);
	const phones = e164Numbers(itemCount);
	const items = phones.map((phone) => ({ phone }));
	const credentials = { apiKey: API_KEY, baseUrl: url };
	const variants = {
		send: sendNode(),
		http: httpRequestNode(url),
	};
	const { times, cpu, wall, duplicates: dup, lost } = await compareInterleaved({ ctl, variants, items, credentials, runs, phones });
	const send = wall.send;
	const http = wall.http;
	const ratio = send / http;
	return {
		raw: { itemCount, runs, times, cpu, version },
		rows: [
			{
				figure: `Send, ${itemCount} items, concurrency 4 (median of ${runs})`,
				value: `${ms(send)} (${ms(send / itemCount)}/item)`,
				explain: 'Wall time of the workflow run, default concurrency (4), pacing off.',
			},
			{
				figure: `HTTP Request node ${version} (v4.2), same POSTs`,
				value: `${ms(http)} (${ms(http / itemCount)}/item)`,
				explain: "n8n's own HTTP Request node with the mifumoApi credential and a JSON body expression, default options (it fires every item's request at once).",
			},
			{
				figure: 'Send / HTTP Request',
				value: ratio.toFixed(3),
				goal: '≤ 1.10',
				met: ratio <= 1.1,
				explain: 'What choosing the Mifumo node costs over hand-writing the request in n8n.',
			},
			{
				figure: 'CPU time of the n8n process per item (send / http)',
				value: `${ms(median(cpu.send) / itemCount)} / ${ms(median(cpu.http) / itemCount)} (ratio ${(median(cpu.send) / median(cpu.http)).toFixed(3)})`,
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
