'use strict';
const { useSandboxServer, api, KEYS, sleep, until } = require('./helpers');

const server = useSandboxServer();

const send = (body, key) => api(server.sb, 'POST', '/sms/send/', { body, key });

describe('envelope and auth', () => {
	test('missing Authorization -> 401 with error_code null', async () => {
		const r = await api(server.sb, 'GET', '/sms/balance/', { key: null });
		expect(r.status).toBe(401);
		expect(r.headers.get('content-type')).toBe('application/json');
		expect(r.body).toEqual({ success: false, message: 'Authentication credentials were not provided.', data: null, error_code: null, details: null });
	});

	test('non-Bearer scheme counts as missing credentials', async () => {
		const r = await api(server.sb, 'GET', '/sms/balance/', { auth: 'Token sandbox-read-key' });
		expect(r.status).toBe(401);
		expect(r.body.error_code).toBeNull();
	});

	test('unknown key -> 401 INVALID_API_KEY', async () => {
		const r = await api(server.sb, 'GET', '/sms/balance/', { key: 'nope' });
		expect(r.status).toBe(401);
		expect(r.body).toEqual({ success: false, message: 'Invalid API key', data: null, error_code: 'INVALID_API_KEY', details: 'The provided API key is invalid or expired' });
		const empty = await api(server.sb, 'GET', '/sms/balance/', { auth: 'Bearer ' });
		expect(empty.status).toBe(401);
		expect(empty.body.error_code).toBe('INVALID_API_KEY');
	});

	test('read key: GET allowed, write endpoints -> 403 INSUFFICIENT_PERMISSIONS', async () => {
		expect((await api(server.sb, 'GET', '/sms/balance/', { key: KEYS.read })).status).toBe(200);
		const r = await send({ message: 'hi', recipients: ['+255712345678'] }, KEYS.read);
		expect(r.status).toBe(403);
		expect(r.body.success).toBe(false);
		expect(r.body.error_code).toBe('INSUFFICIENT_PERMISSIONS');
		expect(await server.ctl.messages()).toEqual([]);
		const c = await api(server.sb, 'POST', '/contacts/create/', { key: KEYS.read, body: { name: 'A', phone_number: '+255712345678' } });
		expect(c.status).toBe(403);
	});

	test('admin and write keys may send', async () => {
		expect((await send({ message: 'a', recipients: ['+255712345678'] }, KEYS.admin)).status).toBe(200);
		expect((await send({ message: 'b', recipients: ['+255712345678'] }, KEYS.write)).status).toBe(200);
	});

	test('unknown path -> 404 NOT_FOUND envelope; outside the API too', async () => {
		const r = await api(server.sb, 'GET', '/sms/nothing/');
		expect(r.status).toBe(404);
		expect(r.body).toMatchObject({ success: false, data: null, error_code: 'NOT_FOUND' });
		const root = await api(server.sb, 'GET', '/api/other');
		expect(root.status).toBe(404);
		expect(root.body.error_code).toBe('NOT_FOUND');
	});

	test('wrong method -> 405 envelope with Allow', async () => {
		const r = await api(server.sb, 'GET', '/sms/send/');
		expect(r.status).toBe(405);
		expect(r.headers.get('allow')).toBe('POST');
		expect(r.body).toMatchObject({ success: false, data: null, error_code: 'METHOD_NOT_ALLOWED', message: 'Method "GET" not allowed.' });
	});

	test('bad JSON -> 400 INVALID_JSON envelope, nothing sent', async () => {
		const r = await api(server.sb, 'POST', '/sms/send/', { raw: '{"message": "hi",' });
		expect(r.status).toBe(400);
		expect(r.body).toMatchObject({ success: false, data: null, error_code: 'INVALID_JSON' });
		const arr = await api(server.sb, 'POST', '/sms/send/', { raw: '[1,2]' });
		expect(arr.status).toBe(400);
		expect(arr.body.error_code).toBe('INVALID_PARAMETER');
		expect(await server.ctl.messages()).toEqual([]);
	});

	test('trailing slash is optional', async () => {
		const r = await api(server.sb, 'GET', '/sms/balance');
		expect(r.status).toBe(200);
	});
});

