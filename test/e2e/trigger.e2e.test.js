'use strict';
// The trigger end to end, and the credential test, through the real n8n's HTTP endpoints.

const { e2eContext, apiRequests, waitFor, expectRunOk, local } = require('./lib/context');
const { IDS, CREDENTIAL_ID } = require('./lib/constants');

const ctx = e2eContext();
const WEBHOOK_ID = '6d1f3a52-8c4e-4b7a-9e21-5f0c7d9a3b64';
const triggerUrl = () => `http://localhost:${ctx.n8nPort}/webhook/${WEBHOOK_ID}/webhook`;

async function receiptExecutions() {
	const rest = await ctx.rest();
	return rest.executions(IDS.receipts);
}

async function finishedReceipts(n) {
	return waitFor(
		async () => {
			const list = await receiptExecutions();
			return list.length >= n && list.every((e) => e.finished || ['success', 'error', 'crashed'].includes(e.status)) ? list : null;
		},
		{ what: `${n} finished executions of "delivery receipts"`, timeoutMs: 30000 },
	);
}

/** The node the Switch routed an execution to, and the trigger's items. */
async function route(execSummary) {
	const rest = await ctx.rest();
	const ex = await rest.execution(execSummary.id);
	const runData = ex.data.resultData.runData;
	const branch = ['Delivered', 'Failed: follow up', 'Still on its way'].filter((n) => runData[n]);
	return { status: ex.status, branch, items: local.nodeItems(ex.data, 'Mifumo SMS Trigger'), ex };
}

let before = 0;

beforeAll(async () => {
	await ctx.sandbox.reset();
	before = (await receiptExecutions()).length;
});

describe('Mifumo SMS Trigger in a real n8n', () => {
	test('a send with webhookUrl → the sandbox calls the published trigger → executions per status', async () => {
		const r = await ctx.execute(IDS.sendWithWebhook);
		expectRunOk(r);
		const [send] = await apiRequests(ctx.sandbox, { method: 'POST', path: '/api/integration/v1/sms/send/' });
		expect(send.body).toEqual(expect.objectContaining({ recipients: ['+255712345678'], webhook_url: triggerUrl() }));
		const [out] = local.nodeItems(r.run, 'Send SMS with delivery webhook');
		const messageId = out.message_id;
		expect(messageId).toEqual(expect.any(String));

		// The sandbox posts "sent" at once and "delivered" after deliveryDelayMs.
		await waitFor(async () => (await ctx.sandbox.webhooks()).filter((w) => w.status !== null || w.error).length >= 2, { what: 'two webhooks answered' });
		const hooks = await ctx.sandbox.webhooks();
		expect(hooks.map((w) => [w.event, w.status, w.error])).toEqual([
			['sent', 200, null],
			['delivered', 200, null],
		]);
		expect(hooks[0].url).toBe(triggerUrl());

		const list = await finishedReceipts(before + 2);
		const fresh = list.slice(0, list.length - before);
		const routes = await Promise.all(fresh.map(route));
		const byStatus = Object.fromEntries(routes.map((x) => [x.items?.[0]?.status, x]));
		expect(byStatus.delivered.status).toBe('success');
		expect(byStatus.delivered.branch).toEqual(['Delivered']);
		expect(byStatus.delivered.items).toEqual([
			expect.objectContaining({
				message_id: messageId,
				status: 'delivered',
				recipients: [expect.objectContaining({ phone: '+255712345678', status: 'delivered' })],
			}),
		]);
		expect(byStatus.sent.branch).toEqual(['Still on its way']);
		before = list.length;
	});

	test('a failed delivery takes the "failed" branch', async () => {
		const res = await ctx.sandbox.sendWebhook({
			url: triggerUrl(),
			dialect: 'guide',
			key: 'sandbox-admin-key',
			payload: { message_id: 'msg-failed-1', status: 'failed', recipients: [{ phone: '+255712345999', status: 'failed', delivery_time: null }], metadata: {} },
		});
		expect(res.status).toBe(200);
		const list = await finishedReceipts(before + 1);
		const x = await route(list[0]);
		expect(x.branch).toEqual(['Failed: follow up']);
		expect(x.items[0]).toEqual(expect.objectContaining({ message_id: 'msg-failed-1', status: 'failed' }));
		before = list.length;
	});

	test('a webhook with a wrong key (401) or without message_id (400) starts no execution', async () => {
		const res = await ctx.sandbox.sendWebhook({
			url: triggerUrl(),
			dialect: 'guide',
			key: 'not-the-key',
			payload: { message_id: 'msg-forged', status: 'delivered', recipients: [], metadata: {} },
		});
		expect(res.status).toBe(401);
		const noKey = await fetch(triggerUrl(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message_id: 'x', status: 'delivered' }) });
		expect(noKey.status).toBe(401);
		const noMessageId = await fetch(triggerUrl(), {
			method: 'POST',
			headers: { 'content-type': 'application/json', authorization: 'Bearer sandbox-admin-key' },
			body: JSON.stringify({ status: 'delivered' }),
		});
		expect(noMessageId.status).toBe(400);
		await new Promise((r) => setTimeout(r, 2000));
		expect(await receiptExecutions()).toHaveLength(before);
	});
});

