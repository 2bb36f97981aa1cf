/** Checks of what users type, each failing with the field's name, the problem and the fix. */
import type { IDataObject, INode } from 'n8n-workflow';

import { MifumoInputError } from '../transport/errors';
import { isEmptyValue, readDate, toUtcDay, toUtcIso } from './dates';
import { isCountryCode } from './phone';
import type { CountryCode } from 'libphonenumber-js/min';

export function inputError(node: INode, itemIndex: number, message: string, errorCode = 'INVALID_PARAMETER') {
	return new MifumoInputError(node, message, { itemIndex, errorCode });
}

/**
 * Non-empty text (trimmed), e.g. a name or a message. `parameter` names the node parameter the
 * value came from, so that an expression that gave nothing can be named.
 */
export function requireText(
	node: INode,
	itemIndex: number,
	value: unknown,
	field: string,
	example?: string,
	parameter?: string,
): string {
	if (typeof value === 'number') value = String(value);
	if (typeof value !== 'string' || value.trim() === '') {
		const fix = example ?? `Enter a ${field.toLowerCase()}.`;
		if (value === undefined) throw inputError(node, itemIndex, `${field} is empty${emptyExpressionNote(node, parameter)}. ${fix}`);
		const got = typeof value === 'string' ? 'is empty' : `must be text, not ${describeType(value)}`;
		throw inputError(node, itemIndex, `${field} ${got}. ${fix}`);
	}
	return value.trim();
}

/** ": its expression {{ $json.body.message }} gave nothing (this item has no body.message)", or "". */
function emptyExpressionNote(node: INode, parameter: string | undefined): string {
	const source = parameter ? expressionOf(node, parameter) : undefined;
	if (!source) return '';
	return `: its expression ${source.expression} gave nothing${source.path ? ` (this item has no ${source.path})` : ''}`;
}

/**
 * The expression a parameter holds, and the field of the item it reads (`body.message` for
 * {{ $json.body.message }}), so that an error can name where an empty value came from.
 */
export function expressionOf(node: INode, parameter: string): { expression: string; path?: string } | undefined {
	const raw = node.parameters?.[parameter];
	if (typeof raw !== 'string' || !raw.startsWith('=')) return undefined;
	const expression = raw.slice(1).trim();
	const field = /\$json((?:\.[\w$]+|\[["'][^"']+["']\])+)/.exec(expression)?.[1];
	const path = field?.replace(/^\./, '').replace(/\[["']([^"']+)["']\]/g, '.$1').replace(/^\./, '');
	return { expression, path };
}

/** An ID for a URL path: non-empty text (numbers are accepted as text). */
export function requireId(node: INode, itemIndex: number, value: unknown, field: string): string {
	const source = field.replace(/ ID$/, '').toLowerCase();
	const id = requireText(
		node,
		itemIndex,
		value,
		field,
		`Map the ${field} from an earlier node, e.g. {{ $json.${source === 'message' ? 'message_id' : `${source}_id`} }}.`,
		`${source}Id`,
	);
	// In a URL, "." and ".." would lead to another endpoint, whatever the encoding.
	if (id === '.' || id === '..') {
		throw inputError(node, itemIndex, `${field} "${id}" is not an ID. Map the ${field} from an earlier node.`);
	}
	return id;
}

/** Tags: a comma-separated text or a list of texts. Empty entries are dropped. */
export function readTags(node: INode, itemIndex: number, value: unknown, field = 'Tags'): string[] | undefined {
	if (isEmptyValue(value)) return undefined;
	const entries = typeof value === 'string' ? value.split(',') : value;
	const notText = Array.isArray(entries) ? entries.findIndex((tag) => typeof tag !== 'string') : -1;
	if (!Array.isArray(entries) || notText !== -1) {
		const got = Array.isArray(entries) ? `a list holding ${describeValue(entries[notText])}` : describeType(value);
		throw inputError(
			node,
			itemIndex,
			`${field} must be a comma-separated text or a list of texts, not ${got}. Example: customer, vip`,
		);
	}
	return (entries as string[]).map((tag) => tag.trim()).filter((tag) => tag !== '');
}

/**
 * A whole number of at least `minimum` (a number, or text holding one); `fallback` when left empty.
 * `field` as the user finds it, e.g. "Limit" or "Options → Timeout"; `orElse` adds a way out.
 */
export function readWholeNumber(
	node: INode,
	itemIndex: number,
	value: unknown,
	field: string,
	{ fallback, minimum, orElse }: { fallback?: number; minimum: number; orElse?: string },
): number {
	if ((value === undefined || value === null || value === '') && fallback !== undefined) return fallback;
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isInteger(number) || number < minimum) {
		throw inputError(
			node,
			itemIndex,
			`${field} must be a whole number of at least ${minimum}, not ${describeValue(value)}.${orElse ? ` ${orElse}` : ''}`,
		);
	}
	return number;
}

