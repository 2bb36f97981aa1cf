/**
 * Send once (Options → Repeat Window, Idempotency Key, Repeat Unknown Sends) across executions:
 * each run goes through n8n's engine against the sandbox, in a production mode (webhook, retry),
 * with the workflow's static data handed from run to run the way n8n saves and loads it.
 * `forgetSendRecords()` stands for an n8n restart: only the static data is left.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { forgetSendRecords } from '../../nodes/Mifumo/actions/sms/sendOnce';
import { expectRequest, useSandbox, type LoggedRequest } from '../helpers/sandbox';

const sandbox = useSandbox({ rateLimits: { smsPerMinute: null, callsPerHour: null, contactOpsPerHour: null } });

beforeEach(() => forgetSendRecords());

const TEXT = 'Habari! Mkutano wa wazazi ni kesho saa nne asubuhi.';
const phoneOf = (index: number) => `+255${712_000_100 + index}`;
const people = (count: number) => Array.from({ length: count }, (_, index) => ({ phone: phoneOf(index) }));

function broadcast(options: IDataObject = {}): INodeParameters {
	return {
		resource: 'sms',
		operation: 'send',
		message: TEXT,
		recipients: '={{ $json.phone }}',
		senderId: 'MIFUMO',
		// One item at a time, so that "the 9th request" is the 9th item.
		options: { messagesPerMinute: 0, concurrency: 1, repeatWindowHours: 24, ...options } as INodeParameters,
	};
}

const sendRequests = (requests: LoggedRequest[]) => requests.filter((request) => request.path.endsWith('/sms/send/'));
const sentNumbers = (requests: LoggedRequest[]) => sendRequests(requests).flatMap((request) => (request.body as { recipients: string[] }).recipients);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, offset) => phoneOf(from + offset));
/** n8n loads the static data from its database: a copy, as JSON. */
const loaded = (staticData: IDataObject | undefined) => JSON.parse(JSON.stringify(staticData ?? {})) as IDataObject;

/** 40 people, the 9th send answered 500: 8 sent, the 9th's fate unknown, the run stopped. */
async function failedBroadcast(options: IDataObject = {}) {
	await sandbox.control.addFault({ method: 'POST', path: '/sms/send/', status: 500, after: 8 });
	const first = await sandbox.run(broadcast(options), { items: people(40), mode: 'webhook', staticData: {} });
	expect(first.error?.message).toMatch(/^INTERNAL_ERROR: Injected fault \(HTTP 500\)/);
	expect(first.error?.message).toContain('The SMS may or may not have been sent: it was not sent again');
	expect(sentNumbers(await sandbox.requests())).toEqual(range(0, 9));
	// n8n saves the static data of a failed execution that is not manual.
	expect(first.savedStaticData).toBeDefined();
	await sandbox.control.clearRequests();
	return first;
}

/** Item 8 (the 500) in a later run: left out, and said so. */
const unknownSkipped = () => ({
	json: {
		skipped: true,
		reason: 'REPEAT',
		repeats_skipped: [{ phone: phoneOf(8), message_id: null, sent_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$/), status: 'unknown' }],
	},
	pairedItem: { item: 8 },
});

function expectRepeatOf(item: { json: IDataObject }, index: number, messageId: unknown) {
	expect(item.json).toEqual({
		skipped: true,
		reason: 'REPEAT',
		repeats_skipped: [{ phone: phoneOf(index), message_id: messageId, sent_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$/), status: 'sent' }],
	});
}

