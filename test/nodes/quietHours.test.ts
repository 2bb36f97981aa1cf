/**
 * Options → Quiet Hours: a send inside the window goes out with schedule_time = the window's end,
 * in the workflow's time zone unless one is given; a Schedule Time inside the window moves the
 * same way. Through n8n's engine against the sandbox: the request that reached it, the items out.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { errorItem, expectRequest, useSandbox, type LoggedRequest } from '../helpers/sandbox';

const sandbox = useSandbox({ rateLimits: { smsPerMinute: null, callsPerHour: null, contactOpsPerHour: null } });

const TEXT = 'Ofa maalum: punguzo la 20% leo tu!';
const PHONE = '+255712345678';

function send(options: IDataObject, scheduleTime?: string, extra: IDataObject = {}): INodeParameters {
	return {
		resource: 'sms',
		operation: 'send',
		message: TEXT,
		recipients: '0712 345 678',
		senderId: 'MIFUMO',
		additionalFields: scheduleTime ? { scheduleTime } : {},
		options: { messagesPerMinute: 0, ...options } as INodeParameters,
		...extra,
	} as INodeParameters;
}

const sends = (requests: LoggedRequest[]) => requests.filter((request) => request.path.endsWith('/sms/send/'));
const body = (scheduleTime?: string) => ({ message: TEXT, recipients: [PHONE], sender_id: 'MIFUMO', ...(scheduleTime ? { schedule_time: scheduleTime } : {}) });
const hhmm = (date: Date) => date.toISOString().slice(11, 16);

async function expectOneSend(scheduleTime: string | undefined) {
	const requests = sends(await sandbox.requests());
	expect(requests).toHaveLength(1);
	expectRequest(requests[0], { method: 'POST', path: '/sms/send/', body: body(scheduleTime) });
}

describe('a send now', () => {
	test('inside the window: scheduled for its end, and the output says quiet_hours_delayed_to', async () => {
		// A window around this minute (UTC), so "now" is inside it whenever the test runs.
		const now = Date.now();
		const end = new Date(Math.floor(now / 60_000) * 60_000 + 60 * 60_000);
		const from = hhmm(new Date(now - 60 * 60_000));
		const expected = end.toISOString().replace('.000Z', 'Z');
		const run = await sandbox.run(send({ quietHours: { from, to: hhmm(end), timezone: 'UTC' } }));
		await expectOneSend(expected);
		expect(run.items).toEqual([
			{ json: expect.objectContaining({ status: 'scheduled', quiet_hours_delayed_to: expected }), pairedItem: { item: 0 } },
		]);
	});

	test('outside the window: sent at once, no field added (an item scheduled inside it is moved)', async () => {
		const now = Date.now();
		const from = new Date(Math.floor(now / 60_000) * 60_000 + 60 * 60_000);
		const to = new Date(from.getTime() + 60 * 60_000);
		const quietHours = { from: hhmm(from), to: hhmm(to), timezone: 'UTC' };
		const inside = new Date(from.getTime() + 10 * 60_000).toISOString();
		const run = await sandbox.run(send({ quietHours }, '={{ $json.at }}'), { items: [{ at: '' }, { at: inside }] });
		const requests = sends(await sandbox.requests());
		expect(requests.map((request) => (request.body as IDataObject).schedule_time)).toEqual([undefined, to.toISOString().replace('.000Z', 'Z')]);
		expect(run.items.map((item) => item.json.quiet_hours_delayed_to)).toEqual([undefined, to.toISOString().replace('.000Z', 'Z')]);
	});

	test('Dry Run shows the moved time', async () => {
		const now = Date.now();
		const end = new Date(Math.floor(now / 60_000) * 60_000 + 30 * 60_000);
		const expected = end.toISOString().replace('.000Z', 'Z');
		const run = await sandbox.run(send({ dryRun: true, quietHours: { from: hhmm(new Date(now - 30 * 60_000)), to: hhmm(end), timezone: 'UTC' } }));
		expect(run.items[0].json).toMatchObject({ dry_run: true, schedule_time: expected, quiet_hours_delayed_to: expected });
		expect(sends(await sandbox.requests())).toEqual([]);
	});
});

describe('a Schedule Time inside the window is moved to its end', () => {
	const cases: Array<[string, IDataObject, string, string, string | undefined]> = [
		// Africa/Dar_es_Salaam is UTC+3 all year: 22:30 there is 19:30Z; the end, 08:00, is 05:00Z the next day.
		['an evening time, in the workflow\'s time zone', {}, '2027-01-15T19:30:00Z', '2027-01-16T05:00:00Z', 'Africa/Dar_es_Salaam'],
		['an early-morning time (after midnight), same day\'s end', {}, '2027-01-16T03:00:00Z', '2027-01-16T05:00:00Z', 'Africa/Dar_es_Salaam'],
		// Europe/London springs forward on 28 March 2027 (01:00 GMT → 02:00 BST): 08:00 BST is 07:00Z.
		['Europe/London across the March change', { timezone: 'Europe/London' }, '2027-03-27T23:30:00Z', '2027-03-28T07:00:00Z', undefined],
		// …and falls back on 31 October 2027: 23:00 BST (22:00Z) moves to 08:00 GMT, 08:00Z.
		['Europe/London across the October change', { timezone: 'Europe/London' }, '2027-10-30T22:00:00Z', '2027-10-31T08:00:00Z', undefined],
		['a window that does not cross midnight', { from: '12:00', to: '14:00', timezone: 'UTC' }, '2027-02-01T12:30:00Z', '2027-02-01T14:00:00Z', undefined],
		['the given zone wins over the workflow\'s', { timezone: 'UTC' }, '2027-01-15T22:30:00Z', '2027-01-16T08:00:00Z', 'Africa/Dar_es_Salaam'],
	];
	test.each(cases)('%s', async (_name, quietHours, scheduleTime, expected, timezone) => {
		const run = await sandbox.run(send({ quietHours }, scheduleTime), { timezone });
		await expectOneSend(expected);
		expect(run.items[0].json.quiet_hours_delayed_to).toBe(expected);
	});

	test('a time at the end of the window (08:00) is kept, a minute before it is moved', async () => {
		await sandbox.run(send({ quietHours: { timezone: 'UTC' } }, '={{ $json.at }}'), { items: [{ at: '2027-01-16T08:00:00Z' }, { at: '2027-01-16T07:59:00Z' }] });
		const requests = sends(await sandbox.requests());
		expect(requests.map((request) => (request.body as IDataObject).schedule_time)).toEqual(['2027-01-16T08:00:00Z', '2027-01-16T08:00:00Z']);
		const run = await sandbox.run(send({ quietHours: { timezone: 'UTC' } }, '={{ $json.at }}'), { items: [{ at: '2027-01-16T08:00:00Z' }, { at: '2027-01-16T07:59:00Z' }] });
		expect(run.items.map((item) => item.json.quiet_hours_delayed_to)).toEqual([undefined, '2027-01-16T08:00:00Z']);
	});
});

test('Combine Items groups by the moved time: a send moved to 08:00 shares the request of one set for 08:00', async () => {
	const parameters = send({ batchItems: true, quietHours: { timezone: 'UTC' } }, '={{ $json.at }}', { recipients: '={{ $json.phone }}' });
	const run = await sandbox.run(parameters, {
		items: [
			{ phone: '0712 000 001', at: '2027-01-15T23:10:00Z' },
			{ phone: '0712 000 002', at: '2027-01-16T08:00:00Z' },
		],
	});
	const requests = sends(await sandbox.requests());
	expect(requests).toHaveLength(1);
	expectRequest(requests[0], {
		method: 'POST',
		path: '/sms/send/',
		body: { message: TEXT, recipients: ['+255712000001', '+255712000002'], sender_id: 'MIFUMO', schedule_time: '2027-01-16T08:00:00Z' },
	});
	expect(run.items[0].json.quiet_hours_delayed_to).toBe('2027-01-16T08:00:00Z');
	expect(run.items[1].json.quiet_hours_delayed_to).toBeUndefined();
});

test('Send to Segment: every request is scheduled for the end of the window', async () => {
	await sandbox.control.seed({
		contacts: [
			{ contact_id: 'a', name: 'Asha', phone_number: '+255712000001', tags: ['vip'] },
			{ contact_id: 'b', name: 'Juma', phone_number: '+255712000002', tags: ['vip'] },
		],
		segments: [{ segment_id: 'seg-vip', name: 'VIP', criteria: { tags: ['vip'] } }],
	});
	const run = await sandbox.run({
		resource: 'sms',
		operation: 'sendToSegment',
		segmentId: 'seg-vip',
		message: 'Habari {{name}}!',
		additionalFields: { scheduleTime: '2027-01-15T21:30:00Z' },
		options: { messagesPerMinute: 0, quietHours: { timezone: 'UTC' } },
	});
	const requests = sends(await sandbox.requests());
	expect(requests.map((request) => (request.body as IDataObject).schedule_time)).toEqual(['2027-01-16T08:00:00Z', '2027-01-16T08:00:00Z']);
	expect(run.items.map((item) => item.json.quiet_hours_delayed_to)).toEqual(['2027-01-16T08:00:00Z', '2027-01-16T08:00:00Z']);
});

describe('bad input: a clear error, nothing sent', () => {
	const cases: Array<[string, IDataObject, string]> = [
		[
			'a From that is not HH:MM',
			{ from: '9pm' },
			'Options → Quiet Hours → From must be a time as HH:MM (24-hour, e.g. 21:00), not "9pm". Nothing was sent.',
		],
		['a To of 24:00', { to: '24:00' }, 'Options → Quiet Hours → To must be a time as HH:MM (24-hour, e.g. 21:00), not "24:00". Nothing was sent.'],
		[
			'an unknown time zone',
			{ timezone: 'Africa/Dodoma' },
			'Options → Quiet Hours → Timezone "Africa/Dodoma" is not a known time zone. Use an IANA name such as Africa/Dar_es_Salaam or Europe/London, or leave it empty for the workflow\'s. Nothing was sent.',
		],
		[
			'the same From and To',
			{ from: '08:00', to: '08:00' },
			'Options → Quiet Hours has the same From and To: the window would be empty. Enter the time sending stops (e.g. 21:00) and the time it may start again (e.g. 08:00). Nothing was sent.',
		],
	];
	test.each(cases)('%s', async (_name, quietHours, message) => {
		const run = await sandbox.run(send({ quietHours }), { continueOnFail: true });
		expect(run.items).toEqual([errorItem(message, 'INVALID_PARAMETER')]);
		expect(await sandbox.requests()).toEqual([]);
	});
});
