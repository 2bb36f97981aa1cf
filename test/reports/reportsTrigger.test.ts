/**
 * Mifumo SMS Reports Trigger through n8n-core's poll path (pollHarness.ts) against the sandbox:
 * what each poll emits (the report records as the server sent them, each once), the exact
 * requests that reached the server, what the static data keeps, and what a failed poll leaves.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { MAX_REMEMBERED_REPORTS } from '../../nodes/MifumoReportsTrigger/memory';
import { ADMIN_KEY, expectRequest, useSandbox, type LoggedRequest } from '../helpers/sandbox';
import { pollingTrigger, type PollingTrigger } from './pollHarness';
import { HINTS } from '../../nodes/Mifumo/transport/errors';

const sb = useSandbox();

const ALL_EVENTS = ['sent', 'delivered', 'failed'];
const HOUR = 3_600_000;

function trigger(parameters: INodeParameters = { events: ALL_EVENTS }, apiKey = ADMIN_KEY): PollingTrigger {
	return pollingTrigger({ parameters, credentials: { apiKey, baseUrl: sb.url } });
}

/** The server's own report records (newest first), fetched directly. */
async function serverReports(query: Record<string, string> = {}): Promise<IDataObject[]> {
	const data = (await sb.serverData('/sms/delivery-reports/', { per_page: '100', ...query })) as { reports: IDataObject[] };
	return data.reports;
}

const report = (reports: IDataObject[], phone: string) => reports.find((record) => record.phone === phone)!;

