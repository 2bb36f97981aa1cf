/**
 * The credential's Test button: the node's `methods.credentialTest.mifumoApiTest`, called with
 * n8n-core's real CredentialTestContext (its `helpers.request` is n8n's legacy request adapter),
 * against the sandbox, an HTML-serving server and a port where nothing listens.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { CredentialTestContext } from 'n8n-core';
import type { ICredentialsDecrypted, INodeCredentialTestResult, IWorkflowExecuteAdditionalData } from 'n8n-workflow';

import { Mifumo } from '../../nodes/Mifumo/Mifumo.node';
import { ADMIN_KEY, READ_KEY, useSandbox } from '../helpers/sandbox';
import { HINTS } from '../../nodes/Mifumo/transport/errors';

const sb = useSandbox();
const API = '/api/integration/v1';

async function credentialTest(data: { apiKey: string; baseUrl: string }): Promise<INodeCredentialTestResult> {
	const context = new CredentialTestContext({} as IWorkflowExecuteAdditionalData);
	const credential: ICredentialsDecrypted = { id: '1', name: 'Mifumo', type: 'mifumoApi', data };
	const result = await new Mifumo().methods.credentialTest.mifumoApiTest.call(context, credential);
	// The key never appears in what the Test button shows.
	expect(JSON.stringify(result)).not.toContain(data.apiKey);
	return result;
}

/** A plain web server that answers every request with an HTML page (a wrong Base URL). */
async function htmlServer(status: number): Promise<{ url: string; close(): Promise<void> }> {
	const server: Server = createServer((_req, res) => {
		res.writeHead(status, { 'content-type': 'text/html' });
		res.end(`<!DOCTYPE html><html><body><h1>${status === 404 ? 'Not Found' : 'Welcome'}</h1></body></html>`);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		close: async () => await new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

/** A loopback port that was free a moment ago: nothing listens there. */
async function closedPort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

const BASE_URL_HINT = "Check the Base URL of the credential (the server's address, without /api/integration/v1).";
const NOT_MIFUMO = `This does not look like a Mifumo server. ${BASE_URL_HINT}`;
const N8N_CANNOT_GET = `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot GET ${API}/sms/balance/</pre>\n</body>\n</html>\n`;

describe('mifumoApiTest (credential test)', () => {
	it('OK with the admin key, after one GET /sms/balance/ with the Bearer key', async () => {
		expect(await credentialTest({ apiKey: ADMIN_KEY, baseUrl: sb.url })).toEqual({ status: 'OK', message: 'Connection successful!' });
		const requests = await sb.requests();
		expect(requests).toHaveLength(1);
		expect([requests[0].method, requests[0].path, requests[0].query]).toEqual(['GET', `${API}/sms/balance/`, {}]);
		expect(requests[0].headers.authorization).toBe(`Bearer ${ADMIN_KEY}`);
	});

	it('OK with a read key, and with a Base URL given with a trailing slash or with /api/integration/v1', async () => {
		expect(await credentialTest({ apiKey: READ_KEY, baseUrl: `${sb.url}/` })).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(await credentialTest({ apiKey: ADMIN_KEY, baseUrl: `${sb.url}/api/integration/v1/` })).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
		expect((await sb.requests()).map((r) => r.path)).toEqual([`${API}/sms/balance/`, `${API}/sms/balance/`]);
	});

	it("Error with a wrong key, showing the server's message", async () => {
		const result = await credentialTest({ apiKey: 'sk-wrong-credential-key-777', baseUrl: sb.url });
		expect(result).toEqual({
			status: 'Error',
			message: `INVALID_API_KEY: Invalid API key – The provided API key is invalid or expired. ${HINTS.INVALID_API_KEY}`,
		});
		expect((await sb.requests())[0].headers.authorization).toBe('Bearer sk-wrong-credential-key-777');
	});

	it('Error on an envelope with success: false even with HTTP 200', async () => {
		await sb.control.addFault({
			method: 'GET',
			path: '/sms/balance/',
			status: 200,
			body: { success: false, message: 'Account suspended', data: null, error_code: 'ACCOUNT_SUSPENDED', details: null },
		});
		expect(await credentialTest({ apiKey: ADMIN_KEY, baseUrl: sb.url })).toEqual({ status: 'Error', message: 'ACCOUNT_SUSPENDED: Account suspended' });
	});

	it('Error on a 401 whose error_code is null: the server message, the status and the key hint', async () => {
		await sb.control.addFault({
			method: 'GET',
			path: '/sms/balance/',
			status: 401,
			body: { success: false, message: 'Authentication credentials were not provided.', data: null, error_code: null, details: null },
		});
		expect(await credentialTest({ apiKey: ADMIN_KEY, baseUrl: sb.url })).toEqual({
			status: 'Error',
			message: `HTTP_401: Authentication credentials were not provided. ${HINTS.INVALID_API_KEY}`,
		});
	});

	it('Error on a 500 with the JSON envelope', async () => {
		await sb.control.addFault({ method: 'GET', path: '/sms/balance/', status: 500 });
		expect(await credentialTest({ apiKey: ADMIN_KEY, baseUrl: sb.url })).toEqual({
			status: 'Error',
			message: `INTERNAL_ERROR: Injected fault (HTTP 500) – Injected by the sandbox control plane. ${HINTS.INTERNAL_ERROR} Tried 1 time.`,
		});
	});

	it('Error on a Base URL that serves an HTML 404 page', async () => {
		const html = await htmlServer(404);
		try {
			expect(await credentialTest({ apiKey: ADMIN_KEY, baseUrl: html.url })).toEqual({
				status: 'Error',
				message: 'HTTP_404: Mifumo answered HTTP 404 with an HTML page. This server has no GET /sms/balance/ endpoint.',
			});
		} finally {
			await html.close();
		}
	});

	it('Error on a Base URL that serves an HTML page with HTTP 200 (a website, not Mifumo)', async () => {
		const html = await htmlServer(200);
		try {
			expect(await credentialTest({ apiKey: ADMIN_KEY, baseUrl: html.url })).toEqual({
				status: 'Error',
				message: `HTTP_200: Mifumo answered HTTP 200 with an HTML page. ${NOT_MIFUMO}`,
			});
		} finally {
			await html.close();
		}
	});

	it('regression: Error on a JSON answer that is not the envelope (another API at that address) says the envelope is missing', async () => {
		await sb.control.addFault({ method: 'GET', path: '/sms/balance/', status: 200, body: { status: 'ok', version: '2.1' } });
		expect(await credentialTest({ apiKey: ADMIN_KEY, baseUrl: sb.url })).toEqual({
			status: 'Error',
			message: `HTTP_200: Mifumo answered HTTP 200 with JSON without Mifumo's envelope. ${NOT_MIFUMO}`,
		});
	});

	it('Error on a Base URL with a wrong path (the server answers 404 NOT_FOUND)', async () => {
		const result = await credentialTest({ apiKey: ADMIN_KEY, baseUrl: `${sb.url}/mifumo` });
		expect(result).toEqual({
			status: 'Error',
			message: `NOT_FOUND: Endpoint not found: /mifumo${API}/sms/balance/ – Check the URL and the API version. ${HINTS.NOT_FOUND}`,
		});
	});

	it('Error when nothing listens at the Base URL', async () => {
		const port = await closedPort();
		expect(await credentialTest({ apiKey: ADMIN_KEY, baseUrl: `http://127.0.0.1:${port}` })).toEqual({
			status: 'Error',
			message: `Could not connect to the Mifumo server at http://127.0.0.1:${port} (ECONNREFUSED). Check the Base URL of the credential (the server's address, without /api/integration/v1).`,
		});
	});

	it('Error on a Base URL that points at n8n itself: says it is not Mifumo and what answered, not "Mifumo answered HTTP 404"', async () => {
		// n8n 2.41's answer to GET /api/integration/v1/sms/balance/ with Accept: application/json, as captured.
		await sb.control.addFault({ method: 'GET', path: '/sms/balance/', status: 404, contentType: 'text/html; charset=utf-8', body: N8N_CANNOT_GET });
		expect(await credentialTest({ apiKey: ADMIN_KEY, baseUrl: sb.url })).toEqual({
			status: 'Error',
			message: `HTTP_404: The Base URL points at a server that is not Mifumo: it answered HTTP 404 with a "Cannot GET ${API}/sms/balance/" page of an Express server (as n8n answers). ${BASE_URL_HINT}`,
		});
	});

	it('regression: the key is not shown even when the server echoes it in its message', async () => {
		await sb.control.addFault({
			method: 'GET',
			path: '/sms/balance/',
			status: 401,
			body: { success: false, message: `Invalid API key: ${ADMIN_KEY}`, data: null, error_code: 'INVALID_API_KEY', details: null },
		});
		const result = await credentialTest({ apiKey: ADMIN_KEY, baseUrl: sb.url });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/^INVALID_API_KEY: Invalid API key/);
	});
});

describe('mifumoApiTest says what the node says for the same cause', () => {
	it("401 with Django's token_not_valid JSON: the detail quoted, the key refused", async () => {
		await sb.control.configure({ dialect: 'source', jwtAuth: true });
		expect(await credentialTest({ apiKey: ADMIN_KEY, baseUrl: sb.url })).toEqual({
			status: 'Error',
			message: `HTTP_401: Mifumo answered HTTP 401 with JSON without Mifumo's envelope: "Given token not valid for any token type" (token_not_valid). The server refused the API key. ${HINTS.INVALID_API_KEY}`,
		});
	});

	it('a Base URL without a scheme: nothing is sent', async () => {
		const host = new URL(sb.url).host;
		expect(await credentialTest({ apiKey: ADMIN_KEY, baseUrl: host })).toEqual({
			status: 'Error',
			message: `INVALID_BASE_URL: The Base URL of the credential, "${host}", has no scheme. Start it with http:// or https://, e.g. https://${host}. Nothing was sent.`,
		});
		expect(await sb.requests()).toEqual([]);
	});

	it("OK against the source dialect's envelope (no error_code, a timestamp)", async () => {
		await sb.control.configure({ dialect: 'source' });
		expect(await credentialTest({ apiKey: ADMIN_KEY, baseUrl: sb.url })).toEqual({ status: 'OK', message: 'Connection successful!' });
	});
});
