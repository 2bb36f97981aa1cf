/**
 * Send once: Options → Repeat Window (Hours) and Idempotency Key. Mifumo keeps no per-recipient
 * record, so the node remembers what it sent: in the workflow's static data (n8n saves it after
 * every execution that is not manual, failed ones too), and in a record in this process shared by
 * the executions of the same workflow, so that two executions at the same moment cannot both send.
 * A number is claimed before its request goes out, recorded once Mifumo accepted it (or as
 * `unknown` when its fate is unknown), and released when the request surely failed. In queue mode
 * the claims and the record are also kept in n8n's Redis (transport/clusterRecord.ts), which every
 * worker checks just before each request.
 */
import { hash, randomUUID } from 'node:crypto';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { describeValue, inputError } from '../../helpers/validation';
import { MifumoApiError } from '../../transport/errors';
import type { ClusterSendRecord, SharedSend } from '../../transport/clusterRecord';
import { describeRedis, queueRedisSettings } from '../../transport/queueRedis';
import type { SendSettings } from './sendFields';

export const repeatWindowOption: INodeProperties = {
	displayName: 'Repeat Window (Hours)',
	name: 'repeatWindowHours',
	type: 'number',
	typeOptions: { minValue: 0, numberPrecision: 2 },
	default: 0,
	description:
		'Leave out a number this node already sent the same text to (same Sender ID and Schedule Time) within this many hours, in any execution of this workflow: a retried or re-run broadcast sends only what is missing. 0 turns it off.',
};

export const idempotencyKeyOption: INodeProperties = {
	displayName: 'Idempotency Key',
	name: 'idempotencyKey',
	type: 'string',
	default: '',
	placeholder: '={{ $json.order_id }}',
	description:
		'Check repeats on this key + number instead of text + number, e.g. an order ID, so that a webhook delivered twice sends nothing the second time even when its text changed. Without Repeat Window, a key is remembered for 24 hours.',
};

export const repeatUnknownOption: INodeProperties = {
	displayName: 'Repeat Unknown Sends',
	name: 'repeatUnknown',
	type: 'boolean',
	default: false,
	description:
		'Whether to send again to numbers whose earlier send had an unknown fate (a timeout, a lost connection, a server error): they may or may not have received it. Off, they are left out and listed.',
};

/** One item's send-once settings; undefined when the window is 0 (off). */
export interface SendOnceSettings {
	windowMs: number;
	idempotencyKey?: string;
	repeatUnknown: boolean;
	/** What else makes a send "the same": the Sender ID and the Schedule Time the user set. */
	scope: string;
}

interface SendOnceOptionValues {
	repeatWindowHours?: unknown;
	idempotencyKey?: unknown;
	repeatUnknown?: unknown;
}

export function readSendOnceSettings(
	context: IExecuteFunctions,
	itemIndex: number,
	options: SendOnceOptionValues,
	senderId: string,
	scheduleTime: string | undefined,
): SendOnceSettings | undefined {
	const node = context.getNode();
	const key = readIdempotencyKey(context, itemIndex, options.idempotencyKey);
	// A key alone asks for send once: for a day, unless Repeat Window says otherwise.
	const hours = readWindowHours(context, itemIndex, options.repeatWindowHours) ?? (key === undefined ? 0 : KEY_DEFAULT_WINDOW_HOURS);
	const repeatUnknown = options.repeatUnknown;
	if (repeatUnknown !== undefined && typeof repeatUnknown !== 'boolean') {
		throw inputError(node, itemIndex, `Options → Repeat Unknown Sends must be true or false, not ${describeValue(repeatUnknown)}.`);
	}
	if (hours === 0) {
		if (key === undefined) return undefined;
		throw inputError(
			node,
			itemIndex,
			'Options → Idempotency Key needs Options → Repeat Window (Hours): how long a key is remembered, e.g. 24. Nothing was sent.',
		);
	}
	return { windowMs: hours * HOUR_MS, idempotencyKey: key, repeatUnknown: repeatUnknown === true, scope: `${senderId}\n${scheduleTime ?? ''}` };
}

/** The window of an Idempotency Key when Repeat Window is left unset. */
const KEY_DEFAULT_WINDOW_HOURS = 24;

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/** Undefined when left unset. */
function readWindowHours(context: IExecuteFunctions, itemIndex: number, value: unknown): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const hours = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof hours !== 'number' || !Number.isFinite(hours) || hours < 0) {
		throw inputError(
			context.getNode(),
			itemIndex,
			`Options → Repeat Window (Hours) must be a number of hours of at least 0, not ${describeValue(value)}. Use e.g. 24 to send each text to a number at most once a day, or 0 to turn it off. Nothing was sent.`,
		);
	}
	return hours;
}

function readIdempotencyKey(context: IExecuteFunctions, itemIndex: number, value: unknown): string | undefined {
	const node = context.getNode();
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	if (typeof value === 'string' && value.trim() !== '') return value.trim();
	if (value === undefined || value === null || value === '') {
		const raw = (node.parameters?.options as IDataObject | undefined)?.idempotencyKey;
		// An expression that gave nothing would silently turn the check back to text + number.
		if (typeof raw === 'string' && raw.startsWith('=')) {
			throw inputError(
				node,
				itemIndex,
				`Options → Idempotency Key is empty for this item: its expression ${raw.slice(1).trim()} gave nothing. Map a value every item has, e.g. {{ $json.order_id }}. Nothing was sent.`,
			);
		}
		return undefined;
	}
	throw inputError(
		node,
		itemIndex,
		`Options → Idempotency Key must be text or a number, not ${describeValue(value)}. Map one field, e.g. {{ $json.order_id }}, not an object. Nothing was sent.`,
	);
}

/** 52 bits as 9 base64url characters: a collision among the 10^5 numbers of a full record is about one in 10^6. */
const HASH_LENGTH = 9;

/**
 * The static data holds at most this many characters (about 1.4 MB): 100,000 numbers sent 100
 * to a request take about 0.95 MB; beyond the cap the oldest sends are dropped first.
 */
export const MAX_RECORD_CHARS = 1_400_000;

/** Over the cap, the record drops to this, so that the text is cut once per 140 kB of sends, not per request. */
const PRUNED_RECORD_CHARS = 1_260_000;

const STATIC_DATA_KEY = 'sendOnce';

