/**
 * Options → Combine Items: items with the same text share requests of up to Recipients Per
 * Request numbers, counted at the sandbox; every item keeps its own paired output item.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { errorItem, useSandbox, type LoggedRequest } from '../helpers/sandbox';

const sandbox = useSandbox({
	balance: 1_000_000_000,
	rateLimits: { smsPerMinute: null, callsPerHour: null, contactOpsPerHour: null },
});

const SEND_PATH = '/api/integration/v1/sms/send/';

/** Distinct Tanzanian numbers in E.164. */
const numbers = (count: number, from = 0) => Array.from({ length: count }, (_, index) => `+255${712_000_000 + (from + index) * 7}`);

function sendParameters(options: IDataObject = {}): INodeParameters {
	return {
		resource: 'sms',
		operation: 'send',
		message: '={{ $json.text }}',
		recipients: '={{ $json.to }}',
		senderId: 'MIFUMO',
		options: { batchItems: true, messagesPerMinute: 0, ...options },
	} as INodeParameters;
}

async function sends(): Promise<LoggedRequest[]> {
	return (await sandbox.requests()).filter((request) => request.path === SEND_PATH);
}

/** How many times the server accepted each (text, number). */
async function acceptedCounts(): Promise<Map<string, number>> {
	const counts = new Map<string, number>();
	for (const message of await sandbox.control.messages()) {
		for (const recipient of message.recipients) {
			const key = `${message.message}|${recipient}`;
			counts.set(key, (counts.get(key) ?? 0) + 1);
		}
	}
	return counts;
}

