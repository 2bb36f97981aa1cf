/**
 * The send-once record's bounds, on the static data it writes: 100,000 numbers stay under 1.5 MB,
 * entries leave when their window ends, and beyond the cap the oldest go first; and what its
 * in-process index must keep straight: requests that report back out of order, claims released
 * over an earlier send, claims of a running item while another execution's static data is merged
 * or its text's index is built anew, and many texts passing the cap (the stored text cut at its start).
 * (The engine tests in test/nodes/sendOnce.test.ts cover what a run does with it.)
 */
import type { IDataObject, IExecuteFunctions, INode } from 'n8n-workflow';

import { MAX_RECORD_CHARS, SendOnceClaim, forgetSendRecords, type SendOnceSettings } from '../../nodes/Mifumo/actions/sms/sendOnce';
import { MifumoApiError } from '../../nodes/Mifumo/transport/errors';

/** What the record reads of an execution: its workflow, node, mode and static data. */
function fakeRun(staticData: IDataObject, workflowId = 'wf1'): IExecuteFunctions {
	return {
		getWorkflow: () => ({ id: workflowId, active: true }),
		getNode: () => ({ name: 'Mifumo SMS' }),
		getMode: () => 'webhook',
		getWorkflowStaticData: () => staticData,
		addExecutionHints: () => undefined,
	} as unknown as IExecuteFunctions;
}

const settings = (hours: number, repeatUnknown = false): SendOnceSettings => ({ windowMs: hours * 3_600_000, repeatUnknown, scope: 'MIFUMO\n' });
const numbers = (from: number, count: number) => Array.from({ length: count }, (_, index) => `+2557${String(from + index).padStart(8, '0')}`);

/** One run that sends `count` numbers, 100 to a request, each accepted with a UUID message_id. */
function sendRun(staticData: IDataObject, from: number, count: number, hours = 24, text = 'Habari!'): string[] {
	const claim = SendOnceClaim.open(fakeRun(staticData), settings(hours), false)!;
	const kept = claim.keep(text, numbers(from, count));
	for (let start = 0; start < kept.length; start += 100) claim.accepted(kept.slice(start, start + 100), crypto.randomUUID());
	claim.settle();
	return kept;
}

/** What a run would send of these numbers, looked at as a Dry Run does: nothing claimed or recorded. */
function wouldSend(staticData: IDataObject, text: string, list: string[]): string[] {
	const claim = SendOnceClaim.open(fakeRun(staticData), settings(24), true)!;
	const kept = claim.keep(text, list);
	claim.settle();
	return kept;
}

beforeEach(() => forgetSendRecords());
afterEach(() => jest.useRealTimers());

test('100,000 numbers sent 100 to a request take under 1.5 MB of static data, and are all remembered', () => {
	const staticData: IDataObject = {};
	for (let run = 0; run < 10; run++) sendRun(staticData, run * 10_000, 10_000);
	// In the same process (the record there), and…
	expect(sendRun(staticData, 0, 100_000)).toEqual([]);
	const stored = JSON.stringify(staticData);
	expect(stored.length).toBeLessThan(1_500_000);
	expect(stored.length).toBeGreaterThan(900_000);
	// …after a restart, from the static data alone: nothing of the 100,000 is sent again.
	forgetSendRecords();
	const again = JSON.parse(stored) as IDataObject;
	expect(sendRun(again, 0, 100_000)).toEqual([]);
});

test('beyond the cap the oldest sends are dropped first, the newest kept', () => {
	const staticData: IDataObject = {};
	for (let run = 0; run < 16; run++) sendRun(staticData, run * 10_000, 10_000);
	expect((staticData.sendOnce as string).length).toBeLessThanOrEqual(MAX_RECORD_CHARS);
	forgetSendRecords();
	const loaded = JSON.parse(JSON.stringify(staticData)) as IDataObject;
	// The newest 100,000 are remembered; the first ones were dropped and would go out again.
	expect(sendRun(loaded, 60_000, 100_000)).toEqual([]);
	expect(sendRun(loaded, 0, 100)).toHaveLength(100);
});

test('in the same process too, after dropping the oldest: the newest 100,000 are left out, the dropped ones sent', () => {
	const staticData: IDataObject = {};
	for (let run = 0; run < 16; run++) sendRun(staticData, run * 10_000, 10_000);
	expect(sendRun(staticData, 60_000, 100_000)).toEqual([]);
	expect(sendRun(staticData, 0, 100)).toHaveLength(100);
});

