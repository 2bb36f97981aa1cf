'use strict';
/** The source dialect: Mifumo's own server (its public source, key check repaired), and the as-shipped knobs. */
const { parseArgs } = require('../../sandbox/cli');
const { useSandboxServer, api, KEYS } = require('./helpers');

const server = useSandboxServer({ dialect: 'source' });

const TIMESTAMP = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const send = (body, opts = {}) => api(server.sb, 'POST', '/sms/send/', { body, ...opts });

describe('envelope and auth', () => {
	test('a send: timestamp, no empty keys, a UUID id, the source default sender ID', async () => {
		const r = await send({ message: 'Habari', recipients: ['+255712345678'] });
		expect(r.status).toBe(200);
		expect(r.body).toStrictEqual({
			success: true,
			timestamp: TIMESTAMP,
			data: { message_id: expect.stringMatching(UUID), recipients: ['+255712345678'], status: 'sent', cost: 10, currency: 'USD', encoding: 'GSM-7', segments: 1 },
			message: 'SMS sent successfully',
		});
		expect(Object.keys(r.body)).toEqual(['success', 'timestamp', 'data', 'message']);
		expect((await server.ctl.messages())[0].sender_id).toBe('Taarifa-SMS');
	});

	test('no key 401 AUTHENTICATION_REQUIRED; wrong key 401 INVALID_API_KEY; read key send 403', async () => {
		const none = await send({ message: 'x', recipients: ['+255712345678'] }, { key: null });
		expect(none.status).toBe(401);
		expect(none.body).toStrictEqual({ success: false, timestamp: TIMESTAMP, message: 'Authentication required', error_code: 'AUTHENTICATION_REQUIRED' });
		const wrong = await api(server.sb, 'GET', '/sms/balance/', { key: 'nope' });
		expect(wrong.status).toBe(401);
		expect(wrong.body).toStrictEqual({ success: false, timestamp: TIMESTAMP, message: 'Invalid API key', error_code: 'INVALID_API_KEY', details: 'The provided API key is invalid or expired' });
		const read = await send({ message: 'x', recipients: ['+255712345678'] }, { key: KEYS.read });
		expect(read.status).toBe(403);
		expect(read.body.error_code).toBe('INSUFFICIENT_PERMISSIONS');
		expect(await server.ctl.messages()).toEqual([]);
	});

	test('no message / no recipients / a number without +', async () => {
		expect((await send({ recipients: ['+255712345678'] })).body).toMatchObject({ success: false, error_code: 'MISSING_MESSAGE' });
		expect((await send({ message: 'x' })).body).toMatchObject({ success: false, error_code: 'MISSING_RECIPIENTS' });
		const phone = await send({ message: 'x', recipients: ['0712345678'] });
		expect(phone.status).toBe(400);
		expect(phone.body).toStrictEqual({ success: false, timestamp: TIMESTAMP, message: 'Invalid phone number format: 0712345678', error_code: 'INVALID_PHONE_FORMAT' });
	});

	test('429 carries no Retry-After', async () => {
		await server.ctl.configure({ rateLimits: { smsPerMinute: 1 } });
		expect((await send({ message: 'x', recipients: ['+255712345678'] })).status).toBe(200);
		const r = await send({ message: 'x', recipients: ['+255712345678'] });
		expect(r.status).toBe(429);
		expect(r.body.error_code).toBe('RATE_LIMIT_EXCEEDED');
		expect(r.headers.get('retry-after')).toBeNull();
	});
});