/**
 * One accepted (or unknown) request: when, for how long it counts, its message_id, the bucket of
 * its text (or key) and the hashes of its numbers. Stored as one line:
 * `minute keepMinutes state bucket messageId hashes`.
 */
interface SentGroup {
	/** This process's own number for it (HashIndex values). */
	id: number;
	line: string;
	sentMinute: number;
	expiresMinute: number;
	unknown: boolean;
	bucket: number;
	messageId?: string;
	/** How many numbers: their hashes are read from `line` when needed (kept twice, they were garbage to collect in every send). */
	size: number;
}

/** What a request's record says besides its numbers. */
type SendFate = Pick<SentGroup, 'sentMinute' | 'expiresMinute' | 'unknown' | 'messageId'>;

/** The line of a group of hashes[start] to hashes[end - 1]. */
function groupLine(fate: SendFate, bucket: number, hashes: Float64Array, start: number, end: number): string {
	const sent = fate.sentMinute.toString(36);
	const keep = (fate.expiresMinute - fate.sentMinute).toString(36);
	const bucketDigits = String.fromCharCode(BASE64URL_CODES[bucket & 63], BASE64URL_CODES[bucket >>> 6]);
	return encodeHashes(hashes, start, end, `${sent} ${keep} ${fate.unknown ? 'u' : 's'} ${bucketDigits} ${encodeURIComponent(fate.messageId ?? '')} `);
}

function parseGroup(line: string): Omit<SentGroup, 'id'> | undefined {
	const [sent, keep, state, bucketDigits, messageId, hashes] = line.split(' ');
	if (hashes === undefined || hashes.length % HASH_LENGTH !== 0 || bucketDigits.length !== 2) return undefined;
	const sentMinute = parseInt(sent, 36);
	const expiresMinute = sentMinute + parseInt(keep, 36);
	const low = BASE64URL_VALUES[bucketDigits.charCodeAt(0)] ?? -1;
	const high = BASE64URL_VALUES[bucketDigits.charCodeAt(1)] ?? -1;
	const bucket = low + 64 * high;
	if (!Number.isFinite(expiresMinute) || low < 0 || high < 0 || bucket >= BUCKETS) return undefined;
	for (let index = 0; index < hashes.length; index += HASH_LENGTH) if (decodeHash(hashes, index) === undefined) return undefined;
	const size = hashes.length / HASH_LENGTH;
	return { line, sentMinute, expiresMinute, unknown: state === 'u', bucket, messageId: messageId ? decodeURIComponent(messageId) : undefined, size };
}

/**
 * hash → what the record knows of it, in one buffer (open addressing, linear probing): a Map keyed
 * by 52-bit numbers boxes each of them and cost more than the 2 % a 10,000-number send may spend on
 * the check. A slot holds the hash, its value and the value beneath it in 16 bytes side by side,
 * so that a lookup touches one cache line and the whole index few memory pages. Values: a group's
 * id (> 0), or a claim (`-owner`), which keeps beneath it the id it covers, to be put back if the
 * claim is released unrecorded.
 */
class HashIndex {
	/** Slot i: hashes[2i] the hash; values[4i + 2] its value (0: the slot is empty), values[4i + 3] the value beneath. */
	private hashes = new Float64Array(0);
	private values = new Int32Array(0);
	private mask = -1;
	private count = 0;
	/** Changes whenever an entry may have moved to another slot: a slot found before is still its entry's while this stays. */
	layout = 0;

	constructor() {
		this.clear(0);
	}

	/** The slot of `hash`, or the empty one where it would go; `reserve` first when about to write there. */
	slot(hash: number): number {
		const { hashes, values, mask } = this;
		let slot = homeSlot(hash, mask);
		while (values[4 * slot + 2] !== 0 && hashes[2 * slot] !== hash) slot = (slot + 1) & mask;
		return slot;
	}

	valueAt(slot: number): number {
		return this.values[4 * slot + 2];
	}

	beneathAt(slot: number): number {
		return this.values[4 * slot + 3];
	}

	/** Room for `entries` more, so that no slot found meanwhile moves. */
	reserve(entries: number): void {
		let capacity = this.mask + 1;
		while ((this.count + entries) * 10 > capacity * MAX_INDEX_LOAD_TENTHS) capacity *= 2;
		if (capacity > this.mask + 1) this.resize(capacity);
	}

	write(slot: number, hash: number, value: number, beneath = 0): void {
		if (this.values[4 * slot + 2] === 0) this.count++;
		this.hashes[2 * slot] = hash;
		this.values[4 * slot + 2] = value;
		this.values[4 * slot + 3] = beneath;
	}

	/** A new value for the entry in `slot` (not empty): stores only, no load of the slot. */
	replaceAt(slot: number, value: number): void {
		this.values[4 * slot + 2] = value;
		this.values[4 * slot + 3] = 0;
	}

	set(hash: number, value: number, beneath = 0): void {
		this.reserve(1);
		this.write(this.slot(hash), hash, value, beneath);
	}

	/** Empties a slot `slot` found. */
	deleteAt(slot: number): void {
		const { hashes, values, mask } = this;
		let hole = slot;
		if (values[4 * hole + 2] === 0) return;
		this.count--;
		this.layout++;
		// Backward shift: each later entry of the run that may sit in the hole moves into it, so that a lookup never stops early.
		for (let next = (hole + 1) & mask; values[4 * next + 2] !== 0; next = (next + 1) & mask) {
			if (((next - homeSlot(hashes[2 * next], mask)) & mask) < ((next - hole) & mask)) continue;
			hashes[2 * hole] = hashes[2 * next];
			values[4 * hole + 2] = values[4 * next + 2];
			values[4 * hole + 3] = values[4 * next + 3];
			hole = next;
		}
		values[4 * hole + 2] = 0;
	}

	/** The claims (negative values) it holds: hash, value. */
	claims(): Array<[number, number]> {
		const claims: Array<[number, number]> = [];
		for (let slot = 0; slot <= this.mask; slot++) if (this.values[4 * slot + 2] < 0) claims.push([this.hashes[2 * slot], this.values[4 * slot + 2]]);
		return claims;
	}

	/** Empty, with room for `entries`. */
	clear(entries: number): void {
		this.allocate(MIN_INDEX_SLOTS);
		this.reserve(entries);
	}