describe('POST /sms/send/', () => {
	test('sends: exact envelope, balance goes down, message recorded', async () => {
		const r = await send({ message: 'Hello from Mifumo SMS!', recipients: ['+255123456789', '+255987654321'], sender_id: 'MIFUMO' });
		expect(r.status).toBe(200);
		expect(r.body).toEqual({
			success: true,
			message: 'SMS sent successfully',
			data: { message_id: expect.stringMatching(/^msg_[0-9a-z]+$/), recipients: ['+255123456789', '+255987654321'], status: 'sent', cost: 20, currency: 'TZS', encoding: 'GSM-7', segments: 1 },
			error_code: null,
			details: null,
		});
		const bal = await api(server.sb, 'GET', '/sms/balance/');
		expect(bal.body).toEqual({
			success: true,
			message: 'Balance retrieved successfully',
			data: { balance: 4980, currency: 'TZS', last_updated: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) },
			error_code: null,
			details: null,
		});
		const msgs = await server.ctl.messages();
		expect(msgs).toHaveLength(1);
		expect(msgs[0]).toMatchObject({
			message_id: r.body.data.message_id,
			message: 'Hello from Mifumo SMS!',
			recipients: ['+255123456789', '+255987654321'],
			sender_id: 'MIFUMO',
			api_key: KEYS.write,
			status: 'sent',
			cost: 20,
			schedule_time: null,
			webhook_url: null,
			recipient_statuses: [
				{ phone: '+255123456789', status: 'sent', delivery_time: null, updated_at: msgs[0].created_at },
				{ phone: '+255987654321', status: 'sent', delivery_time: null, updated_at: msgs[0].created_at },
			],
		});
	});

	test('ids are unique; sender_id defaults to MIFUMO', async () => {
		const a = await send({ message: 'x', recipients: ['+255712345678'] });
		const b = await send({ message: 'x', recipients: ['+255712345678'] });
		expect(a.body.data.message_id).not.toBe(b.body.data.message_id);
		expect((await server.ctl.messages())[0].sender_id).toBe('MIFUMO');
	});

	test.each([
		[{ recipients: ['+255712345678'] }, 400, 'MISSING_MESSAGE'],
		[{ message: '   ', recipients: ['+255712345678'] }, 400, 'MISSING_MESSAGE'],
		[{ message: 5, recipients: ['+255712345678'] }, 400, 'INVALID_PARAMETER'],
		[{ message: 'x'.repeat(161), recipients: ['+255712345678'] }, 400, 'MESSAGE_TOO_LONG'],
		[{ message: 'hi' }, 400, 'MISSING_RECIPIENTS'],
		[{ message: 'hi', recipients: [] }, 400, 'MISSING_RECIPIENTS'],
		[{ message: 'hi', recipients: '+255712345678' }, 400, 'INVALID_PARAMETER'],
		[{ message: 'hi', recipients: ['+255712345678', '0712345678'] }, 400, 'INVALID_PHONE'],
		[{ message: 'hi', recipients: [null] }, 400, 'INVALID_PHONE'],
		[{ message: 'hi', recipients: ['+255712345678'], sender_id: 'NOPE' }, 400, 'INVALID_SENDER_ID'],
		[{ message: 'hi', recipients: ['+255712345678'], sender_id: '' }, 400, 'INVALID_SENDER_ID'],
		[{ message: 'hi', recipients: ['+255712345678'], schedule_time: 'tomorrow' }, 400, 'INVALID_SCHEDULE_TIME'],
		[{ message: 'hi', recipients: ['+255712345678'], webhook_url: 'ftp://x' }, 400, 'INVALID_PARAMETER'],
	])('validation %j -> %i %s, nothing sent, balance unchanged', async (body, status, code) => {
		const r = await send(body);
		expect(r.status).toBe(status);
		expect(r.body).toMatchObject({ success: false, data: null, error_code: code });
		expect(await server.ctl.messages()).toEqual([]);
		expect((await server.ctl.getBalance()).balance).toBe(5000);
	});

	test('exactly 160 characters is fine; 161 names the length', async () => {
		expect((await send({ message: 'x'.repeat(160), recipients: ['+255712345678'] })).status).toBe(200);
		const r = await send({ message: 'y'.repeat(161), recipients: ['+255712345678'] });
		expect(r.body.details).toContain('161');
	});

	test('INVALID_PHONE names the offending number', async () => {
		const r = await send({ message: 'hi', recipients: ['+255712345678', '12345'] });
		expect(r.body.message).toBe('Invalid phone number: 12345');
	});

	test('insufficient balance -> 402, nothing sent', async () => {
		await server.ctl.setBalance(15);
		const r = await send({ message: 'hi', recipients: ['+255712345678', '+255712345679'] });
		expect(r.status).toBe(402);
		expect(r.body).toMatchObject({ success: false, error_code: 'INSUFFICIENT_BALANCE', data: null });
		expect((await server.ctl.getBalance()).balance).toBe(15);
		expect((await send({ message: 'hi', recipients: ['+255712345678'] })).status).toBe(200);
		expect((await server.ctl.getBalance()).balance).toBe(5);
	});

	test('schedule_time in the future -> scheduled; past -> sent', async () => {
		const future = new Date(Date.now() + 3600_000).toISOString();
		const r = await send({ message: 'later', recipients: ['+255712345678'], schedule_time: future });
		expect(r.status).toBe(200);
		expect(r.body.message).toBe('SMS scheduled successfully');
		expect(r.body.data.status).toBe('scheduled');
		const st = await api(server.sb, 'GET', `/sms/status/${r.body.data.message_id}/`);
		expect(st.body.data.status).toBe('scheduled');
		const past = await send({ message: 'now', recipients: ['+255712345678'], schedule_time: '2024-01-01T10:00:00Z' });
		expect(past.body.data.status).toBe('sent');
	});

	test('scheduled message goes out when its time comes', async () => {
		await server.ctl.configure({ deliveryDelayMs: 20 });
		const r = await send({ message: 'soon', recipients: ['+255712345678'], schedule_time: new Date(Date.now() + 300).toISOString() });
		expect(r.body.data.status).toBe('scheduled');
		await until(async () => (await api(server.sb, 'GET', `/sms/status/${r.body.data.message_id}/`)).body.data.status === 'delivered');
	});
});