describe('reads', () => {
	test('status: delivery_details; unknown UUID 404; a guide-style id 500', async () => {
		const sent = await send({ message: 'x', recipients: ['+255712345678', '+255712345999'] });
		const id = sent.body.data.message_id;
		await server.ctl.advance(id);
		const r = await api(server.sb, 'GET', `/sms/status/${id}/`);
		expect(r.body).toStrictEqual({
			success: true,
			timestamp: TIMESTAMP,
			data: {
				message_id: id,
				status: 'delivered',
				sent_at: expect.any(String),
				delivery_details: [
					{ recipient: '+255712345678', status: 'delivered', delivered_at: expect.stringMatching(/Z$/), error_message: null },
					{ recipient: '+255712345999', status: 'failed', delivered_at: expect.stringMatching(/Z$/), error_message: 'Delivery failed' },
				],
			},
			message: 'Message status retrieved successfully',
		});
		const unknown = await api(server.sb, 'GET', '/sms/status/6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b/');
		expect(unknown.status).toBe(404);
		expect(unknown.body.error_code).toBe('MESSAGE_NOT_FOUND');
		const guideId = await api(server.sb, 'GET', '/sms/status/msg_123abc/');
		expect(guideId.status).toBe(500);
		expect(guideId.body).toStrictEqual({ success: false, timestamp: TIMESTAMP, message: 'An internal error occurred', error_code: 'INTERNAL_ERROR' });
	});

	test('delivery reports: records with recipient and updated_at, pagination, per_page capped, bad paging 500', async () => {
		const sent = await send({ message: 'x', recipients: ['+255712345678'] });
		const r = await api(server.sb, 'GET', '/sms/delivery-reports/?per_page=500');
		expect(r.body.data).toStrictEqual({
			reports: [
				{
					message_id: sent.body.data.message_id,
					recipient: '+255712345678',
					status: 'sent',
					sender_id: 'Taarifa-SMS',
					message: 'x',
					created_at: expect.any(String),
					sent_at: expect.any(String),
					delivered_at: null,
					error_message: null,
					updated_at: expect.any(String),
				},
			],
			pagination: { page: 1, per_page: 100, total: 1, pages: 1 },
		});
		for (const query of ['per_page=0', 'page=abc']) {
			const bad = await api(server.sb, 'GET', `/sms/delivery-reports/?${query}`);
			expect(bad.status).toBe(500);
			expect(bad.body.error_code).toBe('INTERNAL_ERROR');
		}
	});

	test('balance: account_id, USD', async () => {
		const r = await api(server.sb, 'GET', '/sms/balance/');
		expect(r.body).toStrictEqual({
			success: true,
			timestamp: TIMESTAMP,
			data: { account_id: expect.stringMatching(UUID), balance: 5000, currency: 'USD', last_updated: expect.any(String) },
			message: 'Balance retrieved successfully',
		});
	});

	test('every /contacts/ and /contacts/segments/ path: 404 HTML, before auth', async () => {
		for (const [method, path] of [['GET', '/contacts/'], ['POST', '/contacts/create/'], ['GET', '/contacts/search/?q=a'], ['GET', '/contacts/segments/'], ['DELETE', '/contacts/segments/x/delete/']]) {
			const r = await api(server.sb, method, path, { key: null });
			expect(r.status).toBe(404);
			expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
			expect(r.text).toMatch(/^<!doctype html>[\s\S]*<h1>Not Found<\/h1>/);
		}
	});

	test('no webhooks: webhook_url is ignored', async () => {
		await send({ message: 'x', recipients: ['+255712345678'], webhook_url: 'http://127.0.0.1:9/hook' });
		await server.ctl.advance((await server.ctl.messages())[0].message_id);
		expect(await server.ctl.webhooks()).toEqual([]);
	});
});

describe('as shipped', () => {
	test('jwtAuth: every Bearer request gets the JWT refusal; without a header the envelope', async () => {
		await server.ctl.reset({ dialect: 'source', jwtAuth: true });
		for (const key of [KEYS.admin, 'wrong']) {
			const r = await api(server.sb, 'GET', '/sms/balance/', { key });
			expect(r.status).toBe(401);
			expect(r.body).toStrictEqual({
				detail: 'Given token not valid for any token type',
				code: 'token_not_valid',
				messages: [{ token_class: 'AccessToken', token_type: 'access', message: 'Token is invalid or expired' }],
			});
		}
		expect((await api(server.sb, 'GET', '/sms/balance/', { key: null })).body.error_code).toBe('AUTHENTICATION_REQUIRED');
		expect((await api(server.sb, 'GET', '/contacts/', { key: KEYS.admin })).status).toBe(404);
	});

	test('sendAnswers500: a valid send is answered 500, nothing sent nor billed; an invalid one still 400', async () => {
		await server.ctl.reset({ dialect: 'source', sendAnswers500: true });
		const r = await send({ message: 'x', recipients: ['+255712345678'] });
		expect(r.status).toBe(500);
		expect(r.body).toStrictEqual({ success: false, timestamp: TIMESTAMP, message: 'An internal error occurred', error_code: 'INTERNAL_ERROR' });
		expect(await server.ctl.messages()).toEqual([]);
		expect((await server.ctl.getBalance()).balance).toBe(5000);
		expect((await server.ctl.stats()).sendsAccepted).toBe(0);
		expect((await send({ message: 'x' })).status).toBe(400);
	});

	test('dialect guide brings back its envelope and TZS; an explicit currency wins', async () => {
		await server.ctl.reset({ dialect: 'guide' });
		const r = await api(server.sb, 'GET', '/sms/balance/');
		expect(r.body).toEqual({ success: true, message: 'Balance retrieved successfully', data: { balance: 5000, currency: 'TZS', last_updated: expect.any(String) }, error_code: null, details: null });
		await server.ctl.reset({ dialect: 'source', currency: 'TZS' });
		expect((await server.ctl.getConfig()).currency).toBe('TZS');
		await expect(server.ctl.reset({ dialect: 'django' })).rejects.toMatchObject({ status: 400 });
	});
});

test('CLI: --dialect source, --jwt-auth, --send-answers-500', () => {
	expect(parseArgs(['--dialect', 'source', '--jwt-auth', '--send-answers-500'], {}).opts).toEqual({ port: 8001, host: '127.0.0.1', log: true, dialect: 'source', jwtAuth: true, sendAnswers500: true });
	expect(parseArgs([], { MIFUMO_SANDBOX_DIALECT: 'source' }).opts.dialect).toBe('source');
	expect(() => parseArgs(['--dialect', 'django'], {})).toThrow('invalid value for --dialect: django (guide | source)');
});
