/** The reports trigger's memory on its own: hashing, expiry with the window, the cap and its floor. */
import {
	bucketOf,
	isRemembered,
	loadMemory,
	MAX_REMEMBERED_REPORTS,
	rememberReports,
	reportHash,
} from '../../nodes/MifumoReportsTrigger/memory';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const HOUR = 3_600_000;
const at = (ms: number) => new Date(ms).toISOString();

describe('reportHash', () => {
	it('keys by message_id + recipient (phone or recipient) + status, case and spaces aside', () => {
		const base = reportHash({ message_id: 'm1', phone: '+255712000001', status: 'sent' });
		expect(base).toMatch(/^[A-Za-z0-9_-]{12}$/);
		expect(reportHash({ message_id: 'm1', recipient: '+255712000001', status: ' SENT' })).toBe(base);
		expect(reportHash({ message_id: 'm1', phone: '+255712000001', status: 'delivered' })).not.toBe(base);
		expect(reportHash({ message_id: 'm1', phone: '+255712000002', status: 'sent' })).not.toBe(base);
		expect(reportHash({ message_id: 'm2', phone: '+255712000001', status: 'sent' })).not.toBe(base);
	});
});

describe('rememberReports', () => {
	it('nothing stored, or stored for other settings, is no memory', () => {
		expect(loadMemory({}, 'sent|24')).toBeUndefined();
		const stored = rememberReports(undefined, [{ message_id: 'm', status: 'sent', sent_at: at(NOW) }], 'sent|24', NOW - 24 * HOUR, NOW);
		expect(loadMemory({ ...stored }, 'delivered|24')).toBeUndefined();
		expect(loadMemory({ ...stored }, 'sent|24')?.hashes.size).toBe(1);
	});

	it('drops what left the look-back window since it was read (an hour of margin for clocks)', () => {
		const old = { message_id: 'old', status: 'delivered', sent_at: at(NOW - 26 * HOUR) };
		const edge = { message_id: 'edge', status: 'delivered', sent_at: at(NOW - 24.5 * HOUR) };
		const recent = { message_id: 'recent', status: 'delivered', sent_at: at(NOW - HOUR) };
		const earlier = loadMemory({ ...rememberReports(undefined, [old, edge, recent], 'q', NOW - 27 * HOUR, NOW - 3 * HOUR) }, 'q');
		const stored = rememberReports(earlier, [], 'q', NOW - 24 * HOUR, NOW);
		const memory = loadMemory({ ...stored }, 'q')!;
		expect(memory.hashes).toEqual(new Set([reportHash(edge), reportHash(recent)]));
		expect(stored.floor).toBeNull();
	});

	it('keeps a report the server still returns, however old its sent_at (a window filtered by last status change)', () => {
		const late = { message_id: 'late', phone: '+255712000001', status: 'delivered', sent_at: at(NOW - 30 * HOUR), updated_at: at(NOW - HOUR) };
		let memory = loadMemory({ ...rememberReports(undefined, [late], 'q', NOW - 24 * HOUR, NOW) }, 'q')!;
		for (const laterMs of [NOW + HOUR, NOW + 5 * HOUR, NOW + 20 * HOUR]) {
			expect(isRemembered(memory, late, reportHash(late), laterMs - 24 * HOUR, laterMs)).toBe(true);
			const stored = rememberReports(memory, [late], 'q', laterMs - 24 * HOUR, laterMs);
			// Moved on with the window, not copied: one hash in one bucket.
			expect(Object.values(stored.seen)).toEqual([reportHash(late)]);
			memory = loadMemory({ ...stored }, 'q')!;
		}
		// Once the server stops returning it, it expires with the window like any other.
		const gone = rememberReports(memory, [], 'q', NOW + 46 * HOUR, NOW + 70 * HOUR);
		expect(gone.seen).toEqual({});
	});

	it('keeps what it remembered but did not read this time, while it is inside the window', () => {
		const first = { message_id: 'a', status: 'sent', sent_at: at(NOW - HOUR) };
		const second = { message_id: 'b', status: 'sent', sent_at: at(NOW) };
		const before = loadMemory({ ...rememberReports(undefined, [first], 'q', NOW - 24 * HOUR, NOW) }, 'q');
		const after = loadMemory({ ...rememberReports(before, [second], 'q', NOW - 24 * HOUR, NOW) }, 'q')!;
		expect(after.hashes).toEqual(new Set([reportHash(first), reportHash(second)]));
	});

	it(`beyond ${MAX_REMEMBERED_REPORTS} reports drops the oldest buckets and counts them, and older ones, as seen`, () => {
		const reports = Array.from({ length: MAX_REMEMBERED_REPORTS + 5000 }, (_, index) => ({
			message_id: `m${index}`,
			phone: '+255712000001',
			status: 'delivered',
			sent_at: at(NOW - index * 1000),
		}));
		const stored = rememberReports(undefined, reports, 'q', NOW - 24 * HOUR, NOW);
		const memory = loadMemory({ ...stored }, 'q')!;
		expect(memory.hashes.size).toBeLessThanOrEqual(MAX_REMEMBERED_REPORTS);
		expect(stored.floor).not.toBeNull();
		for (const report of [reports[0], reports[reports.length - 1], reports[MAX_REMEMBERED_REPORTS]]) {
			expect(isRemembered(memory, report, reportHash(report), NOW - 24 * HOUR, NOW)).toBe(true);
		}
		const fresh = { message_id: 'new', phone: '+255712000001', status: 'delivered', sent_at: at(NOW) };
		expect(isRemembered(memory, fresh, reportHash(fresh), NOW - 24 * HOUR, NOW)).toBe(false);
		// The price of the cap: news about a report this old is taken as already seen.
		const lateNews = { ...reports[reports.length - 1], status: 'failed' };
		expect(bucketOf(lateNews, NOW - 24 * HOUR, NOW)).toBeLessThanOrEqual(stored.floor!);
		expect(isRemembered(memory, lateNews, reportHash(lateNews), NOW - 24 * HOUR, NOW)).toBe(true);
	});
});
