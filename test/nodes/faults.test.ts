/**
 * The fault matrix: "never lose an SMS, never send one twice."
 *
 * Every row runs the node through n8n's real engine against the sandbox with one injected fault,
 * once with Continue On Fail on and once off, and checks:
 *  - what the item became (its output, or the exact error message and errorCode);
 *  - how many SMS the server accepted (`messages()`), and how many send requests reached it:
 *    a send is never repeated after it may have reached the server, and never lost when the
 *    server said "not processed" (429).
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { HINTS } from '../../nodes/Mifumo/transport/errors';
import { ADMIN_KEY, READ_KEY, useSandbox, type LoggedRequest as SandboxRequest, type SandboxControl } from '../helpers/sandbox';

/** The request log also carries the arrival time (ms). */
type LoggedRequest = SandboxRequest & { at: number; fault?: number };

const sandbox = useSandbox();

const SEND_PATH = '/api/integration/v1/sms/send/';
const BALANCE_PATH = '/api/integration/v1/sms/balance/';
const CREATE_CONTACT_PATH = '/api/integration/v1/contacts/create/';

const UNSURE_SMS =
	'The SMS may or may not have been sent: it was not sent again, so that nobody gets it twice. Check with "Get Status" or "Get Delivery Reports" before sending it again.';
const UNSURE_CREATE =
	'The request may or may not have been processed: it was not repeated, so that nothing is created twice. Check with "Get" or "Get Many" before trying again.';
/** The advice of a send that met the rate limit with the default pacing (100 SMS a minute). */
const rateAdvice = (atLeast: string) =>
	`Mifumo allows 100 SMS a minute by default: lower Options → Messages Per Minute (now 100) to your account's limit, or raise Options → Max Rate Limit Wait to at least ${atLeast}.`;
const KEY_HINT = HINTS.INVALID_API_KEY;
const BASE_URL_HINT = "Check the Base URL of the credential (the server's address, without /api/integration/v1).";
const NOT_MIFUMO = `This does not look like a Mifumo server. ${BASE_URL_HINT}`;
const INJECTED_500 = 'Injected fault (HTTP 500) – Injected by the sandbox control plane';

const RECIPIENT = '+255712345678';

function send(options: IDataObject = {}, extra: INodeParameters = {}): INodeParameters {
	return {
		resource: 'sms',
		operation: 'send',
		message: 'Habari! Order #1024 is on its way.',
		recipients: '0712 345 678',
		senderId: 'MIFUMO',
		options: options as INodeParameters,
		...extra,
	};
}

const getBalance: INodeParameters = { resource: 'sms', operation: 'getBalance' };
const createContact: INodeParameters = { resource: 'contact', operation: 'create', name: 'Asha', phoneNumber: '0712345678' };

type Expected =
	| { ok: true; json?: IDataObject }
	| { message: string | RegExp; errorCode: string };

interface Row {
	name: string;
	parameters: INodeParameters;
	/** Faults, balance... before the run; may return values the checks use. */
	setup?: (control: SandboxControl) => Promise<IDataObject | void>;
	credentials?: 'read' | 'unknown' | 'refused';
	expected: Expected | ((context: IDataObject) => Expected);
	/** SMS the server accepted (sends intended: 0 duplicated, 0 lost). */
	sms?: number;
	/** Contacts the server created (for the create rows). */
	contacts?: number;
	/** Requests that reached the server on the row's path. */
	requests: number;
	path?: string;
	/** The server processes the request after the node gave up: wait for it before counting. */
	settle?: boolean;
	/** Run with Continue On Fail off only (slow rows whose on/off paths other rows already cover). */
	once?: boolean;
	/** Extra checks on the request log. */
	check?: (requests: LoggedRequest[], context: IDataObject) => void;
}