	private allocate(capacity: number): void {
		const buffer = takeSpareBuffer(16 * capacity) ?? new ArrayBuffer(16 * capacity);
		keepSpareBuffer(this.hashes.buffer);
		this.hashes = new Float64Array(buffer);
		this.values = new Int32Array(buffer);
		this.mask = capacity - 1;
		this.count = 0;
		this.layout++;
	}

	private resize(capacity: number): void {
		const { hashes, values, mask } = this;
		this.allocate(capacity);
		for (let slot = 0; slot <= mask; slot++) {
			if (values[4 * slot + 2] !== 0) this.write(this.slot(hashes[2 * slot]), hashes[2 * slot], values[4 * slot + 2], values[4 * slot + 3]);
		}
	}
}

const MIN_INDEX_SLOTS = 16;

/** The index grows when more than this many tenths of its slots are taken. */
const MAX_INDEX_LOAD_TENTHS = 7;

/**
 * Buffers of indexes built anew or grown, for the next index of that size: a new one is memory
 * the system maps on first touch, which cost a new text's 10,000 numbers more than probing it.
 */
const spareBuffers: ArrayBuffer[] = [];
const MAX_SPARE_BYTES = 4 * 1024 * 1024;
const MIN_SPARE_BYTES = 64 * 1024;

function takeSpareBuffer(bytes: number): ArrayBuffer | undefined {
	const at = spareBuffers.findIndex((buffer) => buffer.byteLength === bytes);
	if (at < 0) return undefined;
	const [buffer] = spareBuffers.splice(at, 1);
	new Uint8Array(buffer).fill(0);
	return buffer;
}

/** Keeps `buffer` (no longer used) when it is worth it and there is room. */
function keepSpareBuffer(buffer: ArrayBufferLike): void {
	if (!(buffer instanceof ArrayBuffer) || buffer.byteLength < MIN_SPARE_BYTES) return;
	if (spareBuffers.reduce((sum, spare) => sum + spare.byteLength, buffer.byteLength) > MAX_SPARE_BYTES) return;
	spareBuffers.push(buffer);
}

/** Where a hash's probe starts: its low 26 bits (`%` on a number beyond 32 bits costs V8 a call to fmod). */
function homeSlot(hash: number, mask: number): number {
	return (hash - Math.floor(hash / 0x4000000) * 0x4000000) & mask;
}

/**
 * The record's index is split by the text (or key) numbers are sent under, which picks one of
 * BUCKETS indexes: only numbers under the same text can repeat each other, and a new text's
 * numbers (claimed, then recorded) fill a small index that stays in the CPU's cache, not random
 * places in one index of every number sent, each a cache miss (most of what the check cost).
 */
const BUCKETS = 256;

/**
 * Hashes an item claims in one bucket, the slots where it found them, and that index's layout then
 * (-1: unknown): `claimedHashes` and `claimedSlotsAt` from `start` to `end`. Columns shared by every
 * claim, refilled at each call of claimedAt: whoever asks uses them at once (a request's numbers
 * are recorded or freed before anything else runs), so no request leaves arrays to collect.
 */
interface ClaimedSlots {
	bucket: number;
	start: number;
	end: number;
	layout: number;
}

let claimedHashes = new Float64Array(0);
let claimedSlotsAt = new Int32Array(0);
let claimedBuckets = new Uint8Array(0);
let claimedLayouts = new Int32Array(0);

/** Room for `entries` in the claimed columns (their answers overwritten). */
function reserveClaimedColumns(entries: number): void {
	if (claimedHashes.length >= entries) return;
	const length = 2 ** Math.ceil(Math.log2(entries));
	claimedHashes = new Float64Array(length);
	claimedSlotsAt = new Int32Array(length);
	claimedBuckets = new Uint8Array(length);
	claimedLayouts = new Int32Array(length);
}

/** The claimed columns from `start` to `end`, all in `bucket`, with their common layout (or -1). */
function claimedRange(bucket: number, start: number, end: number): ClaimedSlots {
	let layout = claimedLayouts[start];
	for (let at = start + 1; at < end; at++) if (claimedLayouts[at] !== layout) layout = -1;
	return { bucket, start, end, layout };
}

/** What one Mifumo node of one workflow sent, as this process knows it, and what its items are sending now. */
class SendRecord {
	private groups: SentGroup[] = [];
	/** Each group's line → its id: a line already known is not added twice. */
	private lines = new Map<string, number>();
	private chars = 0;
	/**
	 * Per bucket: hash → the id of the latest group that holds it (`byId` → the group), or the
	 * claim of the item sending it now. Made on first use.
	 */
	private readonly indexes: HashIndex[] = [];
	private byId = new Map<number, SentGroup>();
	private lastId = 0;
	/**
	 * Per bucket, index entries of the groups held, and of groups dropped: those stay (a lookup
	 * finds their id gone) until they outnumber the others and the bucket's index is built anew:
	 * deleting each one as its group goes costs more than a rebuild now and then.
	 */
	private readonly liveEntries = new Int32Array(BUCKETS);
	private readonly staleEntries = new Int32Array(BUCKETS);
	/** owner → when its claims began. */
	readonly claimStarted = new Map<number, number>();
	private lastOwner = 0;
	/** The text last read from or written to the static data: the same text needs no merge. */
	stored = '';
	/**
	 * `stored` in two parts, each lines joined by newlines: a flat text (as read, or sliced from one),
	 * then the lines added since, which V8 keeps as a rope. Dropping the oldest lines slices the flat
	 * part, which costs nothing; slicing the whole would copy all of it (1.4 MB) at every prune.
	 */
	private storedFlat = '';
	private storedAdded = '';

	/** A number for a SendOnceClaim, whose claims in the indexes carry it (negated). */
	newOwner(): number {
		return ++this.lastOwner;
	}

	index(bucket: number): HashIndex {
		return (this.indexes[bucket] ??= new HashIndex());
	}