/** One page request of a poll: start_date is the poll's time minus the look-back, to the second. */
function expectReportsRequest(
	request: LoggedRequest,
	window: { hours: number; from: number; to: number },
	query: Record<string, string> = {},
	page = 1,
) {
	const { start_date: startDate, ...rest } = request.query;
	expectRequest({ ...request, query: rest }, { method: 'GET', path: '/sms/delivery-reports/', query: { ...query, page: String(page), per_page: '100' } });
	expect(startDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
	const startMs = Date.parse(startDate as string);
	expect(startMs).toBeGreaterThanOrEqual(Math.floor((window.from - window.hours * HOUR) / 1000) * 1000);
	expect(startMs).toBeLessThanOrEqual(window.to - window.hours * HOUR);
}

async function timed<T>(action: () => Promise<T>): Promise<{ result: T; from: number; to: number }> {
	const from = Date.now();
	const result = await action();
	return { result, from, to: Date.now() };
}

/** Every recipient of the message reaches its natural outcome: delivered, or failed for numbers ending in 999. */
async function settle(messageId: string): Promise<void> {
	await (sb.control.advance as (id: string) => Promise<unknown>)(messageId);
}

async function send(recipients: string): Promise<string> {
	const result = await sb.run({ resource: 'sms', operation: 'send', message: 'Habari, mzigo wako umefika', recipients });
	expect(result.error).toBeUndefined();
	await sb.control.clearRequests();
	return result.items[0].json.message_id as string;
}

describe('Mifumo SMS Reports Trigger: polls', () => {
	it('the first poll records where it stands and emits nothing; later polls emit sent, then delivered and failed, each once', async () => {
		await sb.control.seed({ messages: [{ message_id: 'msg_before', recipients: ['+255712000100'], status: 'sent' }] });
		const reports = trigger();

		const first = await timed(() => reports.activate());
		expect(first.result).toEqual({ items: null });
		const firstRequests = await sb.requests();
		expect(firstRequests).toHaveLength(1);
		expectReportsRequest(firstRequests[0], { hours: 24, ...first });
		await sb.control.clearRequests();

		const messageId = await send('+255712000001, +255712000999');
		const second = await reports.poll();
		const sent = await serverReports();
		expect(second).toEqual({
			items: [
				{ json: report(sent, '+255712000001'), pairedItem: { item: 0 } },
				{ json: report(sent, '+255712000999'), pairedItem: { item: 1 } },
			],
		});
		expect(second.items!.map((item) => [item.json.message_id, item.json.status])).toEqual([
			[messageId, 'sent'],
			[messageId, 'sent'],
		]);
		expect(await reports.poll()).toEqual({ items: null });

		await settle(messageId);
		const third = await reports.poll();
		const final = await serverReports();
		expect(third).toEqual({
			items: [
				{ json: report(final, '+255712000001'), pairedItem: { item: 0 } },
				{ json: report(final, '+255712000999'), pairedItem: { item: 1 } },
			],
		});
		expect(third.items!.map((item) => item.json.status)).toEqual(['delivered', 'failed']);

		await sb.control.clearRequests();
		const fourth = await timed(() => reports.poll());
		expect(fourth.result).toEqual({ items: null });
		const requests = await sb.requests();
		expect(requests).toHaveLength(1);
		expectReportsRequest(requests[0], { hours: 24, ...fourth });
	});

	it('emits a report whose message was sent 5 hours ago and changed now (look-back 24 h), not with a 4 h look-back', async () => {
		const sentAt = new Date(Date.now() - 5 * HOUR).toISOString().replace(/\.\d{3}Z$/, 'Z');
		await sb.control.seed({ messages: [{ message_id: 'msg_old', recipients: ['+255712000002'], status: 'sent', sent_at: sentAt }] });
		const daily = trigger();
		const short = trigger({ events: ALL_EVENTS, options: { lookBackHours: 4 } });
		expect((await daily.activate()).items).toBeNull();
		expect((await short.activate()).items).toBeNull();

		await settle('msg_old');
		const [delivered] = await serverReports();
		expect(delivered).toMatchObject({ message_id: 'msg_old', status: 'delivered', sent_at: sentAt });
		await sb.control.clearRequests();

		expect(await daily.poll()).toEqual({ items: [{ json: delivered, pairedItem: { item: 0 } }] });
		const window = await timed(() => short.poll());
		expect(window.result).toEqual({ items: null });
		const requests = await sb.requests();
		expectReportsRequest(requests[requests.length - 1], { hours: 4, ...window });
	});

	it('a server that filters the window by last status change (updated_at): a report sent 30 h ago and delivered 1 h ago is emitted once, not at every poll', async () => {
		await sb.control.configure({ reportDateField: 'updated_at' });
		const hoursAgo = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString().replace(/\.\d{3}Z$/, 'Z');
		await sb.control.seed({ messages: [{ message_id: 'msg_late', recipients: ['+255712000007'], status: 'delivered', sent_at: hoursAgo(30), delivery_time: hoursAgo(1) }] });
		const reports = trigger();
		expect(await reports.activate()).toEqual({ items: null });
		expect((await sb.requests()).map((request) => request.status)).toEqual([200]);
		const [late] = await serverReports();
		expect(late).toMatchObject({ message_id: 'msg_late', status: 'delivered', sent_at: hoursAgo(30) });

		expect(await reports.poll()).toEqual({ items: null });
		expect(await reports.poll()).toEqual({ items: null });
		reports.restart();
		expect(await reports.poll()).toEqual({ items: null });

		const messageId = await send('+255712000008');
		await settle(messageId);
		expect((await reports.poll()).items!.map((item) => [item.json.phone, item.json.status])).toEqual([['+255712000008', 'delivered']]);
		expect(await reports.poll()).toEqual({ items: null });
	});

	it('reads every page of the window (per_page 100) and emits each new report once', async () => {
		const reports = trigger();
		await reports.activate();
		await sb.control.seed({ messages: { count: 25, recipients: 10, status: 'sent', intervalMs: 1000 } });
		await sb.control.clearRequests();

		const poll = await timed(() => reports.poll());
		expect(poll.result.items).toHaveLength(250);
		const keys = poll.result.items!.map((item) => `${item.json.message_id}|${item.json.phone}|${item.json.status}`);
		expect(new Set(keys).size).toBe(250);
		const requests = await sb.requests();
		expect(requests).toHaveLength(3);
		requests.forEach((request, index) => expectReportsRequest(request, { hours: 24, ...poll }, {}, index + 1));
		expect(await reports.poll()).toEqual({ items: null });
	});

	it('a poll that starts while the last one still runs gives way: nothing is read or emitted twice', async () => {
		const reports = trigger();
		await reports.activate();
		await send('+255712000006');
		await sb.control.addFault({ method: 'GET', path: '/sms/delivery-reports/', action: 'delay', delayMs: 1500, times: 1 });

		const slow = reports.poll();
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(await reports.poll()).toEqual({ items: null });
		expect((await slow).items!.map((item) => item.json.phone)).toEqual(['+255712000006']);
		expect(await sb.requests()).toHaveLength(1);
		expect(await reports.poll()).toEqual({ items: null });
	});

	it('after a restart (static data saved and loaded again) it emits nothing twice', async () => {
		const reports = trigger();
		await reports.activate();
		const messageId = await send('+255712000003');
		expect((await reports.poll()).items).toHaveLength(1);

		reports.restart();
		expect(await reports.poll()).toEqual({ items: null });
		await settle(messageId);
		expect((await reports.poll()).items!.map((item) => item.json.status)).toEqual(['delivered']);
	});

	it('a change of Trigger On starts afresh: the next poll records where it stands instead of emitting the backlog', async () => {
		const reports = trigger({ events: ['sent'] });
		await reports.activate();
		const messageId = await send('+255712000004');
		await settle(messageId);

		reports.workflow.getNode('Mifumo SMS Reports Trigger')!.parameters.events = ['delivered'];
		expect(await reports.poll()).toEqual({ items: null });
		const next = await send('+255712000005');
		await settle(next);
		expect((await reports.poll()).items!.map((item) => item.json.phone)).toEqual(['+255712000005']);
	});
});

describe('Mifumo SMS Reports Trigger: events', () => {
	beforeEach(async () => {
		await sb.control.seed({
			messages: [
				{ message_id: 'msg_sent', recipients: ['+255712000011'], status: 'sent' },
				{ message_id: 'msg_mixed', recipients: ['+255712000012', '+255712000999'] },
			],
		});
	});

	it('one event picked: asks with status= and emits only that status', async () => {
		const reports = trigger({ events: ['failed'] });
		await reports.activate();
		await settle(await send('+255712001999, +255712000013'));
		await sb.control.clearRequests();

		const poll = await timed(() => reports.poll());
		const requests = await sb.requests();
		expect(requests).toHaveLength(1);
		expectReportsRequest(requests[0], { hours: 24, ...poll }, { status: 'failed' });
		const failed = await serverReports({ status: 'failed' });
		expect(poll.result).toEqual({ items: [{ json: report(failed, '+255712001999'), pairedItem: { item: 0 } }] });
	});

	it('two events picked: asks without status and leaves the third out', async () => {
		const reports = trigger({ events: ['delivered', 'failed'] });
		await reports.activate();
		await send('+255712000014');
		const messageId = await send('+255712000015');
		await settle(messageId);
		await sb.control.clearRequests();

		const poll = await timed(() => reports.poll());
		const requests = await sb.requests();
		expect(requests).toHaveLength(1);
		expectReportsRequest(requests[0], { hours: 24, ...poll });
		const all = await serverReports();
		expect(poll.result).toEqual({ items: [{ json: report(all, '+255712000015'), pairedItem: { item: 0 } }] });
		expect(report(all, '+255712000014').status).toBe('sent');
	});

	it('manual mode ("Fetch Test Event") returns the newest matching report, and changes no state', async () => {
		const reports = trigger({ events: ['delivered'] });
		const newest = await timed(() => reports.fetchTestEvent());
		const delivered = await serverReports({ status: 'delivered' });
		expect(delivered).toHaveLength(1);
		expect(newest.result).toEqual({ items: [{ json: delivered[0], pairedItem: { item: 0 } }] });
		expect(reports.staticData()).toEqual({});

		await sb.control.seed({
			messages: [{ message_id: 'msg_newer', recipients: ['+255712000016'], status: 'delivered', sent_at: new Date(Date.now() + 60_000).toISOString() }],
		});
		expect((await reports.fetchTestEvent()).items!.map((item) => item.json.message_id)).toEqual(['msg_newer']);
	});

	it('manual mode returns nothing when no report matches', async () => {
		const reports = trigger({ events: ['delivered'], options: { lookBackHours: 1 } });
		await sb.control.reset();
		expect(await reports.fetchTestEvent()).toEqual({ items: null });
	});
});

describe("Mifumo SMS Reports Trigger: the server source's dialect", () => {
	// Mifumo's public server answers with `recipient` (no `phone`), UUIDs, `created_at` and no `sent_at`
	// on some records, and leaves `error_code` out; answered here through the sandbox's fault injection.
	const record = (recipient: string, status: string, createdAt: string) => ({
		message_id: '5b0c3f0e-7a51-4a39-9a8e-2f1d6c4b8e10',
		recipient,
		status,
		created_at: createdAt,
		delivered_at: status === 'sent' ? null : createdAt,
	});
	const answer = (reports: IDataObject[]) => ({
		method: 'GET',
		path: '/sms/delivery-reports/',
		status: 200,
		body: { success: true, timestamp: '2026-12-01T09:00:00Z', message: 'OK', data: { reports, pagination: { page: 1, per_page: 100, total: reports.length, pages: 1 } } },
	});
	const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

	it('keys reports by recipient and emits each change once', async () => {
		const first = record('+255712000041', 'sent', minutesAgo(10));
		const second = record('+255712000042', 'sent', minutesAgo(9));
		const reports = trigger();
		await sb.control.addFault(answer([second, first]));
		expect(await reports.activate()).toEqual({ items: null });

		const delivered = { ...first, status: 'delivered' };
		await sb.control.addFault(answer([second, delivered]));
		expect(await reports.poll()).toEqual({ items: [{ json: delivered, pairedItem: { item: 0 } }] });
		await sb.control.addFault(answer([second, delivered]));
		expect(await reports.poll()).toEqual({ items: null });
	});

	it('manual mode picks the newest by created_at, whatever the order of the answer', async () => {
		const older = record('+255712000043', 'failed', minutesAgo(30));
		const newer = record('+255712000044', 'failed', minutesAgo(5));
		await sb.control.addFault(answer([older, newer]));
		expect(await trigger({ events: ['failed'] }).fetchTestEvent()).toEqual({ items: [{ json: newer, pairedItem: { item: 0 } }] });
	});
});

describe('Mifumo SMS Reports Trigger: failures', () => {
	it('a 503 answered once is retried within the poll; the report is emitted once', async () => {
		const reports = trigger();
		await reports.activate();
		await send('+255712000021');
		await sb.control.addFault({ method: 'GET', path: '/sms/delivery-reports/', status: 503, times: 1 });

		const poll = await reports.poll();
		expect(poll.error).toBeUndefined();
		expect(poll.items!.map((item) => item.json.phone)).toEqual(['+255712000021']);
		const requests = await sb.requests();
		expect(requests.map((request) => request.status)).toEqual([503, 200]);
		expect(await reports.poll()).toEqual({ items: null });
	});

	it('a poll that still meets 503 after the retries reports the error, keeps its memory, and the next poll emits what it missed once', async () => {
		const reports = trigger();
		await reports.activate();
		const before = reports.staticData();
		await send('+255712000022');
		await sb.control.addFault({ method: 'GET', path: '/sms/delivery-reports/', status: 503, times: -1 });

		const failed = await reports.poll();
		expect(failed.items).toBeNull();
		expect(failed.error?.message).toBe(
			`INTERNAL_ERROR: Injected fault (HTTP 503) – Injected by the sandbox control plane. ${HINTS.INTERNAL_ERROR} Tried 4 times.`,
		);
		expect(reports.staticData()).toEqual(before);
		expect((await sb.requests()).map((request) => request.status)).toEqual([503, 503, 503, 503]);

		await sb.control.clearFaults();
		expect((await reports.poll()).items!.map((item) => item.json.phone)).toEqual(['+255712000022']);
		expect(await reports.poll()).toEqual({ items: null });
	}, 30_000);

	it('a refused key fails the activation with the server\'s message and what to do; the key appears nowhere', async () => {
		const key = 'mifumo-live-7Qx9-secret';
		const reports = trigger({ events: ALL_EVENTS }, key);
		await expect(reports.activate()).rejects.toThrow(
			'INVALID_API_KEY: Invalid API key – The provided API key is invalid or expired. Check the API key in the Mifumo SMS API credential (Mifumo dashboard → API Keys).',
		);
		const outcome = await reports.poll();
		expect(outcome.error?.message).toBe(
			'INVALID_API_KEY: Invalid API key – The provided API key is invalid or expired. Check the API key in the Mifumo SMS API credential (Mifumo dashboard → API Keys).',
		);
		expect(reports.staticData()).toEqual({});
		const shown = JSON.stringify({ outcome, error: outcome.error, description: outcome.error?.description, staticData: reports.staticData() });
		expect(shown).not.toContain(key);
	});

	it('a Look Back that is not a positive number fails with the field, the value and the default', async () => {
		const reports = trigger({ events: ALL_EVENTS, options: { lookBackHours: -2 } });
		await expect(reports.activate()).rejects.toThrow('Look Back (Hours) must be a number of hours above 0, not -2. The default is 24.');
		expect(await sb.requests()).toEqual([]);
	});

	it('an empty Trigger On fails before any request', async () => {
		const reports = trigger({ events: [] });
		await expect(reports.activate()).rejects.toThrow('Trigger On is empty. Pick at least one of Sent, Delivered or Failed.');
		expect(await sb.requests()).toEqual([]);
	});

	it('the API key appears in no item and no static data', async () => {
		const reports = trigger();
		await reports.activate();
		await send('+255712000023');
		const poll = await reports.poll();
		expect(poll.items).toHaveLength(1);
		expect(JSON.stringify({ poll, staticData: reports.staticData() })).not.toContain(ADMIN_KEY);
	});
});

describe('Mifumo SMS Reports Trigger: memory', () => {
	it(`stays bounded after 50,000 reports (at most ${MAX_REMEMBERED_REPORTS} remembered), repeats none, and still emits new ones`, async () => {
		// 1,500 API calls: more than the sandbox's (and Mifumo's) 1,000 an hour.
		await sb.control.configure({ rateLimits: { callsPerHour: null } });
		// 5,000 messages to 10 recipients each, one message every 10 s: 50,000 reports over 14 hours.
		await sb.control.seed({ messages: { count: 5000, recipients: 10, intervalMs: 10_000 } });
		const reports = trigger();
		await reports.activate();

		const stored = JSON.stringify(reports.staticData());
		const memory = Object.values(reports.staticData())[0] as { seen: Record<string, string>; floor: number | null };
		const remembered = Object.values(memory.seen).reduce((sum, hashes) => sum + hashes.length / 12, 0);
		expect(remembered).toBeLessThanOrEqual(MAX_REMEMBERED_REPORTS);
		// Whole ten-minute buckets (600 reports here) are dropped, the oldest first.
		expect(remembered).toBeGreaterThan(MAX_REMEMBERED_REPORTS - 600);
		expect(memory.floor).not.toBeNull();
		expect(stored.length).toBeLessThan(300_000);

		expect(await reports.poll()).toEqual({ items: null });
		const messageId = await send('+255712000031');
		expect((await reports.poll()).items!.map((item) => [item.json.message_id, item.json.status])).toEqual([[messageId, 'sent']]);
		expect(JSON.stringify(reports.staticData()).length).toBeLessThan(300_000);
	}, 180_000);
});
