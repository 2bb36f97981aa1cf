'use strict';
// Send once in a real n8n (2.x, or 1.x with N8N_LINE=1): webhook workflows created and activated
// through the REST API, so that their executions are production ones (n8n saves their static
// data). A broadcast of 40 that fails at the 9th send, then n8n's own retry of that execution
// (POST /rest/executions/{id}/retry, the editor's Retry button) or a fresh execution; an order
// webhook delivered twice, one second apart and at the same moment.

const { randomUUID } = require('crypto');
const { e2eContext, apiRequests, waitFor } = require('./lib/context');
const { CREDENTIAL_ID } = require('./lib/constants');

const ctx = e2eContext();
const SEND = '/api/integration/v1/sms/send/';
const NO_LIMITS = { rateLimits: { smsPerMinute: null, callsPerHour: null, contactOpsPerHour: null } };
const TEXT = 'Habari! Mkutano wa wazazi ni kesho saa nne asubuhi.';
const phoneOf = (index) => `+255${712_000_100 + index}`;
const range = (from, to) => Array.from({ length: to - from }, (_, offset) => phoneOf(from + offset));
const created = [];

function webhookNode(path) {
	return {
		id: randomUUID(),
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: randomUUID(),
		parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
	};
}

function sendNode(parameters) {
	return {
		id: randomUUID(),
		name: 'Send',
		type: 'n8n-nodes-mifumo.mifumo',
		typeVersion: 1,
		position: [400, 0],
		credentials: { mifumoApi: { id: CREDENTIAL_ID, name: 'Mifumo Sandbox' } },
		parameters: { resource: 'sms', operation: 'send', senderId: 'MIFUMO', ...parameters },
	};
}

/** Webhook → Split Out (one item per person) → Send, created and activated. */
async function createWorkflow(name, nodes) {
	const rest = await ctx.rest();
	const connections = {};
	for (let index = 0; index + 1 < nodes.length; index++) {
		connections[nodes[index].name] = { main: [[{ node: nodes[index + 1].name, type: 'main', index: 0 }]] };
	}
	const workflow = await rest.ok('POST', '/rest/workflows', { name, nodes, connections, settings: { executionOrder: 'v1' }, active: false });
	await rest.ok('POST', `/rest/workflows/${workflow.id}/activate`, { versionId: workflow.versionId });
	// The production webhook answers a moment after the activation returns.
	await new Promise((resolve) => setTimeout(resolve, 2000));
	created.push(workflow.id);
	return workflow.id;
}

async function broadcastWorkflow(path, options = {}) {
	return createWorkflow(`Send once ${path}`, [
		webhookNode(path),
		{
			id: randomUUID(),
			name: 'People',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			position: [200, 0],
			parameters: { fieldToSplitOut: 'body.people', options: {} },
		},
		sendNode({
			message: TEXT,
			recipients: '={{ $json.phone }}',
			// One item at a time, so that the 9th request is the 9th person.
			options: { messagesPerMinute: 0, concurrency: 1, repeatWindowHours: 24, ...options },
		}),
	]);
}

