'use strict';
/** The delivery lifecycle tests drive: delays, forced failures, per-message timing, report times and seeding. */
const { useSandboxServer, api, sleep, until } = require('./helpers');

const server = useSandboxServer();

const send = async (recipients, message = 'x') => (await api(server.sb, 'POST', '/sms/send/', { body: { message, recipients } })).body.data.message_id;
const statuses = async (id) => (await server.ctl.message(id)).recipient_statuses.map((r) => r.status);
const reports = async (query = '') => (await api(server.sb, 'GET', `/sms/delivery-reports/?per_page=100${query}`)).body.data.reports;

test('after deliveryDelayMs: delivered, failed for 999 and for failNumbers', async () => {
	await server.ctl.reset({ deliveryDelayMs: 150, failNumbers: ['+255712345001'] });
	const id = await send(['+255712345678', '+255712345999', '+255712345001']);
	expect(await statuses(id)).toEqual(['sent', 'sent', 'sent']);
	await sleep(60);
	expect(await statuses(id)).toEqual(['sent', 'sent', 'sent']);
	await until(async () => (await server.ctl.message(id)).status !== 'sent', 2000);
	expect(await statuses(id)).toEqual(['delivered', 'failed', 'failed']);
	expect((await server.ctl.message(id)).status).toBe('delivered');
});

test('advanceAfter replaces the pending delivery; null holds it until advanced', async () => {
	await server.ctl.reset({ deliveryDelayMs: 500 });
	const later = await send(['+255712345678']);
	await server.ctl.advanceAfter(later, 1500);
	const held = await send(['+255712345679']);
	await server.ctl.advanceAfter(held, null);
	const failing = await send(['+255712345670']);
	await server.ctl.advanceAfter(failing, 50, 'failed');
	await sleep(1000); // past the 500 ms every message would have had
	expect([await statuses(later), await statuses(held), await statuses(failing)]).toEqual([['sent'], ['sent'], ['failed']]);
	await until(async () => (await statuses(later))[0] === 'delivered', 2000);
	await sleep(100);
	expect(await statuses(held)).toEqual(['sent']);
	await server.ctl.advance(held);
	expect(await statuses(held)).toEqual(['delivered']);
	await expect(server.ctl.advanceAfter('msg_unknown', 10)).rejects.toMatchObject({ status: 404 });
	await expect(server.ctl.advanceAfter(later, -1)).rejects.toMatchObject({ status: 400 });
});

test('reports carry the current status and updated_at, the time of the last change', async () => {
	const id = await send(['+255712345678', '+255712345679']);
	const [first] = await reports();
	expect(first).toMatchObject({ message_id: id, status: 'sent', updated_at: first.sent_at });
	await sleep(1100); // iso times are to the second
	await server.ctl.advance(id, 'delivered', ['+255712345678']);
	const now = await reports();
	expect(now.map((r) => [r.phone, r.status])).toEqual([['+255712345678', 'delivered'], ['+255712345679', 'sent']]);
	expect(now[0].updated_at).toBe(now[0].delivery_time);
	expect(Date.parse(now[0].updated_at)).toBeGreaterThan(Date.parse(now[1].updated_at));
	expect((await server.ctl.message(id)).recipient_statuses[0].updated_at).toBe(now[0].updated_at);
});

describe('start_date / end_date filter on the send time, or on the last change', () => {
	beforeEach(() =>
		server.ctl.seed({
			messages: [
				{ message_id: 'old-changed-now', recipients: ['+255712345001'], status: 'delivered', sent_at: '2026-01-01T10:00:00Z', delivery_time: '2026-03-01T10:00:00Z' },
				{ message_id: 'new', recipients: ['+255712345002'], status: 'failed', sent_at: '2026-03-01T09:00:00Z' },
			],
		}),
	);

	test('sent_at (default)', async () => {
		expect((await reports('&start_date=2026-02-01')).map((r) => r.message_id)).toEqual(['new']);
		expect((await reports('&end_date=2026-01-01')).map((r) => r.message_id)).toEqual(['old-changed-now']);
	});

	test('updated_at', async () => {
		await server.ctl.configure({ reportDateField: 'updated_at' });
		expect((await reports('&start_date=2026-02-01')).map((r) => r.message_id)).toEqual(['new', 'old-changed-now']);
		expect((await reports('&start_date=2026-03-01T09:30:00Z')).map((r) => r.message_id)).toEqual(['old-changed-now']);
		expect((await reports('&start_date=2026-03-01T09:30:00Z&status=delivered')).map((r) => [r.message_id, r.updated_at])).toEqual([['old-changed-now', '2026-03-01T10:00:00Z']]);
		await expect(server.ctl.configure({ reportDateField: 'delivered_at' })).rejects.toMatchObject({ status: 400 });
	});
});

// Bounds are loose: this 2-core machine runs other suites at the same time.
test('50,000 reports seed quickly, with chosen statuses and send times, and page through fast', async () => {
	const started = Date.now();
	const seeded = await server.ctl.seed({ messages: { count: 50_000, statuses: ['delivered', 'failed', 'sent', 'queued'], intervalMs: 1000, endAt: '2026-06-01T00:00:00Z', changeAfterMs: 30_000 } });
	expect(seeded.messages).toBe(50_000);
	expect(Date.now() - started).toBeLessThan(15_000);
	const first = await api(server.sb, 'GET', '/sms/delivery-reports/?per_page=100&start_date=2026-05-31T00:00:00Z');
	// one send a second: all 50,000 fall in the last day before endAt, 3,600 in its last hour
	expect(first.body.data.pagination).toEqual({ page: 1, per_page: 100, total: 50_000, pages: 500 });
	const lastHour = await api(server.sb, 'GET', '/sms/delivery-reports/?per_page=1&start_date=2026-05-31T23:00:00Z');
	expect(lastHour.body.data.pagination.total).toBe(3600);
	const newest = first.body.data.reports[0];
	expect(newest).toMatchObject({ sent_at: '2026-05-31T23:59:59Z', updated_at: '2026-06-01T00:00:29Z', status: 'queued' });
	expect(first.body.data.reports.slice(0, 4).map((r) => r.status)).toEqual(['queued', 'sent', 'failed', 'delivered']);
	const pageStart = Date.now();
	for (let page = 2; page <= 50; page++) await api(server.sb, 'GET', `/sms/delivery-reports/?per_page=100&page=${page}&start_date=2026-05-31T00:00:00Z`);
	expect(Date.now() - pageStart).toBeLessThan(15_000);
	const failed = await api(server.sb, 'GET', '/sms/delivery-reports/?per_page=1&status=failed');
	expect(failed.body.data.pagination.total).toBe(12_500);
});
