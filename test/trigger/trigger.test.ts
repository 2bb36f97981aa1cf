/**
 * Mifumo SMS Trigger through n8n-core's WebhookContext over real HTTP (see webhookHarness.ts):
 * webhooks come from the sandbox (its webhook sender, and its own delivery reports after a send),
 * or from fetch for what no sender would produce. Each case checks the HTTP answer and the exact
 * items of the execution n8n would start, or that none starts.
 */
import { createHmac } from 'node:crypto';

import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { startSandbox } from '../../sandbox';
import { SandboxClient } from '../../sandbox/client';
import { startTriggerHarness, type TriggerHarness } from './webhookHarness';

const API_KEY = 'sandbox-admin-key';
const SECRET = 'whsec_5f0c7d9a3b64';

const ACCEPTED = { success: true, message: 'Webhook received' };
const IGNORED = { success: true, message: 'Event ignored' };
const UNAUTHORIZED = { success: false, message: 'Unauthorized' };
const INVALID = { success: false, message: 'Invalid payload: expected a JSON object with message_id' };
const TOO_LARGE = { success: false, message: 'Payload too large' };

const guidePayload = () => ({
	message_id: 'msg_123456789',
	status: 'delivered',
	recipients: [
		{ phone: '+255712345678', status: 'delivered', delivery_time: '2024-01-01T10:05:00Z' },
		{ phone: '+255712345999', status: 'failed', delivery_time: '2024-01-01T10:05:02Z' },
	],
	metadata: { sender_id: 'MIFUMO', cost: 20.0, currency: 'TZS' },
});

const dashboardPayload = (event = 'message.delivered', status = 'delivered') => ({
	event,
	message_id: 'msg_987654321',
	recipient: '+255712345678',
	status,
	timestamp: '2024-01-01T10:05:00Z',
	delivery_time: '2024-01-01T10:05:00Z',
	sender_id: 'MIFUMO',
	cost: 10,
	currency: 'TZS',
});

let sandboxServer: { url: string; close(): Promise<void> };
let sandbox: SandboxClient;
const harnesses: TriggerHarness[] = [];

beforeAll(async () => {
	sandboxServer = await startSandbox({ port: 0 });
	sandbox = new SandboxClient(sandboxServer.url);
});

afterAll(async () => {
	await Promise.all(harnesses.map((h) => h.close()));
	await sandboxServer.close();
});

async function harness(parameters: INodeParameters = {}, credentials: { apiKey: string; webhookSecret?: string } = { apiKey: API_KEY, webhookSecret: SECRET }) {
	const h = await startTriggerHarness({ credentials: { baseUrl: sandboxServer.url, ...credentials }, parameters });
	harnesses.push(h);
	return h;
}

/** The answer to a webhook and the executions it started, once they have run. */
async function deliver(h: TriggerHarness, send: () => Promise<{ status: number | null; body: string | null }>) {
	const before = { calls: h.calls.length, executions: h.executions.length };
	const answer = await send();
	await h.waitForCalls(before.calls + 1);
	await h.settled();
	const executions = h.executions.slice(before.executions);
	return { status: answer.status, body: answer.body ? (JSON.parse(answer.body) as unknown) : answer.body, executions };
}

const viaSandbox = (h: TriggerHarness, opts: IDataObject) => () => sandbox.sendWebhook({ url: h.url, ...opts });

const viaFetch = (h: TriggerHarness, body: string | Buffer, headers: Record<string, string>) => async () => {
	const res = await fetch(h.url, { method: 'POST', headers, body });
	return { status: res.status, body: await res.text() };
};

const sign = (raw: string, secret = SECRET) => createHmac('sha256', secret).update(raw).digest('hex');

describe('the webhook n8n registers', () => {
	test('the Production URL is <n8n>/webhook/<webhookId>/webhook and the setup methods register nothing', async () => {
		const h = await harness();
		expect(h.url).toBe(`${h.baseUrl}/webhook/${h.webhookId}/webhook`);
		expect(h.testUrl).toBe(`${h.baseUrl}/webhook-test/${h.webhookId}/webhook`);

		const { MifumoTrigger } = await import('../../nodes/MifumoTrigger/MifumoTrigger.node');
		const node = new MifumoTrigger();
		expect(node.description.webhooks).toEqual([{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }]);
		const noThis = {} as never;
		await expect(node.webhookMethods.default.checkExists.call(noThis)).resolves.toBe(true);
		await expect(node.webhookMethods.default.create.call(noThis)).resolves.toBe(true);
		await expect(node.webhookMethods.default.delete.call(noThis)).resolves.toBe(true);
	});
});

