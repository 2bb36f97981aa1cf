/**
 * From a checked text and recipient list to the requests a send makes, and making them:
 * the one place that decides parts and batches, shared by Send and Send to Segment.
 */
import type { IDataObject, IExecuteFunctions, INode } from 'n8n-workflow';

import {
	SMS_MAX_LENGTH,
	analyzeText,
	characterForcingUcs2,
	describeCostCause,
	messageLength,
	replaceTypography,
	splitMessage,
	type SmsEncoding,
	type TextAnalysis,
} from '../../helpers/encoding';
import { describeEntry, normalizePhoneNumbers } from '../../helpers/phone';
import { compact, expressionOf, inputError } from '../../helpers/validation';
import type { MifumoClient, SendSmsBody } from '../../transport';
import type { ItemSlot } from '../types';
import type { SendSettings } from './sendFields';
import type { SendOnceClaim } from './sendOnce';
import { waitForDeliveries, type AcceptedSend } from './waitForDelivery';

export interface PlannedRequest {
	body: SendSmsBody;
	/** 1-based part of a split message, and how many parts it has. */
	part?: number;
	parts?: number;
	/** The encoding of this request's text and the SMS parts one recipient receives of it. */
	encoding: SmsEncoding;
	segments: number;
	/** Prepared only: its output record is made without sending. */
	dryRun: boolean;
}

export interface SendPlan {
	requests: PlannedRequest[];
	/** Entries left out under Invalid Numbers → Skip. */
	skipped: unknown[];
	/** SMS the plan sends (recipients × parts), for progress in errors. */
	smsCount: number;
	/** Options → Wait For Delivery; 0 does not wait. */
	waitForDeliveryMs: number;
	/** What one recipient receives: the text as a whole (after Replace Typography) and its SMS parts, all parts together. */
	cost: { analysis: TextAnalysis; segments: number };
	/** Options → Repeat Window: what each request's fate is reported to. */
	sendOnce?: SendOnceClaim;
}

