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
 * One accepted (or unknown) request: when, for how long it counts, its message_id and the
 * hashes of its numbers. Stored as one line: `minute keepMinutes state messageId hashes`.
 */
interface SentGroup {
	/** This process's own number for it (HashIndex values). */
	id: number;
	line: string;
	sentMinute: number;
	expiresMinute: number;
	unknown: boolean;
	messageId?: string;
	hashes: number[];
}

function groupLine(group: Omit<SentGroup, 'line' | 'id'>): string {
	return [
		group.sentMinute.toString(36),
		(group.expiresMinute - group.sentMinute).toString(36),
		group.unknown ? 'u' : 's',
		encodeURIComponent(group.messageId ?? ''),
		group.hashes.map(encodeHash).join(''),
	].join(' ');
}

function parseGroup(line: string): Omit<SentGroup, 'id'> | undefined {
	const [sent, keep, state, messageId, hashes] = line.split(' ');
	if (hashes === undefined || hashes.length % HASH_LENGTH !== 0) return undefined;
	const sentMinute = parseInt(sent, 36);
	const expiresMinute = sentMinute + parseInt(keep, 36);
	if (!Number.isFinite(expiresMinute)) return undefined;
	const list: number[] = [];
	for (let index = 0; index < hashes.length; index += HASH_LENGTH) {
		const hash = decodeHash(hashes, index);
		if (hash === undefined) return undefined;
		list.push(hash);
	}
	return { line, sentMinute, expiresMinute, unknown: state === 'u', messageId: messageId ? decodeURIComponent(messageId) : undefined, hashes: list };
}

/**
 * hash → a small whole number, in typed arrays (open addressing): a Map keyed by 52-bit numbers
 * cost more than the 2 % a 10,000-number send may spend on the check. Entries leave by `rebuild`.
 */
class HashIndex {
	private high = new Int32Array(1024);
	private low = new Int32Array(1024);
	/** 0: empty slot. */
	private values = new Int32Array(1024);
	private count = 0;

	get(hash: number): number {
		const mask = this.values.length - 1;
		const high = Math.floor(hash / 0x100000) | 0;
		const low = hash % 0x100000;
		for (let slot = (high ^ low) & mask; ; slot = (slot + 1) & mask) {
			const value = this.values[slot];
			if (value === 0 || (this.high[slot] === high && this.low[slot] === low)) return value;
		}
	}

	set(hash: number, value: number): void {
		if ((this.count + 1) * 2 > this.values.length) this.grow(this.values.length * 2);
		this.insert(Math.floor(hash / 0x100000) | 0, hash % 0x100000, value);
	}

	private insert(high: number, low: number, value: number): void {
		const mask = this.values.length - 1;
		for (let slot = (high ^ low) & mask; ; slot = (slot + 1) & mask) {
			if (this.values[slot] === 0) this.count++;
			else if (this.high[slot] !== high || this.low[slot] !== low) continue;
			this.high[slot] = high;
			this.low[slot] = low;
			this.values[slot] = value;
			return;
		}
	}

	/** Starts afresh with each group's hashes → its id, as after dropping groups. */
	rebuild(groups: Array<{ id: number; hashes: number[] }>, size: number): void {
		let capacity = 1024;
		while (capacity < size * 2) capacity *= 2;
		this.high = new Int32Array(capacity);
		this.low = new Int32Array(capacity);
		this.values = new Int32Array(capacity);
		this.count = 0;
		for (const group of groups) for (const hash of group.hashes) this.set(hash, group.id);
	}

	private grow(capacity: number): void {
		const { high, low, values } = this;
		this.high = new Int32Array(capacity);
		this.low = new Int32Array(capacity);
		this.values = new Int32Array(capacity);
		this.count = 0;
		for (let slot = 0; slot < values.length; slot++) {
			if (values[slot] !== 0) this.insert(high[slot], low[slot], values[slot]);
		}
	}
}

/** What one Mifumo node of one workflow sent, as this process knows it. */
class SendRecord {
	private groups: SentGroup[] = [];
	private lines = new Set<string>();
	private chars = 0;
	/** hash → the id of the latest group that holds it; `byId` → the group. */
	private byHash = new HashIndex();
	private byId = new Map<number, SentGroup>();
	private lastId = 0;
	/** Index entries of dropped groups: `find` skips them (their id is gone); a rebuild clears them once they outnumber the live ones. */
	private staleEntries = 0;
	private liveEntries = 0;
	/** hash → when a request for it was claimed and has not been settled yet. */
	readonly claims = new Map<number, number>();
	/** The text last read from or written to the static data: the same text needs no merge. */
	stored = '';