describe('sms.send with Combine Items', () => {
	test('1,000 items of one text: exactly 10 requests of 100 numbers, 1,000 output items paired one to one', async () => {
		const to = numbers(1000);
		const result = await sandbox.run(sendParameters(), { items: to.map((number) => ({ text: 'Ofa maalum leo!', to: number })) });

		expect(result.error).toBeUndefined();
		const requests = await sends();
		expect(requests).toHaveLength(10);
		requests.forEach((request, index) => {
			expect(request.status).toBe(200);
			expect(request.body).toStrictEqual({ message: 'Ofa maalum leo!', recipients: to.slice(index * 100, index * 100 + 100), sender_id: 'MIFUMO' });
		});
		expect(result.items).toHaveLength(1000);
		expect(result.items.map((item) => item.pairedItem)).toEqual(to.map((_, item) => ({ item })));
		expect(result.items.map((item) => item.json.recipients)).toEqual(to.map((number) => [number]));
		// Each item carries the message id of the request that carried its number.
		const messages = await sandbox.control.messages();
		const idOf = new Map(messages.flatMap((message) => message.recipients.map((recipient) => [recipient, message.message_id])));
		expect(result.items.map((item) => item.json.message_id)).toEqual(to.map((number) => idOf.get(number)));
		expect(new Set(result.items.map((item) => item.json.message_id)).size).toBe(10);
	});

	test('mixed texts, several numbers per item and numbers two items share: grouped by text, no number twice in a request, every SMS once', async () => {
		const shared = numbers(3, 500);
		const items = [
			{ text: 'A', to: [numbers(1, 0)[0], shared[0]] },
			{ text: 'B', to: numbers(1, 1) },
			{ text: 'A', to: [shared[0], shared[1]] },
			{ text: 'A', to: [shared[0]] },
			{ text: 'B', to: [shared[2], numbers(1, 2)[0]] },
			{ text: 'A', to: numbers(2, 3) },
		];
		const result = await sandbox.run(sendParameters({ recipientsPerRequest: 3 }), { items });

		expect(result.error).toBeUndefined();
		expect((await sends()).map((request) => request.body)).toStrictEqual([
			// Text A: shared[0] is carried by items 0, 2 and 3, so it is in three different requests.
			{ message: 'A', recipients: [numbers(1, 0)[0], shared[0], shared[1]], sender_id: 'MIFUMO' },
			{ message: 'A', recipients: [shared[0], numbers(2, 3)[0], numbers(2, 3)[1]], sender_id: 'MIFUMO' },
			{ message: 'A', recipients: [shared[0]], sender_id: 'MIFUMO' },
			{ message: 'B', recipients: [numbers(1, 1)[0], shared[2], numbers(1, 2)[0]], sender_id: 'MIFUMO' },
		]);
		// One output item per (item, request that carried it), paired, in input order, narrowed to its numbers.
		expect(result.items.map((item) => [item.pairedItem, item.json.recipients])).toEqual([
			[{ item: 0 }, [numbers(1, 0)[0], shared[0]]],
			[{ item: 1 }, numbers(1, 1)],
			[{ item: 2 }, [shared[1]]],
			[{ item: 2 }, [shared[0]]],
			[{ item: 3 }, [shared[0]]],
			[{ item: 4 }, [shared[2], numbers(1, 2)[0]]],
			[{ item: 5 }, numbers(2, 3)],
		]);
		const counts = await acceptedCounts();
		expect(counts.get(`A|${shared[0]}`)).toBe(3);
		expect([...counts.entries()].filter(([key, count]) => !key.endsWith(shared[0]) && count !== 1)).toEqual([]);
	});

	test('bad input fails its own item before any request; the others still share requests', async () => {
		const to = numbers(4);
		const items = [
			{ text: 'Hello', to: to[0] },
			{ text: 'Hello', to: 'not a number' },
			{ text: '', to: to[1] },
			{ text: 'Hello', to: to[2] },
		];
		const result = await sandbox.run(sendParameters(), { items, continueOnFail: true });

		expect((await sends()).map((request) => request.body?.recipients)).toEqual([[to[0], to[2]]]);
		expect(result.items).toEqual([
			expect.objectContaining({ pairedItem: { item: 0 }, json: expect.objectContaining({ recipients: [to[0]] }) }),
			errorItem(
				'Recipients has an invalid phone number: "not a number". Use numbers such as 0712 345 678, 255712345678 or +255712345678, or set Options → Invalid Numbers to "Skip Them". Nothing was sent.',
				'INVALID_PHONE',
				1,
			),
			errorItem('Message is empty. Enter the text of the SMS.', 'INVALID_PARAMETER', 2),
			expect.objectContaining({ pairedItem: { item: 3 }, json: expect.objectContaining({ recipients: [to[2]] }) }),
		]);
	});

	test('without Continue On Fail, bad input stops the run before any request', async () => {
		const to = numbers(3);
		const items = [{ text: 'Hi', to: to[0] }, { text: 'Hi', to: 'nope' }, { text: 'Hi', to: to[2] }];
		const result = await sandbox.run(sendParameters(), { items });

		expect(result.error?.message).toMatch(/^Recipients has an invalid phone number: "nope"/);
		expect(await sends()).toEqual([]);
	});

	test('a 429 and a 500 in the middle: the 429 is waited out, the 500 fails exactly the items its request carried, no SMS twice', async () => {
		const to = numbers(1000);
		// The sandbox takes 300 SMS per second, then answers 429 with Retry-After: the 4th request waits.
		await sandbox.control.configure({ rateLimits: { smsPerMinute: 300 }, rateWindowMs: { smsPerMinute: 1000 }, latencyMs: 30 });
		const run = sandbox.run(sendParameters(), { items: to.map((number) => ({ text: 'Habari', to: number })), continueOnFail: true });
		// Once 5 requests went through, the next send answers 500 (not processed; a send is never repeated).
		while ((await sandbox.control.stats()).sendsAccepted < 5) await new Promise((resolve) => setTimeout(resolve, 5));
		await sandbox.control.addFault({ method: 'POST', path: '/sms/send/', status: 500 });
		const result = await run;

		const requests = await sends();
		const failed = requests.filter((request) => request.status === 500);
		const limited = requests.filter((request) => request.status === 429);
		expect(failed).toHaveLength(1);
		expect(limited.length).toBeGreaterThan(0);
		const failedNumbers = new Set(failed[0].body?.recipients as string[]);
		expect(failedNumbers.size).toBe(100);
		const sentBefore = 100 * requests.slice(0, requests.indexOf(failed[0])).filter((request) => request.status === 200).length;

		expect(result.items).toHaveLength(1000);
		to.forEach((number, index) => {
			const item = result.items[index];
			expect(item.pairedItem).toEqual({ item: index });
			if (failedNumbers.has(number)) {
				expect(item.json.errorCode).toBe('INTERNAL_ERROR');
				expect(item.json.error).toMatch(
					new RegExp(`^INTERNAL_ERROR: Injected fault \\(HTTP 500\\).* it was not sent again, so that nobody gets it twice\\. .*None of this item's 1 SMS had been sent\\. In all, the run had sent ${sentBefore} SMS in ${sentBefore / 100} requests before it \\(Combine Items\\)\\.$`),
				);
			} else expect(item.json.recipients).toEqual([number]);
		});
		// Every other number went out exactly once; the failed request's numbers were never resent.
		const counts = await acceptedCounts();
		expect(counts.size).toBe(900);
		expect([...counts.values()].every((count) => count === 1)).toBe(true);
		expect(to.filter((number) => !failedNumbers.has(number)).every((number) => counts.get(`Habari|${number}`) === 1)).toBe(true);
		expect(requests.filter((request) => request.status === 200)).toHaveLength(9);
	});

	test('an item with Wait For Delivery is sent on its own and follows its own SMS; the others are still combined', async () => {
		await sandbox.control.configure({ deliveryDelayMs: 100 });
		const to = numbers(3);
		const items = to.map((number, index) => ({ text: 'Same', to: number, wait: index === 1 ? 10 : 0 }));
		const result = await sandbox.run({ ...sendParameters(), options: { batchItems: true, messagesPerMinute: 0, waitForDelivery: '={{ $json.wait }}' } } as INodeParameters, {
			items,
		});

		expect(result.error).toBeUndefined();
		expect((await sends()).map((request) => request.body?.recipients)).toEqual([[to[0], to[2]], [to[1]]]);
		expect(result.items.map((item) => [item.pairedItem, item.json.recipients, item.json.delivery_status])).toEqual([
			[{ item: 0 }, [to[0]], undefined],
			[{ item: 1 }, [to[1]], 'delivered'],
			[{ item: 2 }, [to[2]], undefined],
		]);
	});

	test('off by default: one request per item, as before', async () => {
		const to = numbers(3);
		const result = await sandbox.run({ ...sendParameters(), options: { messagesPerMinute: 0 } } as INodeParameters, {
			items: to.map((number) => ({ text: 'Same', to: number })),
		});
		expect(result.items.map((item) => item.json.recipients)).toEqual(to.map((number) => [number]));
		expect((await sends()).map((request) => request.body?.recipients)).toEqual(to.map((number) => [number]));
	});

	test('Dry Run with Combine Items: nothing is sent; each item gets the priced request that would carry its numbers', async () => {
		const to = numbers(3);
		const result = await sandbox.run(sendParameters({ dryRun: true }), { items: to.map((number) => ({ text: 'Karibu!', to: number })) });

		expect(result.error).toBeUndefined();
		expect(await sends()).toEqual([]);
		expect(result.items).toEqual(
			to.map((number, item) => ({
				json: { dry_run: true, message: 'Karibu!', recipients: [number], sender_id: 'MIFUMO', encoding: 'GSM-7', segments: 1, total_segments: 1 },
				pairedItem: { item },
			})),
		);
	});

	test('an item with Dry Run and one without never share a request, in either order: the real one is sent, the dry one is not', async () => {
		const [real, dry] = numbers(2);
		const items = [
			{ text: 'Same text', to: real, dry: false },
			{ text: 'Same text', to: dry, dry: true },
		];
		for (const order of [items, [...items].reverse()]) {
			await sandbox.control.clearRequests();
			const result = await sandbox.run(sendParameters({ dryRun: '={{ $json.dry }}' }), { items: order });

			expect(result.error).toBeUndefined();
			expect((await sends()).map((request) => request.body)).toEqual([{ message: 'Same text', recipients: [real], sender_id: 'MIFUMO' }]);
			const byNumber = new Map(result.items.map((item) => [(item.json.recipients as string[])[0], item.json]));
			expect(byNumber.get(real)).toEqual(expect.objectContaining({ message_id: expect.any(String), recipients: [real] }));
			expect(byNumber.get(real)).not.toHaveProperty('dry_run');
			expect(byNumber.get(dry)).toEqual({ dry_run: true, message: 'Same text', recipients: [dry], sender_id: 'MIFUMO', encoding: 'GSM-7', segments: 1, total_segments: 1 });
		}
		expect(await sandbox.control.messages()).toHaveLength(2);
	});

	test("a failed request's error says what was sent for each item it carried, and the run's total apart", async () => {
		// Balance for 2 SMS at 10 each: the first request (2 numbers) goes through, the second is refused.
		await sandbox.control.setBalance(20);
		const to = numbers(4);
		const items = [{ text: 'Habari', to: [to[0]] }, { text: 'Habari', to: to.slice(1) }];
		const result = await sandbox.run(sendParameters({ recipientsPerRequest: 2 }), { items, continueOnFail: true });

		const [first] = await sandbox.control.messages();
		expect((await sends()).map((request) => [request.body?.recipients, request.status])).toEqual([
			[to.slice(0, 2), 200],
			[to.slice(2), expect.any(Number)],
		]);
		expect(result.items[0].json).toEqual(expect.objectContaining({ message_id: first.message_id, recipients: [to[0]] }));
		expect(result.items[1].json.errorCode).toBe('INSUFFICIENT_BALANCE');
		expect(result.items[1].json.error).toMatch(
			new RegExp(`Before this failure, 1 of 3 SMS of this item were already sent \\(${first.message_id}\\); those must not be sent again\\. In all, the run had sent 2 SMS in 1 request before it \\(Combine Items\\)\\.$`),
		);
	});

	test("each item's cost is its share of the request's; the request's own cost and size stay apart", async () => {
		const to = numbers(3);
		const result = await sandbox.run(sendParameters(), { items: [{ text: 'Habari', to: [to[0]] }, { text: 'Habari', to: to.slice(1) }] });

		expect(result.error).toBeUndefined();
		expect((await sends())).toHaveLength(1);
		expect(result.items.map((item) => [item.json.cost, item.json.request_cost, item.json.request_recipients, item.json.total_segments])).toEqual([
			[10, 30, 3, 1],
			[20, 30, 3, 2],
		]);
	});
});