/** A 400 from Mifumo: the request surely did not go out. */
const refused = () => new MifumoApiError({ name: 'Mifumo SMS' } as INode, { errorCode: 'INVALID_REQUEST', message: 'Refused', httpStatus: 400 });

test('requests that report back in any order, one of them refused: the next run sends exactly the refused one', () => {
	const staticData: IDataObject = {};
	const claim = SendOnceClaim.open(fakeRun(staticData), settings(24), false)!;
	const kept = claim.keep('Habari!', numbers(0, 1_000));
	const requests = Array.from({ length: 10 }, (_, index) => kept.slice(index * 100, index * 100 + 100));
	// Last first, then the others backwards; the 5th refused.
	for (const index of [9, 8, 7, 6, 5, 3, 2, 1, 0]) claim.accepted(requests[index], `msg_${index}`);
	claim.failed(requests[4], refused());
	claim.settle();
	expect(sendRun(staticData, 0, 1_000)).toEqual(requests[4]);
	forgetSendRecords();
	expect(sendRun(JSON.parse(JSON.stringify(staticData)) as IDataObject, 0, 1_000)).toEqual([]);
});

test('a claim freed unsent puts back the earlier send it covered: an unknown one stays unknown', () => {
	const staticData: IDataObject = {};
	const first = SendOnceClaim.open(fakeRun(staticData), settings(24), false)!;
	first.failed(first.keep('Habari!', numbers(0, 3)), new Error('socket hang up'));
	first.settle();
	// Repeat Unknown Sends on: sent again, and this time surely refused.
	const second = SendOnceClaim.open(fakeRun(staticData), settings(24, true), false)!;
	const again = second.keep('Habari!', numbers(0, 3));
	expect(again).toEqual(numbers(0, 3));
	second.failed(again, refused());
	second.settle();
	const third = SendOnceClaim.open(fakeRun(staticData), settings(24), false)!;
	expect(third.keep('Habari!', numbers(0, 3))).toEqual([]);
	expect(third.repeats.map((repeat) => repeat.status)).toEqual(['unknown', 'unknown', 'unknown']);
	third.settle();
});

test("an item's claims hold while another execution's static data is merged into the record", () => {
	const staticData: IDataObject = {};
	const running = SendOnceClaim.open(fakeRun(staticData), settings(24), false)!;
	const kept = running.keep('Habari!', numbers(0, 200));
	running.accepted(kept.slice(0, 100), 'msg_first');
	// Sends this process's record never saw (as another n8n process would have stored them).
	const elsewhere: IDataObject = {};
	const otherProcess = SendOnceClaim.open(fakeRun(elsewhere, 'wf-elsewhere'), settings(24), false)!;
	otherProcess.accepted(otherProcess.keep('Habari!', numbers(5_000, 10)), 'msg_elsewhere');
	otherProcess.settle();
	// Another execution starts from static data that has them: the record is merged and indexed anew.
	const merged: IDataObject = { sendOnce: `${elsewhere.sendOnce as string}\n${staticData.sendOnce as string}` };
	const peer = SendOnceClaim.open(fakeRun(merged), settings(24), false)!;
	expect(peer.keep('Habari!', [...numbers(5_000, 10), ...kept.slice(99, 102)])).toEqual([]);
	expect(peer.repeats.map((repeat) => repeat.status)).toEqual([...Array(11).fill('sent'), 'sending', 'sending']);
	peer.settle();
	// The running item records the rest: they are its, and no one else's.
	running.accepted(kept.slice(100), 'msg_second');
	running.settle();
	const later = SendOnceClaim.open(fakeRun(merged), settings(24), false)!;
	expect(later.keep('Habari!', kept.slice(99, 102))).toEqual([]);
	expect(later.repeats.map((repeat) => repeat.message_id)).toEqual(['msg_first', 'msg_second', 'msg_second']);
	later.settle();
});