	/** Adds what another process (or an earlier start of this one) stored and this record lacks. */
	merge(stored: string, nowMinute: number): void {
		if (stored === this.stored) return this.prune(nowMinute, MAX_RECORD_CHARS);
		let added = false;
		for (const line of stored.split('\n')) {
			if (line === '' || this.lines.has(line)) continue;
			const group = parseGroup(line);
			if (!group || group.expiresMinute <= nowMinute) continue;
			this.groups.push({ ...group, id: ++this.lastId });
			this.lines.add(line);
			this.chars += line.length + 1;
			added = true;
		}
		if (added) {
			this.groups.sort((a, b) => a.sentMinute - b.sentMinute);
			this.reindex();
		}
		this.prune(nowMinute, MAX_RECORD_CHARS);
		// What this process knows and the static data lacked (an execution that started from an older copy) is written back too.
		this.stored = this.serialize();
	}

	/** The latest send of this hash whose window has not ended. */
	find(hash: number, nowMinute: number): SentGroup | undefined {
		const id = this.byHash.get(hash);
		const group = id === 0 ? undefined : this.byId.get(id);
		return group && group.expiresMinute > nowMinute ? group : undefined;
	}

	add(group: Omit<SentGroup, 'line' | 'id'>, nowMinute: number): void {
		const line = groupLine(group);
		if (this.lines.has(line)) return;
		const stored: SentGroup = { ...group, line, id: ++this.lastId };
		this.groups.push(stored);
		this.lines.add(line);
		this.chars += line.length + 1;
		this.byId.set(stored.id, stored);
		for (const hash of group.hashes) this.byHash.set(hash, stored.id);
		this.liveEntries += group.hashes.length;
		// Appending keeps the write cheap: V8 joins the strings only when n8n serialises them.
		this.stored = this.stored === '' ? line : `${this.stored}\n${line}`;
		if (this.chars > MAX_RECORD_CHARS) this.prune(nowMinute, PRUNED_RECORD_CHARS);
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
		for (const group of this.groups.slice(0, drop)) {
			this.lines.delete(group.line);
			// Oldest first: a hash whose latest group goes has no older one left either.
			this.byId.delete(group.id);
			this.staleEntries += group.hashes.length;
			this.liveEntries -= group.hashes.length;
		}
		this.groups = this.groups.slice(drop);
		if (this.staleEntries > this.liveEntries) this.reindex();
		// The stored text holds the groups in this order: the dropped ones are its start.
		this.stored = this.stored.slice(this.chars - chars);
		this.chars = chars;
	}

