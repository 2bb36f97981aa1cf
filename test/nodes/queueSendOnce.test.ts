/**
 * Send once in queue mode (EXECUTIONS_MODE=queue): n8n 2.x starts a queued execution on a worker
 * without the workflow's static data, so the record every worker checks is kept in n8n's queue
 * Redis (a real redis-server on loopback). Each run here goes through n8n's engine with empty
 * static data, as a worker gets it, and `forgetSendRecords()` stands for another worker process.
 */
import type { IDataObject, INodeParameters, NodeExecutionHint } from 'n8n-workflow';

import { forgetSendRecords } from '../../nodes/Mifumo/actions/sms/sendOnce';
import { closeClusterConnections } from '../../nodes/Mifumo/transport/clusterPace';
import { useQueueModeRedis } from '../helpers/redis';
import { useSandbox, type LoggedRequest } from '../helpers/sandbox';

const sandbox = useSandbox({ rateLimits: { smsPerMinute: null, callsPerHour: null, contactOpsPerHour: null } });
const redis = useQueueModeRedis();
beforeEach(() => forgetSendRecords());

const TEXT = 'Karibu! Oda yako imepokelewa.';
const phoneOf = (index: number) => `+255${712_000_300 + index}`;
const SECOND_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

function order(options: IDataObject = {}): INodeParameters {
	return {
		resource: 'sms',
		operation: 'send',
		message: TEXT,
		recipients: '={{ $json.phones }}',
		senderId: 'MIFUMO',
		options: { messagesPerMinute: 0, repeatWindowHours: 24, ...options } as INodeParameters,
	};
}

/** One execution on a worker: the webhook's item, no static data (n8n 2.x hands a queued execution none). */
const onWorker = (parameters: INodeParameters, phones: string[]) =>
	sandbox.run(parameters, { items: [{ phones: phones.join(',') }], mode: 'webhook', staticData: {} });

const sentNumbers = (requests: LoggedRequest[]) =>
	requests.filter((request) => request.path.endsWith('/sms/send/')).flatMap((request) => (request.body as { recipients: string[] }).recipients);
const onceKeys = () => redis.cli('KEYS', 'bull:n8n-nodes-mifumo:once:*').split('\n').filter(Boolean);
const hintsOf = (run: Awaited<ReturnType<typeof onWorker>>) => (run.run.data.resultData.runData['Mifumo SMS'][0].hints ?? []) as NodeExecutionHint[];

test('the same webhook run on a second worker sends nothing: the first worker\'s send is found in Redis, with its message_id', async () => {
	const first = await onWorker(order(), [phoneOf(0), phoneOf(1)]);
	expect(first.error).toBeUndefined();
	const messageId = first.items[0].json.message_id;
	expect(typeof messageId).toBe('string');
	expect(hintsOf(first)).toEqual([]);
	// One key per number, kept as long as the window (24 h).
	const keys = onceKeys();
	expect(keys).toHaveLength(2);
	expect(redis.cli('GET', keys[0])).toMatch(new RegExp(`^s \\d+ ${messageId as string}$`));
	expect(Number(redis.cli('PTTL', keys[0]))).toBeGreaterThan(24 * 3_600_000 - 60_000);

	forgetSendRecords();
	const second = await onWorker(order(), [phoneOf(0), phoneOf(1), phoneOf(2)]);
	expect(second.error).toBeUndefined();
	expect(second.items).toEqual([
		{
			json: expect.objectContaining({
				recipients: [phoneOf(2)],
				repeats_skipped: [
					{ phone: phoneOf(0), message_id: messageId, sent_at: expect.stringMatching(SECOND_ISO), status: 'sent' },
					{ phone: phoneOf(1), message_id: messageId, sent_at: expect.stringMatching(SECOND_ISO), status: 'sent' },
				],
			}),
			pairedItem: { item: 0 },
		},
	]);
	expect(sentNumbers(await sandbox.requests())).toEqual([phoneOf(0), phoneOf(1), phoneOf(2)]);

	forgetSendRecords();
	const third = await onWorker(order(), [phoneOf(2)]);
	expect(third.items).toEqual([
		{
			json: {
				skipped: true,
				reason: 'REPEAT',
				repeats_skipped: [{ phone: phoneOf(2), message_id: second.items[0].json.message_id, sent_at: expect.stringMatching(SECOND_ISO), status: 'sent' }],
			},
			pairedItem: { item: 0 },
		},
	]);
	expect(sentNumbers(await sandbox.requests())).toHaveLength(3);
});

test('two workers at the same moment: the second finds the first one\'s request in flight and leaves its numbers out', async () => {
	// The first worker's request takes 800 ms to be answered.
	await sandbox.control.addFault({ method: 'POST', path: '/sms/send/', action: 'delay', delayMs: 800 });
	const first = onWorker(order(), [phoneOf(0), phoneOf(1)]);
	await new Promise((resolve) => setTimeout(resolve, 300));
	forgetSendRecords();
	const second = await onWorker(order(), [phoneOf(1), phoneOf(2)]);
	expect((await first).error).toBeUndefined();
	expect(second.error).toBeUndefined();
	expect(second.items[0].json).toMatchObject({
		recipients: [phoneOf(2)],
		repeats_skipped: [{ phone: phoneOf(1), message_id: null, sent_at: expect.stringMatching(SECOND_ISO), status: 'sending' }],
	});
	expect(sentNumbers(await sandbox.requests()).sort()).toEqual([phoneOf(0), phoneOf(1), phoneOf(2)]);
});