	/** Adds what another process (or an earlier start of this one) stored and this record lacks. */
	merge(stored: string, nowMinute: number): void {
		if (stored === this.stored) return this.prune(nowMinute, MAX_RECORD_CHARS);
		const added = new Set<number>();
		for (const line of stored.split('\n')) {
			if (line === '' || this.lines.has(line)) continue;
			const group = parseGroup(line);
			if (!group || group.expiresMinute <= nowMinute) continue;
			this.groups.push({ ...group, id: ++this.lastId });
			this.lines.set(line, this.lastId);
			this.chars += line.length + 1;
			added.add(group.bucket);
		}
		if (added.size) {
			this.groups.sort((a, b) => a.sentMinute - b.sentMinute);
			this.byId = new Map(this.groups.map((group) => [group.id, group]));
			this.reindex(added);
		}
		this.prune(nowMinute, MAX_RECORD_CHARS);
		// What this process knows and the static data lacked (an execution that started from an older copy) is written back too.
		this.storedFlat = this.serialize();
		this.storedAdded = '';
		this.stored = this.storedFlat;
	}

	/** The group of this id (an index value) while its window has not ended. */
	liveGroup(id: number, nowMinute: number): SentGroup | undefined {
		const group = id > 0 ? this.byId.get(id) : undefined;
		return group && group.expiresMinute > nowMinute ? group : undefined;
	}

	/**
	 * Records a request: those of `claimed` that `owner` still claims become this group's. While the
	 * index's layout is the one the claim found its slots in, each claim is still in its slot: no
	 * second lookup.
	 */
	add(fate: SendFate, claimed: ClaimedSlots, owner: number, nowMinute: number): void {
		const { bucket, start } = claimed;
		const index = this.index(bucket);
		let end = claimed.end;
		if (claimed.layout !== index.layout) {
			// Those still held, moved down in place, each with the slot it is in now.
			let held = start;
			for (let at = start; at < end; at++) {
				const slot = index.slot(claimedHashes[at]);
				if (index.valueAt(slot) !== -owner) continue;
				claimedHashes[held] = claimedHashes[at];
				claimedSlotsAt[held++] = slot;
			}
			end = held;
		}
		if (end === start) return;
		const line = groupLine(fate, bucket, claimedHashes, start, end);
		// The same line again (the same numbers failed again within the minute): its group holds them already.
		const known = this.lines.get(line);
		const id = known ?? ++this.lastId;
		for (let at = start; at < end; at++) index.replaceAt(claimedSlotsAt[at], id);
		if (known !== undefined) return;
		const { sentMinute, expiresMinute, unknown, messageId } = fate;
		const group: SentGroup = { id, line, sentMinute, expiresMinute, unknown, bucket, messageId, size: end - start };
		this.groups.push(group);
		this.lines.set(line, id);
		this.chars += line.length + 1;
		this.byId.set(id, group);
		this.liveEntries[bucket] += end - start;
		// Appending keeps the write cheap: V8 joins the strings only when n8n serialises them.
		this.storedAdded = this.storedAdded === '' ? group.line : `${this.storedAdded}\n${group.line}`;
		this.stored = this.stored === '' ? group.line : `${this.stored}\n${group.line}`;
		if (this.chars > MAX_RECORD_CHARS) this.prune(nowMinute, PRUNED_RECORD_CHARS);
	}

	/** Frees those of `claimed` that `owner` still claims: what they covered shows again. */
	release({ bucket, start, end }: ClaimedSlots, owner: number): void {
		const index = this.index(bucket);
		for (let at = start; at < end; at++) {
			const hash = claimedHashes[at];
			const slot = index.slot(hash);
			if (index.valueAt(slot) !== -owner) continue;
			const beneath = index.beneathAt(slot);
			if (this.byId.has(beneath)) index.write(slot, hash, beneath);
			else index.deleteAt(slot);
		}
	}

	/** Oldest first: groups whose window ended, then whatever exceeds `maxChars`. */
	private prune(nowMinute: number, maxChars: number): void {
		let drop = 0;
		let chars = this.chars;
		while (drop < this.groups.length && (this.groups[drop].expiresMinute <= nowMinute || chars > maxChars)) {
			chars -= this.groups[drop].line.length + 1;
			drop++;
		}
		if (drop === 0) return;
		const stale = new Set<number>();
		for (const group of this.groups.slice(0, drop)) {
			this.lines.delete(group.line);
			this.byId.delete(group.id);
			this.liveEntries[group.bucket] -= group.size;
			this.staleEntries[group.bucket] += group.size;
			if (this.staleEntries[group.bucket] > this.liveEntries[group.bucket]) stale.add(group.bucket);
		}
		this.groups = this.groups.slice(drop);
		if (stale.size) this.reindex(stale);
		this.dropStoredStart(this.chars - chars);
		this.chars = chars;
	}

	/** The stored text holds the groups in this order: `length` characters at its start are the dropped ones (and their newlines). */
	private dropStoredStart(length: number): void {
		if (length < this.storedFlat.length) {
			this.storedFlat = this.storedFlat.slice(length);
		} else {
			// Into the lines added since: they become the flat part, copied once per turnover of the record.
			this.storedFlat = this.storedAdded.slice(length - (this.storedFlat === '' ? 0 : this.storedFlat.length + 1));
			this.storedAdded = '';
		}
		this.stored = this.storedFlat === '' || this.storedAdded === '' ? this.storedFlat + this.storedAdded : `${this.storedFlat}\n${this.storedAdded}`;
	}

	/**
	 * These buckets' indexes anew from the groups, oldest first, so that a hash maps to its latest
	 * group; the claims stay on top. Each index stays the same object: items hold it while they send.
	 */
	private reindex(buckets: Set<number>): void {
		const claims = new Map<number, Array<[number, number]>>();
		for (const bucket of buckets) {
			claims.set(bucket, this.index(bucket).claims());
			this.liveEntries[bucket] = 0;
			this.staleEntries[bucket] = 0;
		}
		for (const group of this.groups) if (buckets.has(group.bucket)) this.liveEntries[group.bucket] += group.size;
		for (const [bucket, held] of claims) {
			// Room for as many stale entries again (the next rebuild's trigger): no resize in between.
			this.index(bucket).clear(2 * this.liveEntries[bucket] + held.length);
		}
		for (const group of this.groups) {
			if (!buckets.has(group.bucket)) continue;
			const index = this.index(group.bucket);
			// A line ends with its hashes (checked when it was read).
			const hashes = group.line.slice(group.line.lastIndexOf(' ') + 1);
			for (let at = 0; at < hashes.length; at += HASH_LENGTH) index.set(decodeHash(hashes, at)!, group.id);
		}
		for (const [bucket, held] of claims) {
			const index = this.index(bucket);
			for (const [hash, claim] of held) index.set(hash, claim, Math.max(index.valueAt(index.slot(hash)), 0));
		}
	}