async function post(path, body) {
	const response = await fetch(`${ctx.n8nUrl}/webhook/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
	expect(response.status).toBe(200);
}

/** The workflow's executions once `count` have finished, newest first. */
async function finished(workflowId, count) {
	const rest = await ctx.rest();
	return waitFor(
		async () => {
			const list = await rest.executions(workflowId);
			return list.length >= count && list.every((execution) => ['success', 'error', 'crashed'].includes(execution.status)) ? list : null;
		},
		{ what: `${count} finished executions of ${workflowId}`, timeoutMs: 60_000 },
	);
}

const sentNumbers = async () => (await apiRequests(ctx.sandbox, { method: 'POST', path: SEND })).flatMap((request) => request.body.recipients);

/** The Send node's output items of an execution. */
async function sendOutput(executionId) {
	const rest = await ctx.rest();
	const execution = await rest.execution(executionId);
	const runs = execution.data.resultData.runData.Send;
	return { execution, items: (runs?.[runs.length - 1]?.data?.main?.[0] ?? []).map((item) => item.json) };
}

/** 40 people, the 9th send answered 500: the execution fails with 8 sent and one unknown. */
async function failedBroadcast(workflowId, path) {
	await ctx.sandbox.reset(NO_LIMITS);
	await ctx.sandbox.addFault({ method: 'POST', path: '/sms/send/', status: 500, after: 8 });
	await post(path, { people: range(0, 40).map((phone) => ({ phone })) });
	const [failed] = await finished(workflowId, 1);
	expect(failed.status).toBe('error');
	expect(await sentNumbers()).toEqual(range(0, 9));
	// n8n saved the static data of the failed execution: the node's record is in the workflow.
	const rest = await ctx.rest();
	const workflow = await rest.ok('GET', `/rest/workflows/${workflowId}`);
	expect(typeof workflow.staticData?.['node:Send']?.sendOnce).toBe('string');
	await ctx.sandbox.clearRequests();
	return failed;
}

afterAll(async () => {
	const rest = await ctx.rest();
	for (const id of created) await rest.request('POST', `/rest/workflows/${id}/deactivate`, {});
	await ctx.sandbox.reset();
});

describe('a broadcast of 40 that failed at the 9th send', () => {
	test("n8n's Retry of the failed execution sends the 31 never tried: not the 8 sent, not the unknown 9th", async () => {
		const path = `send-once-retry-${Date.now()}`;
		const workflowId = await broadcastWorkflow(path);
		const failed = await failedBroadcast(workflowId, path);
		const rest = await ctx.rest();
		await rest.ok('POST', `/rest/executions/${failed.id}/retry`, { loadWorkflow: false });
		const [retry] = await finished(workflowId, 2);
		expect(retry.status).toBe('success');
		expect(await sentNumbers()).toEqual(range(9, 40));
		const { items } = await sendOutput(retry.id);
		expect(items).toHaveLength(40);
		expect(items.slice(0, 8).map((item) => item.reason)).toEqual(Array(8).fill('REPEAT'));
		expect(items[8]).toEqual({
			skipped: true,
			reason: 'REPEAT',
			repeats_skipped: [{ phone: phoneOf(8), message_id: null, sent_at: expect.stringMatching(/:00Z$/), status: 'unknown' }],
		});
		expect(items.slice(9).map((item) => item.recipients)).toEqual(range(9, 40).map((phone) => [phone]));
		// The sandbox holds each of the 39 once (the 500 was not processed).
		const messages = await ctx.sandbox.messages();
		expect(messages.flatMap((message) => message.recipients).sort()).toEqual([...range(0, 8), ...range(9, 40)].sort());
	});

	test('a fresh execution of the same workflow (the webhook posted again) sends the same 31', async () => {
		const path = `send-once-again-${Date.now()}`;
		const workflowId = await broadcastWorkflow(path);
		await failedBroadcast(workflowId, path);
		await post(path, { people: range(0, 40).map((phone) => ({ phone })) });
		const [again] = await finished(workflowId, 2);
		expect(again.status).toBe('success');
		expect(await sentNumbers()).toEqual(range(9, 40));
		// And a third run sends nothing at all.
		await ctx.sandbox.clearRequests();
		await post(path, { people: range(0, 40).map((phone) => ({ phone })) });
		const [third] = await finished(workflowId, 3);
		expect(await sentNumbers()).toEqual([]);
		const { items } = await sendOutput(third.id);
		expect(items.every((item) => item.skipped === true && item.reason === 'REPEAT')).toBe(true);
	});

	test('with Repeat Unknown Sends on, the retry sends the unknown 9th too (32), and says so', async () => {
		const path = `send-once-unknown-${Date.now()}`;
		const workflowId = await broadcastWorkflow(path, { repeatUnknown: true });
		const failed = await failedBroadcast(workflowId, path);
		const rest = await ctx.rest();
		await rest.ok('POST', `/rest/executions/${failed.id}/retry`, { loadWorkflow: false });
		const [retry] = await finished(workflowId, 2);
		expect(await sentNumbers()).toEqual(range(8, 40));
		const { items } = await sendOutput(retry.id);
		expect(items[8]).toMatchObject({ recipients: [phoneOf(8)], repeated_unknown: [{ phone: phoneOf(8), sent_at: expect.stringMatching(/Z$/) }] });
	});
});

describe('an order webhook delivered twice', () => {
	let path;
	let workflowId;
	const order = (orderId, text = `Oda yako ${orderId} imethibitishwa.`) => ({ order_id: orderId, phone: '0712 345 678', text });

	beforeAll(async () => {
		path = `send-once-order-${Date.now()}`;
		workflowId = await createWorkflow(`Send once ${path}`, [
			webhookNode(path),
			sendNode({
				message: '={{ $json.body.text }}',
				recipients: '={{ $json.body.phone }}',
				options: { messagesPerMinute: 0, repeatWindowHours: 24, idempotencyKey: '={{ $json.body.order_id }}' },
			}),
		]);
	});
	beforeEach(async () => ctx.sandbox.reset(NO_LIMITS));

	test('one second apart: one SMS', async () => {
		await post(path, order('A-1'));
		await finished(workflowId, 1);
		await new Promise((resolve) => setTimeout(resolve, 1000));
		await post(path, order('A-1'));
		const [second] = await finished(workflowId, 2);
		expect(await sentNumbers()).toEqual(['+255712345678']);
		const { items } = await sendOutput(second.id);
		expect(items).toEqual([{ skipped: true, reason: 'REPEAT', repeats_skipped: [expect.objectContaining({ phone: '+255712345678', status: 'sent' })] }]);
	});

	test('at the same moment (two executions at once): one SMS', async () => {
		const before = (await finished(workflowId, 0)).length;
		await Promise.all([post(path, order('A-2')), post(path, order('A-2'))]);
		await finished(workflowId, before + 2);
		expect(await sentNumbers()).toEqual(['+255712345678']);
	});

	test('with the key {{ $json.body.order_id }}, a redelivery with another text sends nothing', async () => {
		const before = (await finished(workflowId, 0)).length;
		await post(path, order('A-3'));
		await finished(workflowId, before + 1);
		await post(path, order('A-3', 'Oda yako A-3 imethibitishwa. Asante kwa kununua!'));
		await finished(workflowId, before + 2);
		const sends = await apiRequests(ctx.sandbox, { method: 'POST', path: SEND });
		expect(sends.map((request) => request.body.message)).toEqual(['Oda yako A-3 imethibitishwa.']);
	});
});
