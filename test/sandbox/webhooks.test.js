'use strict';
const crypto = require('node:crypto');
const { startSandbox } = require('../../sandbox');
const { useSandboxServer, api, KEYS, startReceiver, until } = require('./helpers');

const server = useSandboxServer();
let rx;
beforeEach(async () => {
	rx = await startReceiver();
});
afterEach(() => rx.close());

const hmac = (secret, raw) => crypto.createHmac('sha256', secret).update(raw).digest('hex');
const TS = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

test('guide dialect: "sent" right after the send, then the final status, with Bearer <sending key>', async () => {
	await server.ctl.configure({ deliveryDelayMs: 30 });
	const r = await api(server.sb, 'POST', '/sms/send/', { key: KEYS.admin, body: { message: 'hi', recipients: ['+255712345678', '+255712345999'], sender_id: 'INFO', webhook_url: `${rx.url}/sms-webhook` } });
	const id = r.body.data.message_id;
	await rx.waitFor(2);
	expect(rx.hits).toHaveLength(2);
	for (const h of rx.hits) {
		expect(h.method).toBe('POST');
		expect(h.url).toBe('/sms-webhook');
		expect(h.headers.authorization).toBe(`Bearer ${KEYS.admin}`);
		expect(h.headers['content-type']).toBe('application/json');
		expect(h.headers['x-webhook-signature']).toBeUndefined();
	}
	expect(rx.hits[0].body).toEqual({
		message_id: id,
		status: 'sent',
		recipients: [
			{ phone: '+255712345678', status: 'sent', delivery_time: null },
			{ phone: '+255712345999', status: 'sent', delivery_time: null },
		],
		metadata: { sender_id: 'INFO', cost: 20, currency: 'TZS' },
	});
	expect(rx.hits[1].body).toEqual({
		message_id: id,
		status: 'delivered',
		recipients: [
			{ phone: '+255712345678', status: 'delivered', delivery_time: TS },
			{ phone: '+255712345999', status: 'failed', delivery_time: TS },
		],
		metadata: { sender_id: 'INFO', cost: 20, currency: 'TZS' },
	});
	const log = await server.ctl.webhooks();
	expect(log).toHaveLength(2);
	expect(log[1]).toMatchObject({ dialect: 'guide', url: `${rx.url}/sms-webhook`, message_id: id, event: 'delivered', status: 200, responseBody: '{"ok":true}', error: null });
	expect(log[1].headers.authorization).toBe(`Bearer ${KEYS.admin}`);
	expect(log[1].rawBody).toBe(rx.hits[1].rawBody);
	expect((await server.ctl.stats()).webhooksSent).toBe(2);
});

test('guide dialect: all failed -> "failed"; advance through control plane fires it', async () => {
	const r = await api(server.sb, 'POST', '/sms/send/', { body: { message: 'hi', recipients: ['+255712345999'], webhook_url: rx.url } });
	await rx.waitFor(1);
	await server.ctl.advance(r.body.data.message_id);
	await rx.waitFor(2);
	expect(rx.hits[1].body.status).toBe('failed');
	expect(rx.hits[1].headers.authorization).toBe(`Bearer ${KEYS.write}`);
	// forcing a status
	const r2 = await api(server.sb, 'POST', '/sms/send/', { body: { message: 'hi', recipients: ['+255712345678'], webhook_url: rx.url } });
	await rx.waitFor(3);
	await server.ctl.advance(r2.body.data.message_id, 'failed');
	await rx.waitFor(4);
	expect(rx.hits[3].body).toMatchObject({ message_id: r2.body.data.message_id, status: 'failed', recipients: [{ phone: '+255712345678', status: 'failed', delivery_time: TS }] });
});

test('no webhook_url -> no guide webhook', async () => {
	await api(server.sb, 'POST', '/sms/send/', { body: { message: 'hi', recipients: ['+255712345678'] } });
	expect(await server.ctl.webhooks()).toEqual([]);
});

test('dashboard dialect: per recipient, signed with HMAC-SHA256 of the raw body', async () => {
	await server.ctl.configure({ dashboardWebhookUrl: `${rx.url}/dash`, webhookSecret: 's3cret' });
	const r = await api(server.sb, 'POST', '/sms/send/', { body: { message: 'hi', recipients: ['+255712345678', '+255712345999'] } });
	const id = r.body.data.message_id;
	await rx.waitFor(2);
	await server.ctl.advance(id);
	await rx.waitFor(4);
	expect(rx.hits.map((h) => [h.body.event, h.body.recipient])).toEqual([
		['message.sent', '+255712345678'],
		['message.sent', '+255712345999'],
		['message.delivered', '+255712345678'],
		['message.failed', '+255712345999'],
	]);
	for (const h of rx.hits) {
		expect(h.url).toBe('/dash');
		expect(h.headers['x-webhook-signature']).toBe(hmac('s3cret', h.rawBody));
		expect(h.headers.authorization).toBeUndefined();
	}
	expect(rx.hits[2].body).toEqual({
		event: 'message.delivered',
		message_id: id,
		recipient: '+255712345678',
		status: 'delivered',
		timestamp: TS,
		delivery_time: TS,
		sender_id: 'MIFUMO',
		cost: 10,
		currency: 'TZS',
	});
});