	private serialize(): string {
		return this.groups.map((group) => group.line).join('\n');
	}
}

/** Per workflow and node: the record executions of this process share. */
const records = new Map<string, SendRecord>();

/** Tests: start as a fresh n8n process would (the static data is all that remains). */
export function forgetSendRecords(): void {
	records.clear();
}

/** The record of this run's node, merged with its static data once per run. */
const openedRecords = new WeakMap<IExecuteFunctions, SendRecord>();

function openRecord(context: IExecuteFunctions, nowMinute: number): SendRecord {
	const opened = openedRecords.get(context);
	if (opened) return opened;
	const key = recordKey(context);
	let record = records.get(key);
	if (!record) records.set(key, (record = new SendRecord()));
	const staticData = context.getWorkflowStaticData('node');
	const stored = staticData[STATIC_DATA_KEY];
	record.merge(typeof stored === 'string' ? stored : '', nowMinute);
	openedRecords.set(context, record);
	if (context.getMode() === 'manual') addManualRunHint(context);
	return record;
}

function recordKey(context: IExecuteFunctions): string {
	return `${context.getWorkflow().id ?? ''}\n${context.getNode().name}`;
}

/** Queue mode: the record every worker shares in n8n's Redis, per workflow and node. */
const sharedRecords = new Map<string, ClusterSendRecord>();

function sharedRecord(context: IExecuteFunctions): ClusterSendRecord | undefined {
	const settings = queueRedisSettings();
	if (!settings) return undefined;
	const key = recordKey(context);
	// Per Redis too: the settings are read from the environment, as n8n reads them.
	const sharedKey = `${JSON.stringify(settings)}\n${key}`;
	let shared = sharedRecords.get(sharedKey);
	if (!shared) {
		// Loaded only in queue mode: a single n8n process never parses the Redis client.
		const { ClusterSendRecord } = require('../../transport/cluster') as typeof import('../../transport/cluster');
		sharedRecords.set(sharedKey, (shared = new ClusterSendRecord(settings, hash('sha256', key, 'hex').slice(0, 32))));
	}
	return shared;
}

/** A claim in Redis this old whose request never reported back (its worker stopped) counts as of unknown fate. */
const SHARED_CLAIM_STALE_MS = 15 * MINUTE_MS;

const toldUnshared = new WeakSet<IExecuteFunctions>();

/** Once per run: Redis did not answer, so this worker's record alone was checked. */
function addUnsharedHint(context: IExecuteFunctions, error: unknown): void {
	if (toldUnshared.has(context)) return;
	toldUnshared.add(context);
	const settings = queueRedisSettings();
	context.addExecutionHints({
		message: `Repeat Window in queue mode: ${settings ? describeRedis(settings) : 'Redis'} did not answer (${(error as Error)?.message ?? String(error)}), so this worker checked and kept its own record only: an execution of this workflow on another worker may send the same SMS to the same numbers. Nothing this worker sent is sent twice by it.`,
		type: 'warning',
		location: 'outputPane',
	});
}

function addManualRunHint(context: IExecuteFunctions): void {
	context.addExecutionHints({
		message:
			'Repeat Window: n8n does not save the static data of runs started from the editor, so these sends are remembered only until n8n restarts. Production runs (trigger, webhook, schedule, retry) are saved with the workflow.',
		type: 'info',
		location: 'outputPane',
	});
}

const BASE64URL_CODES = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', 'latin1');
/** Character code → its digit; -1 for any other character. */
const BASE64URL_VALUES = new Int8Array(128).fill(-1);
BASE64URL_CODES.forEach((code, value) => (BASE64URL_VALUES[code] = value));

/** BASE64URL_CODES as a plain typed array, and the buffer encodeHashes writes into, kept: together three times faster than a Buffer per call. */
const DIGIT_CODES = new Uint8Array(BASE64URL_CODES);
let encodeScratch = Buffer.allocUnsafeSlow(0);

/**
 * Each of hashes[start] to hashes[end - 1] as HASH_LENGTH base64url digits, low digit first, after
 * `prefix` (ASCII): one flat string, where a line joined from parts was flattened (copied) again
 * when it was first looked up.
 */
function encodeHashes(hashes: ArrayLike<number>, start = 0, end = hashes.length, prefix = ''): string {
	const length = prefix.length + (end - start) * HASH_LENGTH;
	if (encodeScratch.length < length) encodeScratch = Buffer.allocUnsafeSlow(2 * length);
	const text = new Uint8Array(encodeScratch.buffer, 0, length);
	for (let at = 0; at < prefix.length; at++) text[at] = prefix.charCodeAt(at);
	for (let index = start, at = prefix.length; index < end; index++, at += HASH_LENGTH) {
		// Two whole numbers of 24 and 28 bits: 4 and 5 digits.
		const hash = hashes[index];
		const high = Math.floor(hash / 0x1000000);
		const low = hash - high * 0x1000000;
		text[at] = DIGIT_CODES[low & 63];
		text[at + 1] = DIGIT_CODES[(low >>> 6) & 63];
		text[at + 2] = DIGIT_CODES[(low >>> 12) & 63];
		text[at + 3] = DIGIT_CODES[(low >>> 18) & 63];
		text[at + 4] = DIGIT_CODES[high & 63];
		text[at + 5] = DIGIT_CODES[(high >>> 6) & 63];
		text[at + 6] = DIGIT_CODES[(high >>> 12) & 63];
		text[at + 7] = DIGIT_CODES[(high >>> 18) & 63];
		text[at + 8] = DIGIT_CODES[(high >>> 24) & 63];
	}
	return encodeScratch.toString('latin1', 0, length);
}

function encodeHash(hash: number): string {
	return encodeHashes([hash]);
}

function decodeHash(text: string, offset: number): number | undefined {
	let hash = 0;
	for (let digit = HASH_LENGTH - 1; digit >= 0; digit--) {
		const value = BASE64URL_VALUES[text.charCodeAt(offset + digit)] ?? -1;
		if (value < 0) return undefined;
		hash = hash * 64 + value;
	}
	return hash;
}

/** SHA-256 of what makes a send the same (text and scope, or key): it seeds the numbers' hashes, and picks their bucket. */
function basisDigest(basis: string): Buffer {
	return hash('sha256', basis, 'buffer');
}