describe('message lifecycle and status', () => {
	test('delivered after deliveryDelayMs; numbers ending in 999 fail', async () => {
		await server.ctl.configure({ deliveryDelayMs: 500 });
		const r = await send({ message: 'hi', recipients: ['+255712345678', '+255712345999'] });
		const id = r.body.data.message_id;
		const before = await api(server.sb, 'GET', `/sms/status/${id}/`, { key: KEYS.read });
		expect(before.body).toEqual({
			success: true,
			message: 'Message status retrieved successfully',
			data: {
				message_id: id,
				status: 'sent',
				delivery_time: null,
				recipients: [
					{ phone: '+255712345678', status: 'sent', delivery_time: null },
					{ phone: '+255712345999', status: 'sent', delivery_time: null },
				],
			},
			error_code: null,
			details: null,
		});
		const after = await until(async () => {
			const s = await api(server.sb, 'GET', `/sms/status/${id}/`);
			return s.body.data.status !== 'sent' && s;
		});
		expect(after.body.data).toEqual({
			message_id: id,
			status: 'delivered',
			delivery_time: expect.stringMatching(/Z$/),
			recipients: [
				{ phone: '+255712345678', status: 'delivered', delivery_time: expect.stringMatching(/Z$/) },
				{ phone: '+255712345999', status: 'failed', delivery_time: expect.stringMatching(/Z$/) },
			],
		});
	});

	test('all recipients failed -> failed overall', async () => {
		await server.ctl.configure({ deliveryDelayMs: 10 });
		const r = await send({ message: 'hi', recipients: ['+255712345999'] });
		await until(async () => (await api(server.sb, 'GET', `/sms/status/${r.body.data.message_id}/`)).body.data.status === 'failed');
	});

	test('deliveryDelayMs null: stays sent until advanced through the control plane', async () => {
		const r = await send({ message: 'hi', recipients: ['+255712345678', '+255712345679'] });
		const id = r.body.data.message_id;
		await sleep(30);
		expect((await api(server.sb, 'GET', `/sms/status/${id}/`)).body.data.status).toBe('sent');
		const partial = await server.ctl.advance(id, 'failed', ['+255712345679']);
		expect(partial.status).toBe('sent');
		expect(partial.recipient_statuses.map((x) => x.status)).toEqual(['sent', 'failed']);
		const v = await server.ctl.advance(id, 'delivered', ['+255712345678']);
		expect(v.status).toBe('delivered');
		const s = await api(server.sb, 'GET', `/sms/status/${id}/`);
		expect(s.body.data.recipients.map((x) => x.status)).toEqual(['delivered', 'failed']);
		await expect(server.ctl.advance('msg_nope', 'delivered')).rejects.toMatchObject({ status: 404 });
	});

	test('advance without status uses the 999 convention', async () => {
		const r = await send({ message: 'hi', recipients: ['+255712345678', '+255700000999'] });
		const v = await server.ctl.advance(r.body.data.message_id);
		expect(v.recipient_statuses.map((x) => x.status)).toEqual(['delivered', 'failed']);
	});

	test('unknown message -> 404 MESSAGE_NOT_FOUND', async () => {
		const r = await api(server.sb, 'GET', '/sms/status/msg_123456789/');
		expect(r.status).toBe(404);
		expect(r.body).toMatchObject({ success: false, data: null, error_code: 'MESSAGE_NOT_FOUND' });
	});
});

