'use strict';
const { startSandbox } = require('../../sandbox');
const { useSandboxServer, api, KEYS, sleep } = require('./helpers');

const server = useSandboxServer();

const send = (n, key) => api(server.sb, 'POST', '/sms/send/', { key, body: { message: 'hi', recipients: Array.from({ length: n }, (_, i) => '+2557000' + String(10000 + i)) } });

test('defaults are the guide\'s', async () => {
	const cfg = await server.ctl.getConfig();
	expect(cfg.rateLimits).toEqual({ smsPerMinute: 100, callsPerHour: 1000, contactOpsPerHour: 500 });
	expect(cfg.rateWindowMs).toEqual({ smsPerMinute: 60000, callsPerHour: 3600000, contactOpsPerHour: 3600000 });
});

test('SMS per minute counts recipients; an over-quota send is rejected whole, with Retry-After', async () => {
	expect((await send(60)).status).toBe(200);
	expect((await send(40)).status).toBe(200);
	const r = await send(1);
	expect(r.status).toBe(429);
	expect(r.body).toEqual({ success: false, message: 'Rate limit exceeded: 100 SMS per minute', data: null, error_code: 'RATE_LIMIT_EXCEEDED', details: expect.stringMatching(/^Retry after \d+ seconds$/) });
	const ra = Number(r.headers.get('retry-after'));
	expect(ra).toBeGreaterThanOrEqual(59);
	expect(ra).toBeLessThanOrEqual(60);
	expect((await server.ctl.messages()).reduce((n, m) => n + m.recipients.length, 0)).toBe(100);
	expect((await server.ctl.getBalance()).balance).toBe(4000);
	expect((await server.ctl.stats()).rateLimited).toBe(1);
	// another key has its own counters
	expect((await send(10, KEYS.admin)).status).toBe(200);
});

test('rejected whole: 30 + 80 > 100 fails, then 70 fits', async () => {
	await send(30);
	expect((await send(80)).status).toBe(429);
	expect((await send(70)).status).toBe(200);
});

test('sliding window recovers; Retry-After says when', async () => {
	await server.ctl.configure({ rateLimits: { smsPerMinute: 3 }, rateWindowMs: { smsPerMinute: 1500 } });
	expect((await send(2)).status).toBe(200);
	await sleep(600);
	expect((await send(1)).status).toBe(200);
	const r = await send(2);
	expect(r.status).toBe(429);
	expect(r.headers.get('retry-after')).toBe('1'); // first send expires in ~0.9 s
	await sleep(1000);
	expect((await send(2)).status).toBe(200); // the 2 of the first send have left the window
	expect((await send(1)).status).toBe(429);
});

test('calls per hour counts every API call; 429 not counted', async () => {
	await server.ctl.configure({ rateLimits: { callsPerHour: 3 }, rateWindowMs: { callsPerHour: 400 } });
	for (let i = 0; i < 3; i++) expect((await api(server.sb, 'GET', '/sms/balance/', { key: KEYS.read })).status).toBe(200);
	const r = await api(server.sb, 'GET', '/sms/status/msg_x/', { key: KEYS.read });
	expect(r.status).toBe(429);
	expect(r.body.message).toBe('Rate limit exceeded: 3 API calls per hour');
	expect(r.headers.get('retry-after')).toBe('1');
	// the write key has its own window
	expect((await api(server.sb, 'GET', '/sms/balance/')).status).toBe(200);
	await sleep(420);
	expect((await api(server.sb, 'GET', '/sms/balance/', { key: KEYS.read })).status).toBe(200);
	expect((await server.ctl.stats()).rateLimited).toBe(1);
});

test('contact operations per hour: only /contacts/ calls', async () => {
	await server.ctl.configure({ rateLimits: { contactOpsPerHour: 2 } });
	expect((await api(server.sb, 'POST', '/contacts/create/', { body: { name: 'A', phone_number: '+255700000001' } })).status).toBe(201);
	expect((await api(server.sb, 'GET', '/contacts/segments/')).status).toBe(200);
	const r = await api(server.sb, 'GET', '/contacts/');
	expect(r.status).toBe(429);
	expect(r.body.error_code).toBe('RATE_LIMIT_EXCEEDED');
	expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(3500);
	expect((await api(server.sb, 'GET', '/sms/balance/')).status).toBe(200);
});