describe('a broadcast that failed at the 9th of 40 sends, run again', () => {
	test("n8n's retry (mode retry, the failed execution's static data) sends the 31 never tried, not the 8, not the unknown one", async () => {
		const first = await failedBroadcast();
		const retry = await sandbox.run(broadcast(), { items: people(40), mode: 'retry', staticData: loaded(first.savedStaticData) });
		expect(retry.error).toBeUndefined();
		expect(sentNumbers(await sandbox.requests())).toEqual(range(9, 40));
		expect(retry.items).toHaveLength(40);
		for (let index = 0; index < 8; index++) expectRepeatOf(retry.items[index], index, expect.stringMatching(/^msg_/));
		expect(retry.items[8]).toEqual(unknownSkipped());
		retry.items.slice(9).forEach((item, offset) => {
			expect(item.pairedItem).toEqual({ item: 9 + offset });
			expect(item.json).toMatchObject({ recipients: [phoneOf(9 + offset)], status: 'sent' });
		});
		// Each of the 39 numbers that can have it got it once; the 9th got it at most once.
		const messages = await sandbox.control.messages();
		expect(messages.flatMap((message) => message.recipients).sort()).toEqual([...range(0, 8), ...range(9, 40)].sort());
	});

	test('a fresh execution after an n8n restart (only the static data left) sends the same 31', async () => {
		const first = await failedBroadcast();
		forgetSendRecords();
		const again = await sandbox.run(broadcast(), { items: people(40), mode: 'webhook', staticData: loaded(first.savedStaticData) });
		expect(again.error).toBeUndefined();
		expect(sentNumbers(await sandbox.requests())).toEqual(range(9, 40));
		expect(again.items[8].json).toMatchObject({ skipped: true, reason: 'REPEAT' });
	});

	test('a run from an older copy of the static data (a retry of an earlier execution) is stopped by the record in the process', async () => {
		await failedBroadcast();
		const again = await sandbox.run(broadcast(), { items: people(40), mode: 'retry', staticData: {} });
		expect(sentNumbers(await sandbox.requests())).toEqual(range(9, 40));
		// What it writes back holds the first run's sends too, for the runs after a restart.
		forgetSendRecords();
		await sandbox.control.clearRequests();
		const third = await sandbox.run(broadcast(), { items: people(40), mode: 'webhook', staticData: loaded(again.savedStaticData) });
		expect(sendRequests(await sandbox.requests())).toEqual([]);
		expect(third.items.every((item) => item.json.skipped === true)).toBe(true);
	});

	test('with Repeat Unknown Sends on, the unknown one is sent again too (32), and its output says so', async () => {
		const first = await failedBroadcast();
		const retry = await sandbox.run(broadcast({ repeatUnknown: true }), { items: people(40), mode: 'retry', staticData: loaded(first.savedStaticData) });
		expect(sentNumbers(await sandbox.requests())).toEqual(range(8, 40));
		expect(retry.items[8].json).toMatchObject({
			recipients: [phoneOf(8)],
			status: 'sent',
			repeated_unknown: [{ phone: phoneOf(8), sent_at: expect.stringMatching(/Z$/) }],
		});
		expect(retry.items[9].json.repeated_unknown).toBeUndefined();
	});

	test('Combine Items: the retry sends exactly the numbers of the requests that did not go out', async () => {
		// 40 items, 5 numbers a request: 8 requests; the 3rd fails, so 10 sent, 5 unknown, 25 never tried.
		await sandbox.control.addFault({ method: 'POST', path: '/sms/send/', status: 500, after: 2 });
		const options = { batchItems: true, recipientsPerRequest: 5 };
		const first = await sandbox.run(broadcast(options), { items: people(40), mode: 'webhook', staticData: {} });
		expect(first.error?.message).toMatch(/^INTERNAL_ERROR/);
		expect(sentNumbers(await sandbox.requests())).toEqual(range(0, 15));
		await sandbox.control.clearRequests();
		forgetSendRecords();
		const retry = await sandbox.run(broadcast(options), { items: people(40), mode: 'retry', staticData: loaded(first.savedStaticData) });
		const requests = sendRequests(await sandbox.requests());
		expect(requests.map((request) => (request.body as { recipients: string[] }).recipients)).toEqual([
			range(15, 20),
			range(20, 25),
			range(25, 30),
			range(30, 35),
			range(35, 40),
		]);
		expect(retry.items.slice(10, 15).map((item) => item.json.repeats_skipped)).toEqual(
			range(10, 15).map((phone) => [{ phone, message_id: null, sent_at: expect.any(String), status: 'unknown' }]),
		);
		expect(retry.items[15].json).toMatchObject({ recipients: [phoneOf(15)], status: 'sent' });
	});
});