describe('GET /sms/delivery-reports/', () => {
	test('one report per recipient, newest first, exact shape', async () => {
		const a = await send({ message: 'first', recipients: ['+255712345678', '+255712345999'] });
		await sleep(5);
		const b = await send({ message: 'second', recipients: ['+255712345670'], sender_id: 'INFO' });
		await server.ctl.advance(a.body.data.message_id);
		const r = await api(server.sb, 'GET', '/sms/delivery-reports/', { key: KEYS.read });
		expect(r.status).toBe(200);
		expect(r.body.message).toBe('Delivery reports retrieved successfully');
		const ts = expect.stringMatching(/Z$/);
		expect(r.body.data).toEqual({
			reports: [
				{ message_id: b.body.data.message_id, phone: '+255712345670', status: 'sent', sender_id: 'INFO', message: 'second', sent_at: ts, delivery_time: null, updated_at: ts },
				{ message_id: a.body.data.message_id, phone: '+255712345678', status: 'delivered', sender_id: 'MIFUMO', message: 'first', sent_at: ts, delivery_time: ts, updated_at: ts },
				{ message_id: a.body.data.message_id, phone: '+255712345999', status: 'failed', sender_id: 'MIFUMO', message: 'first', sent_at: ts, delivery_time: ts, updated_at: ts },
			],
			pagination: { page: 1, per_page: 50, total: 3, pages: 1 },
		});
		const f = await api(server.sb, 'GET', '/sms/delivery-reports/?status=failed');
		expect(f.body.data.reports.map((x) => x.phone)).toEqual(['+255712345999']);
	});

	test('date filters', async () => {
		await server.ctl.seed({
			messages: [
				{ message: 'old', recipients: ['+255700000001'], sent_at: '2024-01-01T10:00:00Z' },
				{ message: 'mid', recipients: ['+255700000002'], sent_at: '2024-01-15T10:00:00Z' },
				{ message: 'new', recipients: ['+255700000003'], sent_at: '2024-02-01T10:00:00Z' },
			],
		});
		const r = await api(server.sb, 'GET', '/sms/delivery-reports/?start_date=2024-01-10T00:00:00Z&end_date=2024-01-31');
		expect(r.body.data.reports.map((x) => x.message)).toEqual(['mid']);
		const s = await api(server.sb, 'GET', '/sms/delivery-reports/?start_date=2024-01-15');
		expect(s.body.data.reports.map((x) => x.message)).toEqual(['new', 'mid']);
		const e = await api(server.sb, 'GET', '/sms/delivery-reports/?end_date=2024-01-01');
		expect(e.body.data.reports.map((x) => x.message)).toEqual(['old']);
	});

	test('bad dates and bad paging -> 400', async () => {
		for (const q of ['start_date=yesterday', 'end_date=2024-13-45', 'page=0', 'per_page=abc']) {
			const r = await api(server.sb, 'GET', `/sms/delivery-reports/?${q}`);
			expect(r.status).toBe(400);
			expect(r.body.success).toBe(false);
			expect(['INVALID_DATE', 'INVALID_PARAMETER']).toContain(r.body.error_code);
		}
	});

	test('paging; per_page capped at 100 silently', async () => {
		await server.ctl.seed({ messages: 250 });
		const p1 = await api(server.sb, 'GET', '/sms/delivery-reports/?per_page=500');
		expect(p1.body.data.reports).toHaveLength(100);
		expect(p1.body.data.pagination).toEqual({ page: 1, per_page: 100, total: 250, pages: 3 });
		const p3 = await api(server.sb, 'GET', '/sms/delivery-reports/?per_page=100&page=3');
		expect(p3.body.data.reports).toHaveLength(50);
		const p4 = await api(server.sb, 'GET', '/sms/delivery-reports/?per_page=100&page=4');
		expect(p4.body.data.reports).toEqual([]);
		const def = await api(server.sb, 'GET', '/sms/delivery-reports/');
		expect(def.body.data.reports).toHaveLength(50);
		// all pages together: every report once
		const ids = new Set([...p1.body.data.reports, ...(await api(server.sb, 'GET', '/sms/delivery-reports/?per_page=100&page=2')).body.data.reports, ...p3.body.data.reports].map((x) => x.message_id + x.phone));
		expect(ids.size).toBe(250);
	});
});