/** Numbers as E.164 without duplicates; invalid ones fail the item or are skipped, as the user chose. */
export function readRecipients(
	node: INode,
	itemIndex: number,
	entries: unknown[],
	settings: SendSettings,
): { recipients: string[]; skipped: unknown[] } {
	if (entries.length === 0) {
		const source = expressionOf(node, 'recipients');
		const note = source
			? `: its expression ${source.expression} gave no phone number${source.path ? ` (this item's ${source.path} is empty or missing)` : ''}`
			: '';
		throw inputError(
			node,
			itemIndex,
			`Recipients is empty${note}. Enter at least one phone number, e.g. 0712 345 678.`,
			'MISSING_RECIPIENTS',
		);
	}
	const { valid, invalid } = normalizePhoneNumbers(entries, settings.country);
	const skip = settings.skipInvalidNumbers;
	if (invalid.length && (!skip || valid.length === 0)) {
		const list = invalid.map(describeEntry).join(', ');
		throw inputError(
			node,
			itemIndex,
			`Recipients has ${invalid.length === 1 ? 'an invalid phone number' : `${invalid.length} invalid phone numbers`}: ${list}. Use numbers such as 0712 345 678, 255712345678 or +255712345678${skip ? '' : ', or set Options → Invalid Numbers to "Skip Them"'}. Nothing was sent.`,
			'INVALID_PHONE',
		);
	}
	return { recipients: valid, skipped: invalid };
}

export function planSend(
	node: INode,
	itemIndex: number,
	message: string,
	recipients: string[],
	skipped: unknown[],
	settings: SendSettings,
): SendPlan {
	checkRecipientCount(node, itemIndex, recipients.length, settings);
	const text = settings.replaceTypography ? replaceTypography(message) : message;
	// Callers pass a text they rendered (Send to Segment fills placeholders): blank is refused here too.
	if (text.trim() === '') {
		throw inputError(node, itemIndex, 'Message is empty. Enter the text of the SMS.');
	}
	const analysis = analyzeText(text);
	// Hints and errors name the character where the user typed it, not where it sits after replacement.
	if (analysis.nonGsmCharacter && settings.replaceTypography) analysis.nonGsmCharacter = characterForcingUcs2(message, true);
	const parts = messageParts(node, itemIndex, text, analysis, settings).map((part) => ({ text: part, ...analyzeText(part) }));
	const segments = parts.reduce((sum, part) => sum + part.segments, 0);
	checkSegmentCount(node, itemIndex, message, analysis, segments, settings);
	const requests: PlannedRequest[] = [];
	for (const [partIndex, part] of parts.entries()) {
		for (let start = 0; start < recipients.length; start += settings.recipientsPerRequest) {
			requests.push({
				body: compact({
					message: part.text,
					recipients: recipients.slice(start, start + settings.recipientsPerRequest),
					sender_id: settings.senderId,
					schedule_time: settings.scheduleTime,
					webhook_url: settings.webhookUrl,
				}),
				...(parts.length > 1 ? { part: partIndex + 1, parts: parts.length } : {}),
				encoding: part.encoding,
				segments: part.segments,
				dryRun: settings.dryRun,
			});
		}
	}
	return {
		requests,
		skipped,
		smsCount: recipients.length * parts.length,
		// A dry run sends nothing, so there is no delivery to wait for.
		waitForDeliveryMs: settings.dryRun ? 0 : settings.waitForDeliveryMs,
		cost: { analysis, segments },
	};
}

/** Several texts of one item (Send to Segment's rendered texts) as one plan; the dearest text speaks for its cost. */
export function mergePlans(plans: SendPlan[]): SendPlan {
	return {
		requests: plans.flatMap((plan) => plan.requests),
		skipped: [],
		smsCount: plans.reduce((sum, plan) => sum + plan.smsCount, 0),
		// The same settings planned every text: a dry run waits for nothing, whichever text.
		waitForDeliveryMs: plans[0].waitForDeliveryMs,
		cost: plans.map((plan) => plan.cost).reduce((dearest, cost) => (cost.segments > dearest.segments ? cost : dearest)),
	};
}

/**
 * Makes the plan's requests in order (parts of a split message one after another): one record per
 * request. With Wait For Delivery, the item then gives up its slot and follows every request's delivery.
 */
export async function runSendPlan(client: MifumoClient, plan: SendPlan, slot: ItemSlot): Promise<IDataObject[]> {
	const sends: AcceptedSend[] = [];
	for (const request of plan.requests) {
		if (plan.sendOnce) {
			// Queue mode: numbers another worker's execution sent or is sending are left out here.
			const recipients = await plan.sendOnce.sharedRecipients(request.body.recipients);
			if (recipients.length < request.body.recipients.length) request.body = { ...request.body, recipients };
			if (recipients.length === 0) continue;
		}
		try {
			const record = await sendPlannedRequest(client, request, plan.skipped);
			await plan.sendOnce?.accepted(request.body.recipients, record.message_id);
			sends.push({ record, acceptedAtMs: Date.now(), scheduleTime: request.body.schedule_time });
		} catch (error) {
			await plan.sendOnce?.failed(request.body.recipients, error);
			throw withProgress(error, sends.map((send) => send.record), plan.smsCount);
		}
	}
	if (plan.sendOnce && sends.length === 0) return [plan.sendOnce.skippedRecord()];
	if (plan.waitForDeliveryMs === 0) return sends.map((send) => send.record);
	// Nothing of this item is left to send: another item's sends may go ahead while it waits.
	slot.release();
	return await waitForDeliveries(client, sends, plan.waitForDeliveryMs);
}

/** One request of a plan, and the output record of its answer: Mifumo's data with what the node adds. */
export async function sendPlannedRequest(client: MifumoClient, request: PlannedRequest, skipped: unknown[]): Promise<IDataObject> {
	// A dry run's record is the request it would have sent, where a real send has Mifumo's answer.
	const data: IDataObject = request.dryRun ? { dry_run: true, ...request.body } : await client.sendSms(request.body);
	return {
		...data,
		encoding: request.encoding,
		segments: request.segments,
		total_segments: request.segments * request.body.recipients.length,
		...(request.parts ? { part: request.part, parts: request.parts } : {}),
		...(skipped.length ? { skipped_recipients: skipped } : {}),
	};
}

/** Cost hints already shown in a run, so a thousand items of one text show one hint. */
const shownCostHints = new WeakMap<IExecuteFunctions, Set<string>>();
const MAX_COST_HINTS = 5;

/** In the editor, what a text of more than one SMS costs, and why: the figure nobody would guess. */
export function addCostHint(context: IExecuteFunctions, plan: SendPlan): void {
	const { analysis, segments } = plan.cost;
	if (segments < 2) return;
	const character = analysis.nonGsmCharacter;
	const message = `${analysis.encoding}: ${segments} SMS per recipient${describeCostCause(analysis)}`;
	const shown = shownCostHints.get(context) ?? new Set<string>();
	shownCostHints.set(context, shown);
	if (shown.has(message) || shown.size >= MAX_COST_HINTS) return;
	shown.add(message);
	context.addExecutionHints({ message, type: character ? 'warning' : 'info', location: 'outputPane' });
}

function messageParts(node: INode, itemIndex: number, text: string, analysis: TextAnalysis, settings: SendSettings): string[] {
	if (settings.splitLongMessages) return splitParts(text, analysis, settings);
	const length = messageLength(text);
	if (length <= SMS_MAX_LENGTH) return [text];
	throw inputError(
		node,
		itemIndex,
		`Message is ${length} characters long; one SMS holds at most ${SMS_MAX_LENGTH}. Shorten it, or set Options → Long Messages to "Split Into Several SMS".`,
		'MESSAGE_TOO_LONG',
	);
}

/** Under Split, a text that needs more than one SMS goes out as parts of one SMS each. */
function splitParts(text: string, analysis: TextAnalysis, settings: SendSettings): string[] {
	return analysis.segments > 1 ? splitMessage(text, { numbered: settings.numberParts }) : [text];
}

/** Max Recipients (or the AI tool's limit) against every number the item would send to. */
export function checkRecipientCount(node: INode, itemIndex: number, count: number, settings: SendSettings) {
	if (settings.maxRecipients === 0 || count <= settings.maxRecipients) return;
	const limit = settings.toolRecipientLimit
		? `as an AI agent's tool, this node sends to at most ${settings.maxRecipients} unless Options → Max Recipients is set`
		: `Options → Max Recipients allows at most ${settings.maxRecipients}`;
	throw inputError(
		node,
		itemIndex,
		`Recipients has ${count} numbers (after removing duplicates); ${limit}. Send to fewer numbers, or raise Max Recipients (0: no limit). Nothing was sent.`,
		'TOO_MANY_RECIPIENTS',
	);
}

export function checkSegmentCount(node: INode, itemIndex: number, message: string, analysis: TextAnalysis, segments: number, settings: SendSettings) {
	if (settings.maxSegments === 0 || segments <= settings.maxSegments) return;
	const character = analysis.nonGsmCharacter;
	const why = character ? `UCS-2, because of ${character.character} at position ${character.position}` : analysis.encoding;
	let advice = 'Shorten it';
	if (character?.replaceable && !settings.replaceTypography) {
		const replaced = replaceTypography(message);
		const parts = settings.splitLongMessages ? splitParts(replaced, analyzeText(replaced), settings) : [replaced];
		const replacedSegments = parts.reduce((sum, part) => sum + analyzeText(part).segments, 0);
		if (replacedSegments < segments) {
			advice = `Turn on Options → Replace Typography (${character.character} is typographic; the text would then take ${replacedSegments}), or shorten it`;
		}
	}
	throw inputError(
		node,
		itemIndex,
		`Message takes ${segments} SMS per recipient (${why}); Options → Max Segments allows ${settings.maxSegments}. ${advice}, or raise Max Segments. Nothing was sent.`,
		'MESSAGE_TOO_LONG',
	);
}

/** When a later request of the same item fails, say what already went out: nothing is lost silently. */
export function withProgress(error: unknown, sent: IDataObject[], total: number): unknown {
	if (sent.length === 0 || !(error instanceof Error)) return error;
	error.message = `${error.message} ${describeProgress(sent, total, 'were')}.`;
	return error;
}

/** "Before this failure, 4 of 7 SMS were already sent (msg_1, msg_2); those must not be sent again" */
export function describeProgress(sent: IDataObject[], total: number, verb: string, whose = ''): string {
	const ids = sent.map((result) => result.message_id).filter(Boolean).join(', ');
	return `Before this failure, ${countSms(sent)} of ${total} SMS${whose} ${verb} already sent (${ids}); those must not be sent again`;
}

/** SMS (recipients × requests) that the records carried. */
export function countSms(records: IDataObject[]): number {
	return records.reduce((sum, record) => sum + (Array.isArray(record.recipients) ? record.recipients.length : 0), 0);
}
