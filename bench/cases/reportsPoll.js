'use strict';
/**
 * Case 7: what one poll of the Mifumo SMS Reports Trigger costs: API calls for 100, 1,000 and
 * 10,000 reports in the look-back window (the goal is one call per 100), the wall time of a poll
 * at the largest size, and the static data it keeps. The BUILT trigger (dist/) polls through
 * n8n-core's PollContext and TriggersAndPollers, with one Workflow whose static data lives on.
 */
require('reflect-metadata');
const { join } = require('node:path');

const { Container } = require('@n8n/di');
const { PollContext, TriggersAndPollers } = require('n8n-core');
const { Workflow } = require('n8n-workflow');

const { additionalDataFor, ROOT } = require('../lib/engine');
const { API_KEY, control, reset, median, ms } = require('../lib/common');

const { MifumoReportsTrigger } = require(join(ROOT, 'dist/nodes/MifumoReportsTrigger/MifumoReportsTrigger.node.js'));

const TYPE = 'n8n-nodes-mifumo.mifumoReportsTrigger';
const trigger = new MifumoReportsTrigger();
const nodeTypes = { getByName: () => trigger, getByNameAndVersion: () => trigger, getKnownTypes: () => ({}) };
const REPORTS_PATH = '/api/integration/v1/sms/delivery-reports/';

function activeWorkflow(url) {
	const node = {
		id: 'reports',
		name: 'Reports Trigger',
		type: TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: { pollTimes: { item: [{ mode: 'everyMinute' }] }, events: ['sent', 'delivered', 'failed'], options: {} },
		credentials: { mifumoApi: { id: '1', name: 'Mifumo Sandbox' } },
	};
	const workflow = new Workflow({ id: 'bench-reports', nodes: [node], connections: {}, active: true, nodeTypes });
	const additionalData = additionalDataFor({ apiKey: API_KEY, baseUrl: url }, undefined);
	const pollers = Container.get(TriggersAndPollers);
	return {
		workflow,
		/** One scheduled poll: its wall time and how many reports it emitted. */
		async poll() {
			const context = new PollContext(workflow, workflow.getNode(node.name), additionalData, 'trigger', 'activate');
			const started = process.hrtime.bigint();
			const emitted = await pollers.runPollFunction(workflow, workflow.getNode(node.name), context);
			return { ms: Number(process.hrtime.bigint() - started) / 1e6, emitted: emitted ? emitted[0].length : 0 };
		},
	};
}

async function reportRequests(ctl) {
	return (await ctl.requests()).filter((r) => r.path === REPORTS_PATH).length;
}

module.exports = async function reportsPoll({ url, quick }) {
	const sizes = quick ? [100, 1000] : [100, 1000, 10_000];
	const runs = quick ? 3 : 5;
	const ctl = control(url);
	const calls = [];
	let largest;
	for (const count of sizes) {
		await reset(ctl);
		// One message a second: `count` reports within the last hours, all inside the 24-hour window.
		await ctl.seed({ messages: { count, recipients: 1, status: 'sent', intervalMs: 1000 } });
		const reports = activeWorkflow(url);
		await reports.poll(); // the activation poll: records where it stands
		const times = [];
		for (let round = 0; round < runs; round++) {
			await ctl.clearRequests();
			const poll = await reports.poll();
			if (poll.emitted !== 0) throw new Error(`a poll over ${count} unchanged reports emitted ${poll.emitted}`);
			times.push(poll.ms);
		}
		calls.push({ count, requests: await reportRequests(ctl), goal: Math.ceil(count / 100) });
		largest = { count, times, staticBytes: JSON.stringify(reports.workflow.staticData).length };

		// Every report changes (sent → delivered): the next poll emits each once.
		const messages = await ctl.messages();
		for (const message of messages) await ctl.advance(message.message_id);
		const changed = await reports.poll();
		if (changed.emitted !== count) throw new Error(`after ${count} deliveries a poll emitted ${changed.emitted}`);
		largest.changedMs = changed.ms;
	}
	return {
		raw: { runs, calls, largest },
		rows: [
			...calls.map(({ count, requests, goal }) => ({
				figure: `One poll over ${count.toLocaleString('en')} reports in the window: API calls`,
				value: `${requests}`,
				goal: `${goal}`,
				met: requests === goal,
				explain: 'GET /sms/delivery-reports/ requests of one scheduled poll (not the first): every page of the look-back window, 100 reports a page.',
			})),
			{
				figure: `One poll over ${largest.count.toLocaleString('en')} reports: time (median of ${runs}), nothing new / all changed`,
				value: `${ms(median(largest.times))} / ${ms(largest.changedMs)}`,
				explain: 'Wall time of poll() through n8n-core, including the sandbox building each page; "all changed" emits every report once.',
			},
			{
				figure: `Static data kept for ${largest.count.toLocaleString('en')} reports`,
				value: `${(largest.staticBytes / 1024).toFixed(0)} KiB`,
				explain: 'JSON size of the workflow static data after the polls: a 12-character hash per report, filed by ten-minute bucket, capped at 20,000 reports.',
			},
		],
	};
};