describe('a webhook delivered twice', () => {
	const order = { order_id: 'A-1024', phone: '0712 345 678', text: 'Oda yako A-1024 imethibitishwa.' };
	const confirm = (options: IDataObject = {}): INodeParameters => ({
		resource: 'sms',
		operation: 'send',
		message: '={{ $json.text }}',
		recipients: '={{ $json.phone }}',
		options: { messagesPerMinute: 0, repeatWindowHours: 24, ...options } as INodeParameters,
	});

	test('one second apart: one SMS; the second run outputs the first one\'s message_id', async () => {
		const first = await sandbox.run(confirm(), { items: [order], mode: 'webhook', staticData: {} });
		await new Promise((resolve) => setTimeout(resolve, 1000));
		const second = await sandbox.run(confirm(), { items: [order], mode: 'webhook', staticData: loaded(first.savedStaticData) });
		const requests = sendRequests(await sandbox.requests());
		expect(requests).toHaveLength(1);
		expectRequest(requests[0], { method: 'POST', path: '/sms/send/', body: { message: order.text, recipients: ['+255712345678'], sender_id: 'MIFUMO' } });
		expect(second.items).toEqual([
			{
				json: {
					skipped: true,
					reason: 'REPEAT',
					repeats_skipped: [{ phone: '+255712345678', message_id: first.items[0].json.message_id, sent_at: expect.any(String), status: 'sent' }],
				},
				pairedItem: { item: 0 },
			},
		]);
		// Nothing new to remember: n8n has nothing to save.
		expect(second.savedStaticData).toBeUndefined();
	});

	test('at the same moment (two executions in one process, both loaded the same static data): one SMS', async () => {
		const [a, b] = await Promise.all([
			sandbox.run(confirm(), { items: [order], mode: 'webhook', staticData: {} }),
			sandbox.run(confirm(), { items: [order], mode: 'webhook', staticData: {} }),
		]);
		expect(sendRequests(await sandbox.requests())).toHaveLength(1);
		const outputs = [a.items[0].json, b.items[0].json];
		const sent = outputs.filter((json) => json.status === 'sent');
		const skipped = outputs.filter((json) => json.skipped === true);
		expect(sent).toHaveLength(1);
		expect(skipped).toEqual([
			{ skipped: true, reason: 'REPEAT', repeats_skipped: [{ phone: '+255712345678', message_id: null, sent_at: expect.any(String), status: 'sending' }] },
		]);
	});

	test('with Idempotency Key {{ $json.order_id }}, a second delivery with another text sends nothing', async () => {
		const options = { idempotencyKey: '={{ $json.order_id }}' };
		const first = await sandbox.run(confirm(options), { items: [order], mode: 'webhook', staticData: {} });
		forgetSendRecords();
		const changed = { ...order, text: 'Oda yako A-1024 imethibitishwa. Asante!' };
		const second = await sandbox.run(confirm(options), { items: [changed], mode: 'webhook', staticData: loaded(first.savedStaticData) });
		expect(sendRequests(await sandbox.requests())).toHaveLength(1);
		expect(second.items[0].json).toMatchObject({ skipped: true, reason: 'REPEAT' });
		// Another order to the same number is sent.
		const third = await sandbox.run(confirm(options), { items: [{ ...order, order_id: 'A-1025' }], mode: 'webhook', staticData: loaded(first.savedStaticData) });
		expect(third.items[0].json).toMatchObject({ status: 'sent', recipients: ['+255712345678'] });
	});

	test('an Idempotency Key with Repeat Window left unset is remembered for a day: the second delivery sends nothing', async () => {
		const keyOnly: INodeParameters = { ...confirm(), options: { messagesPerMinute: 0, idempotencyKey: '={{ $json.order_id }}' } };
		const first = await sandbox.run(keyOnly, { items: [order], mode: 'webhook', staticData: {} });
		forgetSendRecords();
		const second = await sandbox.run(keyOnly, { items: [{ ...order, text: 'Oda yako imebadilika.' }], mode: 'webhook', staticData: loaded(first.savedStaticData) });
		expect(sendRequests(await sandbox.requests())).toHaveLength(1);
		expect(second.items[0].json).toMatchObject({ skipped: true, reason: 'REPEAT' });
	});

	test('without a key, another text to the same number is sent', async () => {
		const first = await sandbox.run(confirm(), { items: [order], mode: 'webhook', staticData: {} });
		const second = await sandbox.run(confirm(), { items: [{ ...order, text: 'Oda yako imefika.' }], mode: 'webhook', staticData: loaded(first.savedStaticData) });
		expect(sendRequests(await sandbox.requests())).toHaveLength(2);
		expect(second.items[0].json).toMatchObject({ status: 'sent' });
		// Both texts are remembered: the first one again is a repeat.
		const third = await sandbox.run(confirm(), { items: [order], mode: 'webhook', staticData: loaded(second.savedStaticData) });
		expect(third.items[0].json).toMatchObject({ skipped: true, reason: 'REPEAT' });
	});
});

