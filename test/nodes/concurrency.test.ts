/**
 * Bounded concurrency (Options → Concurrency): several sends in flight, outputs still in input
 * order and paired, a 429 pauses every request, and nothing is sent twice.
 */
import { useSandbox } from '../helpers/sandbox';

const sandbox = useSandbox();

const phones = (count: number) => Array.from({ length: count }, (_, index) => `07120${String(index).padStart(5, '0')}`);
const e164 = (phone: string) => `+255${phone.slice(1)}`;

function sendEach(options: Record<string, unknown>) {
	return {
		resource: 'sms',
		operation: 'send',
		message: 'Habari',
		recipients: '={{ $json.phone }}',
		senderId: 'MIFUMO',
		additionalFields: {},
		options: { messagesPerMinute: 0, ...options },
	};
}

interface Timed {
	at: number;
	body: { recipients: string[] } | null;
	status: number;
}

describe('concurrency', () => {
	test.each([1, 4, 8])('never more than %i requests in flight, and that many are used', async (concurrency) => {
		await sandbox.control.configure({ latencyMs: 60 });
		await sandbox.control.resetStats();
		const input = phones(16);
		const { items } = await sandbox.run(sendEach({ concurrency }), { items: input.map((phone) => ({ phone })) });
		const stats = await sandbox.control.stats();
		expect(stats.maxInFlight).toBe(concurrency);
		expect(items.map((item) => item.json.recipients)).toEqual(input.map((phone) => [e164(phone)]));
	});

	test('answers that come back out of order still give outputs in input order, each paired with its item', async () => {
		await sandbox.control.configure({ latencyMs: 20 });
		// The first request waits longest: its answer arrives after the others'.
		await sandbox.control.addFault({ method: 'POST', path: '/sms/send/', action: 'delay', delayMs: 400, times: 1 });
		await sandbox.control.addFault({ method: 'POST', path: '/sms/send/', action: 'delay', delayMs: 200, times: 1 });
		const input = phones(8);
		const { items } = await sandbox.run(sendEach({ concurrency: 4 }), { items: input.map((phone) => ({ phone })) });

		const messages = await sandbox.control.messages();
		const acceptedOrder = messages.map((message) => message.recipients[0]);
		expect(acceptedOrder).not.toEqual(input.map(e164)); // the server did see them out of order
		expect(items.map((item) => [item.json.recipients, item.pairedItem])).toEqual(
			input.map((phone, index) => [[e164(phone)], { item: index }]),
		);
		// Each output carries the message id the server gave that very recipient.
		for (const item of items) {
			const recipient = (item.json.recipients as string[])[0];
			expect(messages.find((message) => message.message_id === item.json.message_id)?.recipients).toEqual([recipient]);
		}
	});

	test('a 429 seen by one request pauses all of them, and every recipient is sent exactly once', async () => {
		await sandbox.control.configure({ latencyMs: 30 });
		await sandbox.control.addFault({
			method: 'POST',
			path: '/sms/send/',
			status: 429,
			headers: { 'Retry-After': '1' },
			body: { success: false, message: 'Rate limit exceeded', data: null, error_code: 'RATE_LIMIT_EXCEEDED', details: null },
			times: 1,
		});
		const input = phones(12);
		const { items, error } = await sandbox.run(sendEach({ concurrency: 4 }), { items: input.map((phone) => ({ phone })) });
		expect(error).toBeUndefined();

		const requests = (await sandbox.requests()) as unknown as Timed[];
		const limited = requests.find((request) => request.status === 429)!;
		// Requests that set out after the 429 came back waited out its Retry-After (1 s).
		const answeredAt = limited.at + 30;
		const later = requests.filter((request) => request.at > answeredAt + 50);
		expect(later.length).toBeGreaterThan(0);
		for (const request of later) expect(request.at - limited.at).toBeGreaterThanOrEqual(950);

		const sent = (await sandbox.control.messages()).flatMap((message) => message.recipients).sort();
		expect(sent).toEqual(input.map(e164).sort());
		expect(items).toHaveLength(input.length);
	});

	test('Continue On Fail with concurrency: every item accounted for, in order, errors paired', async () => {
		const input = ['0712000001', 'not-a-number', '0712000003', '', '0712000005'];
		const { items } = await sandbox.run(sendEach({ concurrency: 3 }), {
			items: input.map((phone) => ({ phone })),
			continueOnFail: true,
		});
		expect(items.map((item) => [item.json.errorCode ?? item.json.recipients, item.pairedItem])).toEqual([
			[['+255712000001'], { item: 0 }],
			['INVALID_PHONE', { item: 1 }],
			[['+255712000003'], { item: 2 }],
			['MISSING_RECIPIENTS', { item: 3 }],
			[['+255712000005'], { item: 4 }],
		]);
		expect((await sandbox.control.messages()).map((message) => message.recipients[0]).sort()).toEqual([
			'+255712000001',
			'+255712000003',
			'+255712000005',
		]);
	});

	test('without Continue On Fail, no new item starts after a failure', async () => {
		await sandbox.control.configure({ latencyMs: 50 });
		const input = ['0712000001', 'bad', ...phones(10)];
		const { error } = await sandbox.run(sendEach({ concurrency: 2 }), { items: input.map((phone) => ({ phone })) });
		expect(error?.message).toMatch(/^Recipients has an invalid phone number: "bad"\./);
		expect(error?.context?.itemIndex).toBe(1);
		// Item 1 fails at once; only item 0, already running, finishes.
		expect((await sandbox.control.messages()).map((message) => message.recipients)).toEqual([['+255712000001']]);
	});
});