test('a request that surely failed (400) frees its numbers in Redis: a retry on another worker sends them', async () => {
	await sandbox.control.addFault({ method: 'POST', path: '/sms/send/', status: 400, body: { success: false, message: 'Sender ID not approved', error_code: 'INVALID_SENDER_ID' } });
	const failed = await onWorker(order(), [phoneOf(0)]);
	expect(failed.error).toBeDefined();
	expect(onceKeys()).toEqual([]);

	forgetSendRecords();
	const retry = await onWorker(order(), [phoneOf(0)]);
	expect(retry.error).toBeUndefined();
	expect(retry.items[0].json.recipients).toEqual([phoneOf(0)]);
	expect(sentNumbers(await sandbox.requests())).toEqual([phoneOf(0), phoneOf(0)]);
});

test('a request of unknown fate (500) is kept out on every worker, unless Repeat Unknown Sends; each send is listed', async () => {
	await sandbox.control.addFault({ method: 'POST', path: '/sms/send/', status: 500 });
	const failed = await onWorker(order(), [phoneOf(0)]);
	expect(failed.error?.message).toContain('The SMS may or may not have been sent');

	forgetSendRecords();
	const retry = await onWorker(order(), [phoneOf(0)]);
	expect(retry.items[0].json).toEqual({
		skipped: true,
		reason: 'REPEAT',
		repeats_skipped: [{ phone: phoneOf(0), message_id: null, sent_at: expect.stringMatching(SECOND_ISO), status: 'unknown' }],
	});

	forgetSendRecords();
	const repeated = await onWorker(order({ repeatUnknown: true }), [phoneOf(0)]);
	expect(repeated.error).toBeUndefined();
	expect(repeated.items[0].json).toMatchObject({
		recipients: [phoneOf(0)],
		repeated_unknown: [{ phone: phoneOf(0), sent_at: expect.stringMatching(SECOND_ISO) }],
	});
	expect(sentNumbers(await sandbox.requests())).toEqual([phoneOf(0), phoneOf(0)]);
	expect(redis.cli('GET', onceKeys()[0])).toMatch(/^s \d+ /);
});

test('a dry run on another worker lists the repeats and claims nothing', async () => {
	await onWorker(order(), [phoneOf(0)]);
	forgetSendRecords();
	const dry = await onWorker(order({ dryRun: true }), [phoneOf(0), phoneOf(1)]);
	expect(dry.items[0].json).toMatchObject({
		dry_run: true,
		recipients: [phoneOf(1)],
		repeats_skipped: [{ phone: phoneOf(0), status: 'sent' }],
	});
	expect(onceKeys()).toHaveLength(1);

	forgetSendRecords();
	const real = await onWorker(order(), [phoneOf(1)]);
	expect(real.items[0].json.recipients).toEqual([phoneOf(1)]);
});

test('Combine Items on two workers: each item keeps only the numbers no worker sent, and an item left with none says so', async () => {
	const items = (phones: string[][]) => phones.map((list) => ({ phones: list.join(',') }));
	const combined = order({ batchItems: true });
	await sandbox.run(combined, { items: items([[phoneOf(0)], [phoneOf(1)]]), mode: 'webhook', staticData: {} });
	forgetSendRecords();
	const second = await sandbox.run(combined, { items: items([[phoneOf(0)], [phoneOf(1), phoneOf(2)]]), mode: 'webhook', staticData: {} });
	expect(second.error).toBeUndefined();
	expect(second.items.map((item) => [item.pairedItem, item.json.skipped ?? false, item.json.recipients ?? null])).toEqual([
		[{ item: 0 }, true, null],
		[{ item: 1 }, false, [phoneOf(2)]],
	]);
	expect(sentNumbers(await sandbox.requests())).toEqual([phoneOf(0), phoneOf(1), phoneOf(2)]);
});