describe('what is recorded', () => {
	test('Dry Run records nothing, and shows the repeats a real run would leave out', async () => {
		const dry = await sandbox.run(broadcast({ dryRun: true }), { items: people(2), mode: 'webhook', staticData: {} });
		expect(dry.savedStaticData).toBeUndefined();
		expect(dry.items.map((item) => item.json.dry_run)).toEqual([true, true]);
		const real = await sandbox.run(broadcast(), { items: people(2), mode: 'webhook', staticData: {} });
		expect(real.items.map((item) => item.json.status)).toEqual(['sent', 'sent']);
		const dryAfter = await sandbox.run(broadcast({ dryRun: true }), { items: people(3), mode: 'webhook', staticData: loaded(real.savedStaticData) });
		expect(dryAfter.items.map((item) => item.json.skipped ?? item.json.dry_run)).toEqual([true, true, true]);
		expect(dryAfter.items[0].json.reason).toBe('REPEAT');
		expect(dryAfter.items[2].json).toMatchObject({ dry_run: true, recipients: [phoneOf(2)] });
		expect(sendRequests(await sandbox.requests())).toHaveLength(2);
	});

	test('a request Mifumo refused (not processed) is not recorded: the next run sends it', async () => {
		await sandbox.control.addFault({ method: 'POST', path: '/sms/send/', status: 400, body: { success: false, message: 'Sender ID not approved', error_code: 'INVALID_SENDER_ID' } });
		const first = await sandbox.run(broadcast(), { items: people(1), mode: 'webhook', staticData: {} });
		expect(first.error?.message).toMatch(/^INVALID_SENDER_ID/);
		const second = await sandbox.run(broadcast(), { items: people(1), mode: 'webhook', staticData: loaded(first.savedStaticData) });
		expect(second.items[0].json).toMatchObject({ status: 'sent', recipients: [phoneOf(0)] });
		const third = await sandbox.run(broadcast(), { items: people(1), mode: 'webhook', staticData: loaded(second.savedStaticData) });
		expect(third.items[0].json).toMatchObject({ skipped: true, reason: 'REPEAT' });
	});

	test('one item with many numbers: the repeats are left out and listed, the rest are sent', async () => {
		const parameters = { ...broadcast(), recipients: range(0, 3).join(', ') };
		const first = await sandbox.run(parameters, { mode: 'webhook', staticData: {} });
		await sandbox.control.clearRequests();
		const more = { ...broadcast(), recipients: range(0, 5).join(', ') };
		const second = await sandbox.run(more, { mode: 'webhook', staticData: loaded(first.savedStaticData) });
		expect(sentNumbers(await sandbox.requests())).toEqual(range(3, 5));
		expect(second.items[0].json).toMatchObject({
			recipients: range(3, 5),
			repeats_skipped: range(0, 3).map((phone) => ({ phone, message_id: first.items[0].json.message_id, sent_at: expect.any(String), status: 'sent' })),
		});
	});

	test('a split message is one send: its parts are not sent again', async () => {
		const long = `${TEXT} ${'Tafadhali fika mapema, tutaanza kwa wakati. '.repeat(4)}`;
		const parameters = { ...broadcast({ longMessages: 'split' }), message: long };
		const first = await sandbox.run(parameters, { items: people(1), mode: 'webhook', staticData: {} });
		expect(first.items.length).toBeGreaterThan(1);
		const second = await sandbox.run(parameters, { items: people(1), mode: 'webhook', staticData: loaded(first.savedStaticData) });
		expect(sendRequests(await sandbox.requests())).toHaveLength(first.items.length);
		expect(second.items).toHaveLength(1);
		expect(second.items[0].json.reason).toBe('REPEAT');
	});

	test('a manual run (from the editor) says that n8n keeps its record only until a restart', async () => {
		const run = await sandbox.run(broadcast(), { items: people(1) });
		expect(run.run.data.resultData.runData['Mifumo SMS'][0].hints).toEqual([
			{
				message:
					'Repeat Window: n8n does not save the static data of runs started from the editor, so these sends are remembered only until n8n restarts. Production runs (trigger, webhook, schedule, retry) are saved with the workflow.',
				type: 'info',
				location: 'outputPane',
			},
		]);
		const webhook = await sandbox.run(broadcast(), { items: people(2), mode: 'webhook', staticData: {} });
		expect(webhook.run.data.resultData.runData['Mifumo SMS'][0].hints).toEqual([]);
	});

});

