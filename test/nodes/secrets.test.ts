/**
 * The API key never appears in node output, error messages, error details
 * or logs (contract, "Secrets").
 *
 * The sandbox knows only recognisable keys. Every operation runs, on its success and its error
 * paths (network errors, 401, 403, 429 give-up, timeout, invalid responses, bad input), with
 * Continue On Fail on and off; the whole run (output, error with its stack, description, context,
 * cause) and everything written to the console, stdout and stderr during the run are searched.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { RunResult } from '../helpers/engine';
import { useSandbox, type SandboxControl } from '../helpers/sandbox';

const ADMIN = 'sk_live_SECRET_abc123XYZ';
const READ = 'sk_live_READONLY_def456UVW';
const WRONG = 'sk_live_REVOKED_ghi789RST';
/** The keys, and parts of them long enough to give one away. */
const NEEDLES = [ADMIN, READ, WRONG, 'SECRET_abc123XYZ', 'abc123XYZ', 'def456UVW', 'ghi789RST'];

const sandbox = useSandbox({ apiKeys: { [ADMIN]: 'admin', [READ]: 'read' } });

type Key = 'admin' | 'read' | 'wrong' | 'refused';

interface Scenario {
	name: string;
	parameters: INodeParameters;
	setup?: (control: SandboxControl) => Promise<IDataObject | void>;
	key?: Key;
	/** Whether the item fails (so that both paths are really exercised). */
	fails: boolean;
}

const send = (extra: IDataObject = {}, options: IDataObject = {}): INodeParameters =>
	({ resource: 'sms', operation: 'send', message: 'Habari', recipients: '0712345678', options, ...extra }) as INodeParameters;
const op = (resource: string, operation: string, extra: IDataObject = {}): INodeParameters =>
	({ resource, operation, ...extra }) as INodeParameters;

const seedContact = async (control: SandboxControl) => {
	const seeded = await control.seed({ contacts: [{ name: 'Asha', phone_number: '+255712000001' }], segments: [{ name: 'VIP' }] });
	return { contactId: (seeded.contact_ids as string[])[0], segmentId: (seeded.segment_ids as string[])[0] };
};

