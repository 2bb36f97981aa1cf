/**
 * From a checked text and recipient list to the requests a send makes, and making them:
 * the one place that decides parts and batches, shared by Send and Send to Segment.
 */
import type { IDataObject, INode } from 'n8n-workflow';

import { SMS_MAX_LENGTH, messageLength, splitMessage } from '../../helpers/message';
import { describeEntry, normalizePhoneNumbers } from '../../helpers/phone';
import { compact, inputError } from '../../helpers/validation';
import type { MifumoClient, SendSmsBody } from '../../transport';
import type { ItemSlot } from '../types';
import type { SendSettings } from './sendFields';
import { waitForDeliveries, type AcceptedSend } from './waitForDelivery';

export interface PlannedRequest {
	body: SendSmsBody;
	/** 1-based part of a split message, and how many parts it has. */
	part?: number;
	parts?: number;
}

export interface SendPlan {
	requests: PlannedRequest[];
	/** Entries left out under Invalid Numbers → Skip. */
	skipped: unknown[];
	/** SMS the plan sends (recipients × parts), for progress in errors. */
	smsCount: number;
	/** Options → Wait For Delivery; 0 does not wait. */
	waitForDeliveryMs: number;
}

/** Numbers as E.164 without duplicates; invalid ones fail the item or are skipped, as the user chose. */
export function readRecipients(
	node: INode,
	itemIndex: number,
	entries: unknown[],
	settings: SendSettings,
): { recipients: string[]; skipped: unknown[] } {
	if (entries.length === 0) {
		throw inputError(
			node,
			itemIndex,
			'Recipients is empty. Enter at least one phone number, e.g. 0712 345 678.',
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
	const parts = messageParts(node, itemIndex, message, settings.splitLongMessages);
	const requests: PlannedRequest[] = [];
	for (const [partIndex, text] of parts.entries()) {
		for (let start = 0; start < recipients.length; start += settings.recipientsPerRequest) {
			requests.push({
				body: compact({
					message: text,
					recipients: recipients.slice(start, start + settings.recipientsPerRequest),
					sender_id: settings.senderId,
					schedule_time: settings.scheduleTime,
					webhook_url: settings.webhookUrl,
				}),
				...(parts.length > 1 ? { part: partIndex + 1, parts: parts.length } : {}),
			});
		}
	}
	return { requests, skipped, smsCount: recipients.length * parts.length, waitForDeliveryMs: settings.waitForDeliveryMs };
}

/**
 * Makes the plan's requests in order (parts of a split message one after another): one record per
 * request. With Wait For Delivery, the item then gives up its slot and follows every request's delivery.
 */
export async function runSendPlan(client: MifumoClient, plan: SendPlan, slot: ItemSlot): Promise<IDataObject[]> {
	const sends: AcceptedSend[] = [];
	for (const request of plan.requests) {
		try {
			const record = await sendPlannedRequest(client, request, plan.skipped);
			sends.push({ record, acceptedAtMs: Date.now(), scheduleTime: request.body.schedule_time });
		} catch (error) {
			throw withProgress(error, sends.map((send) => send.record), plan.smsCount);
		}
	}
	if (plan.waitForDeliveryMs === 0) return sends.map((send) => send.record);
	// Nothing of this item is left to send: another item's sends may go ahead while it waits.
	slot.release();
	return await waitForDeliveries(client, sends, plan.waitForDeliveryMs);
}

/** One request of a plan, and the output record of its answer: Mifumo's data with what the node adds. */
export async function sendPlannedRequest(client: MifumoClient, request: PlannedRequest, skipped: unknown[]): Promise<IDataObject> {
	const data = await client.sendSms(request.body);
	return {
		...data,
		...(request.parts ? { part: request.part, parts: request.parts } : {}),
		...(skipped.length ? { skipped_recipients: skipped } : {}),
	};
}

function messageParts(node: INode, itemIndex: number, message: string, split: boolean): string[] {
	const length = messageLength(message);
	if (length <= SMS_MAX_LENGTH) return [message];
	if (split) return splitMessage(message);
	throw inputError(
		node,
		itemIndex,
		`Message is ${length} characters long; one SMS holds at most ${SMS_MAX_LENGTH}. Shorten it, or set Options → Long Messages to "Split Into Several SMS".`,
		'MESSAGE_TOO_LONG',
	);
}

/** When a later request of the same item fails, say what already went out: nothing is lost silently. */
export function withProgress(error: unknown, sent: IDataObject[], total: number): unknown {
	if (sent.length === 0 || !(error instanceof Error)) return error;
	const ids = sent.map((result) => result.message_id).filter(Boolean).join(', ');
	const count = sent.reduce((sum, result) => sum + (Array.isArray(result.recipients) ? result.recipients.length : 0), 0);
	error.message = `${error.message} Before this failure, ${count} of ${total} SMS were already sent (${ids}); those must not be sent again.`;
	return error;
}
