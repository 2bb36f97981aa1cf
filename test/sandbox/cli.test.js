'use strict';
const path = require('node:path');
const net = require('node:net');
const { spawn } = require('node:child_process');
const { parseArgs } = require('../../sandbox/cli');
const { api, until } = require('./helpers');

const CLI = path.join(__dirname, '..', '..', 'sandbox', 'cli.js');

function startCli(args = [], env = {}) {
	const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
	const out = { stdout: '', stderr: '' };
	child.stdout.on('data', (d) => (out.stdout += d));
	child.stderr.on('data', (d) => (out.stderr += d));
	const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
	return { child, out, exited };
}

async function ready(cli) {
	await until(() => /\nready\n/.test(cli.out.stdout) || cli.child.exitCode !== null, 5000);
	const m = /^Mifumo sandbox listening on (http:\/\/\S+)$/m.exec(cli.out.stdout);
	if (!m) throw new Error(`CLI did not start: ${cli.out.stdout}${cli.out.stderr}`);
	return m[1];
}

describe('cli', () => {
	let cli;
	let url;
	beforeAll(async () => {
		cli = startCli(['--port', '0', '--delivery-delay-ms', '50']);
		url = await ready(cli);
	});
	afterAll(async () => {
		if (cli.child.exitCode === null) {
			cli.child.kill('SIGKILL');
			await cli.exited;
		}
	});

	test('prints the address, the keys, then ready', () => {
		const lines = cli.out.stdout.split('\n');
		expect(lines[0]).toMatch(/^Mifumo sandbox listening on http:\/\/127\.0\.0\.1:\d+$/);
		expect(lines[1]).toBe('API keys: sandbox-admin-key (admin), sandbox-write-key (write), sandbox-read-key (read)');
		expect(lines[2]).toBe('ready');
	});

	test("answers the guide's samples: send, status, balance; wrong key -> 401 envelope", async () => {
		// curl -X POST ".../sms/send/" -H "Content-Type: application/json" -H "Authorization: Bearer YOUR_API_KEY" -d '{...}'
		const s = await api(url, 'POST', '/sms/send/', { key: 'sandbox-admin-key', body: { message: 'Hello from Mifumo SMS!', recipients: ['+255123456789'], sender_id: 'MIFUMO' } });
		expect(s.status).toBe(200);
		expect(s.body).toEqual({
			success: true,
			message: 'SMS sent successfully',
			data: { message_id: expect.stringMatching(/^msg_/), recipients: ['+255123456789'], status: 'sent', cost: 10, currency: 'TZS', encoding: 'GSM-7', segments: 1 },
			error_code: null,
			details: null,
		});
		const id = s.body.data.message_id;
		const st = await until(async () => {
			const r = await api(url, 'GET', `/sms/status/${id}/`, { key: 'sandbox-read-key' });
			return r.body.data.status === 'delivered' && r;
		});
		expect(st.body.data.recipients).toEqual([{ phone: '+255123456789', status: 'delivered', delivery_time: expect.stringMatching(/Z$/) }]);
		const b = await api(url, 'GET', '/sms/balance/', { key: 'sandbox-read-key' });
		expect(b.body.data).toEqual({ balance: 4990, currency: 'TZS', last_updated: expect.stringMatching(/Z$/) });
		const bad = await api(url, 'GET', '/sms/balance/', { key: 'YOUR_API_KEY' });
		expect(bad.status).toBe(401);
		expect(bad.body).toEqual({ success: false, message: 'Invalid API key', data: null, error_code: 'INVALID_API_KEY', details: 'The provided API key is invalid or expired' });
		await until(() => cli.out.stdout.includes('GET /api/integration/v1/sms/balance/ -> 401'));
		expect(cli.out.stdout).toMatch(/POST \/api\/integration\/v1\/sms\/send\/ -> 200 \(\d+ ms\)/);
	});

	test('a port in use: one clear line, exit code 1', async () => {
		const port = new URL(url).port;
		const second = startCli(['--port', port]);
		const { code } = await second.exited;
		expect(code).toBe(1);
		expect(second.out.stderr).toBe(`mifumo sandbox: port ${port} on 127.0.0.1 is already in use\n`);
		expect(second.out.stdout).toBe('');
	});

	test('SIGTERM: clean exit 0', async () => {
		cli.child.kill('SIGTERM');
		const { code } = await cli.exited;
		expect(code).toBe(0);
		await expect(fetch(url + '/__sandbox/health')).rejects.toThrow();
	});
});