const scenarios: Scenario[] = [
	// ---------------------------------------------------------------- sms
	{ name: 'send: success', parameters: send(), fails: false },
	{ name: 'send: success in 2 requests, with a webhook URL', parameters: send({ recipients: '0712000001, 0712000002', additionalFields: { webhookUrl: 'http://127.0.0.1:9/hook' } }, { recipientsPerRequest: 1 }), fails: false },
	{ name: 'send: 401 (revoked key)', parameters: send(), key: 'wrong', fails: true },
	{ name: 'send: 403 (read key)', parameters: send(), key: 'read', fails: true },
	{
		name: 'send: 429 until Max Rate Limit Wait gives up',
		parameters: send({}, { maxRateLimitWait: 0 }),
		setup: async (c) => void (await c.addFault({ method: 'POST', path: '/sms/send/', status: 429, times: -1, headers: { 'Retry-After': '1' } })),
		fails: true,
	},
	{
		name: 'send: timeout',
		parameters: send({}, { timeout: 1 }),
		setup: async (c) => void (await c.addFault({ method: 'POST', path: '/sms/send/', action: 'hang' })),
		fails: true,
	},
	{
		name: 'send: connection reset',
		parameters: send(),
		setup: async (c) => void (await c.addFault({ method: 'POST', path: '/sms/send/', action: 'reset' })),
		fails: true,
	},
	{ name: 'send: connection refused (nothing listening)', parameters: send(), key: 'refused', fails: true },
	{
		name: 'send: 500',
		parameters: send(),
		setup: async (c) => void (await c.addFault({ method: 'POST', path: '/sms/send/', status: 500 })),
		fails: true,
	},
	{
		name: 'send: 200 with an HTML page (invalid response)',
		parameters: send(),
		setup: async (c) => void (await c.addFault({ method: 'POST', path: '/sms/send/', status: 200, contentType: 'text/html', body: '<html>oops</html>' })),
		fails: true,
	},
	{
		name: 'send: 402 insufficient balance',
		parameters: send(),
		setup: async (c) => void (await c.setBalance(0)),
		fails: true,
	},
	{ name: 'send: bad input (no request)', parameters: send({ recipients: '0712' }), fails: true },
	{
		// A server that echoes the key back in its error text must not make the node repeat it.
		name: 'regression: send: 401 whose message echoes the key',
		parameters: send(),
		setup: async (c) =>
			void (await c.addFault({
				method: 'POST',
				path: '/sms/send/',
				status: 401,
				body: { success: false, message: `Invalid API key ${ADMIN}`, data: null, error_code: 'INVALID_API_KEY', details: { key: ADMIN } },
			})),
		fails: true,
	},
	{
		name: 'getStatus: success',
		parameters: op('sms', 'getStatus', { messageId: '={{ $json.id }}' }),
		setup: async (c) => ({ id: ((await c.seed({ messages: 1 })).message_ids as string[])[0] }),
		fails: false,
	},
	{ name: 'getStatus: 404', parameters: op('sms', 'getStatus', { messageId: 'msg_missing' }), fails: true },
	{
		name: 'getStatus: 503 once then retried',
		parameters: op('sms', 'getStatus', { messageId: 'msg_missing' }),
		setup: async (c) => void (await c.addFault({ method: 'GET', path: '/sms/status/*', status: 503 })),
		fails: true,
	},
	{ name: 'getDeliveryReports: success', parameters: op('sms', 'getDeliveryReports', { returnAll: true }), setup: async (c) => void (await c.seed({ messages: 3 })), fails: false },
	{
		name: 'getDeliveryReports: invalid JSON',
		parameters: op('sms', 'getDeliveryReports', { limit: 5 }),
		setup: async (c) => void (await c.addFault({ method: 'GET', path: '/sms/delivery-reports/', status: 200, body: '{"success": tr' })),
		fails: true,
	},
	{ name: 'getBalance: success', parameters: op('sms', 'getBalance'), fails: false },
	{ name: 'getBalance: 401', parameters: op('sms', 'getBalance'), key: 'wrong', fails: true },
	{
		name: 'getBalance: reset once then retried',
		parameters: op('sms', 'getBalance'),
		setup: async (c) => void (await c.addFault({ method: 'GET', path: '/sms/balance/', action: 'reset' })),
		fails: false,
	},

	// ---------------------------------------------------------------- contact
	{ name: 'contact.create: success', parameters: op('contact', 'create', { name: 'Juma', phoneNumber: '0713000111', additionalFields: { tags: 'vip' } }), fails: false },
	{ name: 'contact.create: 403 (read key)', parameters: op('contact', 'create', { name: 'Juma', phoneNumber: '0713000111' }), key: 'read', fails: true },
	{ name: 'contact.get: success', parameters: op('contact', 'get', { contactId: '={{ $json.contactId }}' }), setup: seedContact, fails: false },
	{ name: 'contact.get: 404', parameters: op('contact', 'get', { contactId: 'c_missing' }), fails: true },
	{ name: 'contact.update: success', parameters: op('contact', 'update', { contactId: '={{ $json.contactId }}', updateFields: { name: 'Asha M.' } }), setup: seedContact, fails: false },
	{ name: 'contact.update: 401', parameters: op('contact', 'update', { contactId: 'c_1', updateFields: { name: 'X' } }), key: 'wrong', fails: true },
	{ name: 'contact.delete: success', parameters: op('contact', 'delete', { contactId: '={{ $json.contactId }}' }), setup: seedContact, fails: false },
	{ name: 'contact.delete: 404', parameters: op('contact', 'delete', { contactId: 'c_missing' }), fails: true },
	{ name: 'contact.getMany: success', parameters: op('contact', 'getMany', { returnAll: true }), setup: seedContact, fails: false },
	{ name: 'contact.getMany: bad input', parameters: op('contact', 'getMany', { limit: 0 }), fails: true },
	{ name: 'contact.search: success', parameters: op('contact', 'search', { query: 'Asha', limit: 5 }), setup: seedContact, fails: false },
	{ name: 'contact.upsert: creates', parameters: op('contact', 'upsert', { name: 'Neema', phoneNumber: '0714000222' }), fails: false },
	{ name: 'contact.upsert: updates', parameters: op('contact', 'upsert', { name: 'Asha', phoneNumber: '0712000001' }), setup: seedContact, fails: false },
	{
		name: 'contact.upsert: several contacts match',
		parameters: op('contact', 'upsert', { name: 'Asha', phoneNumber: '0712000001' }),
		setup: async (c) =>
			void (await c.addFault({
				method: 'GET',
				path: '/contacts/search/',
				status: 200,
				body: {
					success: true,
					message: 'ok',
					data: { contacts: [{ contact_id: 'c_1', phone_number: '+255712000001' }, { contact_id: 'c_2', phone_number: '0712000001' }], query: '', count: 2 },
				},
			})),
		fails: true,
	},

	// ---------------------------------------------------------------- segment
	{ name: 'segment.create: success', parameters: op('segment', 'create', { name: 'Loyal', criteria: { tags: 'vip', createdAfter: '2024-01-01' } }), fails: false },
	{ name: 'segment.create: 403 (read key)', parameters: op('segment', 'create', { name: 'Loyal' }), key: 'read', fails: true },
	{ name: 'segment.get: success', parameters: op('segment', 'get', { segmentId: '={{ $json.segmentId }}' }), setup: seedContact, fails: false },
	{ name: 'segment.get: 404', parameters: op('segment', 'get', { segmentId: 'seg_missing' }), fails: true },
	{ name: 'segment.update: success', parameters: op('segment', 'update', { segmentId: '={{ $json.segmentId }}', updateFields: { description: 'Top' } }), setup: seedContact, fails: false },
	{ name: 'segment.update: bad input', parameters: op('segment', 'update', { segmentId: 's_1', updateFields: {} }), fails: true },
	{ name: 'segment.delete: success', parameters: op('segment', 'delete', { segmentId: '={{ $json.segmentId }}' }), setup: seedContact, fails: false },
	{ name: 'segment.delete: 401', parameters: op('segment', 'delete', { segmentId: 's_1' }), key: 'wrong', fails: true },
	{ name: 'segment.getMany: success', parameters: op('segment', 'getMany', { returnAll: true }), setup: seedContact, fails: false },
	{
		name: 'segment.getMany: empty body',
		parameters: op('segment', 'getMany', { returnAll: true }),
		setup: async (c) => void (await c.addFault({ method: 'GET', path: '/contacts/segments/', status: 200, body: '' })),
		fails: true,
	},
];

