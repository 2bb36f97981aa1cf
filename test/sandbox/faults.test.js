'use strict';
const { useSandboxServer, api, sleep, until } = require('./helpers');

const server = useSandboxServer();

const SEND = '/api/integration/v1/sms/send/';
const send = () => api(server.sb, 'POST', '/sms/send/', { body: { message: 'hi', recipients: ['+255712345678'] } });

test('respond: status + JSON body for the next N matching requests; nothing processed', async () => {
	const f = await server.ctl.addFault({ method: 'POST', path: SEND, times: 2, status: 503, body: { success: false, message: 'busy', data: null, error_code: 'INTERNAL_ERROR', details: null }, headers: { 'Retry-After': '2' } });
	expect(f).toMatchObject({ id: expect.any(Number), method: 'POST', path: SEND, times: 2, remaining: 2, action: 'respond', status: 503 });
	for (let i = 0; i < 2; i++) {
		const r = await send();
		expect(r.status).toBe(503);
		expect(r.headers.get('retry-after')).toBe('2');
		expect(r.body).toEqual({ success: false, message: 'busy', data: null, error_code: 'INTERNAL_ERROR', details: null });
	}
	expect(await server.ctl.messages()).toEqual([]);
	expect((await server.ctl.getBalance()).balance).toBe(5000);
	expect((await send()).status).toBe(200);
	expect(await server.ctl.faults()).toEqual([]);
	const log = await server.ctl.requests();
	expect(log.map((e) => e.status)).toEqual([503, 503, 200]);
	expect(log[0].fault).toBe(f.id);
});

test('respond: string body (an HTML page) with a content type; default status body', async () => {
	await server.ctl.addFault({ path: '/sms/balance/', status: 502, body: '<html>Bad Gateway</html>', contentType: 'text/html' });
	const r = await api(server.sb, 'GET', '/sms/balance/');
	expect(r.status).toBe(502);
	expect(r.headers.get('content-type')).toBe('text/html');
	expect(r.text).toBe('<html>Bad Gateway</html>');
	await server.ctl.addFault({ path: '/sms/balance/', status: 500 });
	const d = await api(server.sb, 'GET', '/sms/balance/');
	expect(d.body).toMatchObject({ success: false, error_code: 'INTERNAL_ERROR', data: null });
	await server.ctl.addFault({ path: '/sms/balance/', status: 200, body: '' });
	const e = await api(server.sb, 'GET', '/sms/balance/');
	expect(e.status).toBe(200);
	expect(e.text).toBe('');
	await server.ctl.addFault({ path: '/sms/balance/', status: 200, body: { success: false, message: 'nope', data: null, error_code: 'X', details: null } });
	expect((await api(server.sb, 'GET', '/sms/balance/')).body.success).toBe(false);
});

test('prefix paths with *, method filter, relative paths, times always', async () => {
	await server.ctl.addFault({ path: '/api/integration/v1/contacts/*', status: 500, times: -1 });
	await server.ctl.addFault({ method: 'GET', path: '/sms/balance', status: 418 });
	expect((await api(server.sb, 'GET', '/contacts/')).status).toBe(500);
	expect((await api(server.sb, 'GET', '/contacts/segments/')).status).toBe(500);
	expect((await api(server.sb, 'POST', '/contacts/create/', { body: { name: 'A', phone_number: '+255700000001' } })).status).toBe(500);
	expect(await server.ctl.contacts()).toEqual([]);
	expect((await api(server.sb, 'POST', '/sms/balance/')).status).toBe(405); // method does not match
	expect((await api(server.sb, 'GET', '/sms/balance/')).status).toBe(418); // trailing slash tolerated
	expect((await server.ctl.faults())[0]).toMatchObject({ remaining: 'always', hits: 3 });
	await server.ctl.clearFaults();
	expect((await api(server.sb, 'GET', '/contacts/')).status).toBe(200);
});

