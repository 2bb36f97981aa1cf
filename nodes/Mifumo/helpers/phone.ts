import type { CountryCode } from 'libphonenumber-js/min';
import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/min';

/** Characters people type in phone numbers; anything else (letters, emoji) makes it invalid. */
const PHONE_CHARACTERS = /^[0-9+\s\-().\u00a0]+$/;

export function isCountryCode(value: string): value is CountryCode {
	return isSupportedCountry(value);
}

/**
 * E.164 form of a number as people type it (`0712 345 678`, `255712345678`, `+255 712 345 678`),
 * or undefined when it cannot be a phone number. "Possible" (right length for its country) is
 * the bar, as the contract asks: the guide's own `+255123456789` passes.
 */
export function toE164(value: unknown, defaultCountry: CountryCode): string | undefined {
	if (typeof value !== 'string') return undefined;
	const text = value.trim();
	if (!text || !PHONE_CHARACTERS.test(text)) return undefined;
	// 00 is the international prefix across East Africa's neighbours; libphonenumber reads it only
	// for some default countries.
	const international = text.startsWith('00') ? `+${text.slice(2)}` : text;
	const parsed = parsePhoneNumberFromString(international, defaultCountry);
	if (!parsed || !parsed.isPossible()) return undefined;
	return parsed.number;
}

export interface NormalizedRecipients {
	/** E.164, in the order given, each once. */
	valid: string[];
	/** The entries that are not phone numbers, as the user gave them. */
	invalid: unknown[];
}

export function normalizePhoneNumbers(entries: unknown[], defaultCountry: CountryCode): NormalizedRecipients {
	const valid = new Set<string>();
	const invalid: unknown[] = [];
	for (const entry of entries) {
		const number = toE164(entry, defaultCountry);
		if (number) valid.add(number);
		else invalid.push(entry);
	}
	return { valid: [...valid], invalid };
}

/**
 * Splits what a user typed or an expression returned into entries: a list stays a list; text is
 * split on commas, semicolons and new lines (spaces inside a number are kept: `0712 345 678`).
 */
export function splitRecipientList(value: unknown): unknown[] {
	if (Array.isArray(value)) return value;
	if (typeof value === 'string') {
		return value
			.split(/[,;\n\r]+/)
			.map((entry) => entry.trim())
			.filter((entry) => entry !== '');
	}
	if (value === null || value === undefined) return [];
	return [value];
}

/** How an invalid entry is named in an error: text in quotes, anything else as JSON. */
export function describeEntry(entry: unknown): string {
	if (typeof entry === 'string') return `"${entry}"`;
	if (entry === undefined) return 'undefined';
	try {
		return JSON.stringify(entry);
	} catch {
		return String(entry);
	}
}
