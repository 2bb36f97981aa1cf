/**
 * Bulk sends: every recipient exactly once, counted at the server.
 *
 * The sandbox's SMS limit is scaled down in time (800 SMS per 2 s sliding window, i.e. 24,000 a
 * "minute") so that a 1,000-recipient send takes a few seconds; the node's pacing is set to
 * 20,000 a minute, below it.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { useSandbox, type LoggedRequest } from '../helpers/sandbox';

const SMS_PER_WINDOW = 800;
const WINDOW_MS = 2000;
/** Below the sandbox's 800 per 2 s (= 24,000 a minute). */
const MESSAGES_PER_MINUTE = 20_000;

const sandbox = useSandbox({
	balance: 1_000_000_000,
	rateLimits: { smsPerMinute: SMS_PER_WINDOW, callsPerHour: null, contactOpsPerHour: null },
	rateWindowMs: { smsPerMinute: WINDOW_MS },
});

const SEND_PATH = '/api/integration/v1/sms/send/';

/** 1,000 distinct Tanzanian mobile numbers (national part, 9 digits). */
const NATIONAL = Array.from({ length: 1000 }, (_, index) => String(712_000_000 + index * 7));
const E164 = NATIONAL.map((national) => `+255${national}`);

/** The same number as people type it: local, international with or without +, with spaces. */
function format(national: string, style: number): string {
	const spaced = `${national.slice(0, 3)} ${national.slice(3, 6)} ${national.slice(6)}`;
	return [`0${national}`, `+255${national}`, `255${national}`, `+255 ${spaced}`, `0${spaced}`][style % 5];
}

/** A typed list: mixed formats and separators, plus 50 repeats of earlier numbers in another format. */
function typedList(): string {
	const entries = NATIONAL.map((national, index) => format(national, index));
	for (let index = 0; index < 50; index++) entries.push(format(NATIONAL[index * 13], index * 13 + 2));
	const separators = [', ', ';', '\n', ' , '];
	return entries.map((entry, index) => (index === 0 ? entry : `${separators[index % separators.length]}${entry}`)).join('');
}

function sendParameters(options: IDataObject, extra: IDataObject = {}): INodeParameters {
	return {
		resource: 'sms',
		operation: 'send',
		message: 'Karibu! Ofa maalum leo.',
		senderId: 'MIFUMO',
		recipients: typedList(),
		options,
		...extra,
	} as INodeParameters;
}

/** How many times the server accepted each recipient. */
async function sentCounts(): Promise<Map<string, number>> {
	const counts = new Map<string, number>();
	for (const message of await sandbox.control.messages()) {
		for (const recipient of message.recipients) counts.set(recipient, (counts.get(recipient) ?? 0) + 1);
	}
	return counts;
}

function expectEachExactlyOnce(counts: Map<string, number>, expected: string[]): void {
	expect(counts.size).toBe(expected.length);
	expect([...counts.keys()].sort()).toEqual([...expected].sort());
	const duplicated = [...counts.entries()].filter(([, count]) => count !== 1);
	expect(duplicated).toEqual([]);
}

type Logged = LoggedRequest & { at: number };

describe('bulk: every recipient exactly once', () => {
	test('1,000 recipients (mixed formats, 50 repeats) paced at 20,000/min in requests of 100: all once, no 429 met', async () => {
		const result = await sandbox.run(
			sendParameters({ messagesPerMinute: MESSAGES_PER_MINUTE, recipientsPerRequest: 100 }),
		);

		expect(result.error).toBeUndefined();
		// One output item per request, all paired with the one input item, in order.
		expect(result.items).toHaveLength(10);
		expect(result.items.every((item) => JSON.stringify(item.pairedItem) === JSON.stringify({ item: 0 }))).toBe(true);
		expect(result.items.flatMap((item) => item.json.recipients as string[])).toEqual(E164);

		expectEachExactlyOnce(await sentCounts(), E164);
		const requests = (await sandbox.requests()) as Logged[];
		const sends = requests.filter((request) => request.path === SEND_PATH);
		expect(sends.map((request) => request.status)).toEqual(Array(10).fill(200));
		expect((await sandbox.control.stats()).rateLimited).toBe(0);
		// Spread over the (scaled) minute, not a burst: 900 recipients before the last request at 3.06 ms each.
		expect(sends[9].at - sends[0].at).toBeGreaterThanOrEqual(2600);
	});

	test('the same send with pacing off: the 429s are waited out and every recipient still goes out exactly once', async () => {
		const result = await sandbox.run(sendParameters({ messagesPerMinute: 0, recipientsPerRequest: 100 }));

		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(10);
		expect(result.items.flatMap((item) => item.json.recipients as string[])).toEqual(E164);

		expectEachExactlyOnce(await sentCounts(), E164);
		const sends = ((await sandbox.requests()) as Logged[]).filter((request) => request.path === SEND_PATH);
		const limited = sends.filter((request) => request.status === 429);
		// The sandbox took 800 in its window, then said 429: the node waited and resent what was refused.
		expect(limited.length).toBeGreaterThan(0);
		expect((await sandbox.control.stats()).rateLimited).toBe(limited.length);
		expect(sends.filter((request) => request.status === 200)).toHaveLength(10);
		// Every refused request was sent again with the same recipients, never a processed one.
		const accepted = sends.filter((request) => request.status === 200).map((request) => JSON.stringify(request.body?.recipients));
		expect(new Set(accepted).size).toBe(10);
		for (const refused of limited) expect(accepted).toContain(JSON.stringify(refused.body?.recipients));
	});

	test('300 items × 1 recipient with concurrency 4: every recipient once, output in input order, ≤ 4 in flight', async () => {
		const numbers = E164.slice(0, 300);
		const items = numbers.map((number, index) => ({ to: format(number.slice(4), index), index }));
		const result = await sandbox.run(
			sendParameters(
				{ concurrency: 4, messagesPerMinute: MESSAGES_PER_MINUTE },
				{ recipients: '={{ $json.to }}', message: '={{ "Order " + $json.index + " is ready" }}' },
			),
			{ items },
		);

		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(300);
		expect(result.items.map((item) => item.pairedItem)).toEqual(numbers.map((_, index) => ({ item: index })));
		expect(result.items.map((item) => item.json.recipients)).toEqual(numbers.map((number) => [number]));

		expectEachExactlyOnce(await sentCounts(), numbers);
		// Each item's own text went to its own recipient.
		const byRecipient = new Map((await sandbox.control.messages()).map((message) => [message.recipients[0], message.message]));
		expect(numbers.every((number, index) => byRecipient.get(number) === `Order ${index} is ready`)).toBe(true);
		// Output message ids are the server's, item by item.
		const idByRecipient = new Map((await sandbox.control.messages()).map((message) => [message.recipients[0], message.message_id]));
		expect(result.items.map((item) => item.json.message_id)).toEqual(numbers.map((number) => idByRecipient.get(number)));

		const stats = await sandbox.control.stats();
		expect(stats.rateLimited).toBe(0);
		expect(stats.maxInFlight).toBeLessThanOrEqual(4);
		expect((await sandbox.requests()).filter((request) => request.path === SEND_PATH)).toHaveLength(300);
	});
});