function bucketOf(digest: Buffer): number {
	return digest.readUInt32LE(8) % BUCKETS;
}

/** hashNumbers' answer, kept from call to call. */
let hashesScratch = new Float64Array(0);

/**
 * The hashes of numbers under one basis: its digest seeds a 64-bit mix (cyrb53's) of each number,
 * kept to 52 bits so that it is a plain number; SHA-256 per number would cost a 10,000-number
 * send more than its 2 % budget. Not a defence against crafted collisions: the numbers are the
 * user's own. numbers[from] to numbers[to - 1], from 0 in an answer the next call overwrites.
 */
function hashNumbers(seed: Buffer, numbers: readonly string[], from: number, to: number): Float64Array {
	const seed1 = seed.readUInt32LE(0);
	const seed2 = seed.readUInt32LE(4);
	// A new array per call was garbage the size of every text's numbers.
	if (hashesScratch.length < to - from) hashesScratch = new Float64Array(2 ** Math.ceil(Math.log2(to - from)));
	const hashes = hashesScratch;
	for (let index = from; index < to; index++) {
		const number = numbers[index];
		let h1 = 0xdeadbeef ^ seed1;
		let h2 = 0x41c6ce57 ^ seed2;
		for (let at = 0; at < number.length; at++) {
			const code = number.charCodeAt(at);
			h1 = Math.imul(h1 ^ code, 2654435761);
			h2 = Math.imul(h2 ^ code, 1597334677);
		}
		h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
		h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
		h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
		h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
		hashes[index - from] = (h1 >>> 0) * 0x100000 + (h2 >>> 12);
	}
	return hashes;
}

function minuteIso(minute: number): string {
	return secondIso(minute * MINUTE_MS);
}

function secondIso(ms: number): string {
	return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** One `keep` call: its numbers, their basis's digest and bucket (and that bucket's index), its clock, and what it kept so far. */
interface KeepPass {
	numbers: readonly string[];
	digest: Buffer;
	bucket: number;
	index: HashIndex;
	nowMs: number;
	nowMinute: number;
	/** Sized for all of `numbers`; `keptCount` of them so far. */
	kept: string[];
	keptCount: number;
}

const KEEP_SLICE = 256;

/**
 * Every number an item's `keep` kept (of every text it was given), in columns: its hash, whether
 * the item still claims it (1) or recorded or freed it (0), its bucket, the slot it was found in
 * and that index's layout then. Sized ahead (and typed): arrays grown a push at a time made more
 * garbage than the rest of the check.
 */
class KeptNumbers {
	count = 0;
	/** How many are still claimed. */
	claimedCount = 0;
	numbers: string[] = [];
	hashes = new Float64Array(0);
	claimed = new Uint8Array(0);
	buckets = new Uint8Array(0);
	slots = new Int32Array(0);
	layouts = new Int32Array(0);

	/** Room for `more`. */
	reserve(more: number): void {
		const needed = this.count + more;
		if (needed <= this.hashes.length) return;
		const capacity = Math.max(needed, 2 * this.hashes.length);
		const grown = <T extends Float64Array | Uint8Array | Int32Array>(column: T, make: (length: number) => T): T => {
			const bigger = make(capacity);
			bigger.set(column);
			return bigger;
		};
		const numbers = new Array<string>(capacity);
		for (let at = 0; at < this.count; at++) numbers[at] = this.numbers[at];
		this.numbers = numbers;
		this.hashes = grown(this.hashes, (length) => new Float64Array(length));
		this.claimed = grown(this.claimed, (length) => new Uint8Array(length));
		this.buckets = grown(this.buckets, (length) => new Uint8Array(length));
		this.slots = grown(this.slots, (length) => new Int32Array(length));
		this.layouts = grown(this.layouts, (length) => new Int32Array(length));
	}

	/** number → its place (the first, when a number was kept for two texts). */
	places(): Map<string, number> {
		const places = new Map<string, number>();
		for (let at = this.count - 1; at >= 0; at--) places.set(this.numbers[at], at);
		return places;
	}

	/** After `reserve`. */
	push(number: string, hash: number, claimed: boolean, bucket: number, slot: number, layout: number): void {
		const at = this.count++;
		this.numbers[at] = number;
		this.hashes[at] = hash;
		this.claimed[at] = claimed ? 1 : 0;
		if (claimed) this.claimedCount++;
		this.buckets[at] = bucket;
		this.slots[at] = slot;
		this.layouts[at] = layout;
	}
}

/**
 * One item's numbers against the record: `keep` leaves out the repeats and claims the rest; the
 * send then reports each request's fate, and `settle` frees what was claimed but not recorded.
 */
export class SendOnceClaim {
	/** Numbers left out: `[{phone, message_id, sent_at, status}]`. */
	readonly repeats: IDataObject[] = [];
	/** Numbers sent again although an earlier send's fate was unknown (Repeat Unknown Sends on). */
	readonly repeatedUnknown: IDataObject[] = [];
	/** This item's number: its claims in the record's index are `-owner`. */
	private readonly owner: number;
	private readonly kept = new KeptNumbers();
	/** Where in `kept` the next request probably starts: requests are its slices, in order. */
	private nextPosition = 0;
	/** number → its place in `kept`, built the first time a request is not the slice expected. */
	private positions: Map<string, number> | undefined;

	/** Queue mode: the numbers already asked of the shared record, those it claimed for this item, and those it kept out. */
	private readonly sharedChecked = new Set<string>();
	private readonly sharedClaimed = new Set<string>();
	private readonly sharedTaken = new Set<string>();
	/** What this item's claims in the shared record carry, so that only they are freed. */
	private readonly token = randomUUID();

	private constructor(
		private readonly context: IExecuteFunctions,
		private readonly record: SendRecord,
		private readonly settings: SendOnceSettings,
		/** A dry run looks, and claims or records nothing. */
		private readonly dryRun: boolean,
		/** Queue mode: the record in n8n's Redis. */
		private readonly sharedStore: ClusterSendRecord | undefined,
	) {
		this.shared = sharedStore;
		this.owner = record.newOwner();
	}

	/** The shared record while it answers: undefined once it did not (this worker's record alone is checked). */
	private shared: ClusterSendRecord | undefined;

