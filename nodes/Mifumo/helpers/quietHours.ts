/**
 * Options → Quiet Hours: a send that would reach people inside the window (e.g. 21:00 to 08:00,
 * in the workflow's time zone) is scheduled for the window's end instead.
 */
import type { INode, INodeProperties } from 'n8n-workflow';
import { DateTime, IANAZone } from 'luxon';

import { toUtcIso } from './dates';
import { describeValue, inputError } from './validation';

const DEFAULT_FROM = '21:00';
const DEFAULT_TO = '08:00';

/** A collection, so that a workflow stores exactly `options.quietHours = {from, to, timezone}`. */
export const quietHoursOption: INodeProperties = {
	displayName: 'Quiet Hours',
	name: 'quietHours',
	type: 'collection',
	placeholder: 'Add Field',
	default: {},
	description:
		"A send that would go out inside this window is scheduled for the window's end instead (output: quiet_hours_delayed_to); a Schedule Time inside it is moved the same way. Added without fields: 21:00 to 08:00 in the workflow's time zone.",
	options: [
		{
			displayName: 'From',
			name: 'from',
			type: 'string',
			default: DEFAULT_FROM,
			placeholder: DEFAULT_FROM,
			description: 'When the quiet window starts, as HH:MM (24-hour)',
		},
		{
			displayName: 'Timezone',
			name: 'timezone',
			type: 'string',
			default: '',
			placeholder: 'Africa/Dar_es_Salaam',
			description: "IANA time zone the times are read in. Empty: the workflow's time zone (Workflow Settings).",
		},
		{
			displayName: 'To',
			name: 'to',
			type: 'string',
			default: DEFAULT_TO,
			placeholder: DEFAULT_TO,
			description: 'When sending may start again, as HH:MM (24-hour); earlier than From for a window that crosses midnight',
		},
	],
};

/** The window as checked: minutes after local midnight, and the IANA zone it is read in. */
export interface QuietHours {
	fromMinute: number;
	toMinute: number;
	timezone: string;
}

/** `options.quietHours` as stored: `{from, to, timezone}`, each optional. */
export function readQuietHours(node: INode, itemIndex: number, value: unknown, workflowTimezone: string): QuietHours | undefined {
	if (value === undefined || value === null) return undefined;
	if (typeof value !== 'object' || Array.isArray(value)) {
		throw inputError(node, itemIndex, `Options → Quiet Hours must be {from, to, timezone}, not ${describeValue(value)}.`);
	}
	const { from, to, timezone } = value as { from?: unknown; to?: unknown; timezone?: unknown };
	const fromMinute = readClockTime(node, itemIndex, from, 'From', DEFAULT_FROM);
	const toMinute = readClockTime(node, itemIndex, to, 'To', DEFAULT_TO);
	if (fromMinute === toMinute) {
		throw inputError(
			node,
			itemIndex,
			'Options → Quiet Hours has the same From and To: the window would be empty. Enter the time sending stops (e.g. 21:00) and the time it may start again (e.g. 08:00). Nothing was sent.',
		);
	}
	const zone = typeof timezone === 'string' && timezone.trim() !== '' ? timezone.trim() : workflowTimezone;
	if (!IANAZone.isValidZone(zone)) {
		throw inputError(
			node,
			itemIndex,
			`Options → Quiet Hours → Timezone ${describeValue(timezone ?? zone)} is not a known time zone. Use an IANA name such as Africa/Dar_es_Salaam or Europe/London, or leave it empty for the workflow's. Nothing was sent.`,
		);
	}
	return { fromMinute, toMinute, timezone: zone };
}

function readClockTime(node: INode, itemIndex: number, value: unknown, field: string, fallback: string): number {
	const text = value === undefined || value === null || value === '' ? fallback : value;
	const match = typeof text === 'string' ? /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text.trim()) : null;
	if (!match) {
		throw inputError(
			node,
			itemIndex,
			`Options → Quiet Hours → ${field} must be a time as HH:MM (24-hour, e.g. 21:00), not ${describeValue(value)}. Nothing was sent.`,
		);
	}
	return Number(match[1]) * 60 + Number(match[2]);
}

/**
 * The window's end when `atMs` falls inside it, else undefined. A window that crosses midnight
 * (21:00 to 08:00) ends on the next morning for an evening time; times are wall-clock times of
 * the zone, so a daylight-saving change inside the window moves the end with it.
 */
export function quietHoursEnd(window: QuietHours, atMs: number): Date | undefined {
	const local = DateTime.fromMillis(atMs, { zone: window.timezone });
	const minute = local.hour * 60 + local.minute;
	const crossesMidnight = window.fromMinute > window.toMinute;
	const inside = crossesMidnight
		? minute >= window.fromMinute || minute < window.toMinute
		: minute >= window.fromMinute && minute < window.toMinute;
	if (!inside) return undefined;
	const endDay = crossesMidnight && minute >= window.fromMinute ? local.plus({ days: 1 }) : local;
	const end = endDay.set({ hour: Math.floor(window.toMinute / 60), minute: window.toMinute % 60, second: 0, millisecond: 0 });
	return end.toJSDate();
}

/**
 * The schedule time a send goes out with: the one the user set, or, when that (or now, without
 * one) falls inside Quiet Hours, the window's end, named in `quietHoursDelayedTo` too.
 */
export function scheduleWithQuietHours(
	node: INode,
	itemIndex: number,
	scheduleTime: string | undefined,
	quietHours: unknown,
	workflowTimezone: string,
): { scheduleTime?: string; quietHoursDelayedTo?: string } {
	const window = readQuietHours(node, itemIndex, quietHours, workflowTimezone);
	const end = window && quietHoursEnd(window, scheduleTime ? Date.parse(scheduleTime) : Date.now());
	if (!end) return { scheduleTime };
	const delayedTo = toUtcIso(end);
	return { scheduleTime: delayedTo, quietHoursDelayedTo: delayedTo };
}
