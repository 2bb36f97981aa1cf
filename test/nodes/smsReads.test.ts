/**
 * sms.getStatus, sms.getDeliveryReports, sms.getBalance through n8n's engine against the sandbox:
 * the exact requests that reached the server and the exact items that came out.
 */
import type { IDataObject } from 'n8n-workflow';

import { ADMIN_KEY, API, READ_KEY, expectRequest, useSandbox, type LoggedRequest, type SandboxControl } from '../helpers/sandbox';
import { runMifumo } from '../helpers/engine';

const sb = useSandbox();

type Control = SandboxControl & {
	clearRequests(): Promise<unknown>;
	getBalance(): Promise<{ balance: number; currency: string }>;
};
const control = () => sb.control as Control;

function expectGet(request: LoggedRequest, path: string, query: Record<string, string | string[]> = {}, key = ADMIN_KEY) {
	expectRequest(request, { method: 'GET', path, query }, key);
}

const UTC_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe('sms.getStatus', () => {
	beforeEach(async () => {
		await sb.control.seed({
			messages: [
				{ message_id: 'msg_one', recipients: ['+255712000001', '+255712000999'], sent_at: '2024-01-01T08:00:00Z' },
				{ message_id: 'msg_two', recipients: ['+255712000002'], status: 'sent' },
			],
		});
	});

	it('GETs /sms/status/{id}/ for each item and outputs the server data, paired', async () => {
		const expected = [await sb.serverData('/sms/status/msg_one/'), await sb.serverData('/sms/status/msg_two/')];
		const result = await sb.run(
			{ resource: 'sms', operation: 'getStatus', messageId: '={{ $json.id }}' },
			{ items: [{ id: 'msg_one' }, { id: 'msg_two' }] },
		);
		expect(result.error).toBeUndefined();
		const requests = await sb.requests();
		expect(requests).toHaveLength(2);
		expectGet(requests[0], '/sms/status/msg_one/');
		expectGet(requests[1], '/sms/status/msg_two/');
		expect(result.items).toEqual([
			{ json: expected[0], pairedItem: { item: 0 } },
			{ json: expected[1], pairedItem: { item: 1 } },
		]);
		// The server's view of the seeded message, as it came: one delivered, one failed (999).
		expect((result.items[0].json.recipients as IDataObject[]).map((r) => r.status)).toEqual(['delivered', 'failed']);
	});

	it('URL-encodes the message id (never reaches another endpoint)', async () => {
		const result = await sb.run({ resource: 'sms', operation: 'getStatus', messageId: '../balance?x=1#y' }, { continueOnFail: true });
		const requests = await sb.requests();
		expect(requests).toHaveLength(1);
		expectGet(requests[0], '/sms/status/..%2Fbalance%3Fx%3D1%23y/');
		expect(result.items).toEqual([
			{
				json: {
					error:
						'MESSAGE_NOT_FOUND: Message not found – No message with id ../balance?x=1#y. Check the message ID: it comes from the output of a Send (message_id).',
					errorCode: 'MESSAGE_NOT_FOUND',
				},
				pairedItem: { item: 0 },
			},
		]);
	});

	it('404 MESSAGE_NOT_FOUND fails the node with code, server message and hint', async () => {
		const result = await sb.run({ resource: 'sms', operation: 'getStatus', messageId: 'msg_missing' });
		expect(result.items).toEqual([]);
		expect(result.error?.message).toBe(
			'MESSAGE_NOT_FOUND: Message not found – No message with id msg_missing. Check the message ID: it comes from the output of a Send (message_id).',
		);
		expect(result.error?.errorCode).toBe('MESSAGE_NOT_FOUND');
		expect(await sb.requests()).toHaveLength(1);
	});

	it('Continue On Fail: the missing message is an {error, errorCode} item paired with its input, the others go on', async () => {
		const found = await sb.serverData('/sms/status/msg_two/');
		const result = await sb.run(
			{ resource: 'sms', operation: 'getStatus', messageId: '={{ $json.id }}' },
			{ items: [{ id: 'msg_missing' }, { id: 'msg_two' }], continueOnFail: true },
		);
		expect(result.error).toBeUndefined();
		expect(result.items).toEqual([
			{
				json: {
					error:
						'MESSAGE_NOT_FOUND: Message not found – No message with id msg_missing. Check the message ID: it comes from the output of a Send (message_id).',
					errorCode: 'MESSAGE_NOT_FOUND',
				},
				pairedItem: { item: 0 },
			},
			{ json: found, pairedItem: { item: 1 } },
		]);
		expect((await sb.requests()).map((r) => r.path)).toEqual([`${API}/sms/status/msg_missing/`, `${API}/sms/status/msg_two/`]);
	});

	it('an empty message id fails before any request', async () => {
		const result = await sb.run(
			{ resource: 'sms', operation: 'getStatus', messageId: '={{ $json.id }}' },
			{ items: [{ id: '  ' }], continueOnFail: true },
		);
		expect(await sb.requests()).toEqual([]);
		expect(result.items).toHaveLength(1);
		expect(result.items[0].pairedItem).toEqual({ item: 0 });
		expect(result.items[0].json.errorCode).toBe('INVALID_PARAMETER');
		expect(result.items[0].json.error).toMatch(/^Message ID is empty\. /);
	});

	it('401 with a wrong key: the whole message, and the key appears nowhere', async () => {
		const key = 'sk-wrong-0123456789abcdef';
		const result = await sb.run(
			{ resource: 'sms', operation: 'getStatus', messageId: 'msg_one' },
			{ credentials: { apiKey: key, baseUrl: sb.url } },
		);
		const requests = await sb.requests();
		expect(requests).toHaveLength(1);
		expectGet(requests[0], '/sms/status/msg_one/', {}, key);
		expect(result.error?.message).toBe(
			'INVALID_API_KEY: Invalid API key – The provided API key is invalid or expired. Check the API key in the Mifumo SMS API credential (Mifumo dashboard → API Keys).',
		);
		expect(result.error?.errorCode).toBe('INVALID_API_KEY');
		expect(JSON.stringify(result.error)).not.toContain(key);
	});
});