	/** The index anew from the groups, oldest first, so that a hash maps to its latest group. */
	private reindex(): void {
		this.byId = new Map(this.groups.map((group) => [group.id, group]));
		this.liveEntries = this.groups.reduce((sum, group) => sum + group.hashes.length, 0);
		this.staleEntries = 0;
		this.byHash.rebuild(this.groups, this.liveEntries);
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

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const BASE64URL_VALUES = new Map([...BASE64URL].map((character, value) => [character.charCodeAt(0), value]));

/** Low digit first. */
function encodeHash(hash: number): string {
	let text = '';
	for (let digit = 0, rest = hash; digit < HASH_LENGTH; digit++, rest = Math.floor(rest / 64)) text += BASE64URL[rest % 64];
	return text;
}

function decodeHash(text: string, offset: number): number | undefined {
	let hash = 0;
	for (let digit = HASH_LENGTH - 1; digit >= 0; digit--) {
		const value = BASE64URL_VALUES.get(text.charCodeAt(offset + digit));
		if (value === undefined) return undefined;
		hash = hash * 64 + value;
	}
	return hash;
}

/**
 * The hash of a number under one basis (text and scope, or key): SHA-256 of the basis, once, seeds
 * a 64-bit mix (cyrb53's) of the number, kept to 52 bits so that it is a plain number (a cheap Map
 * key); SHA-256 per number would cost a 10,000-number send more than its 2 % budget. Not a
 * defence against crafted collisions: the numbers are the user's own.
 */
function numberHasher(basis: string): (number: string) => number {
	const seed = hash('sha256', basis, 'buffer');
	const seed1 = seed.readUInt32LE(0);
	const seed2 = seed.readUInt32LE(4);
	return (number) => {
		let h1 = 0xdeadbeef ^ seed1;
		let h2 = 0x41c6ce57 ^ seed2;
		for (let index = 0; index < number.length; index++) {
			const code = number.charCodeAt(index);
			h1 = Math.imul(h1 ^ code, 2654435761);
			h2 = Math.imul(h2 ^ code, 1597334677);
		}
		h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
		h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
		h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
		h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
		return (h1 >>> 0) * 0x100000 + (h2 >>> 12);
	};
}

function minuteIso(minute: number): string {
	return secondIso(minute * MINUTE_MS);
}

function secondIso(ms: number): string {
	return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
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
	/** number → its hash, for the numbers this item claimed and has not settled. */
	private readonly claimed = new Map<string, number>();
	/** Queue mode: number → its hash, for every number `keep` kept (a dry run's too), to ask the shared record. */
	private readonly hashes = new Map<string, number>();

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
	}

	/** The shared record while it answers: undefined once it did not (this worker's record alone is checked). */
	private shared: ClusterSendRecord | undefined;

	static open(context: IExecuteFunctions, settings: SendOnceSettings | undefined, dryRun: boolean): SendOnceClaim | undefined {
		if (!settings) return undefined;
		return new SendOnceClaim(context, openRecord(context, Math.floor(Date.now() / MINUTE_MS)), settings, dryRun, sharedRecord(context));
	}

	/** The numbers of `text` still to send; the others are listed in `repeats`. */
	keep(text: string, numbers: string[]): string[] {
		const hashOf = numberHasher(
			this.settings.idempotencyKey !== undefined ? `k\n${this.settings.idempotencyKey}` : `t\n${text}\n${this.settings.scope}`,
		);
		const nowMs = Date.now();
		const nowMinute = Math.floor(nowMs / MINUTE_MS);
		const kept: string[] = [];
		for (const number of numbers) {
			const hash = hashOf(number);
			const group = this.record.find(hash, nowMinute);
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
			const claimedAt = this.record.claims.get(hash);
			if (claimedAt !== undefined && !this.claimed.has(number)) {
				// Another item or execution is sending it right now.
				this.repeats.push({ phone: number, message_id: null, sent_at: minuteIso(Math.floor(claimedAt / MINUTE_MS)), status: 'sending' });
				continue;
			}
			if (recent) this.repeatedUnknown.push({ phone: number, sent_at: minuteIso(recent.sentMinute) });
			if (this.shared) this.hashes.set(number, hash);
			if (!this.dryRun) {
				this.record.claims.set(hash, nowMs);
				this.claimed.set(number, hash);
			}
			kept.push(number);
		}
		return kept;
	}

	/**
	 * Queue mode: a request's numbers, checked against and claimed in the record every worker
	 * shares just before the request goes out; those another execution sent, or is sending, are
	 * left out and listed. Outside queue mode, or once Redis did not answer, the numbers as they are.
	 */
	async sharedRecipients(recipients: string[]): Promise<string[]> {
		const unchecked = this.shared ? recipients.filter((number) => this.hashes.has(number) && !this.sharedChecked.has(number)) : [];
		if (this.shared && unchecked.length) {
			for (const number of unchecked) this.sharedChecked.add(number);
			try {
				const answers = await this.shared.claim(
					unchecked.map((number) => encodeHash(this.hashes.get(number)!)),
					{ windowMs: this.settings.windowMs, repeatUnknown: this.settings.repeatUnknown, token: this.token, staleMs: SHARED_CLAIM_STALE_MS, peek: this.dryRun },
				);
				answers.forEach((answer, index) => this.keepShared(unchecked[index], answer.taken, answer.repeatedUnknown));
			} catch (error) {
				// Claims may have been made before it stopped answering: they are this item's, to record or free.
				if (!this.dryRun) for (const number of unchecked) this.sharedClaimed.add(number);
				this.unshared(error);
			}
		}
		return recipients.filter((number) => !this.sharedTaken.has(number));
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
		this.release([number]);
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
			this.release(recipients);
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
		this.release([...this.claimed.keys()]);
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
		if (this.dryRun) return;
		const hashes = recipients.map((number) => this.claimed.get(number)).filter((hash): hash is number => hash !== undefined);
		if (hashes.length === 0) return;
		const nowMinute = Math.floor(Date.now() / MINUTE_MS);
		this.record.add(
			{ sentMinute: nowMinute, expiresMinute: nowMinute + Math.ceil(this.settings.windowMs / MINUTE_MS), unknown, messageId, hashes },
			nowMinute,
		);
		this.release(recipients);
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
		const numbers = recipients.filter((number) => this.sharedClaimed.has(number));
		for (const number of numbers) this.sharedClaimed.delete(number);
		const shared = this.shared ?? (evenIfUnshared ? this.sharedStore : undefined);
		if (!shared || numbers.length === 0) return;
		try {
			await report(shared, numbers.map((number) => encodeHash(this.hashes.get(number)!)));
		} catch (error) {
			this.unshared(error);
		}
	}

	private unshared(error: unknown): void {
		this.shared = undefined;
		addUnsharedHint(this.context, error);
	}

	private release(recipients: string[]): void {
		for (const number of recipients) {
			const hash = this.claimed.get(number);
			if (hash === undefined) continue;
			this.record.claims.delete(hash);
			this.claimed.delete(number);
		}
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
