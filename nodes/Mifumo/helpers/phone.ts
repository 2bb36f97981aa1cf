import type { CountryCode } from 'libphonenumber-js/min';
import { Metadata, getCountryCallingCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/min';

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
	return quickE164(international, defaultCountry) ?? parseE164(international, defaultCountry);
}

/** libphonenumber's own reading: E.164 when the number is possible, else undefined. */
function parseE164(text: string, country: CountryCode): string | undefined {
	const parsed = parsePhoneNumberFromString(text, country);
	return parsed?.isPossible() ? parsed.number : undefined;
}

interface NumberingPlan {
	callingCode: string;
	nationalPrefix: string;
	possibleLengths: number[];
}

const plans = new Map<CountryCode, NumberingPlan | null>();

/**
 * The default country's plan when it is simple: one possible length, and "0" or nothing as the
 * national prefix (TZ, KE, UG, RW: "0" + 9 digits). Other countries always go through the parser.
 * Read through what libphonenumber's typings declare only: the possible lengths of the numbering
 * plan, the calling code, and the parser itself to tell whether a leading 0 is the national prefix.
 */
function numberingPlan(country: CountryCode): NumberingPlan | null {
	if (!plans.has(country)) {
		const metadata = new Metadata();
		metadata.selectNumberingPlan(country);
		const possibleLengths = metadata.numberingPlan?.possibleLengths() ?? [];
		let plan: NumberingPlan | null = null;
		if (possibleLengths.length === 1) {
			const callingCode = getCountryCallingCode(country);
			// One sample national number per leading digit: 0 is the prefix when the parser drops it from each.
			const samples = ['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((digit) => digit.padEnd(possibleLengths[0], '5'));
			const dropsZero = samples.every((national) => parseE164(`0${national}`, country) === `+${callingCode}${national}`);
			plan = { callingCode, nationalPrefix: dropsZero ? '0' : '', possibleLengths };
		}
		plans.set(country, plan);
	}
	return plans.get(country)!;
}

/**
 * The usual shapes of a number of the default country (`0712 345 678`, `255712345678`,
 * `+255 712 345 678`) read without libphonenumber's full parser, which costs about ten
 * times as much: a bulk send of 10,000 would spend a third of its time there. Only a shape that
 * reads one way only is taken; anything else goes to libphonenumber. test/unit/phone.test.ts checks
 * both agree.
 */
function quickE164(text: string, country: CountryCode): string | undefined {
	const plan = numberingPlan(country);
	if (!plan) return undefined;
	const compact = text.replace(/[\s\-().\u00a0]/g, '');
	const international = compact.startsWith('+');
	const digits = international ? compact.slice(1) : compact;
	if (!/^\d+$/.test(digits)) return undefined;
	const { callingCode, nationalPrefix, possibleLengths } = plan;
	const readings = new Set<string>();
	const possible = (national: string) => possibleLengths.includes(national.length) && national[0] !== '0';
	if (digits.startsWith(callingCode) && possible(digits.slice(callingCode.length))) readings.add(digits.slice(callingCode.length));
	if (!international) {
		if (possible(digits)) readings.add(digits);
		if (nationalPrefix && digits.startsWith(nationalPrefix) && possible(digits.slice(nationalPrefix.length))) {
			readings.add(digits.slice(nationalPrefix.length));
		}
	}
	return readings.size === 1 ? `+${callingCode}${[...readings][0]}` : undefined;
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
