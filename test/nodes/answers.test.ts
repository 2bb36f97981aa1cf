/**
 * What the node says when a server answers outside Mifumo's envelope, or in the dialect of
 * Mifumo's own server (the sandbox's `source` dialect), and when the input or the credential
 * cannot work: each message says what came and what to check.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { HINTS } from '../../nodes/Mifumo/transport/errors';
import { ADMIN_KEY, useSandbox } from '../helpers/sandbox';

const sb = useSandbox();

const balance: INodeParameters = { resource: 'sms', operation: 'getBalance' };
const KEY_REFUSED = `The server refused the API key. ${HINTS.INVALID_API_KEY}`;

describe('answers that are not the envelope', () => {
	test('401 with Django\'s {"detail", "code": "token_not_valid"}: JSON without the envelope, its detail quoted, the key refused', async () => {
		await sb.control.configure({ dialect: 'source', jwtAuth: true });
		const result = await sb.run(balance);
		expect(result.error?.message).toBe(
			`HTTP_401: Mifumo answered HTTP 401 with JSON without Mifumo's envelope: "Given token not valid for any token type" (token_not_valid). ${KEY_REFUSED}`,
		);
		expect(result.error?.errorCode).toBe('HTTP_401');
		expect(result.error?.message).not.toMatch(/Base URL/);
	});

	test('404 HTML page for /contacts/ while the balance works with the same credential: this server has no GET /contacts/ endpoint', async () => {
		await sb.control.configure({ dialect: 'source' });
		const ok = await sb.run(balance);
		expect(ok.error).toBeUndefined();
		expect(ok.items[0].json).toMatchObject({ currency: 'USD' });

		const result = await sb.run({ resource: 'contact', operation: 'getMany', returnAll: false, limit: 5 }, { continueOnFail: true });
		expect(result.items).toEqual([
			{
				json: {
					error: 'HTTP_404: Mifumo answered HTTP 404 with an HTML page. This server has no GET /contacts/ endpoint.',
					errorCode: 'HTTP_404',
				},
				pairedItem: { item: 0 },
			},
		]);
	});

	describe('a Base URL pointing at n8n itself (its answers as n8n 2.41 gives them): not Mifumo, and what answered', () => {
		const NOT_MIFUMO = "Check the Base URL of the credential (the server's address, without /api/integration/v1).";
		const expressPage = (method: string, path: string) =>
			`<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot ${method} /api/integration/v1${path}</pre>\n</body>\n</html>\n`;
		const html = { contentType: 'text/html; charset=utf-8' };

		test('send: POST answered 404 with the "Cannot POST" page: HTTP_404, names the page, nothing was sent', async () => {
			await sb.control.addFault({ method: 'POST', path: '/sms/send/', status: 404, ...html, body: expressPage('POST', '/sms/send/') });
			const result = await sb.run({ resource: 'sms', operation: 'send', message: 'Habari', recipients: '0712 345 678' }, { continueOnFail: true });
			expect(result.items).toEqual([
				{
					json: {
						error: `HTTP_404: The Base URL points at a server that is not Mifumo: it answered HTTP 404 with a "Cannot POST /api/integration/v1/sms/send/" page of an Express server (as n8n answers). ${NOT_MIFUMO} Nothing was sent to Mifumo.`,
						errorCode: 'HTTP_404',
					},
					pairedItem: { item: 0 },
				},
			]);
			expect(await sb.control.messages()).toEqual([]);
		});

		test("a read answered 200 with n8n's editor page", async () => {
			const editor = '<!DOCTYPE html>\n<html lang="en">\n\t<head>\n\t\t<meta charset="utf-8" />\n\t\t<meta name="n8n:config:rest-endpoint" content="cmVzdA=="><title>n8n.io - Workflow Automation</title></head><body></body></html>';
			await sb.control.addFault({ method: 'GET', path: '/sms/balance/', status: 200, ...html, body: editor });
			const result = await sb.run(balance);
			expect(result.error?.message).toBe(`HTTP_200: The Base URL points at a server that is not Mifumo: it answered HTTP 200 with n8n's editor page. ${NOT_MIFUMO}`);
			expect(result.error?.errorCode).toBe('HTTP_200');
		});

		test("a Base URL ending in /webhook: n8n's JSON 404 for a webhook it does not serve", async () => {
			const message = 'The requested webhook "GET api/integration/v1/sms/balance" is not registered.';
			await sb.control.addFault({
				method: 'GET',
				path: '/sms/balance/',
				status: 404,
				body: { code: 404, message, hint: 'The workflow must be active for a production URL to run successfully.' },
			});
			const result = await sb.run(balance);
			expect(result.error?.message).toBe(`HTTP_404: The Base URL points at a server that is not Mifumo: it answered HTTP 404 with n8n's answer "${message}". ${NOT_MIFUMO}`);
			expect(result.error?.errorCode).toBe('HTTP_404');
		});
	});

	test('an envelope that leaves error_code out and carries a timestamp is read: data on success, the code on failure', async () => {
		await sb.control.configure({ dialect: 'source' });
		const ok = await sb.run(balance);
		expect(Object.keys(ok.items[0].json).sort()).toEqual(['account_id', 'balance', 'currency', 'last_updated']);

		const refused = await sb.run(balance, { credentials: { apiKey: 'not-a-key-1234', baseUrl: sb.url } });
		expect(refused.error?.message).toBe(`INVALID_API_KEY: Invalid API key – The provided API key is invalid or expired. ${HINTS.INVALID_API_KEY}`);
		expect(refused.error?.errorCode).toBe('INVALID_API_KEY');
	});

	test("the source dialect's 500 for a status id that is not a UUID fails after the read retries, saying how often it was tried", async () => {
		await sb.control.configure({ dialect: 'source' });
		const result = await sb.run({ resource: 'sms', operation: 'getStatus', messageId: 'msg_123' });
		expect(result.error?.errorCode).toBe('INTERNAL_ERROR');
		expect(result.error?.message).toMatch(new RegExp(`^INTERNAL_ERROR: .*${escape(HINTS.INTERNAL_ERROR)} Tried 4 times\\.$`));
		expect((await sb.requests()).map((request) => request.status)).toEqual([500, 500, 500, 500]);
	}, 30_000);
});

describe("the server source's error codes each get a hint a user can act on", () => {
	const codes = [
		['MISSING_MESSAGE', 400],
		['INVALID_PHONE_FORMAT', 400],
		['AUTHENTICATION_REQUIRED', 401],
		['INSUFFICIENT_PERMISSIONS', 403],
		['MESSAGE_NOT_FOUND', 404],
		['NOT_IMPLEMENTED', 501],
		['INTERNAL_ERROR', 500],
	] as const;

	test.each(codes)('%s (HTTP %i)', async (code, status) => {
		await sb.control.addFault({
			method: 'GET',
			path: '/sms/balance/',
			status,
			times: 10,
			body: { success: false, timestamp: '2025-10-28T10:00:00Z', message: `Server says ${code}`, error_code: code },
		});
		const result = await sb.run(balance);
		expect(HINTS[code]).toEqual(expect.any(String));
		expect(result.error?.errorCode).toBe(code);
		expect(result.error?.message).toContain(`${code}: Server says ${code}. ${HINTS[code]}`);
	}, 30_000);
});

describe('input and credentials that cannot work', () => {
	test('a Base URL without http:// or https:// says the scheme is missing; nothing is sent', async () => {
		const host = new URL(sb.url).host;
		const result = await sb.run(balance, { credentials: { apiKey: ADMIN_KEY, baseUrl: host } });
		expect(result.error?.message).toBe(
			`INVALID_BASE_URL: The Base URL of the credential, "${host}", has no scheme. Start it with http:// or https://, e.g. https://${host}. Nothing was sent.`,
		);
		expect(result.error?.errorCode).toBe('INVALID_BASE_URL');
		expect(await sb.requests()).toEqual([]);
	});

	test('an expression that gives nothing names itself and the field it read', async () => {
		const result = await sb.run(
			{ resource: 'sms', operation: 'send', message: '={{ $json.body.message }}', recipients: '0712345678' },
			{ items: [{ body: { text: 'hi' } } as IDataObject], continueOnFail: true },
		);
		expect(result.items[0].json).toEqual({
			error: 'Message is empty: its expression {{ $json.body.message }} gave nothing (this item has no body.message). Enter the text of the SMS.',
			errorCode: 'INVALID_PARAMETER',
		});
		expect(await sb.requests()).toEqual([]);
	});

	test('an ID expression that gives nothing says so too', async () => {
		const result = await sb.run({ resource: 'sms', operation: 'getStatus', messageId: "={{ $json['id'] }}" });
		expect(result.error?.message).toBe(
			"Message ID is empty: its expression {{ $json['id'] }} gave nothing (this item has no id). Map the Message ID from an earlier node, e.g. {{ $json.message_id }}.",
		);
		expect(result.error?.context?.itemIndex).toBe(0);
	});
});

function escape(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}


describe.each(['guide', 'source'] as const)('reads and errors in the %s dialect', (dialect) => {
	beforeEach(async () => {
		await sb.control.configure({ dialect });
	});

	test('send, then Get Status and Get Delivery Reports read what the server holds, as it sent it', async () => {
		const sent = await sb.run({
			resource: 'sms',
			operation: 'send',
			message: 'Habari',
			recipients: '0712 345 678',
			options: { messagesPerMinute: 0 },
		});
		expect(sent.error).toBeUndefined();
		const messageId = String(sent.items[0].json.message_id);
		if (dialect === 'source') expect(messageId).toMatch(/^[0-9a-f-]{36}$/);

		const status = await sb.run({ resource: 'sms', operation: 'getStatus', messageId });
		expect(status.items[0].json).toEqual(await sb.serverData(`/sms/status/${messageId}/`));
		const perRecipient = dialect === 'source' ? 'delivery_details' : 'recipients';
		expect(status.items[0].json[perRecipient]).toEqual([expect.objectContaining({ status: expect.any(String) })]);

		const reports = await sb.run({ resource: 'sms', operation: 'getDeliveryReports', returnAll: true });
		const serverReports = (await sb.serverData('/sms/delivery-reports/')) as IDataObject;
		expect(reports.items.map((item) => item.json)).toEqual(serverReports.reports);
	});

	test('a wrong key and a missing message are refused with their codes and hints', async () => {
		const refused = await sb.run(balance, { credentials: { apiKey: 'not-a-key-1234', baseUrl: sb.url } });
		expect(refused.error?.errorCode).toBe('INVALID_API_KEY');
		expect(refused.error?.message).toContain(HINTS.INVALID_API_KEY);

		const missing = await sb.run({ resource: 'sms', operation: 'getStatus', messageId: '00000000-0000-4000-8000-000000000000' });
		expect(missing.error?.errorCode).toBe('MESSAGE_NOT_FOUND');
		expect(missing.error?.message).toContain(HINTS.MESSAGE_NOT_FOUND);
	});
});
