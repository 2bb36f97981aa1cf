/**
 * Per-recipient delivery statuses, read from a status `data` or a delivery report in either of
 * the two dialects Mifumo speaks: the guide's `recipients: [{phone, status, delivery_time}]` and
 * the server source's `delivery_details: [{recipient, status, delivered_at, error_message}]`.
 */
import type { IDataObject } from 'n8n-workflow';

import { isObject } from '../transport/answer';

/** Statuses after which a recipient's status no longer changes. */
export const FINAL_STATUSES: readonly string[] = ['delivered', 'failed', 'undelivered', 'rejected', 'expired'];

/** `delivered`: all delivered; `failed`: all final, none delivered; `partial`: all final, some delivered; `pending`: not all final. */
export type DeliveryOutcome = 'delivered' | 'failed' | 'partial' | 'pending';

export interface RecipientStatus {
	/** The phone number, when the record names one. */
	recipient?: string;
	/** Lower-cased and trimmed; '' when the record has none. */
	status: string;
	/** `delivery_time` (guide) or `delivered_at` (server source), as sent. */
	deliveredAt?: string;
	errorMessage?: string;
}

export function isFinalStatus(status: string): boolean {
	return FINAL_STATUSES.includes(status);
}

/** Lower-cased, trimmed text of a status field; '' for anything that is not text. */
export function normalizeStatus(value: unknown): string {
	return typeof value === 'string' ? value.trim().toLowerCase() : '';
}

/** The number a record is about: the guide's `phone` or the server source's `recipient`. */
export function recipientOf(record: IDataObject): string | undefined {
	for (const value of [record.phone, record.recipient]) {
		if (typeof value === 'string' && value.trim() !== '') return value.trim();
		if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	}
	return undefined;
}

function textOf(value: unknown): string | undefined {
	return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Every recipient's status in a status `data`: from `recipients` or `delivery_details` (whichever
 * holds objects), else one entry for the message's top-level `status`. Empty when there is none.
 */
export function readRecipientStatuses(data: unknown): RecipientStatus[] {
	if (!isObject(data)) return [];
	const list = [data.recipients, data.delivery_details].find(
		(candidate): candidate is IDataObject[] => Array.isArray(candidate) && candidate.some(isObject),
	);
	if (list) {
		return list.filter(isObject).map((entry) => {
			const status: RecipientStatus = { status: normalizeStatus(entry.status) };
			const recipient = recipientOf(entry);
			if (recipient !== undefined) status.recipient = recipient;
			const deliveredAt = textOf(entry.delivery_time) ?? textOf(entry.delivered_at);
			if (deliveredAt !== undefined) status.deliveredAt = deliveredAt;
			const errorMessage = textOf(entry.error_message);
			if (errorMessage !== undefined) status.errorMessage = errorMessage;
			return status;
		});
	}
	const status = normalizeStatus(data.status);
	return status === '' ? [] : [{ status }];
}

/** The overall outcome of a message from its recipients' statuses; no statuses at all is `pending`. */
export function deliveryOutcome(statuses: RecipientStatus[]): DeliveryOutcome {
	if (statuses.length === 0 || !statuses.every((entry) => isFinalStatus(entry.status))) return 'pending';
	const delivered = statuses.filter((entry) => entry.status === 'delivered').length;
	if (delivered === statuses.length) return 'delivered';
	return delivered === 0 ? 'failed' : 'partial';
}