describe('sms.getDeliveryReports', () => {
	beforeEach(async () => {
		await sb.control.seed({
			messages: [
				{ message_id: 'msg_a', recipients: ['+255712000001', '+255712000999'], sent_at: '2024-01-01T08:00:00Z' },
				{ message_id: 'msg_b', recipients: ['+255712000002'], sent_at: '2024-01-02T08:00:00Z' },
				{ message_id: 'msg_c', recipients: ['+255712000003'], sent_at: '2024-01-03T08:00:00Z', status: 'sent' },
			],
		});
	});

	it('sends start_date/end_date as UTC ISO (from offsets), status, page and per_page; outputs one item per report', async () => {
		const query = { start_date: '2024-01-01T07:00:00Z', end_date: '2024-01-02T09:00:00Z', status: 'delivered', page: '1', per_page: '50' };
		const expected = ((await sb.serverData('/sms/delivery-reports/', query)) as { reports: IDataObject[] }).reports;
		expect(expected.map((r) => r.message_id)).toEqual(['msg_b', 'msg_a']);
		const result = await sb.run({
			resource: 'sms',
			operation: 'getDeliveryReports',
			filters: { startDate: '2024-01-01T10:00:00+03:00', endDate: '2024-01-02T12:00:00+03:00', status: 'delivered' },
		});
		expect(result.error).toBeUndefined();
		const requests = await sb.requests();
		expect(requests).toHaveLength(1);
		expectGet(requests[0], '/sms/delivery-reports/', query);
		expect(result.items).toEqual(expected.map((json) => ({ json, pairedItem: { item: 0 } })));
	});

	it('without filters sends only page and per_page (the default limit, 50); empty filters are omitted too', async () => {
		for (const filters of [{}, { startDate: '', endDate: '', status: '' }]) {
			await control().clearRequests();
			const result = await sb.run({ resource: 'sms', operation: 'getDeliveryReports', filters });
			expect(result.error).toBeUndefined();
			expect(result.items).toHaveLength(4);
			const requests = await sb.requests();
			expect(requests).toHaveLength(1);
			expectGet(requests[0], '/sms/delivery-reports/', { page: '1', per_page: '50' });
		}
	});

	it('pairs the reports of each input item with it (filters from expressions)', async () => {
		const failed = ((await sb.serverData('/sms/delivery-reports/', { status: 'failed' })) as { reports: IDataObject[] }).reports;
		const sent = ((await sb.serverData('/sms/delivery-reports/', { status: 'sent' })) as { reports: IDataObject[] }).reports;
		expect(failed).toHaveLength(1);
		expect(sent).toHaveLength(1);
		const result = await sb.run(
			{ resource: 'sms', operation: 'getDeliveryReports', filters: { status: '={{ $json.status }}' } },
			{ items: [{ status: 'failed' }, { status: 'sent' }] },
		);
		expect(result.items).toEqual([
			{ json: failed[0], pairedItem: { item: 0 } },
			{ json: sent[0], pairedItem: { item: 1 } },
		]);
		expect((await sb.requests()).map((r) => r.query.status)).toEqual(['failed', 'sent']);
	});

	it('dates from Luxon DateTime: $now.minus({days: 1}) and a DateTime built from the input item arrive as UTC YYYY-MM-DDTHH:mm:ssZ', async () => {
		const before = Date.now();
		const result = await sb.run(
			{
				resource: 'sms',
				operation: 'getDeliveryReports',
				filters: {
					startDate: '={{ $now.minus({days: 1}) }}',
					endDate: "={{ DateTime.fromISO($json.when, { zone: 'Africa/Dar_es_Salaam' }) }}",
				},
			},
			{ items: [{ when: '2024-03-01T12:00:00' }] },
		);
		const after = Date.now();
		expect(result.error).toBeUndefined();
		const [request] = await sb.requests();
		expect(request.query.start_date).toMatch(UTC_SECONDS);
		const start = Date.parse(String(request.query.start_date));
		expect(start).toBeGreaterThanOrEqual(Math.floor((before - 86_400_000) / 1000) * 1000);
		expect(start).toBeLessThanOrEqual(after - 86_400_000);
		expect(request.query.end_date).toBe('2024-03-01T09:00:00Z');
	});

	it('dates from a JS Date, a bare day and a Luxon DateTime with milliseconds: UTC, without milliseconds', async () => {
		const result = await sb.run(
			{
				resource: 'sms',
				operation: 'getDeliveryReports',
				filters: {
					startDate: "={{ new Date('2024-02-10T05:06:07.891Z') }}",
					endDate: '2024-02-11',
				},
			},
			{ items: [{}] },
		);
		const result2 = await sb.run({
			resource: 'sms',
			operation: 'getDeliveryReports',
			filters: { startDate: "={{ DateTime.fromISO('2024-02-10T08:06:07.891+03:00') }}" },
		});
		expect(result.error).toBeUndefined();
		expect(result2.error).toBeUndefined();
		const [first, second] = await sb.requests();
		expect(first.query).toEqual({ start_date: '2024-02-10T05:06:07Z', end_date: '2024-02-11T00:00:00Z', page: '1', per_page: '50' });
		expect(second.query).toEqual({ start_date: '2024-02-10T05:06:07Z', page: '1', per_page: '50' });
	});

	it('a date that cannot be read fails before any request, naming the field', async () => {
		const result = await sb.run(
			{ resource: 'sms', operation: 'getDeliveryReports', filters: { endDate: 'last tuesday' } },
			{ continueOnFail: true },
		);
		expect(await sb.requests()).toEqual([]);
		expect(result.items).toEqual([
			{
				json: {
					error:
						'End Date is not a date that can be read: "last tuesday". Pick a date, or use ISO 8601 such as 2025-01-31T09:00:00Z.',
					errorCode: 'INVALID_PARAMETER',
				},
				pairedItem: { item: 0 },
			},
		]);
	});

	it('a status outside sent/delivered/failed fails before any request', async () => {
		const result = await sb.run(
			{ resource: 'sms', operation: 'getDeliveryReports', filters: { status: '={{ "pending" }}' } },
			{ continueOnFail: true },
		);
		expect(await sb.requests()).toEqual([]);
		expect(result.items).toEqual([
			{
				json: { error: 'Status filter "pending" is not one of sent, delivered, failed.', errorCode: 'INVALID_PARAMETER' },
				pairedItem: { item: 0 },
			},
		]);
	});

	it('a server 400 (INVALID_DATE) is shown with its code and message', async () => {
		await sb.control.addFault({
			method: 'GET',
			path: '/sms/delivery-reports/',
			status: 400,
			body: { success: false, message: 'Invalid start_date: x', data: null, error_code: 'INVALID_DATE', details: 'Use ISO 8601' },
		});
		const result = await sb.run({ resource: 'sms', operation: 'getDeliveryReports' }, { continueOnFail: true });
		expect(result.items).toEqual([
			{ json: { error: 'INVALID_DATE: Invalid start_date: x – Use ISO 8601', errorCode: 'INVALID_DATE' }, pairedItem: { item: 0 } },
		]);
	});
});