test('dashboard dialect without secret is unsigned; both dialects together', async () => {
	await server.ctl.configure({ dashboardWebhookUrl: `${rx.url}/dash` });
	await api(server.sb, 'POST', '/sms/send/', { body: { message: 'hi', recipients: ['+255712345678'], webhook_url: `${rx.url}/guide` } });
	await rx.waitFor(2);
	expect(rx.hits.map((h) => h.url).sort()).toEqual(['/dash', '/guide']);
	const dash = rx.hits.find((h) => h.url === '/dash');
	expect(dash.headers['x-webhook-signature']).toBeUndefined();
});

test('webhook failures never crash the server and are logged', async () => {
	const bad = await startReceiver({ status: 500 });
	await bad.close();
	await api(server.sb, 'POST', '/sms/send/', { body: { message: 'hi', recipients: ['+255712345678'], webhook_url: bad.url } });
	const err = await until(async () => (await server.ctl.webhooks()).find((w) => w.error));
	expect(err).toMatchObject({ status: null, error: expect.any(String) });
	const failing = await startReceiver({ status: 500 });
	await api(server.sb, 'POST', '/sms/send/', { body: { message: 'hi', recipients: ['+255712345678'], webhook_url: failing.url } });
	await failing.waitFor(1);
	const logged = await until(async () => (await server.ctl.webhooks()).find((w) => w.status === 500));
	expect(logged.error).toBeNull();
	await failing.close();
	expect((await api(server.sb, 'GET', '/sms/balance/')).status).toBe(200);
});

describe('POST /__sandbox/webhooks/send', () => {
	const payload = { message_id: 'msg_1', status: 'delivered', recipients: [{ phone: '+255712345678', status: 'delivered', delivery_time: '2024-01-01T10:05:00Z' }], metadata: { sender_id: 'MIFUMO', cost: 10, currency: 'TZS' } };

	test('guide dialect with the default key, a given key, or none', async () => {
		const a = await server.ctl.sendWebhook({ url: `${rx.url}/hook`, payload });
		expect(a).toEqual({ status: 200, body: '{"ok":true}', error: null });
		expect(rx.hits[0].headers.authorization).toBe(`Bearer ${KEYS.admin}`);
		expect(rx.hits[0].body).toEqual(payload);
		await server.ctl.sendWebhook({ url: rx.url, payload, key: 'wrong-key' });
		expect(rx.hits[1].headers.authorization).toBe('Bearer wrong-key');
		await server.ctl.sendWebhook({ url: rx.url, payload, key: null });
		expect(rx.hits[2].headers.authorization).toBeUndefined();
	});

	test('dashboard dialect signed with a given secret or the configured one; raw (malformed) bodies; extra headers', async () => {
		const dp = { event: 'message.delivered', message_id: 'msg_1', recipient: '+255712345678', status: 'delivered' };
		await server.ctl.sendWebhook({ url: rx.url, payload: dp, dialect: 'dashboard', secret: 'abc' });
		expect(rx.hits[0].headers['x-webhook-signature']).toBe(hmac('abc', rx.hits[0].rawBody));
		expect(rx.hits[0].headers.authorization).toBeUndefined();
		await server.ctl.configure({ webhookSecret: 'cfg' });
		await server.ctl.sendWebhook({ url: rx.url, payload: dp, dialect: 'dashboard' });
		expect(rx.hits[1].headers['x-webhook-signature']).toBe(hmac('cfg', rx.hits[1].rawBody));
		await server.ctl.sendWebhook({ url: rx.url, rawBody: 'not json{', dialect: 'dashboard', secret: null, headers: { 'Content-Type': 'text/plain', 'X-Extra': '1' } });
		expect(rx.hits[2].rawBody).toBe('not json{');
		expect(rx.hits[2].headers['content-type']).toBe('text/plain');
		expect(rx.hits[2].headers['x-extra']).toBe('1');
		expect(rx.hits[2].headers['x-webhook-signature']).toBeUndefined();
	});

	test('receiver status and body are returned; unreachable -> error', async () => {
		const r401 = await startReceiver({ status: 401, reply: 'nope' });
		expect(await server.ctl.sendWebhook({ url: r401.url, payload })).toEqual({ status: 401, body: 'nope', error: null });
		await r401.close();
		const dead = await server.ctl.sendWebhook({ url: r401.url, payload });
		expect(dead.status).toBeNull();
		expect(dead.error).toEqual(expect.any(String));
		await expect(server.ctl.sendWebhook({ payload })).rejects.toMatchObject({ status: 400 });
	});
});

test('close() with webhooks in flight does not hang', async () => {
	const other = await startSandbox({ deliveryDelayMs: 0, webhookTimeoutMs: 10_000 });
	const http = require('node:http');
	const hanging = http.createServer(() => {});
	await new Promise((r) => hanging.listen(0, '127.0.0.1', r));
	await api(other, 'POST', '/sms/send/', { body: { message: 'hi', recipients: ['+255712345678'], webhook_url: `http://127.0.0.1:${hanging.address().port}/` } });
	await until(() => other.webhookRequests.size > 0);
	const t = Date.now();
	await other.close();
	expect(Date.now() - t).toBeLessThan(1000);
	hanging.closeAllConnections();
	await new Promise((r) => hanging.close(r));
});