	static open(context: IExecuteFunctions, settings: SendOnceSettings | undefined, dryRun: boolean): SendOnceClaim | undefined {
		if (!settings) return undefined;
		return new SendOnceClaim(context, openRecord(context, Math.floor(Date.now() / MINUTE_MS)), settings, dryRun, sharedRecord(context));
	}

	/** The numbers of `text` still to send; the others are listed in `repeats`. */
	keep(text: string, numbers: string[]): string[] {
		const digest = basisDigest(this.settings.idempotencyKey !== undefined ? `k\n${this.settings.idempotencyKey}` : `t\n${text}\n${this.settings.scope}`);
		const bucket = bucketOf(digest);
		const nowMs = Date.now();
		const kept = new Array<string>(numbers.length);
		const pass: KeepPass = { numbers, digest, bucket, index: this.record.index(bucket), nowMs, nowMinute: Math.floor(nowMs / MINUTE_MS), kept, keptCount: 0 };
		this.positions = undefined;
		// Each slot found stays where it is until this pass's own writes are done.
		if (!this.dryRun) pass.index.reserve(numbers.length);
		this.kept.reserve(numbers.length);
		if (!this.dryRun && numbers.length && !this.record.claimStarted.has(this.owner)) this.record.claimStarted.set(this.owner, nowMs);
		// In slices, a call each: V8 compiles a loop of 10,000 while it runs (OSR), and did so again
		// at every call, a few milliseconds of CPU each time; a function called often is compiled once.
		for (let from = 0; from < numbers.length; from += KEEP_SLICE) this.keepSlice(pass, from, Math.min(numbers.length, from + KEEP_SLICE));
		kept.length = pass.keptCount;
		return kept;
	}

	private keepSlice(pass: KeepPass, from: number, to: number): void {
		const { numbers, index, bucket, nowMs, nowMinute, kept } = pass;
		const hashes = hashNumbers(pass.digest, numbers, from, to);
		const claim = -this.owner;
		for (let position = from; position < to; position++) {
			const number = numbers[position];
			const hash = hashes[position - from];
			const slot = index.slot(hash);
			const value = index.valueAt(slot);
			const group = this.record.liveGroup(value < 0 ? index.beneathAt(slot) : value, nowMinute);
			const recent = group && nowMs - group.sentMinute * MINUTE_MS < this.settings.windowMs ? group : undefined;
			if (recent && !(recent.unknown && this.settings.repeatUnknown)) {
				this.repeats.push({
					phone: number,
					message_id: recent.messageId ?? null,
					sent_at: minuteIso(recent.sentMinute),
					status: recent.unknown ? 'unknown' : 'sent',
				});
				continue;
			}
			if (value < 0 && value !== claim) {
				// Another item or execution is sending it right now.
				const claimedAt = this.record.claimStarted.get(-value) ?? nowMs;
				this.repeats.push({ phone: number, message_id: null, sent_at: minuteIso(Math.floor(claimedAt / MINUTE_MS)), status: 'sending' });
				continue;
			}
			if (recent) this.repeatedUnknown.push({ phone: number, sent_at: minuteIso(recent.sentMinute) });
			const claims = !this.dryRun && value !== claim;
			if (claims) index.write(slot, hash, claim, Math.max(value, 0));
			this.kept.push(number, hash, claims, bucket, slot, index.layout);
			kept[pass.keptCount++] = number;
		}
	}

	/** Where each of these kept numbers is in `kept`. */
	private positionsOf(recipients: readonly string[]): number[] {
		// Sized ahead (and cut to what was found): arrays grown a push at a time are garbage per request.
		const places = new Array<number>(recipients.length);
		let found = 0;
		const { numbers } = this.kept;
		let expected = numbers[this.nextPosition] === recipients[0] ? this.nextPosition : -1;
		for (const number of recipients) {
			if (numbers[expected] !== number) {
				this.positions ??= this.kept.places();
				expected = this.positions.get(number) ?? -1;
			}
			if (expected < 0) continue;
			places[found++] = expected;
			expected++;
		}
		this.nextPosition = Math.max(expected, 0);
		places.length = found;
		return places;
	}

	/**
	 * Those of these numbers that this item still claims, per bucket (one: a request carries one
	 * text); from now on it does not (they are being recorded or freed).
	 */
	private takeClaimed(recipients: readonly string[]): ClaimedSlots[] {
		return this.claimedAt(this.positionsOf(recipients));
	}

	/** `places` in `kept`, or all of them. */
	private claimedAt(places?: readonly number[]): ClaimedSlots[] {
		const { kept } = this;
		// Nothing left to find: most items are done with every number by the time they settle.
		if (kept.claimedCount === 0) return [];
		const end = places ? places.length : kept.count;
		// Twice: a request's numbers are one text's, in one bucket; others are regrouped after them.
		reserveClaimedColumns(2 * end);
		let found = 0;
		let mixed = false;
		for (let at = 0; at < end; at++) {
			const place = places ? places[at] : at;
			if (kept.claimed[place] === 0) continue;
			kept.claimed[place] = 0;
			kept.claimedCount--;
			claimedHashes[found] = kept.hashes[place];
			claimedSlotsAt[found] = kept.slots[place];
			claimedBuckets[found] = kept.buckets[place];
			claimedLayouts[found] = kept.layouts[place];
			if (claimedBuckets[found] !== claimedBuckets[0]) mixed = true;
			found++;
		}
		if (found === 0) return [];
		if (!mixed) return [claimedRange(claimedBuckets[0], 0, found)];
		const byBucket: ClaimedSlots[] = [];
		let next = found;
		for (let first = 0; first < found; first++) {
			const bucket = claimedBuckets[first];
			if (byBucket.some((claimed) => claimed.bucket === bucket)) continue;
			const start = next;
			for (let at = first; at < found; at++) {
				if (claimedBuckets[at] !== bucket) continue;
				claimedHashes[next] = claimedHashes[at];
				claimedSlotsAt[next] = claimedSlotsAt[at];
				claimedLayouts[next++] = claimedLayouts[at];
			}
			byBucket.push(claimedRange(bucket, start, next));
		}
		return byBucket;
	}

	private release(claimed: ClaimedSlots[]): void {
		for (const inBucket of claimed) this.record.release(inBucket, this.owner);
	}