describe('Send to Segment', () => {
	const SEGMENT = 'seg-parents';
	const contacts = Array.from({ length: 6 }, (_, index) => ({ contact_id: `p${index}`, name: `Mzazi ${index}`, phone_number: phoneOf(index), tags: ['parents'] }));
	const parameters = (options: IDataObject = {}): INodeParameters => ({
		resource: 'sms',
		operation: 'sendToSegment',
		segmentId: SEGMENT,
		message: 'Habari {{name}}, mkutano ni kesho.',
		options: { messagesPerMinute: 0, repeatWindowHours: 24, recipientsPerRequest: 2, ...options } as INodeParameters,
	});

	test('a segment send that failed half-way, run again, reaches only the contacts not yet sent', async () => {
		await sandbox.control.seed({ contacts: contacts.slice(0, 4), segments: [{ segment_id: SEGMENT, name: 'Parents', criteria: { tags: ['parents'] } }] });
		const first = await sandbox.run(parameters(), { mode: 'webhook', staticData: {} });
		expect(first.items).toHaveLength(4);
		await sandbox.control.seed({ contacts: contacts.slice(4) });
		await sandbox.control.clearRequests();
		const second = await sandbox.run(parameters(), { mode: 'webhook', staticData: loaded(first.savedStaticData) });
		expect(sentNumbers(await sandbox.requests()).sort()).toEqual(range(4, 6));
		expect(second.items).toHaveLength(2);
		expect((second.items[0].json.repeats_skipped as IDataObject[]).map((repeat) => repeat.phone).sort()).toEqual(range(0, 4));
		const third = await sandbox.run(parameters(), { mode: 'webhook', staticData: loaded(second.savedStaticData) });
		expect(third.items).toHaveLength(1);
		expect(third.items[0].json).toMatchObject({ skipped: true, reason: 'REPEAT' });
		expect((third.items[0].json.repeats_skipped as IDataObject[])).toHaveLength(6);
	});
});

describe('bad input: a clear error, nothing sent', () => {
	const one = { phone: '0712 345 678', order: { id: 7 } };
	const cases: Array<[string, IDataObject, string]> = [
		[
			'a negative window',
			{ repeatWindowHours: -1 },
			'Options → Repeat Window (Hours) must be a number of hours of at least 0, not -1. Use e.g. 24 to send each text to a number at most once a day, or 0 to turn it off. Nothing was sent.',
		],
		[
			'a window that is not a number',
			{ repeatWindowHours: 'a day' },
			'Options → Repeat Window (Hours) must be a number of hours of at least 0, not "a day". Use e.g. 24 to send each text to a number at most once a day, or 0 to turn it off. Nothing was sent.',
		],
		[
			'a key expression that gives an object',
			{ idempotencyKey: '={{ $json.order }}' },
			'Options → Idempotency Key must be text or a number, not {"id":7}. Map one field, e.g. {{ $json.order_id }}, not an object. Nothing was sent.',
		],
		[
			'a key expression that gives nothing',
			{ idempotencyKey: '={{ $json.order_id }}' },
			'Options → Idempotency Key is empty for this item: its expression {{ $json.order_id }} gave nothing. Map a value every item has, e.g. {{ $json.order_id }}. Nothing was sent.',
		],
		[
			'a key without a window',
			{ repeatWindowHours: 0, idempotencyKey: 'A-1' },
			'Options → Idempotency Key needs Options → Repeat Window (Hours): how long a key is remembered, e.g. 24. Nothing was sent.',
		],
	];
	test.each(cases)('%s', async (_name, options, message) => {
		const run = await sandbox.run(broadcast(options), { items: [one], mode: 'webhook', staticData: {}, continueOnFail: true });
		expect(run.items).toEqual([{ json: { error: message, errorCode: 'INVALID_PARAMETER' }, pairedItem: { item: 0 } }]);
		expect(await sandbox.requests()).toEqual([]);
		expect(run.savedStaticData).toBeUndefined();
	});
});