describe('request log and control plane', () => {
	test('request log records API calls in order, never control calls', async () => {
		await send({ message: 'hi', recipients: ['+255712345678'] });
		await api(server.sb, 'GET', '/sms/balance/?x=1&x=2', { key: 'bad' });
		await server.ctl.stats();
		const log = await server.ctl.requests();
		expect(log).toHaveLength(2);
		expect(log[0]).toMatchObject({
			method: 'POST',
			path: '/api/integration/v1/sms/send/',
			query: {},
			body: { message: 'hi', recipients: ['+255712345678'] },
			rawBody: '{"message":"hi","recipients":["+255712345678"]}',
			status: 200,
		});
		expect(log[0].headers.authorization).toBe(`Bearer ${KEYS.write}`);
		expect(log[0].headers['content-type']).toBe('application/json');
		expect(typeof log[0].at).toBe('number');
		expect(log[1]).toMatchObject({ method: 'GET', query: { x: ['1', '2'] }, body: null, rawBody: '', status: 401 });
		await server.ctl.clearRequests();
		expect(await server.ctl.requests()).toEqual([]);
	});

	test('stats count requests and in-flight', async () => {
		await server.ctl.reset({ latencyMs: 60 });
		await server.ctl.resetStats();
		await Promise.all([1, 2, 3, 4].map(() => api(server.sb, 'GET', '/sms/balance/')));
		const s = await server.ctl.stats();
		const none = { sendsAccepted: 0, smsAccepted: 0, acceptedSendTimes: [], rateLimitedBy: { smsPerMinute: 0, callsPerHour: 0, contactOpsPerHour: 0 } };
		expect(s).toEqual({ inFlight: 0, maxInFlight: 4, requests: 4, rateLimited: 0, webhooksSent: 0, ...none });
		const r = await server.ctl.resetStats();
		expect(r).toEqual({ inFlight: 0, maxInFlight: 0, requests: 0, rateLimited: 0, webhooksSent: 0, ...none });
	});

	test('reset while a request waits out its latency: the request is still answered', async () => {
		await server.ctl.configure({ latencyMs: 100 });
		const pending = api(server.sb, 'GET', '/sms/balance/');
		await sleep(20);
		await server.ctl.reset();
		expect((await pending).status).toBe(200);
	});

	test('latencyMs delays answers', async () => {
		await server.ctl.configure({ latencyMs: 80 });
		const t = Date.now();
		await api(server.sb, 'GET', '/sms/balance/');
		expect(Date.now() - t).toBeGreaterThanOrEqual(75);
	});

	test('reset restores config and balance; reset body overrides', async () => {
		await server.ctl.configure({ approvedSenderIds: ['ONLY'] });
		await server.ctl.setBalance(1);
		const cfg = (await server.ctl.reset({ balance: 42 })).config;
		expect(cfg.approvedSenderIds).toEqual(['MIFUMO', 'SANDBOX', 'INFO', 'ALERT', 'TEST']);
		expect((await api(server.sb, 'GET', '/sms/balance/')).body.data.balance).toBe(42);
		await server.ctl.reset();
		expect((await api(server.sb, 'GET', '/sms/balance/')).body.data.balance).toBe(5000);
	});

	test('approvedSenderIds configurable live', async () => {
		await server.ctl.configure({ approvedSenderIds: ['ACME'] });
		expect((await send({ message: 'x', recipients: ['+255712345678'], sender_id: 'ACME' })).status).toBe(200);
		expect((await send({ message: 'x', recipients: ['+255712345678'], sender_id: 'MIFUMO' })).body.error_code).toBe('INVALID_SENDER_ID');
	});

	test('unknown control endpoint -> 404, bad config -> 400', async () => {
		await expect(server.ctl._call('GET', '/nope')).rejects.toMatchObject({ status: 404 });
		await expect(server.ctl.configure({ listShape: 'weird' })).rejects.toMatchObject({ status: 400 });
	});
});
