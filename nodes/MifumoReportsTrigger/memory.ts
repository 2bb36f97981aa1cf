/**
 * What the reports trigger has already emitted, kept in the workflow's static data.
 *
 * A report is remembered by a short hash of message_id + recipient + status, filed under the
 * ten-minute bucket of its sent_at/created_at, or of the start of the window it was last read in
 * when that is later: servers filter the window on other dates too (the last status change), and
 * a report the server still returns must stay remembered whatever its sent_at says.
 * Buckets that left the window are dropped, so the memory holds about one window of reports;
 * beyond MAX_REMEMBERED_REPORTS the oldest buckets are dropped too, and `floor` remembers that
 * everything up to them counts as seen.
 */
import { createHash } from 'node:crypto';
import type { IDataObject } from 'n8n-workflow';

import { normalizeStatus, recipientOf } from '../Mifumo/helpers/deliveryStatus';

/** 72 bits of SHA-256: a collision among 10^5 reports is about one in 10^11. */
const HASH_LENGTH = 12;

const BUCKET_MS = 10 * 60_000;

/** Buckets are kept this long after they left the window, for clocks that disagree with the server's. */
const CLOCK_MARGIN_BUCKETS = 6;

/** About 240 kB of static data; Mifumo's default account limit is 10,000 SMS a day. */
export const MAX_REMEMBERED_REPORTS = 20_000;

/** The static data as stored. */
export interface StoredMemory {
	/** The settings the memory was built for (events, look-back): other settings start afresh. */
	query: string;
	/** bucket number → the hashes of the reports in it, concatenated. */
	seen: Record<string, string>;
	/** Reports in this bucket or older count as seen (set only after the cap dropped buckets). */
	floor: number | null;
}

export interface LoadedMemory {
	hashes: Set<string>;
	buckets: Map<number, Set<string>>;
	floor: number | null;
}

/** The hash a report is remembered by. */
export function reportHash(report: IDataObject): string {
	const key = [String(report.message_id ?? ''), recipientOf(report) ?? '', normalizeStatus(report.status)].join('\n');
	return createHash('sha256').update(key, 'utf8').digest('base64url').slice(0, HASH_LENGTH);
}

function timeOf(value: unknown): number | undefined {
	if (typeof value !== 'string' || value === '') return undefined;
	const ms = Date.parse(value);
	return Number.isNaN(ms) ? undefined : ms;
}

/**
 * The bucket of a report read in the window starting at windowStartMs: by the later of
 * sent_at/created_at (so it expires no earlier than the server drops it), else now; never before
 * the window's start, since the server returned it as inside the window.
 */
export function bucketOf(report: IDataObject, windowStartMs: number, nowMs: number): number {
	const times = [timeOf(report.sent_at), timeOf(report.created_at)].filter((ms): ms is number => ms !== undefined);
	const ownMs = times.length ? Math.max(...times) : nowMs;
	return Math.floor(Math.max(ownMs, windowStartMs) / BUCKET_MS);
}

/** The memory stored for these settings, or undefined when there is none (the first poll). */
export function loadMemory(staticData: IDataObject, query: string): LoadedMemory | undefined {
	if (staticData.query !== query || typeof staticData.seen !== 'object' || staticData.seen === null) return undefined;
	const buckets = new Map<number, Set<string>>();
	const hashes = new Set<string>();
	for (const [bucket, joined] of Object.entries(staticData.seen as Record<string, unknown>)) {
		if (typeof joined !== 'string') continue;
		const inBucket = new Set<string>();
		for (let index = 0; index + HASH_LENGTH <= joined.length; index += HASH_LENGTH) {
			const hash = joined.slice(index, index + HASH_LENGTH);
			inBucket.add(hash);
			hashes.add(hash);
		}
		buckets.set(Number(bucket), inBucket);
	}
	const floor = typeof staticData.floor === 'number' ? staticData.floor : null;
	return { hashes, buckets, floor };
}

export function isRemembered(memory: LoadedMemory, report: IDataObject, hash: string, windowStartMs: number, nowMs: number): boolean {
	return memory.hashes.has(hash) || (memory.floor !== null && bucketOf(report, windowStartMs, nowMs) <= memory.floor);
}

/**
 * The memory after a poll: what was remembered, plus every report read now, without the buckets
 * that left the window (and, beyond the cap, without the oldest).
 */
export function rememberReports(
	previous: LoadedMemory | undefined,
	reports: IDataObject[],
	query: string,
	windowStartMs: number,
	nowMs: number,
): StoredMemory {
	const buckets = new Map<number, Set<string>>();
	const bucketOfHash = new Map<string, number>();
	for (const [bucket, hashes] of previous?.buckets ?? []) {
		buckets.set(bucket, new Set(hashes));
		for (const hash of hashes) bucketOfHash.set(hash, Math.max(bucket, bucketOfHash.get(hash) ?? bucket));
	}
	for (const report of reports) {
		const hash = reportHash(report);
		const bucket = bucketOf(report, windowStartMs, nowMs);
		const filed = bucketOfHash.get(hash);
		if (filed !== undefined && filed >= bucket) continue;
		// Read again in a later window: moved on with it, so it stays while the server returns it.
		if (filed !== undefined) buckets.get(filed)!.delete(hash);
		let inBucket = buckets.get(bucket);
		if (!inBucket) buckets.set(bucket, (inBucket = new Set()));
		inBucket.add(hash);
		bucketOfHash.set(hash, bucket);
	}

	const oldestKept = Math.floor(windowStartMs / BUCKET_MS) - CLOCK_MARGIN_BUCKETS;
	let floor = previous?.floor ?? null;
	const seen: Record<string, string> = {};
	let kept = 0;
	for (const bucket of [...buckets.keys()].sort((a, b) => b - a)) {
		const hashes = buckets.get(bucket)!;
		if (bucket < oldestKept) break;
		if (hashes.size === 0) continue;
		if (kept + hashes.size > MAX_REMEMBERED_REPORTS) {
			floor = Math.max(floor ?? bucket, bucket);
			break;
		}
		kept += hashes.size;
		seen[bucket] = [...hashes].join('');
	}
	if (floor !== null && floor < oldestKept) floor = null;
	return { query, seen, floor };
}