	/**
	 * Queue mode: a request's numbers, checked against and claimed in the record every worker
	 * shares just before the request goes out; those another execution sent, or is sending, are
	 * left out and listed. Outside queue mode, or once Redis did not answer, the numbers as they are.
	 */
	async sharedRecipients(recipients: string[]): Promise<string[]> {
		if (!this.shared) return recipients;
		const places = this.positionsOf(recipients).filter((place) => !this.sharedChecked.has(this.kept.numbers[place]));
		const unchecked = places.map((place) => this.kept.numbers[place]);
		if (unchecked.length) {
			for (const number of unchecked) this.sharedChecked.add(number);
			try {
				const answers = await this.shared.claim(
					places.map((place) => encodeHash(this.kept.hashes[place])),
					{ windowMs: this.settings.windowMs, repeatUnknown: this.settings.repeatUnknown, token: this.token, staleMs: SHARED_CLAIM_STALE_MS, peek: this.dryRun },
				);
				answers.forEach((answer, index) => this.keepShared(unchecked[index], answer.taken, answer.repeatedUnknown));
			} catch (error) {
				// Claims may have been made before it stopped answering: they are this item's, to record or free.
				if (!this.dryRun) for (const number of unchecked) this.sharedClaimed.add(number);
				this.unshared(error);
			}
		}
		return this.sharedTaken.size ? recipients.filter((number) => !this.sharedTaken.has(number)) : recipients;
	}

	private keepShared(number: string, taken: SharedSend | undefined, repeatedUnknown: SharedSend | undefined): void {
		if (!taken) {
			if (!this.dryRun) this.sharedClaimed.add(number);
			if (repeatedUnknown && !this.repeatedUnknown.some((entry) => entry.phone === number)) {
				this.repeatedUnknown.push({ phone: number, sent_at: secondIso(repeatedUnknown.atMs) });
			}
			return;
		}
		this.sharedTaken.add(number);
		this.repeats.push({ phone: number, message_id: taken.messageId ?? null, sent_at: secondIso(taken.atMs), status: taken.state });
		this.release(this.takeClaimed([number]));
	}

	/** Mifumo accepted a request carrying these numbers. */
	async accepted(recipients: string[], messageId: unknown): Promise<void> {
		const id = typeof messageId === 'string' || typeof messageId === 'number' ? String(messageId) : undefined;
		this.settleRequest(recipients, false, id);
		await this.settleShared(recipients, (shared, hashes) => shared.record(hashes, 'sent', this.settings.windowMs, id));
	}

	/** A request failed: recorded as unknown when it may have reached Mifumo, else released for a later run. */
	async failed(recipients: string[], error: unknown): Promise<void> {
		const mayHaveSent = !(error instanceof MifumoApiError) || error.outcomeUnknown;
		if (mayHaveSent) {
			this.settleRequest(recipients, true, undefined);
			await this.settleShared(recipients, (shared, hashes) => shared.record(hashes, 'unknown', this.settings.windowMs));
		} else {
			this.release(this.takeClaimed(recipients));
			await this.settleShared(recipients, (shared, hashes) => shared.release(hashes, this.token), true);
		}
	}

	/** The item is done: what it claimed and never recorded (not sent, surely failed) is free again. */
	async settle(): Promise<void> {
		this.settleLocal();
		await this.settleShared([...this.sharedClaimed], (shared, hashes) => shared.release(hashes, this.token), true);
	}

	/** `settle` before any request went out (the item's input failed its checks): nothing was claimed in Redis yet. */
	settleLocal(): void {
		this.release(this.claimedAt());
		this.record.claimStarted.delete(this.owner);
	}

	/** What the item's output says about it. */
	notes(): IDataObject {
		return {
			...(this.repeats.length ? { repeats_skipped: this.repeats } : {}),
			...(this.repeatedUnknown.length ? { repeated_unknown: this.repeatedUnknown } : {}),
		};
	}

	/** The output of an item that had nothing left to send. */
	skippedRecord(): IDataObject {
		return { skipped: true, reason: 'REPEAT', repeats_skipped: this.repeats };
	}

	private settleRequest(recipients: string[], unknown: boolean, messageId: string | undefined): void {
		const claimed = this.takeClaimed(recipients);
		if (claimed.length === 0) return;
		const nowMinute = Math.floor(Date.now() / MINUTE_MS);
		const fate = { sentMinute: nowMinute, expiresMinute: nowMinute + Math.ceil(this.settings.windowMs / MINUTE_MS), unknown, messageId };
		for (const inBucket of claimed) this.record.add(fate, inBucket, this.owner, nowMinute);
		this.context.getWorkflowStaticData('node')[STATIC_DATA_KEY] = this.record.stored;
	}

	/**
	 * Reports what became of these numbers' shared claims; a Redis that does not answer leaves them
	 * claimed (their fate unknown to the other workers). A release is tried even after Redis stopped
	 * answering: a claim it made late would otherwise keep a number that was never sent out for the whole window.
	 */
	private async settleShared(
		recipients: string[],
		report: (shared: ClusterSendRecord, hashes: string[]) => Promise<void>,
		evenIfUnshared = false,
	): Promise<void> {
		if (this.sharedClaimed.size === 0) return;
		const numbers = recipients.filter((number) => this.sharedClaimed.has(number));
		for (const number of numbers) this.sharedClaimed.delete(number);
		const shared = this.shared ?? (evenIfUnshared ? this.sharedStore : undefined);
		if (!shared || numbers.length === 0) return;
		try {
			await report(shared, this.positionsOf(numbers).map((place) => encodeHash(this.kept.hashes[place])));
		} catch (error) {
			this.unshared(error);
		}
	}

	private unshared(error: unknown): void {
		this.shared = undefined;
		addUnsharedHint(this.context, error);
	}
}

/** Fields every output record of an item gets: the repeats it left out, and the Quiet Hours delay. */
export function outputNotes(claim: SendOnceClaim | undefined, settings: SendSettings): IDataObject {
	return {
		...claim?.notes(),
		...(settings.quietHoursDelayedTo ? { quiet_hours_delayed_to: settings.quietHoursDelayedTo } : {}),
	};
}

/** Runs `plan` (which checks the item's input); when it throws, what the claim holds is freed. */
export function settledIfThrows<T>(claim: SendOnceClaim | undefined, plan: () => T): T {
	let planned = false;
	try {
		const result = plan();
		planned = true;
		return result;
	} finally {
		if (!planned) claim?.settleLocal();
	}
}
