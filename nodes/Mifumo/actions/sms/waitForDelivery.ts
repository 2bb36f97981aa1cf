/**
 * Options → Wait For Delivery: after the sends, ask Mifumo for each message's status until every
 * recipient's status is final or the wait is over. Only reads: nothing is ever sent again.
 */
import type { IDataObject } from 'n8n-workflow';

import { deliveryOutcome, readRecipientStatuses, type DeliveryOutcome } from '../../helpers/deliveryStatus';
import { encodeId, type MifumoClient } from '../../transport';
import { joinSentences } from '../../transport/errors';
import { sleep } from '../../transport/pace';

/** Mifumo rarely reports within a second or two: the first ask waits this long after the send. */
const FIRST_ASK_AFTER_MS = 2_000;
/** Later asks come further apart (×1.5 each time) up to this, to spare the hourly call quota. */
const MAX_ASK_INTERVAL_MS = 30_000;
const ASK_INTERVAL_GROWTH = 1.5;

/** A send's output record and when Mifumo accepted it: its wait is counted from then. */
export interface AcceptedSend {
	record: IDataObject;
	acceptedAtMs: number;
	/** The send's schedule_time: no recipient's status is final before it. */
	scheduleTime?: string;
}

/** What the wait adds to a send's output record. */
export interface DeliveryFields extends IDataObject {
	delivery_status: DeliveryOutcome;
	/** The last status `data`, as Mifumo sent it. */
	delivery_report?: IDataObject;
	/** Why the delivery could not be followed to the end (the send itself went out). */
	delivery_error?: string;
}

/** Follows every send at once; the records come back in the same order, each with its delivery fields. */
export async function waitForDeliveries(client: MifumoClient, sends: AcceptedSend[], waitMs: number): Promise<IDataObject[]> {
	return await Promise.all(
		sends.map(async (send) => ({ ...send.record, ...(await followDelivery(client, send, waitMs)) })),
	);
}

/**
 * Asks for the message's status with growing intervals, the last ask at the end of the wait.
 * A status read that fails (after the client's retries) ends the wait as `pending` with the reason:
 * the SMS went out, and its record must reach the output rather than an error that invites a resend.
 */
async function followDelivery(client: MifumoClient, send: AcceptedSend, waitMs: number): Promise<DeliveryFields> {
	const messageId = send.record.message_id;
	if ((typeof messageId !== 'string' && typeof messageId !== 'number') || String(messageId).trim() === '') {
		return {
			delivery_status: 'pending',
			delivery_error: "Mifumo's answer to the send carried no message_id, so its delivery cannot be followed. The SMS was sent; look for it under SMS → Get Delivery Reports.",
		};
	}
	const path = `/sms/status/${encodeId(String(messageId))}/`;
	const deadline = send.acceptedAtMs + waitMs;
	let interval = FIRST_ASK_AFTER_MS;
	// Scheduled for after the wait: nothing can become final in time, one ask tells where it stands.
	const scheduledAfterWait = send.scheduleTime !== undefined && Date.parse(send.scheduleTime) >= deadline;
	let askAt = scheduledAfterWait ? Date.now() : send.acceptedAtMs + interval;
	let report: IDataObject | undefined;
	for (;;) {
		await sleep(Math.min(askAt, deadline) - Date.now());
		try {
			report = await client.get<IDataObject>(path);
		} catch (error) {
			return {
				delivery_status: 'pending',
				...(report ? { delivery_report: report } : {}),
				delivery_error: joinSentences(
					`The SMS was sent (message_id ${String(messageId)}), but reading its delivery status failed: ${(error as Error).message}`,
					'Ask again later with SMS → Get Status; do not send it again.',
				),
			};
		}
		const outcome = deliveryOutcome(readRecipientStatuses(report));
		if (outcome !== 'pending' || scheduledAfterWait || Date.now() >= deadline) return { delivery_status: outcome, delivery_report: report };
		interval = Math.min(MAX_ASK_INTERVAL_MS, interval * ASK_INTERVAL_GROWTH);
		askAt = Date.now() + interval;
	}
}