test('many texts, the cap passed twice over: the static data is exactly the newest sends, in the process and after a restart', () => {
	const staticData: IDataObject = {};
	const texts = Array.from({ length: 32 }, (_, index) => `Ofa ya wiki ${index}`);
	for (const text of texts) sendRun(staticData, 0, 10_000, 24, text);
	const stored = staticData.sendOnce as string;
	const lines = stored.split('\n');
	expect(stored.length).toBeLessThanOrEqual(MAX_RECORD_CHARS);
	// Whole lines, each once, each sent in this test's minutes.
	const nowMinute = Math.floor(Date.now() / 60_000);
	expect(lines.filter((line) => line.split(' ').length !== 6 || nowMinute - parseInt(line.split(' ')[0], 36) > 2)).toEqual([]);
	expect(new Set(lines).size).toBe(lines.length);
	// Which texts are still remembered, whole: the same in this process and in a fresh one.
	const remembered = (data: IDataObject) => texts.filter((text) => wouldSend(data, text, numbers(0, 10_000)).length === 0);
	const inProcess = remembered(staticData);
	forgetSendRecords();
	const loaded = JSON.parse(JSON.stringify(staticData)) as IDataObject;
	const afterRestart = remembered(loaded);
	expect(afterRestart).toEqual(inProcess);
	// Read back by a fresh process, nothing of it was dropped: its next send's line follows the same text.
	sendRun(loaded, 0, 1, 24, 'Mpya');
	expect((loaded.sendOnce as string).startsWith(`${stored}\n`)).toBe(true);
	// The newest ones, at least 100,000 numbers' worth.
	expect(inProcess.length).toBeGreaterThanOrEqual(10);
	expect(inProcess).toEqual(texts.slice(texts.length - inProcess.length));
});

test("an item's claims hold while the oldest sends of its text are dropped and that text's index is built anew", () => {
	const staticData: IDataObject = {};
	sendRun(staticData, 0, 5_000, 24, 'Karibu');
	const running = SendOnceClaim.open(fakeRun(staticData), settings(24), false)!;
	const kept = running.keep('Karibu', numbers(5_000, 5_000));
	// Other texts push the first 5,000 out of the record: the index of its text then holds only
	// dropped entries and the running item's claims, and is built anew.
	for (let run = 0; run < 15; run++) sendRun(staticData, 0, 10_000, 24, `Habari ${run}`);
	expect(wouldSend(staticData, 'Karibu', numbers(0, 5_000))).toHaveLength(5_000);
	running.accepted(kept.slice(0, 100), 'msg_first');
	const peer = SendOnceClaim.open(fakeRun(staticData), settings(24), false)!;
	expect(peer.keep('Karibu', kept)).toEqual([]);
	expect(peer.repeats.map((repeat) => repeat.status)).toEqual([...Array(100).fill('sent'), ...Array(4_900).fill('sending')]);
	peer.settle();
	running.accepted(kept.slice(100), 'msg_second');
	running.settle();
	forgetSendRecords();
	const later = SendOnceClaim.open(fakeRun(JSON.parse(JSON.stringify(staticData)) as IDataObject), settings(24), false)!;
	expect(later.keep('Karibu', kept)).toEqual([]);
	expect(new Set(later.repeats.map((repeat) => repeat.message_id))).toEqual(new Set(['msg_first', 'msg_second']));
	later.settle();
});

test('an item with two texts whose requests report back out of order: each number recorded under its own text', () => {
	const staticData: IDataObject = {};
	const claim = SendOnceClaim.open(fakeRun(staticData), settings(24), false)!;
	const first = claim.keep('Habari Asha', numbers(0, 3));
	const second = claim.keep('Habari Juma', numbers(3, 1));
	claim.accepted(second, 'msg_juma');
	claim.accepted(first.slice(1), 'msg_asha_2');
	claim.accepted(first.slice(0, 1), 'msg_asha_1');
	claim.settle();
	forgetSendRecords();
	const loaded = JSON.parse(JSON.stringify(staticData)) as IDataObject;
	expect(wouldSend(loaded, 'Habari Asha', numbers(0, 4))).toEqual(numbers(3, 1));
	expect(wouldSend(loaded, 'Habari Juma', numbers(0, 4))).toEqual(numbers(0, 3));
});

test('an item with two texts that sent nothing frees the claims of both: the next run sends every number of each', () => {
	const staticData: IDataObject = {};
	const claim = SendOnceClaim.open(fakeRun(staticData), settings(24), false)!;
	expect(claim.keep('Habari Asha', numbers(0, 3))).toEqual(numbers(0, 3));
	expect(claim.keep('Habari Juma', numbers(3, 2))).toEqual(numbers(3, 2));
	// Its requests never went out (the input of a later field failed its checks, say).
	claim.settle();
	expect(wouldSend(staticData, 'Habari Asha', numbers(0, 5))).toEqual(numbers(0, 5));
	expect(wouldSend(staticData, 'Habari Juma', numbers(0, 5))).toEqual(numbers(0, 5));
	expect(staticData.sendOnce ?? '').toBe('');
});