function escape(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** An HTTP date at least `ms` ahead, on a whole second (HTTP dates have no milliseconds). */
function httpDateAhead(ms: number): { header: string; at: number } {
	const at = Math.ceil((Date.now() + ms) / 1000) * 1000;
	return { header: new Date(at).toUTCString(), at };
}

const rows: Row[] = [
	// ---------------------------------------------------------------- 429: not processed, waited out, sent once
	{
		name: 'send: 429 with Retry-After: 1 (seconds) → waits 1 s, sent exactly once',
		parameters: send(),
		setup: async (c) => void (await c.addFault({ method: 'POST', path: '/sms/send/', status: 429, headers: { 'Retry-After': '1' } })),
		expected: { ok: true, json: { recipients: [RECIPIENT], status: 'sent' } },
		sms: 1,
		requests: 2,
		check: (log) => expect(log[1].at - log[0].at).toBeGreaterThanOrEqual(950),
	},
	{
		name: 'send: 429 with Retry-After as an HTTP date → waits until that date, sent exactly once',
		parameters: send(),
		setup: async (c) => {
			const { header, at } = httpDateAhead(1000);
			await c.addFault({ method: 'POST', path: '/sms/send/', status: 429, headers: { 'Retry-After': header } });
			return { at };
		},
		expected: { ok: true, json: { recipients: [RECIPIENT] } },
		sms: 1,
		requests: 2,
		check: (log, context) => expect(log[1].at).toBeGreaterThanOrEqual((context.at as number) - 50),
	},
	{
		name: 'send: 429 with Retry-After as an HTTP date already past → resent at once, exactly once',
		parameters: send(),
		setup: async (c) =>
			void (await c.addFault({
				method: 'POST',
				path: '/sms/send/',
				status: 429,
				headers: { 'Retry-After': new Date(Date.now() - 60_000).toUTCString() },
			})),
		expected: { ok: true, json: { recipients: [RECIPIENT] } },
		sms: 1,
		requests: 2,
		// A back-off would be ≥ 375 ms: a past date means "now".
		check: (log) => expect(log[1].at - log[0].at).toBeLessThan(350),
	},
	{
		name: 'send: 429 without Retry-After → backs off, sent exactly once',
		parameters: send(),
		setup: async (c) => void (await c.addFault({ method: 'POST', path: '/sms/send/', status: 429 })),
		expected: { ok: true, json: { recipients: [RECIPIENT] } },
		sms: 1,
		requests: 2,
		check: (log) => expect(log[1].at - log[0].at).toBeGreaterThanOrEqual(300),
	},
	{
		name: 'send: 200 with error_code RATE_LIMIT_EXCEEDED is a rate limit too → waited out, sent exactly once',
		parameters: send(),
		setup: async (c) =>
			void (await c.addFault({
				method: 'POST',
				path: '/sms/send/',
				status: 200,
				headers: { 'Retry-After': '0.3' },
				body: { success: false, message: 'Slow down', data: null, error_code: 'RATE_LIMIT_EXCEEDED', details: null },
			})),
		expected: { ok: true, json: { recipients: [RECIPIENT] } },
		sms: 1,
		requests: 2,
	},
	{
		name: 'send: 429 until Max Rate Limit Wait (1 s) is spent → RATE_LIMIT_EXCEEDED, nothing sent',
		parameters: send({ maxRateLimitWait: 1 }),
		setup: async (c) =>
			void (await c.addFault({ method: 'POST', path: '/sms/send/', status: 429, times: -1, headers: { 'Retry-After': '1' } })),
		expected: {
			message: `RATE_LIMIT_EXCEEDED: Mifumo's rate limit was still in force after waiting 1 s; Mifumo asked to wait 1 s more (Retry-After), which would pass Options → Max Rate Limit Wait (1 s). This request was not processed; nothing was sent. ${rateAdvice('2 s')}`,
			errorCode: 'RATE_LIMIT_EXCEEDED',
		},
		sms: 0,
		requests: 2,
	},
	{
		name: 'send: 429 asking for longer than Max Rate Limit Wait (default 300 s) → fails at once without waiting',
		parameters: send(),
		setup: async (c) =>
			void (await c.addFault({ method: 'POST', path: '/sms/send/', status: 429, times: -1, headers: { 'Retry-After': '3600' } })),
		expected: {
			message: `RATE_LIMIT_EXCEEDED: Mifumo asked to wait 3600 s (Retry-After) before its rate limit lets this request through, longer than Options → Max Rate Limit Wait (300 s) allows. This request was not processed; nothing was sent. ${rateAdvice('3600 s')}`,
			errorCode: 'RATE_LIMIT_EXCEEDED',
		},
		sms: 0,
		requests: 1,
	},
	{
		// Regression: the advice said "Lower Messages Per Minute" when pacing was off, and never what Mifumo asked for.
		name: 'send, pacing off: 429 asking for 120 s, Max Rate Limit Wait 10 s → says what Mifumo asked and to turn pacing on or raise the wait',
		parameters: send({ maxRateLimitWait: 10, messagesPerMinute: 0 }),
		setup: async (c) =>
			void (await c.addFault({ method: 'POST', path: '/sms/send/', status: 429, times: -1, headers: { 'Retry-After': '120' } })),
		expected: {
			message:
				"RATE_LIMIT_EXCEEDED: Mifumo asked to wait 120 s (Retry-After) before its rate limit lets this request through, longer than Options → Max Rate Limit Wait (10 s) allows. This request was not processed; nothing was sent. Messages Per Minute was off (0), so the sends were not paced: set Options → Messages Per Minute to your account's limit (Mifumo allows 100 SMS a minute by default), or raise Options → Max Rate Limit Wait to at least 120 s.",
			errorCode: 'RATE_LIMIT_EXCEEDED',
		},
		sms: 0,
		requests: 1,
	},
	{
		// Retry-After: 0 adds nothing to the waited total: without a floor on each wait the loop would never
		// reach Max Rate Limit Wait and would hammer the server.
		name: 'regression: send: 429 with Retry-After: 0 on every answer → gives up after a bounded number of attempts',
		parameters: send({ maxRateLimitWait: 1 }),
		setup: async (c) =>
			void (await c.addFault({ method: 'POST', path: '/sms/send/', status: 429, times: 200, headers: { 'Retry-After': '0' } })),
		expected: {
			message: new RegExp(
				escape(`RATE_LIMIT_EXCEEDED: Mifumo's rate limit was still in force after waiting `) +
					'[0-9.]+ s' +
					escape(`; Mifumo asked to wait 0.3 s more (Retry-After), which would pass Options → Max Rate Limit Wait (1 s). This request was not processed; nothing was sent. ${rateAdvice('')}`).replace(/\\\.$/, '') +
					'[0-9]+ s\\.',
			),
			errorCode: 'RATE_LIMIT_EXCEEDED',
		},
		sms: 0,
		requests: -1, // checked below: bounded, not exact
		check: (log) => expect(log.length).toBeLessThanOrEqual(10),
	},
	{
		name: 'getBalance: 429 with Retry-After: 0.3 → waited out, answered',
		parameters: getBalance,
		path: BALANCE_PATH,
		setup: async (c) => void (await c.addFault({ method: 'GET', path: '/sms/balance/', status: 429, headers: { 'Retry-After': '0.3' } })),
		expected: { ok: true, json: { balance: 5000, currency: 'TZS' } },
		requests: 2,
	},

	// ---------------------------------------------------------------- 5xx: GET retried; a send never resent
	{
		name: 'getBalance: 500 once → retried, answered',
		parameters: getBalance,
		path: BALANCE_PATH,
		setup: async (c) => void (await c.addFault({ method: 'GET', path: '/sms/balance/', status: 500 })),
		expected: { ok: true, json: { balance: 5000, currency: 'TZS' } },
		requests: 2,
	},
	{
		name: 'getBalance: 502 twice → retried with back-off, answered',
		parameters: getBalance,
		path: BALANCE_PATH,
		setup: async (c) => void (await c.addFault({ method: 'GET', path: '/sms/balance/', status: 502, times: 2 })),
		expected: { ok: true, json: { balance: 5000 } },
		requests: 3,
		// back-off ~0.5 s then ~1 s (±25 %)
		check: (log) => expect(log[2].at - log[0].at).toBeGreaterThanOrEqual(1100),
	},
	{
		name: 'getBalance: 503 on every attempt → fails after 4 attempts (bounded retries)',
		parameters: getBalance,
		path: BALANCE_PATH,
		setup: async (c) => void (await c.addFault({ method: 'GET', path: '/sms/balance/', status: 503, times: -1 })),
		expected: {
			message: `INTERNAL_ERROR: Injected fault (HTTP 503) – Injected by the sandbox control plane. ${HINTS.INTERNAL_ERROR} Tried 4 times.`,
			errorCode: 'INTERNAL_ERROR',
		},
		requests: 4,
		once: true,
	},
	...[500, 502, 503].map(
		(status): Row => ({
			name: `send: ${status} → not resent; the error says the SMS may or may not have gone out`,
			parameters: send(),
			setup: async (c) => void (await c.addFault({ method: 'POST', path: '/sms/send/', status })),
			expected: {
				message: `INTERNAL_ERROR: Injected fault (HTTP ${status}) – Injected by the sandbox control plane. ${UNSURE_SMS}`,
				errorCode: 'INTERNAL_ERROR',
			},
			sms: 0,
			requests: 1,
		}),
	),
	{
		name: 'send: 500 after the server processed it → went out exactly once, not resent',
		parameters: send(),
		setup: async (c) => void (await c.addFault({ method: 'POST', path: '/sms/send/', status: 500, processThenFail: true })),
		expected: { message: `INTERNAL_ERROR: ${INJECTED_500}. ${UNSURE_SMS}`, errorCode: 'INTERNAL_ERROR' },
		sms: 1,
		requests: 1,
	},
	{
		name: 'send: 502 with an HTML error page → not resent; says the answer was not JSON',
		parameters: send(),
		setup: async (c) =>
			void (await c.addFault({
				method: 'POST',
				path: '/sms/send/',
				status: 502,
				contentType: 'text/html',
				body: '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>',
			})),
		expected: { message: `HTTP_502: Mifumo answered HTTP 502, a server error, with an HTML page. ${UNSURE_SMS}`, errorCode: 'HTTP_502' },
		sms: 0,
		requests: 1,
	},
	{
		name: 'contact.create: 500 → not repeated (no duplicate contact); says it may have been processed',
		parameters: createContact,
		path: CREATE_CONTACT_PATH,
		setup: async (c) => void (await c.addFault({ method: 'POST', path: '/contacts/create/', status: 500, processThenFail: true })),
		expected: { message: `INTERNAL_ERROR: ${INJECTED_500}. ${UNSURE_CREATE}`, errorCode: 'INTERNAL_ERROR' },
		contacts: 1,
		requests: 1,
	},

	// ---------------------------------------------------------------- connection reset
	{
		name: 'getBalance: connection reset once → retried, answered',
		parameters: getBalance,
		path: BALANCE_PATH,
		setup: async (c) => void (await c.addFault({ method: 'GET', path: '/sms/balance/', action: 'reset' })),
		expected: { ok: true, json: { balance: 5000 } },
		requests: 2,
	},
	{
		name: 'regression: send: connection reset → not resent, nothing sent; says it may or may not have gone out',
		parameters: send(),
		setup: async (c) => void (await c.addFault({ method: 'POST', path: '/sms/send/', action: 'reset' })),
		expected: { message: `The connection to Mifumo failed (ECONNRESET). ${UNSURE_SMS}`, errorCode: 'NETWORK_ERROR' },
		sms: 0,
		requests: 1,
	},
	{
		name: 'regression: send: connection reset after the server processed it → went out exactly once, not resent',
		parameters: send(),
		setup: async (c) => void (await c.addFault({ method: 'POST', path: '/sms/send/', action: 'reset', processThenFail: true })),
		expected: { message: `The connection to Mifumo failed (ECONNRESET). ${UNSURE_SMS}`, errorCode: 'NETWORK_ERROR' },
		sms: 1,
		requests: 1,
	},
	{
		name: 'regression: contact.create: connection reset after processing → one contact, not repeated',
		parameters: createContact,
		path: CREATE_CONTACT_PATH,
		setup: async (c) => void (await c.addFault({ method: 'POST', path: '/contacts/create/', action: 'reset', processThenFail: true })),
		expected: { message: `The connection to Mifumo failed (ECONNRESET). ${UNSURE_CREATE}`, errorCode: 'NETWORK_ERROR' },
		contacts: 1,
		requests: 1,
	},

	{
		name: 'regression: send: connection refused (nothing listening at the Base URL) → says nothing was sent',
		parameters: send(),
		credentials: 'refused',
		expected: {
			message: `Could not connect to the Mifumo server at http://127.0.0.1:9 (ECONNREFUSED). ${BASE_URL_HINT} Nothing was sent.`,
			errorCode: 'NETWORK_ERROR',
		},
		sms: 0,
		requests: 0,
	},

	// ---------------------------------------------------------------- timeouts
	{
		name: 'send: server hangs past Options → Timeout (1 s) → TIMEOUT, not resent, nothing sent',
		parameters: send({ timeout: 1 }),
		setup: async (c) => void (await c.addFault({ method: 'POST', path: '/sms/send/', action: 'hang' })),
		expected: { message: `Mifumo did not answer within 1 s (Options → Timeout). ${UNSURE_SMS}`, errorCode: 'TIMEOUT' },
		sms: 0,
		requests: 1,
	},
	{
		name: 'send: server answers after the timeout (it sent the SMS) → TIMEOUT, went out exactly once, not resent',
		parameters: send({ timeout: 1 }),
		setup: async (c) => void (await c.addFault({ method: 'POST', path: '/sms/send/', action: 'delay', delayMs: 1500 })),
		expected: { message: `Mifumo did not answer within 1 s (Options → Timeout). ${UNSURE_SMS}`, errorCode: 'TIMEOUT' },
		sms: 1,
		requests: 1,
		settle: true,
		once: true,
	},
	{
		name: 'send: slow server within the timeout (0.4 s of 2 s) → sent once',
		parameters: send({ timeout: 2 }),
		setup: async (c) => void (await c.addFault({ method: 'POST', path: '/sms/send/', action: 'delay', delayMs: 400 })),
		expected: { ok: true, json: { recipients: [RECIPIENT], status: 'sent' } },
		sms: 1,
		requests: 1,
	},

	// ---------------------------------------------------------------- answers that are not the envelope
	{
		name: 'send: 200 with an HTML page → HTTP_200, not a Mifumo server, not resent, says it may have gone out',
		parameters: send(),
		setup: async (c) =>
			void (await c.addFault({
				method: 'POST',
				path: '/sms/send/',
				status: 200,
				contentType: 'text/html',
				body: '<!DOCTYPE html><html><body>Welcome to nginx!</body></html>',
			})),
		expected: {
			message: `HTTP_200: Mifumo answered HTTP 200 with an HTML page. ${NOT_MIFUMO} ${UNSURE_SMS}`,
			errorCode: 'HTTP_200',
		},
		sms: 0,
		requests: 1,
	},
	{
		name: 'getBalance: 404 HTML page → HTTP_404 naming the endpoint the server lacks',
		parameters: getBalance,
		path: BALANCE_PATH,
		setup: async (c) =>
			void (await c.addFault({
				method: 'GET',
				path: '/sms/balance/',
				status: 404,
				contentType: 'text/html',
				body: '<html><body><h1>Not Found</h1></body></html>',
			})),
		expected: {
			message: 'HTTP_404: Mifumo answered HTTP 404 with an HTML page. This server has no GET /sms/balance/ endpoint.',
			errorCode: 'HTTP_404',
		},
		requests: 1,
	},
	{
		name: 'send: 200 with an empty body → HTTP_200, not resent',
		parameters: send(),
		setup: async (c) => void (await c.addFault({ method: 'POST', path: '/sms/send/', status: 200, body: '' })),
		expected: {
			message: `HTTP_200: Mifumo answered HTTP 200 with an empty body. ${NOT_MIFUMO} ${UNSURE_SMS}`,
			errorCode: 'HTTP_200',
		},
		sms: 0,
		requests: 1,
	},
	{
		name: 'send: 200 with malformed JSON → HTTP_200, not resent',
		parameters: send(),
		setup: async (c) =>
			void (await c.addFault({
				method: 'POST',
				path: '/sms/send/',
				status: 200,
				contentType: 'application/json',
				body: '{"success": true, "data": {"message_id": "msg_1"',
			})),
		expected: {
			message: `HTTP_200: Mifumo answered HTTP 200 with a body that is not JSON. ${NOT_MIFUMO} ${UNSURE_SMS}`,
			errorCode: 'HTTP_200',
		},
		sms: 0,
		requests: 1,
	},
	{
		name: 'send: 200 with success: false → the item fails with the server code and message, not resent',
		parameters: send(),
		setup: async (c) =>
			void (await c.addFault({
				method: 'POST',
				path: '/sms/send/',
				status: 200,
				body: { success: false, message: 'Gateway refused the message', data: null, error_code: 'SMS_SEND_FAILED', details: 'operator down' },
			})),
		expected: {
			message:
				'SMS_SEND_FAILED: Gateway refused the message – operator down. Mifumo could not send it. Check Get Status or Get Delivery Reports before sending again.',
			errorCode: 'SMS_SEND_FAILED',
		},
		sms: 0,
		requests: 1,
	},
	{
		name: 'getBalance: 200 with success: false and an unknown code → shown as it came, not retried',
		parameters: getBalance,
		path: BALANCE_PATH,
		setup: async (c) =>
			void (await c.addFault({
				method: 'GET',
				path: '/sms/balance/',
				status: 200,
				body: { success: false, message: 'Account frozen', data: null, error_code: 'ACCOUNT_FROZEN', details: null },
			})),
		expected: { message: 'ACCOUNT_FROZEN: Account frozen', errorCode: 'ACCOUNT_FROZEN' },
		requests: 1,
	},

	// ---------------------------------------------------------------- the server says no
	{
		name: 'send: 401 (unknown key) → INVALID_API_KEY, nothing sent',
		parameters: send(),
		credentials: 'unknown',
		expected: {
			message: `INVALID_API_KEY: Invalid API key – The provided API key is invalid or expired. ${KEY_HINT}`,
			errorCode: 'INVALID_API_KEY',
		},
		sms: 0,
		requests: 1,
	},
	{
		// The sandbox's (and Mifumo's) own text ends with a period: the message must not read "provided.. Check".
		name: 'regression: getBalance: 401 with error_code null → HTTP_401 with the server message and the key hint',
		parameters: getBalance,
		path: BALANCE_PATH,
		setup: async (c) =>
			void (await c.addFault({
				method: 'GET',
				path: '/sms/balance/',
				status: 401,
				body: { success: false, message: 'Authentication credentials were not provided.', data: null, error_code: null, details: null },
			})),
		expected: { message: `HTTP_401: Authentication credentials were not provided. ${KEY_HINT}`, errorCode: 'HTTP_401' },
		requests: 1,
	},
	{
		name: 'send: 403 (read-only key sending) → INSUFFICIENT_PERMISSIONS, nothing sent',
		parameters: send(),
		credentials: 'read',
		expected: {
			message:
				`INSUFFICIENT_PERMISSIONS: Your API key does not have permission to perform this action – This action requires a 'write' or 'admin' key; this key has 'read' permission. This API key may not do this (a "read" key cannot send or change data). Use a key with "write" or "admin" permission.`,
			errorCode: 'INSUFFICIENT_PERMISSIONS',
		},
		sms: 0,
		requests: 1,
	},
	{
		name: 'send: 402 INSUFFICIENT_BALANCE (balance 5 TZS) → nothing sent, not resent',
		parameters: send(),
		setup: async (c) => void (await c.setBalance(5)),
		expected: {
			message:
				'INSUFFICIENT_BALANCE: Insufficient balance – This message costs 10 TZS; the balance is 5 TZS. Top up your Mifumo account, then run the workflow again. This request was not processed.',
			errorCode: 'INSUFFICIENT_BALANCE',
		},
		sms: 0,
		requests: 1,
	},

	// ---------------------------------------------------------------- several requests for one item
	{
		name: 'send in 2 requests: the 2nd fails with 500 → 1st not resent, 2nd not resent; the error lists what went out',
		parameters: send({ recipientsPerRequest: 2, messagesPerMinute: 0 }, { recipients: '0712000001, 0712000002, 0712000003, 0712000004' }),
		setup: async (c) => {
			await c.addFault({ method: 'POST', path: '/sms/send/', action: 'delay', delayMs: 1 });
			await c.addFault({ method: 'POST', path: '/sms/send/', status: 500 });
		},
		expected: (context) => ({
			message: `INTERNAL_ERROR: ${INJECTED_500}. ${UNSURE_SMS} Before this failure, 2 of 4 SMS were already sent (${context.firstId as string}); those must not be sent again.`,
			errorCode: 'INTERNAL_ERROR',
		}),
		sms: 1,
		requests: 2,
	},
];

async function settle(control: SandboxControl, count: number): Promise<void> {
	for (let waited = 0; waited < 3000; waited += 50) {
		if ((await control.messages()).length >= count) return;
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

describe('fault matrix: 0 duplicated, 0 lost', () => {
	// A failing row runs with Continue On Fail on and off; a row that succeeds is the same either way (once, off).
	const cases = rows.flatMap((row) =>
		((typeof row.expected === 'object' && 'ok' in row.expected) || row.once ? [false] : [true, false]).map(
			(continueOnFail) => [row.name, continueOnFail, row] as const,
		),
	);

	test.each(cases)('%s (Continue On Fail: %s)', async (_name, continueOnFail, row) => {
		const control = sandbox.control;
		const context: IDataObject = { ...((await row.setup?.(control)) ?? {}) };
		const credentials =
			row.credentials === 'read'
				? { apiKey: READ_KEY, baseUrl: sandbox.url }
				: row.credentials === 'unknown'
					? { apiKey: 'sk_not_a_key', baseUrl: sandbox.url }
					: row.credentials === 'refused'
						? { apiKey: ADMIN_KEY, baseUrl: 'http://127.0.0.1:9' }
						: undefined;

		const result = await sandbox.run(row.parameters, { continueOnFail, ...(credentials ? { credentials } : {}) });

		if (row.settle) await settle(control, row.sms ?? 0);
		const messages = await control.messages();
		const log = ((await sandbox.requests()) as LoggedRequest[]).filter((request) => request.path === (row.path ?? SEND_PATH));
		if (messages[0]) context.firstId = messages[0].message_id;

		// The item's result.
		const expected = typeof row.expected === 'function' ? row.expected(context) : row.expected;
		if ('ok' in expected) {
			expect(result.error).toBeUndefined();
			expect(result.items).toHaveLength(1);
			expect(result.items[0].pairedItem).toEqual({ item: 0 });
			if (expected.json) expect(result.items[0].json).toMatchObject(expected.json);
			if (row.sms) expect(result.items[0].json.message_id).toBe(messages[0].message_id);
		} else {
			const message =
				typeof expected.message === 'string' ? expected.message : expect.stringMatching(expected.message);
			if (continueOnFail) {
				expect(result.items).toEqual([{ json: { error: message, errorCode: expected.errorCode }, pairedItem: { item: 0 } }]);
			} else {
				expect(result.items).toEqual([]);
				expect(result.error?.message).toEqual(message);
				expect(result.error?.errorCode).toBe(expected.errorCode);
			}
		}

		// Server-side counts: what went out equals what was meant to, no more (duplicate), no less (lost).
		if (row.sms !== undefined) {
			expect(messages).toHaveLength(row.sms);
			const perRecipient = new Map<string, number>();
			for (const message of messages) {
				for (const recipient of message.recipients) perRecipient.set(recipient, (perRecipient.get(recipient) ?? 0) + 1);
			}
			expect([...perRecipient.values()].every((count) => count === 1)).toBe(true);
		}
		if (row.contacts !== undefined) {
			const contacts = (await (control.contacts as () => Promise<unknown[]>).call(control)) ?? [];
			expect(contacts).toHaveLength(row.contacts);
		}
		if (row.requests >= 0) expect(log).toHaveLength(row.requests);
		row.check?.(log, context);
	});
});

describe('a send met by rate limits is never lost, a send that may have gone out never repeated: items around it', () => {
	test('3 items, the 2nd send gets a 500: items 1 and 3 sent once, item 2 not resent, all accounted for in order', async () => {
		const control = sandbox.control;
		// The 2nd request to arrive fails (concurrency 1 keeps arrival order = item order).
		await control.addFault({ method: 'POST', path: '/sms/send/', action: 'delay', delayMs: 1 });
		await control.addFault({ method: 'POST', path: '/sms/send/', status: 503 });
		const result = await sandbox.run(send({ concurrency: 1, messagesPerMinute: 0 }, { recipients: '={{ $json.to }}' }), {
			continueOnFail: true,
			items: [{ to: '0712000011' }, { to: '0712000012' }, { to: '0712000013' }],
		});

		expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(result.items[0].json.recipients).toEqual(['+255712000011']);
		expect(result.items[1].json).toEqual({
			error: `INTERNAL_ERROR: Injected fault (HTTP 503) – Injected by the sandbox control plane. ${UNSURE_SMS}`,
			errorCode: 'INTERNAL_ERROR',
		});
		expect(result.items[2].json.recipients).toEqual(['+255712000013']);
		const sent = (await control.messages()).map((message) => message.recipients).flat();
		expect(sent.sort()).toEqual(['+255712000011', '+255712000013']);
		expect((await sandbox.requests()).filter((request) => request.path === SEND_PATH)).toHaveLength(3);
	});

	test('items waiting on a 429 pause all resume, each sent exactly once (concurrency 4)', async () => {
		const control = sandbox.control;
		await control.addFault({ method: 'POST', path: '/sms/send/', status: 429, times: 2, headers: { 'Retry-After': '1' } });
		const numbers = Array.from({ length: 8 }, (_, index) => `07120000${20 + index}`);
		const result = await sandbox.run(send({ concurrency: 4, messagesPerMinute: 0 }, { recipients: '={{ $json.to }}' }), {
			continueOnFail: false,
			items: numbers.map((to) => ({ to })),
		});

		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.recipients)).toEqual(numbers.map((number) => [`+255${number.slice(1)}`]));
		const sent = (await control.messages()).map((message) => message.recipients).flat();
		expect(sent.sort()).toEqual(numbers.map((number) => `+255${number.slice(1)}`).sort());
		expect((await sandbox.requests()).filter((request) => request.status === 429)).toHaveLength(2);
	});
});
