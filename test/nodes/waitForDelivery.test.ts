/**
 * Options → Wait For Delivery through n8n's engine against the sandbox, in both status dialects:
 * the outcome of every send, when the polls go out, that a send is never repeated, that a failing
 * status read never loses the send's record, and that a waiting item lets other items send.
 */
import type { IDataObject } from 'n8n-workflow';

import { API, useSandbox, type LoggedRequest as SandboxRequest, type SandboxFixture } from '../helpers/sandbox';

/** The request log also carries the arrival time (ms). */
type LoggedRequest = SandboxRequest & { at: number };

const SEND_PATH = `${API}/sms/send/`;
const STATUS_PATH = `${API}/sms/status/`;

function send(options: IDataObject, overrides: IDataObject = {}) {
	return {
		resource: 'sms',
		operation: 'send',
		message: 'Habari! Oda yako #1024 imetumwa.',
		recipients: '0712 345 678',
		senderId: 'MIFUMO',
		additionalFields: {},
		options: { messagesPerMinute: 0, ...options },
		...overrides,
	};
}

async function traffic(sandbox: SandboxFixture) {
	const requests = (await sandbox.requests()) as LoggedRequest[];
	return {
		requests,
		sends: requests.filter((request) => request.method === 'POST' && request.path === SEND_PATH),
		polls: requests.filter((request) => request.method === 'GET' && request.path.startsWith(STATUS_PATH)),
	};
}

/** The status `data` as Mifumo gives it now (the node's last ask saw the same: nothing changed since). */
async function statusOf(sandbox: SandboxFixture, messageId: unknown) {
	return await sandbox.serverData(`/sms/status/${String(messageId)}/`);
}

describe.each([
	{ dialect: 'guide' as const, currency: 'TZS' },
	{ dialect: 'source' as const, currency: 'USD' },
])('waitForDelivery, $dialect dialect', ({ dialect, currency }) => {
	const sandbox = useSandbox({ dialect });

	test.each([
		{ outcome: 'delivered', recipients: '0712 345 678, 0713 000 111', numbers: ['+255712345678', '+255713000111'] },
		{ outcome: 'failed', recipients: '0712 345 999', numbers: ['+255712345999'] },
		{ outcome: 'partial', recipients: '0712 345 678, 0712 345 999', numbers: ['+255712345678', '+255712345999'] },
	])('$outcome: one send, one poll after ~2 s, the report as Mifumo sent it', async ({ outcome, recipients, numbers }) => {
		await sandbox.control.configure({ deliveryDelayMs: 500 });
		const started = Date.now();
		const { items, error } = await sandbox.run(send({ waitForDelivery: 10 }, { recipients }));
		const elapsed = Date.now() - started;
		expect(error).toBeUndefined();

		const { requests, sends, polls } = await traffic(sandbox);
		expect(sends).toHaveLength(1);
		expect(polls).toHaveLength(1);
		expect(requests).toHaveLength(2);
		const [message] = await sandbox.control.messages();
		expect(polls[0].path).toBe(`${STATUS_PATH}${message.message_id}/`);
		expect(polls[0].at - sends[0].at).toBeGreaterThanOrEqual(1900);
		expect(elapsed).toBeLessThan(4000);

		const report = (await statusOf(sandbox, message.message_id)) as IDataObject;
		expect(report[dialect === 'guide' ? 'recipients' : 'delivery_details']).toHaveLength(numbers.length);
		expect(items).toEqual([
			{
				json: {
					message_id: message.message_id,
					recipients: numbers,
					status: 'sent',
					cost: 10 * numbers.length,
					currency,
					encoding: 'GSM-7',
					segments: 1,
					total_segments: numbers.length,
					delivery_status: outcome,
					delivery_report: report,
				},
				pairedItem: { item: 0 },
			},
		]);
	});

	test('pending: not final when the wait ends is no error; the last ask is at the end of the wait', async () => {
		const started = Date.now();
		const { items, error } = await sandbox.run(send({ waitForDelivery: 3 }));
		const elapsed = Date.now() - started;
		expect(error).toBeUndefined();

		const { sends, polls } = await traffic(sandbox);
		expect(sends).toHaveLength(1);
		// At ~2 s, then at the end of the 3 s wait (not 2 + 3 s later).
		expect(polls).toHaveLength(2);
		expect(polls[1].at - sends[0].at).toBeGreaterThanOrEqual(2900);
		expect(polls[1].at - sends[0].at).toBeLessThan(3600);
		expect(elapsed).toBeLessThan(4500);

		const [message] = await sandbox.control.messages();
		expect(items).toHaveLength(1);
		expect(items[0].json.delivery_status).toBe('pending');
		expect(items[0].json.delivery_report).toEqual(await statusOf(sandbox, message.message_id));
		expect((items[0].json.delivery_report as IDataObject).status).toBe('sent');
		expect(items[0].json).not.toHaveProperty('delivery_error');
	});

	test('a wait of 20 s on a message delivered after 3 s ends within ~5 s, after two polls', async () => {
		await sandbox.control.configure({ deliveryDelayMs: 3000 });
		const started = Date.now();
		const { items, error } = await sandbox.run(send({ waitForDelivery: 20 }));
		const elapsed = Date.now() - started;
		expect(error).toBeUndefined();
		expect(items[0].json.delivery_status).toBe('delivered');
		expect(elapsed).toBeLessThan(5800);

		const { sends, polls } = await traffic(sandbox);
		expect(sends).toHaveLength(1);
		expect(polls).toHaveLength(2);
	});
});