describe('sms.getBalance', () => {
	it('GETs /sms/balance/ once per item and outputs the balance object, paired', async () => {
		await control().setBalance(1234.5);
		const expected = (await sb.serverData('/sms/balance/')) as IDataObject;
		expect(expected.balance).toBe(1234.5);
		const result = await sb.run({ resource: 'sms', operation: 'getBalance' }, { items: [{ a: 1 }, { a: 2 }] });
		expect(result.error).toBeUndefined();
		const requests = await sb.requests();
		expect(requests).toHaveLength(2);
		for (const request of requests) expectGet(request, '/sms/balance/');
		expect(result.items).toEqual([
			{ json: expected, pairedItem: { item: 0 } },
			{ json: expected, pairedItem: { item: 1 } },
		]);
	});

	it('works with a read key (GET only)', async () => {
		const result = await sb.run({ resource: 'sms', operation: 'getBalance' }, { credentials: { apiKey: READ_KEY, baseUrl: sb.url } });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.balance).toBe((await control().getBalance()).balance);
		expectGet((await sb.requests())[0], '/sms/balance/', {}, READ_KEY);
	});

	it('a base URL given with /api/integration/v1 and a trailing slash still reaches /api/integration/v1/sms/balance/', async () => {
		const result = await sb.run(
			{ resource: 'sms', operation: 'getBalance' },
			{ credentials: { apiKey: ADMIN_KEY, baseUrl: `${sb.url}/api/integration/v1/` } },
		);
		expect(result.error).toBeUndefined();
		expectGet((await sb.requests())[0], '/sms/balance/');
	});

	it('401 wrong key: whole message; Continue On Fail gives {error, errorCode} per item', async () => {
		const key = 'sk-wrong-key-for-balance';
		const credentials = { apiKey: key, baseUrl: sb.url };
		const message =
			'INVALID_API_KEY: Invalid API key – The provided API key is invalid or expired. Check the API key in the Mifumo SMS API credential (Mifumo dashboard → API Keys).';
		const failed = await sb.run({ resource: 'sms', operation: 'getBalance' }, { credentials });
		expect(failed.error?.message).toBe(`${message}`);
		const result = await sb.run({ resource: 'sms', operation: 'getBalance' }, { credentials, items: [{}, {}], continueOnFail: true });
		expect(result.items).toEqual([
			{ json: { error: `${message}`, errorCode: 'INVALID_API_KEY' }, pairedItem: { item: 0 } },
			{ json: { error: `${message}`, errorCode: 'INVALID_API_KEY' }, pairedItem: { item: 1 } },
		]);
		expect(JSON.stringify([failed.error, result.items])).not.toContain(key);
	});

	it('regression: a 401 with error_code null (no credentials) names HTTP_401 and the server message, without a doubled period', async () => {
		await sb.control.addFault({
			method: 'GET',
			path: '/sms/balance/',
			status: 401,
			body: { success: false, message: 'Authentication credentials were not provided.', data: null, error_code: null, details: null },
		});
		const result = await sb.run({ resource: 'sms', operation: 'getBalance' }, { continueOnFail: true });
		expect(result.items).toEqual([
			{
				json: {
					error:
						'HTTP_401: Authentication credentials were not provided. Check the API key in the Mifumo SMS API credential (Mifumo dashboard → API Keys).',
					errorCode: 'HTTP_401',
				},
				pairedItem: { item: 0 },
			},
		]);
	});

	it('regression: a server that echoes the API key in its error message: the key is redacted from the output', async () => {
		await sb.control.addFault({
			method: 'GET',
			path: '/sms/balance/',
			status: 401,
			body: { success: false, message: `Invalid API key ${ADMIN_KEY}`, data: null, error_code: 'INVALID_API_KEY', details: `key=${ADMIN_KEY}` },
		});
		const result = await sb.run({ resource: 'sms', operation: 'getBalance' }, { continueOnFail: true });
		expect(result.items).toHaveLength(1);
		expect(result.items[0].json.errorCode).toBe('INVALID_API_KEY');
		expect(JSON.stringify(result.items)).not.toContain(ADMIN_KEY);
	});

	it('an HTML page instead of the envelope is an error that says so', async () => {
		await sb.control.addFault({
			method: 'GET',
			path: '/sms/balance/',
			status: 200,
			body: '<!DOCTYPE html><html><body>Welcome</body></html>',
			contentType: 'text/html',
		});
		const result = await sb.run({ resource: 'sms', operation: 'getBalance' }, { continueOnFail: true });
		expect(result.items).toEqual([
			{
				json: {
					error:
						"HTTP_200: Mifumo answered HTTP 200 with an HTML page. This does not look like a Mifumo server. Check the Base URL of the credential (the server's address, without /api/integration/v1).",
					errorCode: 'HTTP_200',
				},
				pairedItem: { item: 0 },
			},
		]);
	});
});

describe('a request that cannot even start', () => {
	it('a Base URL that is not a URL fails at once with REQUEST_FAILED, not as a network error to retry', async () => {
		const result = await runMifumo({
			parameters: { resource: 'sms', operation: 'getBalance' },
			credentials: { apiKey: 'sandbox-admin-key', baseUrl: 'http://exa mple' },
		});
		expect(result.error?.message).toMatch(/^REQUEST_FAILED: The request to Mifumo did not complete: .+\.$/);
		expect((result.error as { errorCode?: string }).errorCode).toBe('REQUEST_FAILED');
	});
});