test('Send to Segment on a second worker: a request keeps only the contacts no worker sent, and names them', async () => {
	const contacts = Array.from({ length: 5 }, (_, index) => ({ contact_id: `c${index}`, name: `Mteja ${index}`, phone_number: phoneOf(index), tags: ['wateja'] }));
	const segment = (): INodeParameters => ({
		resource: 'sms',
		operation: 'sendToSegment',
		segmentId: 'seg-wateja',
		message: TEXT,
		options: { messagesPerMinute: 0, repeatWindowHours: 24, recipientsPerRequest: 3 } as INodeParameters,
	});
	await sandbox.control.seed({ contacts: contacts.slice(0, 3), segments: [{ segment_id: 'seg-wateja', name: 'Wateja', criteria: { tags: ['wateja'] } }] });
	await sandbox.run(segment(), { mode: 'webhook', staticData: {} });
	await sandbox.control.seed({ contacts: contacts.slice(3) });
	await sandbox.control.clearRequests();

	forgetSendRecords();
	const second = await sandbox.run(segment(), { mode: 'webhook', staticData: {} });
	expect(second.error).toBeUndefined();
	// Requests of 3 out of 5 contacts: one loses the numbers sent before, or goes out on none; each contact ID stays beside its number.
	const sentTo = second.items.flatMap((item) => (item.json.recipients as string[]).map((phone, index) => [phone, (item.json.contacts as string[])[index]]));
	expect(sentTo.sort()).toEqual([
		[phoneOf(3), 'c3'],
		[phoneOf(4), 'c4'],
	]);
	expect(second.items).toHaveLength(1);
	expect((second.items[0].json.repeats_skipped as IDataObject[]).map((repeat) => repeat.phone).sort()).toEqual([phoneOf(0), phoneOf(1), phoneOf(2)]);
	expect(sentNumbers(await sandbox.requests()).sort()).toEqual([phoneOf(3), phoneOf(4)]);

	forgetSendRecords();
	const third = await sandbox.run(segment(), { mode: 'webhook', staticData: {} });
	expect(third.items).toHaveLength(1);
	expect(Object.keys(third.items[0].json).sort()).toEqual(['reason', 'repeats_skipped', 'skipped']);
	expect(third.items[0].json).toMatchObject({ skipped: true, reason: 'REPEAT' });
	expect(third.items[0].json.repeats_skipped).toHaveLength(5);
	expect(sentNumbers(await sandbox.requests())).toHaveLength(2);
});

test('Redis not answering: this worker checks its own record only, sends once, and the run says why', async () => {
	process.env.QUEUE_BULL_REDIS_PORT = '1';
	const first = await onWorker(order(), [phoneOf(0)]);
	expect(first.error).toBeUndefined();
	expect(hintsOf(first)).toEqual([
		{
			message:
				'Repeat Window in queue mode: Redis at 127.0.0.1:1 did not answer (connect ECONNREFUSED 127.0.0.1:1), so this worker checked and kept its own record only: an execution of this workflow on another worker may send the same SMS to the same numbers. Nothing this worker sent is sent twice by it.',
			type: 'warning',
			location: 'outputPane',
		},
		{
			message:
				"The pace shared by n8n's queue-mode workers could not be used: Redis at 127.0.0.1:1 did not answer (connect ECONNREFUSED 127.0.0.1:1). This n8n process paced its SMS to the account by itself, so together with other workers the account may get more than Messages Per Minute; a rate-limit answer is still waited out and the SMS sent once. The shared pace resumes when Redis answers again.",
			type: 'warning',
			location: 'outputPane',
		},
	]);
	const again = await onWorker(order(), [phoneOf(0)]);
	expect(again.items[0].json).toMatchObject({ skipped: true, reason: 'REPEAT' });
	expect(sentNumbers(await sandbox.requests())).toEqual([phoneOf(0)]);
});

test('Redis stalled while a claim was on its way, then the request surely failed: the late claim is freed, so the number is not lost', async () => {
	// The claim times out after 2 s and the node goes on alone; Redis runs it when it resumes, at 2.3 s,
	// before the refusal comes back (2 s + 1.5 s).
	// A worker that has sent before: its connection to Redis is open.
	await onWorker(order(), [phoneOf(9)]);
	redis.cli('FLUSHALL');
	await sandbox.control.addFault({ method: 'POST', path: '/sms/send/', status: 400, delayMs: 1500, body: { success: false, message: 'Sender ID not approved', error_code: 'INVALID_SENDER_ID' } });
	redis.pause();
	const failing = onWorker(order(), [phoneOf(0)]);
	await new Promise((resolve) => setTimeout(resolve, 2300));
	redis.resume();
	expect((await failing).error?.message).toContain('Sender ID not approved');
	expect(onceKeys()).toEqual([]);

	forgetSendRecords();
	const retry = await onWorker(order(), [phoneOf(0)]);
	expect(retry.items[0].json.recipients).toEqual([phoneOf(0)]);
});

test('a Redis that takes the connection but does not answer (SIGSTOP) at a worker\'s first send: sent within 4 s on this worker\'s record, with the hint', async () => {
	// A first connection: the worker has not spoken to this Redis yet.
	closeClusterConnections();
	redis.pause();
	// Resumed after 8 s at the latest, so that a send that waits for it shows as a wait of 8 s.
	const resume = setTimeout(() => redis.resume(), 8000);
	try {
		const startedAt = Date.now();
		const run = await onWorker(order(), [phoneOf(0)]);
		expect(Date.now() - startedAt).toBeLessThan(3000);
		expect(run.items[0].json.recipients).toEqual([phoneOf(0)]);
		expect(hintsOf(run).map((hint) => hint.message)).toContainEqual(expect.stringMatching(/^Repeat Window in queue mode: Redis at 127\.0\.0\.1:\d+ did not answer \(.+\), so this worker checked/));
	} finally {
		clearTimeout(resume);
		redis.resume();
	}
	expect(sentNumbers(await sandbox.requests())).toEqual([phoneOf(0)]);
});
