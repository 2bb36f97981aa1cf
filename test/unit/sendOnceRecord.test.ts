/**
 * The send-once record's bounds, on the static data it writes: 100,000 numbers stay under 1.5 MB,
 * entries leave when their window ends, and beyond the cap the oldest go first.
 * (The engine tests in test/nodes/sendOnce.test.ts cover what a run does with it.)
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { MAX_RECORD_CHARS, SendOnceClaim, forgetSendRecords, type SendOnceSettings } from '../../nodes/Mifumo/actions/sms/sendOnce';

/** What the record reads of an execution: its workflow, node, mode and static data. */
function fakeRun(staticData: IDataObject): IExecuteFunctions {
	return {
		getWorkflow: () => ({ id: 'wf1', active: true }),
		getNode: () => ({ name: 'Mifumo SMS' }),
		getMode: () => 'webhook',
		getWorkflowStaticData: () => staticData,
		addExecutionHints: () => undefined,
	} as unknown as IExecuteFunctions;
}

const settings = (hours: number): SendOnceSettings => ({ windowMs: hours * 3_600_000, repeatUnknown: false, scope: 'MIFUMO\n' });
const numbers = (from: number, count: number) => Array.from({ length: count }, (_, index) => `+2557${String(from + index).padStart(8, '0')}`);

/** One run that sends `count` numbers, 100 to a request, each accepted with a UUID message_id. */
function sendRun(staticData: IDataObject, from: number, count: number, hours = 24): string[] {
	const claim = SendOnceClaim.open(fakeRun(staticData), settings(hours), false)!;
	const kept = claim.keep('Habari!', numbers(from, count));
	for (let start = 0; start < kept.length; start += 100) claim.accepted(kept.slice(start, start + 100), crypto.randomUUID());
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

test('an entry leaves the static data when its window ends', () => {
	jest.useFakeTimers({ now: Date.parse('2027-01-01T10:00:00Z') });
	const staticData: IDataObject = {};
	sendRun(staticData, 0, 5, 2);
	expect(sendRun(staticData, 0, 5, 2)).toEqual([]);
	jest.setSystemTime(Date.parse('2027-01-01T11:59:00Z'));
	expect(sendRun(staticData, 0, 5, 2)).toEqual([]);
	jest.setSystemTime(Date.parse('2027-01-01T12:01:00Z'));
	// Sent again once the two hours are over; the old entry is gone, the new one is all that is kept.
	expect(sendRun(staticData, 0, 5, 2)).toHaveLength(5);
	expect((staticData.sendOnce as string).split('\n')).toHaveLength(1);
});
