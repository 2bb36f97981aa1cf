'use strict';
/** Test helpers for the sandbox's own tests (real HTTP on loopback). */
const http = require('node:http');
const { startSandbox } = require('../../sandbox');
const { SandboxClient } = require('../../sandbox/client');

const PREFIX = '/api/integration/v1';
const KEYS = { admin: 'sandbox-admin-key', write: 'sandbox-write-key', read: 'sandbox-read-key' };

/**
 * One sandbox for the test file (or describe block), reset before each test with `resetWith`
 * (null: the file resets it itself): `server.sb` is the Sandbox, `server.ctl` its control client.
 */
function useSandboxServer(startOptions = {}, resetWith = {}) {
	const server = { sb: null, ctl: null };
	beforeAll(async () => {
		server.sb = await startSandbox({ deliveryDelayMs: null, ...startOptions });
		server.ctl = new SandboxClient(server.sb.url);
	});
	afterAll(() => server.sb.close());
	if (resetWith !== null) beforeEach(() => server.ctl.reset(resetWith));
	return server;
}

/** Call the API. opts: {key (null = no Authorization), auth (raw header), body (JSON), raw (string), headers} */
async function api(sb, method, path, opts = {}) {
	const headers = { ...(opts.headers || {}) };
	const key = opts.key === undefined ? KEYS.write : opts.key;
	if (opts.auth !== undefined) headers.authorization = opts.auth;
	else if (key !== null) headers.authorization = `Bearer ${key}`;
	let body;
	if (opts.raw !== undefined) body = opts.raw;
	else if (opts.body !== undefined) body = JSON.stringify(opts.body);
	if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
	const url = (typeof sb === 'string' ? sb : sb.url) + (path.startsWith('/__') || path.startsWith('/api') ? path : PREFIX + path);
	const res = await fetch(url, { method, headers, body });
	const text = await res.text();
	let json;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: res.status, headers: res.headers, text, body: json };
}

/** A local webhook receiver recording every request. */
async function startReceiver({ status = 200, reply = '{"ok":true}' } = {}) {
	const hits = [];
	const waiters = [];
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			const rawBody = Buffer.concat(chunks).toString('utf8');
			let body = null;
			try {
				body = JSON.parse(rawBody);
			} catch {
				/* keep null */
			}
			hits.push({ method: req.method, url: req.url, headers: req.headers, rawBody, body });
			const st = typeof status === 'function' ? status(hits.length) : status;
			res.writeHead(st, { 'content-type': 'application/json' });
			res.end(reply);
			for (const w of [...waiters]) if (hits.length >= w.n) w.resolve();
		});
	});
	await new Promise((r) => server.listen(0, '127.0.0.1', r));
	const url = `http://127.0.0.1:${server.address().port}`;
	return {
		url,
		hits,
		waitFor(n, timeoutMs = 3000) {
			if (hits.length >= n) return Promise.resolve();
			return new Promise((resolve, reject) => {
				const t = setTimeout(() => reject(new Error(`receiver got ${hits.length} of ${n} requests`)), timeoutMs);
				waiters.push({
					n,
					resolve: () => {
						clearTimeout(t);
						resolve();
					},
				});
			});
		},
		close() {
			server.closeAllConnections();
			return new Promise((r) => server.close(r));
		},
	};
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Poll fn until it returns truthy (or time out). */
async function until(fn, timeoutMs = 3000, stepMs = 10) {
	const end = Date.now() + timeoutMs;
	for (;;) {
		const v = await fn();
		if (v) return v;
		if (Date.now() > end) throw new Error('condition not met in time');
		await sleep(stepMs);
	}
}

module.exports = { useSandboxServer, api, startReceiver, sleep, until, KEYS, PREFIX };