test('keys, limits and port from env; SIGINT exits 0', async () => {
	const free = await new Promise((resolve) => {
		const s = net.createServer().listen(0, '127.0.0.1', () => {
			const p = s.address().port;
			s.close(() => resolve(p));
		});
	});
	const cli = startCli(['--sms-per-minute', '1', '--quiet'], { MIFUMO_SANDBOX_PORT: String(free), MIFUMO_SANDBOX_KEYS: 'k1:read,k2:write' });
	try {
		const url = await ready(cli);
		expect(url).toBe(`http://127.0.0.1:${free}`);
		expect(cli.out.stdout).toContain('API keys: k1 (read), k2 (write)');
		expect((await api(url, 'GET', '/sms/balance/', { key: 'k1' })).status).toBe(200);
		expect((await api(url, 'GET', '/sms/balance/', { key: 'sandbox-admin-key' })).status).toBe(401);
		const send = () => api(url, 'POST', '/sms/send/', { key: 'k2', body: { message: 'x', recipients: ['+255712345678'] } });
		expect((await send()).status).toBe(200);
		expect((await send()).status).toBe(429);
		expect(cli.out.stdout).not.toContain('->'); // --quiet
	} finally {
		cli.child.kill('SIGINT');
	}
	expect((await cli.exited).code).toBe(0);
});

test('bad options exit 2 with a message', async () => {
	const cli = startCli(['--nope']);
	expect((await cli.exited).code).toBe(2);
	expect(cli.out.stderr).toBe('mifumo sandbox: unknown option: --nope (see --help)\n');
});

test('parseArgs maps every flag', () => {
	const { opts } = parseArgs(
		[
			'--port=9000',
			'--host',
			'0.0.0.0',
			'--keys',
			'a:admin',
			'--sms-per-minute',
			'0',
			'--calls-per-hour',
			'10',
			'--contact-ops-per-hour',
			'none',
			'--delivery-delay-ms',
			'manual',
			'--webhook-secret',
			'sec',
			'--balance',
			'12.5',
			'--latency-ms',
			'20',
			'--sender-ids',
			'A,B',
			'--dashboard-webhook-url',
			'http://x/',
			'--cost-per-sms',
			'20',
		],
		{},
	);
	expect(opts).toEqual({
		port: 9000,
		host: '0.0.0.0',
		log: true,
		apiKeys: { a: 'admin' },
		rateLimits: { smsPerMinute: null, callsPerHour: 10, contactOpsPerHour: null },
		deliveryDelayMs: null,
		webhookSecret: 'sec',
		balance: 12.5,
		latencyMs: 20,
		approvedSenderIds: ['A', 'B'],
		dashboardWebhookUrl: 'http://x/',
		costPerSms: 20,
	});
	expect(parseArgs([], { MIFUMO_SANDBOX_LATENCY_MS: '5', MIFUMO_SANDBOX_WEBHOOK_SECRET: 'w' }).opts).toMatchObject({ port: 8001, host: '127.0.0.1', latencyMs: 5, webhookSecret: 'w' });
	expect(() => parseArgs(['--port', 'abc'], {})).toThrow('invalid value for --port: abc');
	expect(() => parseArgs(['--keys', 'x:root'], {})).toThrow(/invalid permission/);
});