describe('credential test through n8n (POST /rest/credentials/test)', () => {
	test('passes with the sandbox key', async () => {
		const rest = await ctx.rest();
		const r = await rest.testCredential({ id: CREDENTIAL_ID, name: 'Mifumo Sandbox', type: 'mifumoApi', data: { apiKey: 'sandbox-admin-key', baseUrl: ctx.sandboxUrl } });
		expect(r).toEqual(expect.objectContaining({ status: 'OK' }));
		const calls = await apiRequests(ctx.sandbox, { method: 'GET', path: '/api/integration/v1/sms/balance/' });
		expect(calls.length).toBeGreaterThanOrEqual(1);
		expect(calls[calls.length - 1].headers.authorization).toBe('Bearer sandbox-admin-key');
	});

	test("fails with a wrong key and shows the server's message", async () => {
		const rest = await ctx.rest();
		// The saved credential with its key changed, as the editor's Test button sends it (n8n 1.x
		// refuses to test a credential it has no id for).
		const r = await rest.testCredential({ id: CREDENTIAL_ID, name: 'Mifumo Sandbox', type: 'mifumoApi', data: { apiKey: 'wrong-key-123', baseUrl: ctx.sandboxUrl } });
		expect(r.status).toBe('Error');
		expect(r.message).toMatch(/Invalid API key/i);
		expect(r.message).not.toContain('wrong-key-123');
	});

	test('a Base URL pointing at this n8n itself: says the Base URL points at a server that is not Mifumo, and what answered', async () => {
		const rest = await ctx.rest();
		const r = await rest.testCredential({ id: CREDENTIAL_ID, name: 'Mifumo Sandbox', type: 'mifumoApi', data: { apiKey: 'sandbox-admin-key', baseUrl: ctx.n8nUrl } });
		expect(r).toEqual({
			status: 'Error',
			message:
				'HTTP_404: The Base URL points at a server that is not Mifumo: it answered HTTP 404 with a "Cannot GET /api/integration/v1/sms/balance/" page of an Express server (as n8n answers). Check the Base URL of the credential (the server\'s address, without /api/integration/v1).',
		});
	});

	test('nothing listening at the Base URL: the message names the Base URL tried', async () => {
		const rest = await ctx.rest();
		const baseUrl = `http://127.0.0.1:${await local.freePort()}`;
		const r = await rest.testCredential({ id: CREDENTIAL_ID, name: 'Mifumo Sandbox', type: 'mifumoApi', data: { apiKey: 'sandbox-admin-key', baseUrl } });
		expect(r).toEqual({
			status: 'Error',
			message: `Could not connect to the Mifumo server at ${baseUrl} (ECONNREFUSED). Check the Base URL of the credential (the server's address, without /api/integration/v1).`,
		});
	});
});
