/**
 * Send once: Options → Repeat Window (Hours) and Idempotency Key. Mifumo keeps no per-recipient
 * record, so the node remembers what it sent: in the workflow's static data (n8n saves it after
 * every execution that is not manual, failed ones too), and in a record in this process shared by
 * the executions of the same workflow, so that two executions at the same moment cannot both send.
 * A number is claimed before its request goes out, recorded once Mifumo accepted it (or as
 * `unknown` when its fate is unknown), and released when the request surely failed.
 */
import { createHash } from 'node:crypto';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { describeValue, inputError } from '../../helpers/validation';
import { MifumoApiError } from '../../transport/errors';
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
		'With Repeat Window set: check repeats on this key + number instead of text + number, e.g. an order ID, so that a webhook delivered twice sends nothing the second time even when its text changed',
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
	const hours = readWindowHours(context, itemIndex, options.repeatWindowHours);
	const key = readIdempotencyKey(context, itemIndex, options.idempotencyKey);
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

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

function readWindowHours(context: IExecuteFunctions, itemIndex: number, value: unknown): number {
	if (value === undefined || value === null || value === '') return 0;
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

/** 72 bits of SHA-256 in base64url: a collision among the 10^5 numbers of a full record is about one in 10^11. */
const HASH_LENGTH = 12;

/**
 * The static data holds at most this many characters (about 1.4 MB): 100,000 numbers sent 100
 * to a request take about 1.26 MB; beyond the cap the oldest sends are dropped first.
 */
export const MAX_RECORD_CHARS = 1_400_000;

const STATIC_DATA_KEY = 'sendOnce';

/**
 * One accepted (or unknown) request: when, for how long it counts, its message_id and the
 * hashes of its numbers. Stored as one line: `minute keepMinutes state messageId hashes`.
 */
interface SentGroup {
	line: string;
	sentMinute: number;
	expiresMinute: number;
	unknown: boolean;
	messageId?: string;
	hashes: string[];
}

function groupLine(group: Omit<SentGroup, 'line'>): string {
	return [
		group.sentMinute.toString(36),
		(group.expiresMinute - group.sentMinute).toString(36),
		group.unknown ? 'u' : 's',
		encodeURIComponent(group.messageId ?? ''),
		group.hashes.join(''),
	].join(' ');
}

function parseGroup(line: string): SentGroup | undefined {
	const [sent, keep, state, messageId, hashes] = line.split(' ');
	if (hashes === undefined || hashes.length % HASH_LENGTH !== 0) return undefined;
	const sentMinute = parseInt(sent, 36);
	const expiresMinute = sentMinute + parseInt(keep, 36);
	if (!Number.isFinite(expiresMinute)) return undefined;
	const list: string[] = [];
	for (let index = 0; index < hashes.length; index += HASH_LENGTH) list.push(hashes.slice(index, index + HASH_LENGTH));
	return { line, sentMinute, expiresMinute, unknown: state === 'u', messageId: messageId ? decodeURIComponent(messageId) : undefined, hashes: list };
}

/** What one Mifumo node of one workflow sent, as this process knows it. */
class SendRecord {
	private groups: SentGroup[] = [];
	private lines = new Set<string>();
	private chars = 0;
	/** hash → the latest group that holds it. */
	private byHash = new Map<string, SentGroup>();
	/** hash → when a request for it was claimed and has not been settled yet. */
	readonly claims = new Map<string, number>();
	/** The text last read from or written to the static data: the same text needs no merge. */
	stored = '';

	/** Adds what another process (or an earlier start of this one) stored and this record lacks. */
	merge(stored: string, nowMinute: number): void {
		if (stored === this.stored) return;
		let added = false;
		for (const line of stored.split('\n')) {
			if (line === '' || this.lines.has(line)) continue;
			const group = parseGroup(line);
			if (!group || group.expiresMinute <= nowMinute) continue;
			this.groups.push(group);
			this.lines.add(line);
			this.chars += line.length + 1;
			added = true;
		}
		if (added) {
			this.groups.sort((a, b) => a.sentMinute - b.sentMinute);
			this.byHash.clear();
			for (const group of this.groups) for (const hash of group.hashes) this.byHash.set(hash, group);
		}
		this.prune(nowMinute);
		// What this process knows and the static data lacked (an execution that started from an older copy) is written back too.
		this.stored = this.serialize();
	}

	find(hash: string): SentGroup | undefined {
		return this.byHash.get(hash);
	}

	add(group: Omit<SentGroup, 'line'>, nowMinute: number): void {
		const line = groupLine(group);
		if (this.lines.has(line)) return;
		const stored: SentGroup = { ...group, line };
		this.groups.push(stored);
		this.lines.add(line);
		this.chars += line.length + 1;
		for (const hash of group.hashes) this.byHash.set(hash, stored);
		// Appending keeps the write cheap: V8 joins the strings only when n8n serialises them.
		this.stored = this.stored === '' ? line : `${this.stored}\n${line}`;
		this.prune(nowMinute);
	}

	/** Oldest first: groups whose window ended, then whatever exceeds the size cap. */
	private prune(nowMinute: number): void {
		let drop = 0;
		let chars = this.chars;
		while (drop < this.groups.length && (this.groups[drop].expiresMinute <= nowMinute || chars > MAX_RECORD_CHARS)) {
			chars -= this.groups[drop].line.length + 1;
			drop++;
		}
		if (drop === 0) return;
		for (const group of this.groups.slice(0, drop)) {
			this.lines.delete(group.line);
			for (const hash of group.hashes) if (this.byHash.get(hash) === group) this.byHash.delete(hash);
		}
		this.groups = this.groups.slice(drop);
		this.chars = chars;
		this.stored = this.serialize();
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
	const key = `${context.getWorkflow().id ?? ''}\n${context.getNode().name}`;
	let record = records.get(key);
	if (!record) records.set(key, (record = new SendRecord()));
	const staticData = context.getWorkflowStaticData('node');
	const stored = staticData[STATIC_DATA_KEY];
	record.merge(typeof stored === 'string' ? stored : '', nowMinute);
	openedRecords.set(context, record);
	if (context.getMode() === 'manual') addManualRunHint(context);
	return record;
}

function addManualRunHint(context: IExecuteFunctions): void {
	context.addExecutionHints({
		message:
			'Repeat Window: n8n does not save the static data of runs started from the editor, so these sends are remembered only until n8n restarts. Production runs (trigger, webhook, schedule, retry) are saved with the workflow.',
		type: 'info',
		location: 'outputPane',
	});
}

function hashOf(basis: string, number: string): string {
	return createHash('sha256').update(`${basis}\n${number}`, 'utf8').digest('base64url').slice(0, HASH_LENGTH);
}

function minuteIso(minute: number): string {
	return new Date(minute * MINUTE_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
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
	private readonly claimed = new Map<string, string>();

	private constructor(
		private readonly context: IExecuteFunctions,
		private readonly record: SendRecord,
		private readonly settings: SendOnceSettings,
		/** A dry run looks, and claims or records nothing. */
		private readonly dryRun: boolean,
	) {}

	static open(context: IExecuteFunctions, settings: SendOnceSettings | undefined, dryRun: boolean): SendOnceClaim | undefined {
		if (!settings) return undefined;
		return new SendOnceClaim(context, openRecord(context, Math.floor(Date.now() / MINUTE_MS)), settings, dryRun);
	}

	/** The numbers of `text` still to send; the others are listed in `repeats`. */
	keep(text: string, numbers: string[]): string[] {
		const basis = this.settings.idempotencyKey !== undefined ? `k\n${this.settings.idempotencyKey}` : `t\n${text}\n${this.settings.scope}`;
		const nowMs = Date.now();
		const kept: string[] = [];
		for (const number of numbers) {
			const hash = hashOf(basis, number);
			const group = this.record.find(hash);
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
			if (!this.dryRun) {
				this.record.claims.set(hash, nowMs);
				this.claimed.set(number, hash);
			}
			kept.push(number);
		}
		return kept;
	}

	/** Mifumo accepted a request carrying these numbers. */
	accepted(recipients: string[], messageId: unknown): void {
		this.settleRequest(recipients, false, typeof messageId === 'string' || typeof messageId === 'number' ? String(messageId) : undefined);
	}

	/** A request failed: recorded as unknown when it may have reached Mifumo, else released for a later run. */
	failed(recipients: string[], error: unknown): void {
		const mayHaveSent = !(error instanceof MifumoApiError) || error.outcomeUnknown;
		if (mayHaveSent) this.settleRequest(recipients, true, undefined);
		else this.release(recipients);
	}

	/** The item is done: what it claimed and never recorded (not sent, surely failed) is free again. */
	settle(): void {
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
		const hashes = recipients.map((number) => this.claimed.get(number)).filter((hash): hash is string => hash !== undefined);
		if (hashes.length === 0) return;
		const nowMinute = Math.floor(Date.now() / MINUTE_MS);
		this.record.add(
			{ sentMinute: nowMinute, expiresMinute: nowMinute + Math.ceil(this.settings.windowMs / MINUTE_MS), unknown, messageId, hashes },
			nowMinute,
		);
		this.release(recipients);
		this.context.getWorkflowStaticData('node')[STATIC_DATA_KEY] = this.record.stored;
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
		if (!planned) claim?.settle();
	}
}