/** Every string reachable from a value, own non-enumerable properties too (an Error's stack, cause...). */
function strings(value: unknown, seen = new Set<unknown>(), out: string[] = []): string[] {
	if (typeof value === 'string') {
		out.push(value);
		return out;
	}
	if (value === null || typeof value !== 'object' || seen.has(value)) return out;
	seen.add(value);
	for (const key of Object.getOwnPropertyNames(value)) {
		let child: unknown;
		try {
			child = (value as Record<string, unknown>)[key];
		} catch {
			continue;
		}
		out.push(key);
		strings(child, seen, out);
	}
	if (value instanceof Map || value instanceof Set) for (const entry of value) strings(entry, seen, out);
	return out;
}

/** Everything the run wrote to the console, stdout or stderr. */
async function captureOutput<T>(action: () => Promise<T>): Promise<{ value: T; written: string }> {
	const written: string[] = [];
	const record = (...args: unknown[]) => void written.push(args.map((arg) => (typeof arg === 'string' ? arg : strings(arg).join(' '))).join(' '));
	const spies = [
		...(['log', 'info', 'warn', 'error', 'debug', 'trace'] as const).map((method) =>
			jest.spyOn(console, method).mockImplementation(record),
		),
		jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => (record(String(chunk)), true)),
		jest.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => (record(String(chunk)), true)),
	];
	try {
		return { value: await action(), written: written.join('\n') };
	} finally {
		for (const spy of spies) spy.mockRestore();
	}
}

function credentialsFor(key: Key | undefined): { apiKey: string; baseUrl: string } {
	if (key === 'refused') return { apiKey: ADMIN, baseUrl: 'http://127.0.0.1:9' };
	return { apiKey: key === 'read' ? READ : key === 'wrong' ? WRONG : ADMIN, baseUrl: sandbox.url };
}

describe('the API key appears nowhere: output, errors, logs', () => {
	const cases = scenarios.flatMap((scenario) =>
		[true, false].map((continueOnFail) => [scenario.name, continueOnFail, scenario] as const),
	);

	test.each(cases)('%s (Continue On Fail: %s)', async (_name, continueOnFail, scenario) => {
		const input = (await scenario.setup?.(sandbox.control)) ?? {};
		const { value: result, written } = await captureOutput<RunResult>(
			async () =>
				await sandbox.run(scenario.parameters, { continueOnFail, items: [input], credentials: credentialsFor(scenario.key) }),
		);

		// The path meant is the path taken.
		const failed = continueOnFail ? result.items.some((item) => 'error' in item.json) : result.error !== undefined;
		expect(failed).toBe(scenario.fails);

		const haystacks = {
			'the run (JSON)': JSON.stringify(result.run),
			'the run (every string, incl. error stack and cause)': strings(result.run).join('\n'),
			'the output items': JSON.stringify(result.items),
			'the error': result.error ? strings(result.error).join('\n') : '',
			'console / stdout / stderr': written,
		};
		for (const [where, text] of Object.entries(haystacks)) {
			for (const needle of NEEDLES) {
				expect({ where, leaked: text.includes(needle) ? needle : null }).toEqual({ where, leaked: null });
			}
		}
	});

	test('the capture sees the console, stdout and stderr (the search above is meaningful)', async () => {
		const { written } = await captureOutput(async () => {
			console.warn('one', { two: new Error('three') });
			process.stdout.write('four');
			process.stderr.write('five');
		});
		for (const part of ['one', 'two', 'three', 'four', 'five']) expect(written).toContain(part);
	});

	test('the key did reach the server (the search above is meaningful)', async () => {
		await sandbox.run(op('sms', 'getBalance'), { credentials: credentialsFor('admin') });
		const [request] = await sandbox.requests();
		expect(request.headers.authorization).toBe(`Bearer ${ADMIN}`);
	});
});
