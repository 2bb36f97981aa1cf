/** Dates from n8n's date picker, ISO text, Luxon DateTime or JS Date → UTC for Mifumo. */

interface DateLike {
	toJSDate?: () => Date;
	toISO?: () => string | null;
}

/** A Date, or undefined when the value is not a readable date. */
export function readDate(value: unknown): Date | undefined {
	if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
	if (value && typeof value === 'object') {
		const luxon = value as DateLike;
		if (typeof luxon.toJSDate === 'function') return readDate(luxon.toJSDate());
		if (typeof luxon.toISO === 'function') return readDate(luxon.toISO());
		return undefined;
	}
	if (typeof value === 'number') return readDate(new Date(value));
	if (typeof value !== 'string' || value.trim() === '') return undefined;
	const text = value.trim();
	// A bare date means midnight UTC, not midnight wherever n8n runs.
	const date = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T00:00:00Z`) : new Date(text);
	return Number.isNaN(date.getTime()) ? undefined : date;
}

/** `2024-01-01T10:00:00Z`, as the guide writes it (no milliseconds). */
export function toUtcIso(date: Date): string {
	return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `2024-01-01` */
export function toUtcDay(date: Date): string {
	return date.toISOString().slice(0, 10);
}

export function isEmptyValue(value: unknown): boolean {
	return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}