describe('authenticity', () => {
	let h: TriggerHarness;
	beforeAll(async () => {
		h = await harness();
	});

	test('Bearer with the credential key: 200 and one execution whose item is the payload, unchanged', async () => {
		const r = await deliver(h, viaSandbox(h, { dialect: 'guide', key: API_KEY, payload: guidePayload() }));
		expect(r.status).toBe(200);
		expect(r.body).toEqual(ACCEPTED);
		expect(r.executions).toHaveLength(1);
		expect(r.executions[0].mode).toBe('webhook');
		expect(r.executions[0].items).toEqual([guidePayload()]);
		// The items flowed through n8n's engine into the next node.
		expect(r.executions[0].received).toEqual([guidePayload()]);
		expect(r.executions[0].run.data.resultData.error).toBeUndefined();
	});

	test('the scheme is case-insensitive ("bearer <key>")', async () => {
		const raw = JSON.stringify(guidePayload());
		const r = await deliver(h, viaFetch(h, raw, { 'content-type': 'application/json', authorization: `bearer ${API_KEY}` }));
		expect([r.status, r.body, r.executions.length]).toEqual([200, ACCEPTED, 1]);
	});

	test.each([
		['a wrong key', { dialect: 'guide', key: 'sandbox-write-key' }],
		['a key that extends the right one', { dialect: 'guide', key: `${API_KEY}x` }],
		['a prefix of the right key', { dialect: 'guide', key: API_KEY.slice(0, -1) }],
		['no key at all', { dialect: 'guide', key: null }],
		['an empty Bearer', { dialect: 'guide', key: null, headers: { Authorization: 'Bearer ' } }],
		['the key without the Bearer scheme', { dialect: 'guide', key: null, headers: { Authorization: API_KEY } }],
		['a signature under another secret', { dialect: 'dashboard', secret: 'another-secret' }],
	])('%s: 401, a body that reveals nothing, no execution', async (_name, opts) => {
		const r = await deliver(h, viaSandbox(h, { payload: guidePayload(), ...opts }));
		expect(r.status).toBe(401);
		expect(r.body).toEqual(UNAUTHORIZED);
		expect(r.executions).toEqual([]);
		expect(JSON.stringify(r.body)).not.toContain(API_KEY.slice(0, 8));
		expect(JSON.stringify(r.body)).not.toContain(SECRET.slice(0, 8));
	});

	test('no Authorization from fetch either: 401', async () => {
		const r = await deliver(h, viaFetch(h, JSON.stringify(guidePayload()), { 'content-type': 'application/json' }));
		expect([r.status, r.body, r.executions]).toEqual([401, UNAUTHORIZED, []]);
	});

	test('dashboard dialect signed with the webhook secret (HMAC-SHA256 of the raw body): accepted, item unchanged', async () => {
		const r = await deliver(h, viaSandbox(h, { dialect: 'dashboard', secret: SECRET, payload: dashboardPayload() }));
		expect([r.status, r.body]).toEqual([200, ACCEPTED]);
		expect(r.executions.map((e) => e.items)).toEqual([[dashboardPayload()]]);
	});

	test('the signature is checked over the exact bytes: odd spacing and key order are kept', async () => {
		const raw = '{ "status" : "sent",\n  "message_id":"msg_spacing", "recipients": [] }';
		const r = await deliver(h, viaSandbox(h, { dialect: 'dashboard', secret: SECRET, rawBody: raw }));
		expect([r.status, r.body]).toEqual([200, ACCEPTED]);
		expect(r.executions[0].items).toEqual([{ status: 'sent', message_id: 'msg_spacing', recipients: [] }]);
	});

	test('a "sha256=" prefix and upper-case hex are accepted', async () => {
		const raw = JSON.stringify(dashboardPayload());
		const r = await deliver(h, viaFetch(h, raw, { 'content-type': 'application/json', 'x-webhook-signature': `sha256=${sign(raw).toUpperCase()}` }));
		expect([r.status, r.body, r.executions.length]).toEqual([200, ACCEPTED, 1]);
	});

	test('a signature of other bytes (a tampered body) is refused', async () => {
		const signed = JSON.stringify(dashboardPayload());
		const tampered = JSON.stringify(dashboardPayload('message.failed', 'failed'));
		const r = await deliver(h, viaFetch(h, tampered, { 'content-type': 'application/json', 'x-webhook-signature': sign(signed) }));
		expect([r.status, r.body, r.executions]).toEqual([401, UNAUTHORIZED, []]);
	});

	test('a wrong Bearer does not spoil a valid signature, and a valid Bearer does not need one', async () => {
		const raw = JSON.stringify(dashboardPayload());
		const both = await deliver(h, viaFetch(h, raw, { 'content-type': 'application/json', authorization: 'Bearer nope', 'x-webhook-signature': sign(raw) }));
		expect([both.status, both.executions.length]).toEqual([200, 1]);
		const badSig = await deliver(h, viaFetch(h, raw, { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}`, 'x-webhook-signature': 'deadbeef' }));
		expect([badSig.status, badSig.executions.length]).toEqual([200, 1]);
	});
});

describe('a credential without a webhook secret', () => {
	let h: TriggerHarness;
	beforeAll(async () => {
		h = await harness({}, { apiKey: API_KEY });
	});

	test('a signed request without Bearer is refused, even signed with an empty secret', async () => {
		const signed = await deliver(h, viaSandbox(h, { dialect: 'dashboard', secret: SECRET, payload: dashboardPayload() }));
		expect([signed.status, signed.body, signed.executions]).toEqual([401, UNAUTHORIZED, []]);
		const raw = JSON.stringify(dashboardPayload());
		const emptySecret = await deliver(h, viaFetch(h, raw, { 'content-type': 'application/json', 'x-webhook-signature': sign(raw, '') }));
		expect([emptySecret.status, emptySecret.executions]).toEqual([401, []]);
	});

	test('Bearer still works', async () => {
		const r = await deliver(h, viaSandbox(h, { dialect: 'guide', key: API_KEY, payload: dashboardPayload() }));
		expect([r.status, r.body, r.executions.length]).toEqual([200, ACCEPTED, 1]);
	});
});

describe('payloads that are not a Mifumo notification', () => {
	let h: TriggerHarness;
	beforeAll(async () => {
		h = await harness();
	});

	test.each([
		['malformed JSON sent as text/plain', '{"message_id": "msg_1", "status": '],
		['a JSON array', JSON.stringify([guidePayload()])],
		['a JSON string', JSON.stringify('msg_1')],
		['null', 'null'],
		['an object without message_id', JSON.stringify({ status: 'delivered', recipients: [] })],
		['an empty message_id', JSON.stringify({ message_id: '', status: 'delivered' })],
		['a message_id that is an object', JSON.stringify({ message_id: { id: 1 }, status: 'delivered' })],
		['an empty body', ''],
	])('%s, authenticated: 400 and no execution', async (_name, raw) => {
		const r = await deliver(h, viaFetch(h, raw, { 'content-type': 'text/plain', authorization: `Bearer ${API_KEY}` }));
		expect([r.status, r.body, r.executions]).toEqual([400, INVALID, []]);
	});

	test('a JSON array from the sandbox sender, signed: 400', async () => {
		const r = await deliver(h, viaSandbox(h, { dialect: 'dashboard', secret: SECRET, payload: [dashboardPayload()] }));
		expect([r.status, r.body, r.executions]).toEqual([400, INVALID, []]);
	});

	test('malformed JSON sent as application/json never reaches the node: n8n itself answers 422', async () => {
		const r = await deliver(h, viaSandbox(h, { dialect: 'guide', key: API_KEY, rawBody: '{"message_id": ' }));
		expect(r.status).toBe(422);
		expect(r.executions).toEqual([]);
		expect(h.calls[h.calls.length - 1].result).toBeUndefined();
	});

	test('an unauthenticated bad body gets 401, not 400: nothing is said about the payload to strangers', async () => {
		const r = await deliver(h, viaFetch(h, '[1,2]', { 'content-type': 'text/plain' }));
		expect([r.status, r.body, r.executions]).toEqual([401, UNAUTHORIZED, []]);
	});

	test('a body over 1 MiB: 413 and no execution; just under it is accepted', async () => {
		const padded = (bytes: number) => {
			const base = { ...guidePayload(), metadata: { note: '' } };
			const overhead = Buffer.byteLength(JSON.stringify(base));
			return JSON.stringify({ ...base, metadata: { note: 'x'.repeat(bytes - overhead) } });
		};
		const big = padded(1024 * 1024 + 1);
		expect(Buffer.byteLength(big)).toBe(1024 * 1024 + 1);
		const tooBig = await deliver(h, viaSandbox(h, { dialect: 'guide', key: API_KEY, rawBody: big }));
		expect([tooBig.status, tooBig.body, tooBig.executions]).toEqual([413, TOO_LARGE, []]);

		const fits = padded(1024 * 1024);
		const ok = await deliver(h, viaSandbox(h, { dialect: 'guide', key: API_KEY, rawBody: fits }));
		expect([ok.status, ok.body]).toEqual([200, ACCEPTED]);
		expect(ok.executions[0].items).toEqual([JSON.parse(fits)]);
	});
});

describe('Trigger On (events)', () => {
	test('defaults to sent, delivered and failed, in both dialects; any other status is acknowledged and ignored', async () => {
		const h = await harness();
		for (const status of ['sent', 'delivered', 'failed']) {
			const guide = await deliver(h, viaSandbox(h, { dialect: 'guide', key: API_KEY, payload: { ...guidePayload(), status } }));
			expect([guide.status, guide.executions.length]).toEqual([200, 1]);
			const dash = await deliver(h, viaSandbox(h, { dialect: 'dashboard', payload: dashboardPayload(`message.${status}`, status), secret: SECRET }));
			expect([dash.status, dash.executions.length]).toEqual([200, 1]);
		}
		const queued = await deliver(h, viaSandbox(h, { dialect: 'guide', key: API_KEY, payload: { ...guidePayload(), status: 'queued' } }));
		expect([queued.status, queued.body, queued.executions]).toEqual([200, IGNORED, []]);
	});

	test('only "delivered": other events get 200 and start nothing; event wins over status in the dashboard dialect', async () => {
		const h = await harness({ events: ['delivered'] });
		const sent = await deliver(h, viaSandbox(h, { dialect: 'guide', key: API_KEY, payload: { ...guidePayload(), status: 'sent' } }));
		expect([sent.status, sent.body, sent.executions]).toEqual([200, IGNORED, []]);

		const failed = await deliver(h, viaSandbox(h, { dialect: 'dashboard', secret: SECRET, payload: dashboardPayload('message.failed', 'failed') }));
		expect([failed.status, failed.body, failed.executions]).toEqual([200, IGNORED, []]);

		// The dashboard's event names the change, whatever the status field says.
		const odd = dashboardPayload('message.delivered', 'DELIVERED');
		const delivered = await deliver(h, viaSandbox(h, { dialect: 'dashboard', secret: SECRET, payload: odd }));
		expect([delivered.status, delivered.body]).toEqual([200, ACCEPTED]);
		expect(delivered.executions.map((e) => e.items)).toEqual([[odd]]);

		const guideDelivered = await deliver(h, viaSandbox(h, { dialect: 'guide', key: API_KEY, payload: guidePayload() }));
		expect(guideDelivered.executions.map((e) => e.items)).toEqual([[guidePayload()]]);
	});

	test('an authentication failure is still 401 for an event that would be ignored', async () => {
		const h = await harness({ events: ['failed'] });
		const r = await deliver(h, viaSandbox(h, { dialect: 'guide', key: 'wrong', payload: guidePayload() }));
		expect([r.status, r.body]).toEqual([401, UNAUTHORIZED]);
	});
});

describe('Split Recipients', () => {
	test('off (default): one item, the whole report', async () => {
		const h = await harness({ options: { splitRecipients: false } });
		const r = await deliver(h, viaSandbox(h, { dialect: 'guide', key: API_KEY, payload: guidePayload() }));
		expect(r.executions.map((e) => e.items)).toEqual([[guidePayload()]]);
	});

	test('on: one item per recipient with the message\'s message_id, status and metadata', async () => {
		const h = await harness({ options: { splitRecipients: true } });
		const r = await deliver(h, viaSandbox(h, { dialect: 'guide', key: API_KEY, payload: { ...guidePayload(), extra: 'kept' } }));
		const metadata = { sender_id: 'MIFUMO', cost: 20.0, currency: 'TZS' };
		const expected = [
			{ message_id: 'msg_123456789', status: 'delivered', metadata, extra: 'kept', recipient: { phone: '+255712345678', status: 'delivered', delivery_time: '2024-01-01T10:05:00Z' } },
			{ message_id: 'msg_123456789', status: 'delivered', metadata, extra: 'kept', recipient: { phone: '+255712345999', status: 'failed', delivery_time: '2024-01-01T10:05:02Z' } },
		];
		expect(r.executions).toHaveLength(1);
		expect(r.executions[0].items).toEqual(expected);
		expect(r.executions[0].received).toEqual(expected);

		// A dashboard payload is about one recipient already; an empty list leaves the report whole.
		const dash = await deliver(h, viaSandbox(h, { dialect: 'dashboard', secret: SECRET, payload: dashboardPayload() }));
		expect(dash.executions.map((e) => e.items)).toEqual([[dashboardPayload()]]);
		const empty = { ...guidePayload(), recipients: [] };
		const none = await deliver(h, viaSandbox(h, { dialect: 'guide', key: API_KEY, payload: empty }));
		expect(none.executions.map((e) => e.items)).toEqual([[empty]]);
	});
});

describe('the Test URL', () => {
	test('runs the same checks and starts a manual execution', async () => {
		const h = await harness();
		const ok = await deliver(h, () => sandbox.sendWebhook({ url: h.testUrl, dialect: 'guide', key: API_KEY, payload: guidePayload() }));
		expect([ok.status, ok.body]).toEqual([200, ACCEPTED]);
		expect(ok.executions.map((e) => [e.mode, e.items])).toEqual([['manual', [guidePayload()]]]);
		const bad = await deliver(h, () => sandbox.sendWebhook({ url: h.testUrl, dialect: 'guide', key: 'nope', payload: guidePayload() }));
		expect([bad.status, bad.executions]).toEqual([401, []]);
	});
});

describe('Mifumo\'s own notifications after a send', () => {
	beforeEach(async () => {
		await sandbox.reset({ deliveryDelayMs: 200 });
	});

	async function sendSms(recipients: string[], webhookUrl?: string) {
		const res = await fetch(`${sandboxServer.url}/api/integration/v1/sms/send/`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
			body: JSON.stringify({ message: 'Habari!', recipients, sender_id: 'MIFUMO', ...(webhookUrl ? { webhook_url: webhookUrl } : {}) }),
		});
		expect(res.status).toBe(200);
		return ((await res.json()) as { data: { message_id: string } }).data.message_id;
	}

	test('a send with webhook_url: "sent" then "delivered" arrive with Bearer <key>, each one execution of the report as sent', async () => {
		const h = await harness();
		const messageId = await sendSms(['+255712345678'], h.url);
		await h.waitForCalls(2);
		await h.settled();

		const log = (await sandbox.webhooks()).filter((w) => w.url === h.url);
		expect(log.map((w) => [w.dialect, w.event, w.status])).toEqual([
			['guide', 'sent', 200],
			['guide', 'delivered', 200],
		]);
		expect(h.executions.map((e) => e.items)).toEqual(log.map((w) => [w.body]));
		expect(h.executions[1].items[0]).toEqual({
			message_id: messageId,
			status: 'delivered',
			recipients: [{ phone: '+255712345678', status: 'delivered', delivery_time: expect.any(String) }],
			metadata: { sender_id: 'MIFUMO', cost: 10, currency: 'TZS' },
		});
	});

	test('with "failed" only and Split Recipients: the failed report, one item per recipient', async () => {
		const h = await harness({ events: ['failed'], options: { splitRecipients: true } });
		const messageId = await sendSms(['+255712345999'], h.url);
		await h.waitForCalls(2);
		await h.settled();
		expect(h.calls.map((c) => [c.status, JSON.parse(c.body)])).toEqual([
			[200, IGNORED],
			[200, ACCEPTED],
		]);
		expect(h.executions.map((e) => e.items)).toEqual([
			[
				{
					message_id: messageId,
					status: 'failed',
					metadata: { sender_id: 'MIFUMO', cost: 10, currency: 'TZS' },
					recipient: { phone: '+255712345999', status: 'failed', delivery_time: expect.any(String) },
				},
			],
		]);
	});

	test('dashboard webhooks signed with the secret: one execution per recipient status change', async () => {
		const h = await harness({ events: ['delivered', 'failed'] });
		await sandbox.reset({ deliveryDelayMs: 200, dashboardWebhookUrl: h.url, webhookSecret: SECRET });
		const messageId = await sendSms(['+255712345678', '+255712345999']);
		await h.waitForCalls(4);
		await h.settled();
		const log = (await sandbox.webhooks()).filter((w) => w.url === h.url);
		expect(log.map((w) => [w.dialect, w.event, w.status])).toEqual([
			['dashboard', 'message.sent', 200],
			['dashboard', 'message.sent', 200],
			['dashboard', 'message.delivered', 200],
			['dashboard', 'message.failed', 200],
		]);
		expect(h.executions.map((e) => e.items)).toEqual([[log[2].body], [log[3].body]]);
		expect(h.executions.map((e) => [e.items[0].message_id, e.items[0].recipient, e.items[0].status])).toEqual([
			[messageId, '+255712345678', 'delivered'],
			[messageId, '+255712345999', 'failed'],
		]);
	});
});

describe('without a raw body (n8n did not keep one)', () => {
	test('the parsed body stands in: Bearer works, and a signature over compact JSON still verifies', async () => {
		const h = await startTriggerHarness({ credentials: { apiKey: API_KEY, webhookSecret: SECRET }, withoutRawBody: true });
		harnesses.push(h);
		const bearer = await deliver(h, viaSandbox(h, { dialect: 'guide', key: API_KEY, payload: guidePayload() }));
		expect([bearer.status, bearer.body]).toEqual([200, ACCEPTED]);
		expect(bearer.executions.map((e) => e.items)).toEqual([[guidePayload()]]);
		const signed = await deliver(h, viaSandbox(h, { dialect: 'dashboard', secret: SECRET, payload: dashboardPayload() }));
		expect([signed.status, signed.executions.length]).toEqual([200, 1]);
		const array = await deliver(h, viaSandbox(h, { dialect: 'guide', key: API_KEY, payload: [guidePayload()] }));
		expect([array.status, array.body, array.executions]).toEqual([400, INVALID, []]);
	});
});

describe('the Mifumo SMS node\'s Send, with its Webhook URL an expression giving the trigger\'s URL', () => {
	test('the sandbox reports to the trigger, which starts one execution per report', async () => {
		await sandbox.reset({ deliveryDelayMs: 200 });
		const h = await harness({ events: ['delivered'] });
		const { runMifumo } = await import('../helpers/engine');
		const { items, error } = await runMifumo({
			parameters: {
				resource: 'sms',
				operation: 'send',
				message: 'Habari! Oda yako imetumwa.',
				recipients: '0712 345 678',
				senderId: 'MIFUMO',
				additionalFields: { webhookUrl: '={{ $json.triggerUrl }}' },
				options: {},
			},
			items: [{ triggerUrl: h.url }],
			credentials: { apiKey: API_KEY, baseUrl: sandboxServer.url },
		});
		expect(error).toBeUndefined();
		const messageId = items[0].json.message_id;
		await h.waitForCalls(2);
		await h.settled();
		expect(h.calls.map((c) => [c.status, JSON.parse(c.body)])).toEqual([
			[200, IGNORED],
			[200, ACCEPTED],
		]);
		expect(h.executions.map((e) => e.items)).toEqual([
			[
				{
					message_id: messageId,
					status: 'delivered',
					recipients: [{ phone: '+255712345678', status: 'delivered', delivery_time: expect.any(String) }],
					metadata: { sender_id: 'MIFUMO', cost: 10, currency: 'TZS' },
				},
			],
		]);
	});
});