export function readLimit(node: INode, itemIndex: number, value: unknown): number {
	return readWholeNumber(node, itemIndex, value, 'Limit', { minimum: 1, orElse: 'Or turn on Return All.' });
}

/** A date field as ISO 8601 UTC (or a day), undefined when left empty. */
export function readDateField(
	node: INode,
	itemIndex: number,
	value: unknown,
	field: string,
	format: 'dateTime' | 'day' = 'dateTime',
): string | undefined {
	if (isEmptyValue(value)) return undefined;
	const date = readDate(value);
	if (!date) {
		throw inputError(
			node,
			itemIndex,
			`${field} is not a date that can be read: ${describeValue(value)}. Pick a date, or use ISO 8601 such as 2025-01-31T09:00:00Z.`,
		);
	}
	return format === 'day' ? toUtcDay(date) : toUtcIso(date);
}

export function readBoolean(node: INode, itemIndex: number, value: unknown, field: string): boolean | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value === 'boolean') return value;
	if (value === 'true' || value === 'false') return value === 'true';
	throw inputError(node, itemIndex, `${field} must be true or false, not ${describeValue(value)}.`);
}

export function readCountry(node: INode, itemIndex: number, value: unknown): CountryCode {
	const code = typeof value === 'string' && value.trim() ? value.trim().toUpperCase() : 'TZ';
	if (!isCountryCode(code)) {
		throw inputError(
			node,
			itemIndex,
			`Default Country "${String(value)}" is not a known country code. Use TZ for Tanzania, KE for Kenya, UG for Uganda.`,
		);
	}
	return code;
}

export function readEmail(node: INode, itemIndex: number, value: unknown): string | undefined {
	if (isEmptyValue(value)) return undefined;
	if (typeof value !== 'string' || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.trim())) {
		throw inputError(node, itemIndex, `Email ${describeValue(value)} is not an email address. Example: john@example.com`);
	}
	return value.trim();
}

/** Drops keys whose value is undefined: optional fields left empty are never sent. */
export function compact<T extends IDataObject>(object: T): T {
	return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}

export function describeValue(value: unknown): string {
	if (typeof value === 'string') return `"${value}"`;
	try {
		return JSON.stringify(value) ?? String(value);
	} catch {
		return String(value);
	}
}

function describeType(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	return typeof value === 'object' ? 'an object' : `${typeof value} ${describeValue(value)}`;
}

const SENDER_ID_LENGTH = { min: 3, max: 11 };

/** A schedule time this far in the past is a mistake, not clock drift. */
const SCHEDULE_TOLERANCE_MS = 60_000;

export function readSenderId(node: INode, itemIndex: number, value: unknown, fallback: string): string {
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return fallback;
	if (typeof value !== 'string') {
		throw inputError(
			node,
			itemIndex,
			`Sender ID must be text, not ${JSON.stringify(value)}. Use an approved sender ID such as ${fallback}.`,
		);
	}
	const senderId = value.trim();
	// What a phone shows as the sender: operators accept 3 to 11 characters (and refuse the SMS otherwise).
	if (senderId.length < SENDER_ID_LENGTH.min || senderId.length > SENDER_ID_LENGTH.max) {
		throw inputError(
			node,
			itemIndex,
			`Sender ID "${senderId}" is ${senderId.length} ${senderId.length === 1 ? 'character' : 'characters'} long; a sender ID has ${SENDER_ID_LENGTH.min} to ${SENDER_ID_LENGTH.max} characters. Use an approved sender ID such as ${fallback}. Nothing was sent.`,
			'INVALID_SENDER_ID',
		);
	}
	return senderId;
}

export function readScheduleTime(node: INode, itemIndex: number, value: unknown): string | undefined {
	const scheduleTime = readDateField(node, itemIndex, value, 'Schedule Time');
	if (scheduleTime && Date.parse(scheduleTime) < Date.now() - SCHEDULE_TOLERANCE_MS) {
		throw inputError(
			node,
			itemIndex,
			`Schedule Time ${scheduleTime} is in the past. Pick a future time, or remove Schedule Time to send now.`,
		);
	}
	return scheduleTime;
}

export function readWebhookUrl(node: INode, itemIndex: number, value: unknown): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const text = typeof value === 'string' ? value.trim() : '';
	let valid = false;
	try {
		valid = ['http:', 'https:'].includes(new URL(text).protocol);
	} catch {
		valid = false;
	}
	if (!valid) {
		throw inputError(
			node,
			itemIndex,
			`Webhook URL ${JSON.stringify(value)} is not an http(s) URL. Paste the Production URL of a Mifumo SMS Trigger.`,
		);
	}
	return text;
}