test('null or 0 = unlimited', async () => {
	await server.ctl.configure({ rateLimits: { smsPerMinute: 0, callsPerHour: null } });
	for (let i = 0; i < 3; i++) expect((await send(100)).status).toBe(200);
	await server.ctl.reset({ rateLimits: null });
	expect((await server.ctl.getConfig()).rateLimits).toEqual({ smsPerMinute: null, callsPerHour: null, contactOpsPerHour: null });
	expect((await send(100)).status).toBe(200);
	expect((await send(100)).status).toBe(200);
});

test('a single send larger than the whole limit is a 429 with the full window', async () => {
	await server.ctl.configure({ rateLimits: { smsPerMinute: 5 } });
	const r = await send(6);
	expect(r.status).toBe(429);
	expect(r.headers.get('retry-after')).toBe('60');
});

test('rate limits set at start', async () => {
	const other = await startSandbox({ rateLimits: { smsPerMinute: 1 }, deliveryDelayMs: null });
	try {
		const s = (n) => api(other, 'POST', '/sms/send/', { body: { message: 'x', recipients: ['+255712345678'] } });
		expect((await s()).status).toBe(200);
		expect((await s()).status).toBe(429);
	} finally {
		await other.close();
	}
});

describe('stats a test can read, and the Retry-After switch', () => {
	test('sends and SMS accepted, the time of each accepted send, 429s per limit', async () => {
		await server.ctl.configure({ rateLimits: { smsPerMinute: 3, callsPerHour: 6, contactOpsPerHour: 1 } });
		const before = Date.now();
		expect((await send(2)).status).toBe(200);
		expect((await send(2)).status).toBe(429); // SMS per minute
		expect((await api(server.sb, 'GET', '/contacts/')).status).toBe(200);
		expect((await api(server.sb, 'GET', '/contacts/')).status).toBe(429); // contact operations
		expect((await send(1)).status).toBe(200);
		for (let i = 0; i < 3; i++) await api(server.sb, 'GET', '/sms/balance/');
		expect((await api(server.sb, 'GET', '/sms/balance/')).status).toBe(429); // calls per hour
		const stats = await server.ctl.stats();
		expect(stats).toMatchObject({ requests: 9, sendsAccepted: 2, smsAccepted: 3, rateLimited: 3, rateLimitedBy: { smsPerMinute: 1, callsPerHour: 1, contactOpsPerHour: 1 } });
		expect(stats.acceptedSendTimes).toHaveLength(2);
		expect(stats.acceptedSendTimes[0]).toBeGreaterThanOrEqual(before);
		expect(stats.acceptedSendTimes[1]).toBeGreaterThanOrEqual(stats.acceptedSendTimes[0]);
		await server.ctl.addFault({ path: '/sms/balance/', status: 429 });
		await api(server.sb, 'GET', '/sms/balance/');
		expect(await server.ctl.stats()).toMatchObject({ rateLimited: 4, rateLimitedBy: { smsPerMinute: 1, callsPerHour: 1, contactOpsPerHour: 1 } });
	});

	test('retryAfter: false leaves the header out, the envelope stays', async () => {
		await server.ctl.configure({ rateLimits: { smsPerMinute: 1 }, retryAfter: false });
		await send(1);
		const r = await send(1);
		expect(r.status).toBe(429);
		expect(r.headers.get('retry-after')).toBeNull();
		expect(r.body).toEqual({ success: false, message: 'Rate limit exceeded: 1 SMS per minute', data: null, error_code: 'RATE_LIMIT_EXCEEDED', details: expect.stringMatching(/^Retry after \d+ seconds$/) });
	});

	test('windows scale for tests: an accepted rate can be measured', async () => {
		await server.ctl.configure({ rateLimits: { smsPerMinute: 2 }, rateWindowMs: { smsPerMinute: 300 } });
		const end = Date.now() + 1000;
		while (Date.now() < end) {
			const r = await send(1);
			if (r.status === 429) await sleep(Number(r.headers.get('retry-after')) * 50);
		}
		const { acceptedSendTimes } = await server.ctl.stats();
		// never more than 2 accepted in any 300 ms window
		for (let i = 2; i < acceptedSendTimes.length; i++) expect(acceptedSendTimes[i] - acceptedSendTimes[i - 2]).toBeGreaterThanOrEqual(300);
		expect(acceptedSendTimes.length).toBeGreaterThanOrEqual(4);
	});
});