describe('waitForDelivery', () => {
	const sandbox = useSandbox();

	test('the message-level status alone (no recipient list) is read too', async () => {
		await sandbox.control.configure({ deliveryDelayMs: 200 });
		const report = { message_id: 'msg_x', status: 'Delivered' };
		await sandbox.control.addFault({
			method: 'GET',
			path: '/sms/status/*',
			status: 200,
			body: { success: true, message: 'ok', data: report, error_code: null, details: null },
			times: -1,
		});
		const { items, error } = await sandbox.run(send({ waitForDelivery: 10 }));
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ delivery_status: 'delivered', delivery_report: report });
		expect((await traffic(sandbox)).polls).toHaveLength(1);
	});

	test('a poll that meets 503s is retried as a read and the wait goes on; the SMS is sent once', async () => {
		await sandbox.control.configure({ deliveryDelayMs: 500 });
		await sandbox.control.addFault({ method: 'GET', path: '/sms/status/*', status: 503, times: 2 });
		const { items, error } = await sandbox.run(send({ waitForDelivery: 15 }));
		expect(error).toBeUndefined();

		const { sends, polls } = await traffic(sandbox);
		expect(sends).toHaveLength(1);
		expect(polls.map((poll) => poll.status)).toEqual([503, 503, 200]);
		expect(items[0].json.delivery_status).toBe('delivered');
		expect(items[0].json).not.toHaveProperty('delivery_error');
	});

	test('a poll that keeps failing ends the wait as pending, with the reason, and keeps the send record', async () => {
		await sandbox.control.addFault({ method: 'GET', path: '/sms/status/*', status: 503, times: -1 });
		const { items, error } = await sandbox.run(send({ waitForDelivery: 60 }), { continueOnFail: false });
		expect(error).toBeUndefined();

		const { sends, polls } = await traffic(sandbox);
		expect(sends).toHaveLength(1);
		// The first ask and its three retries; then no more asks.
		expect(polls).toHaveLength(4);
		const [message] = await sandbox.control.messages();
		expect(items).toHaveLength(1);
		const json = items[0].json;
		expect(json).toMatchObject({ message_id: message.message_id, recipients: ['+255712345678'], status: 'sent', delivery_status: 'pending' });
		expect(json).not.toHaveProperty('delivery_report');
		expect(json.delivery_error).toMatch(
			new RegExp(`^The SMS was sent \\(message_id ${message.message_id}\\), but reading its delivery status failed: .*503.* Ask again later with SMS → Get Status; do not send it again\\.$`),
		);
	});

	test('a rate-limit answer to a poll pauses it for the Retry-After, then it asks again', async () => {
		await sandbox.control.configure({ deliveryDelayMs: 500 });
		await sandbox.control.addFault({
			method: 'GET',
			path: '/sms/status/*',
			status: 429,
			headers: { 'Retry-After': '1' },
			body: { success: false, message: 'Rate limit exceeded', data: null, error_code: 'RATE_LIMIT_EXCEEDED', details: null },
			times: 1,
		});
		const { items, error } = await sandbox.run(send({ waitForDelivery: 10 }));
		expect(error).toBeUndefined();
		const { sends, polls } = await traffic(sandbox);
		expect(sends).toHaveLength(1);
		expect(polls.map((poll) => poll.status)).toEqual([429, 200]);
		expect(polls[1].at - polls[0].at).toBeGreaterThanOrEqual(950);
		expect(items[0].json.delivery_status).toBe('delivered');
	});

	test('while an item waits, the next items send (concurrency 1); outputs stay in order, each with its report', async () => {
		await sandbox.control.configure({ deliveryDelayMs: 500, latencyMs: 50 });
		const phones = ['0712000001', '0712000002', '0712345999'];
		const { items, error } = await sandbox.run(send({ waitForDelivery: 10, concurrency: 1 }, { recipients: '={{ $json.phone }}' }), {
			items: phones.map((phone) => ({ phone })),
		});
		expect(error).toBeUndefined();

		const { requests, sends, polls } = await traffic(sandbox);
		expect(sends).toHaveLength(3);
		expect(polls).toHaveLength(3);
		// The 2nd and 3rd sends went out before the 1st item's first poll, i.e. during its wait.
		expect(requests.slice(0, 3).map((request) => request.path)).toEqual([SEND_PATH, SEND_PATH, SEND_PATH]);
		expect(sends[2].at).toBeLessThan(polls[0].at);

		const messages = await sandbox.control.messages();
		expect(items.map((item) => [item.json.recipients, item.json.delivery_status, item.pairedItem])).toEqual([
			[['+255712000001'], 'delivered', { item: 0 }],
			[['+255712000002'], 'delivered', { item: 1 }],
			[['+255712345999'], 'failed', { item: 2 }],
		]);
		for (const item of items) {
			const message = messages.find((candidate) => candidate.message_id === item.json.message_id)!;
			expect((item.json.delivery_report as IDataObject).message_id).toBe(message.message_id);
		}
	});

	test('an item of several requests sends all of them first, then follows each one', async () => {
		await sandbox.control.configure({ deliveryDelayMs: 500 });
		const { items, error } = await sandbox.run(
			send({ waitForDelivery: 10, recipientsPerRequest: 1 }, { recipients: '0712000001, 0712345999' }),
		);
		expect(error).toBeUndefined();

		const { requests, sends, polls } = await traffic(sandbox);
		expect(requests.map((request) => request.method)).toEqual(['POST', 'POST', 'GET', 'GET']);
		expect(sends.map((request) => request.body)).toEqual([
			{ message: 'Habari! Oda yako #1024 imetumwa.', recipients: ['+255712000001'], sender_id: 'MIFUMO' },
			{ message: 'Habari! Oda yako #1024 imetumwa.', recipients: ['+255712345999'], sender_id: 'MIFUMO' },
		]);
		expect(polls.map((poll) => poll.path).sort()).toEqual(items.map((item) => `${STATUS_PATH}${String(item.json.message_id)}/`).sort());
		expect(items.map((item) => [item.json.recipients, item.json.delivery_status, item.pairedItem])).toEqual([
			[['+255712000001'], 'delivered', { item: 0 }],
			[['+255712345999'], 'failed', { item: 0 }],
		]);
	});

	test('a send scheduled for after the wait is asked about once, at once, and is pending', async () => {
		const scheduleTime = new Date(Date.now() + 3_600_000).toISOString();
		const started = Date.now();
		const { items, error } = await sandbox.run(send({ waitForDelivery: 60 }, { additionalFields: { scheduleTime } }));
		expect(error).toBeUndefined();
		expect(Date.now() - started).toBeLessThan(1500);

		const { sends, polls } = await traffic(sandbox);
		expect(sends).toHaveLength(1);
		expect(polls).toHaveLength(1);
		expect(items[0].json.delivery_status).toBe('pending');
		expect((items[0].json.delivery_report as IDataObject).status).toBe('scheduled');
	});

	test('a send answer without a message_id is kept, pending, with the reason; no status is asked for', async () => {
		const answer = { recipients: ['+255712345678'], status: 'sent' };
		await sandbox.control.addFault({
			method: 'POST',
			path: '/sms/send/',
			status: 200,
			body: { success: true, message: 'SMS sent successfully', data: answer, error_code: null, details: null },
		});
		const { items, error } = await sandbox.run(send({ waitForDelivery: 10 }));
		expect(error).toBeUndefined();
		expect(items).toEqual([
			{
				json: {
					...answer,
					// The node's own count of the text sent, whatever the answer lacks.
					encoding: 'GSM-7',
					segments: 1,
					total_segments: 1,
					delivery_status: 'pending',
					delivery_error:
						"Mifumo's answer to the send carried no message_id, so its delivery cannot be followed. The SMS was sent; look for it under SMS → Get Delivery Reports.",
				},
				pairedItem: { item: 0 },
			},
		]);
		const { sends, polls } = await traffic(sandbox);
		expect([sends.length, polls.length]).toEqual([1, 0]);
	});

	test('0 or no option: no status is asked for and the output has no delivery fields', async () => {
		await sandbox.control.configure({ deliveryDelayMs: 0 });
		for (const options of [{}, { waitForDelivery: 0 }]) {
			await sandbox.control.clearRequests();
			const { items, error } = await sandbox.run(send(options));
			expect(error).toBeUndefined();
			expect(items[0].json).not.toHaveProperty('delivery_status');
			const { sends, polls } = await traffic(sandbox);
			expect([sends.length, polls.length]).toEqual([1, 0]);
		}
	});

	test.each([
		{ value: -5, shown: '-5' },
		{ value: 'soon', shown: '"soon"' },
		{ value: 2.5, shown: '2.5' },
	])('Wait For Delivery $shown fails the item before any request', async ({ value, shown }) => {
		const { items, error } = await sandbox.run(send({ waitForDelivery: value }), { continueOnFail: true });
		expect(error).toBeUndefined();
		expect(items).toEqual([
			{
				json: {
					error: `Options → Wait For Delivery must be a whole number of at least 0, not ${shown}. Enter the seconds to wait for delivery reports, or 0 not to wait.`,
					errorCode: 'INVALID_PARAMETER',
				},
				pairedItem: { item: 0 },
			},
		]);
		expect(await sandbox.requests()).toEqual([]);
	});
});