test('respond + processThenFail: the SMS goes out but the answer is lost', async () => {
	await server.ctl.addFault({ path: SEND, status: 500, processThenFail: true });
	const r = await send();
	expect(r.status).toBe(500);
	const msgs = await server.ctl.messages();
	expect(msgs).toHaveLength(1);
	expect(msgs[0].recipients).toEqual(['+255712345678']);
	expect((await server.ctl.getBalance()).balance).toBe(4990);
});

test('reset: connection destroyed, nothing processed (or processed with processThenFail)', async () => {
	await server.ctl.addFault({ path: SEND, action: 'reset' });
	await expect(send()).rejects.toThrow();
	expect(await server.ctl.messages()).toEqual([]);
	await server.ctl.addFault({ path: SEND, action: 'reset', processThenFail: true });
	await expect(send()).rejects.toThrow();
	expect(await server.ctl.messages()).toHaveLength(1);
	const log = await server.ctl.requests();
	expect(log.map((e) => [e.status, e.outcome])).toEqual([
		[null, 'reset'],
		[null, 'reset'],
	]);
	await until(async () => (await server.ctl.stats()).inFlight === 0);
});

test('hang: never answers (client times out); released by reset', async () => {
	await server.ctl.addFault({ path: SEND, action: 'hang' });
	const t = Date.now();
	await expect(fetch(server.sb.url + SEND, { method: 'POST', headers: { authorization: 'Bearer sandbox-write-key', 'content-type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(200) })).rejects.toThrow();
	expect(Date.now() - t).toBeGreaterThanOrEqual(190);
	expect(await server.ctl.messages()).toEqual([]);
	// a second hanging request is released (socket destroyed) by reset
	await server.ctl.addFault({ path: SEND, action: 'hang' });
	const pending = send().then(
		() => 'answered',
		() => 'destroyed',
	);
	await until(async () => (await server.ctl.stats()).inFlight >= 1);
	await server.ctl.reset();
	expect(await pending).toBe('destroyed');
});

test('delay: waits, then handles normally', async () => {
	await server.ctl.addFault({ path: SEND, action: 'delay', delayMs: 150 });
	const t = Date.now();
	const r = await send();
	expect(Date.now() - t).toBeGreaterThanOrEqual(140);
	expect(r.status).toBe(200);
	expect(await server.ctl.messages()).toHaveLength(1);
});

test('respond with delayMs answers late', async () => {
	await server.ctl.addFault({ path: SEND, status: 504, delayMs: 100 });
	const t = Date.now();
	expect((await send()).status).toBe(504);
	expect(Date.now() - t).toBeGreaterThanOrEqual(90);
});

test('faults are matched before auth and do not consume quota', async () => {
	await server.ctl.configure({ rateLimits: { callsPerHour: 1 } });
	await server.ctl.addFault({ path: '/sms/balance/', status: 500 });
	expect((await api(server.sb, 'GET', '/sms/balance/', { key: 'wrong' })).status).toBe(500);
	expect((await api(server.sb, 'GET', '/sms/balance/')).status).toBe(200);
	expect((await api(server.sb, 'GET', '/sms/balance/')).status).toBe(429);
});

test('bad fault specs -> 400', async () => {
	await expect(server.ctl.addFault({ status: 500 })).rejects.toMatchObject({ status: 400 });
	await expect(server.ctl.addFault({ path: SEND, action: 'explode' })).rejects.toMatchObject({ status: 400 });
	await expect(server.ctl.addFault({ path: SEND, action: 'delay' })).rejects.toMatchObject({ status: 400 });
});

test('several faults at once (array) apply in order', async () => {
	await server.ctl.addFault([
		{ path: SEND, status: 500 },
		{ path: SEND, status: 429, headers: { 'Retry-After': '1' } },
	]);
	expect((await send()).status).toBe(500);
	const r = await send();
	expect(r.status).toBe(429);
	expect(r.body.error_code).toBe('RATE_LIMIT_EXCEEDED');
	expect((await send()).status).toBe(200);
	await sleep(1);
});
