import type { IDataObject } from 'n8n-workflow';

import { isObject } from '../Mifumo/transport/answer';

/** Delivery reports are small; 1 MiB still holds a report for over ten thousand recipients. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface MifumoWebhookPayload extends IDataObject {
	message_id: string | number;
}

/** The payload when the body is a JSON object with a `message_id`, else undefined. */
export function parsePayload(rawBody: Buffer): MifumoWebhookPayload | undefined {
	let parsed: unknown;
	try {
		// A byte-order mark is legal before UTF-8 JSON but JSON.parse refuses it.
		parsed = JSON.parse(rawBody.toString('utf8').replace(/^\uFEFF/, ''));
	} catch {
		return undefined;
	}
	return asPayload(parsed);
}

/** The same check for a body n8n already parsed (used when no raw body is available). */
export function asPayload(value: unknown): MifumoWebhookPayload | undefined {
	if (!isObject(value)) return undefined;
	const id = value.message_id;
	const hasId = (typeof id === 'string' && id.trim() !== '') || (typeof id === 'number' && Number.isFinite(id));
	return hasId ? (value as MifumoWebhookPayload) : undefined;
}

/**
 * The payload's event: the dashboard's `event` without its `message.` prefix
 * (`message.delivered` → `delivered`), else the guide's `status`. Lower-cased; '' when neither is text.
 */
export function eventOf(payload: MifumoWebhookPayload): string {
	if (typeof payload.event === 'string' && payload.event.trim() !== '') {
		return payload.event.trim().toLowerCase().replace(/^message\./, '');
	}
	return typeof payload.status === 'string' ? payload.status.trim().toLowerCase() : '';
}

/**
 * The items of one execution. Without splitting: the payload, unchanged.
 * With splitting, a guide-dialect payload (a non-empty `recipients` array) becomes one item per
 * recipient: every top-level field but `recipients` (so `message_id`, the message's `status`,
 * `metadata`), plus `recipient` holding that recipient as sent (`{phone, status, delivery_time}`).
 * A dashboard payload is already about one recipient and stays one item; so does an empty list.
 */
export function toItems(payload: MifumoWebhookPayload, splitRecipients: boolean): IDataObject[] {
	const { recipients, ...message } = payload;
	if (!splitRecipients || !Array.isArray(recipients) || recipients.length === 0) return [payload];
	return recipients.map((recipient) => ({ ...message, recipient }) as IDataObject);
}
