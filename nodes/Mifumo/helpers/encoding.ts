/** What an SMS text costs: its encoding, the SMS parts it takes, and how to split it into single SMS. */

export type SmsEncoding = 'GSM-7' | 'UCS-2';

/** The guide's limit: one SMS carries at most this many characters. */
export const SMS_MAX_LENGTH = 160;

/** Length as the guide counts it: characters, not UTF-16 units (an emoji is one). */
export function messageLength(text: string): number {
	return Array.from(text).length;
}

/** GSM 03.38 septets in one SMS, and per part of a longer one (the rest carries the part header). */
const GSM_SINGLE_SEPTETS = 160;
const GSM_PART_SEPTETS = 153;
/** UTF-16 units in one UCS-2 SMS, and per part of a longer one. */
const UCS2_SINGLE_UNITS = 70;
const UCS2_PART_UNITS = 67;

/** GSM 03.38 basic table in code order; 0x1B, the escape to the extension table, is no character. */
const GSM_BASIC =
	'@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ' +
	'ÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
	'¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§' +
	'¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** GSM 03.38 extension table: each is sent as escape + character, two septets. */
const GSM_EXTENSION = '\f^{}\\[]~|€';

const GSM_SEPTETS = new Map<string, number>([
	...Array.from(GSM_BASIC, (character) => [character, 1] as const),
	...Array.from(GSM_EXTENSION, (character) => [character, 2] as const),
]);

/** The contract's table of typographic characters that force UCS-2, with their GSM replacement. */
const TYPOGRAPHY = new Map<string, string>([
	...Array.from('’‘‚‛′', (character) => [character, "'"] as const),
	...Array.from('“”„″', (character) => [character, '"'] as const),
	...Array.from('–—‒−', (character) => [character, '-'] as const),
	['…', '...'],
	// Unicode's space separators (category Zs) other than the plain space.
	...Array.from('\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000', (character) => [character, ' '] as const),
]);
const TYPOGRAPHY_PATTERN = new RegExp(`[${[...TYPOGRAPHY.keys()].join('')}]`, 'gu');

export function replaceTypography(text: string): string {
	return text.replace(TYPOGRAPHY_PATTERN, (character) => TYPOGRAPHY.get(character)!);
}

export interface NonGsmCharacter {
	/** As the user sees it: the whole character, even when it is built of several code points. */
	character: string;
	/** 1-based, counted in characters as the user sees them. */
	position: number;
	/** Whether replaceTypography turns it into GSM characters. */
	replaceable: boolean;
}

export interface TextAnalysis {
	encoding: SmsEncoding;
	/** GSM-7 septets, or UTF-16 units for UCS-2. */
	units: number;
	/** SMS parts one recipient receives. */
	segments: number;
	/** UCS-2 only: the first character outside GSM 03.38, the one that forced UCS-2. */
	nonGsmCharacter?: NonGsmCharacter;
	/** GSM-7 only: the extension characters the text holds (2 septets each), in order of first use. */
	extensionCharacters?: string[];
}

/** Counts the parts of a long SMS, moving a character that would straddle a boundary to the next part. */
class PartCounter {
	parts = 1;
	private used = 0;

	constructor(private readonly room: number) {}

	add(units: number) {
		if (this.used + units > this.room) {
			this.parts++;
			this.used = units;
		} else {
			this.used += units;
		}
	}
}

/** One pass over the text, counting both encodings, so the choice costs no second walk. */
export function analyzeText(text: string): TextAnalysis {
	if (text === '') return { encoding: 'GSM-7', units: 0, segments: 0 };
	let septets = 0;
	let firstNonGsmIndex = -1;
	const extensionCharacters = new Set<string>();
	const gsmParts = new PartCounter(GSM_PART_SEPTETS);
	const ucs2Parts = new PartCounter(UCS2_PART_UNITS);
	let index = 0;
	for (const character of text) {
		const cost = GSM_SEPTETS.get(character);
		if (cost === undefined) {
			if (firstNonGsmIndex === -1) firstNonGsmIndex = index;
		} else if (firstNonGsmIndex === -1) {
			septets += cost;
			gsmParts.add(cost);
			if (cost === 2) extensionCharacters.add(character);
		}
		ucs2Parts.add(character.length);
		index += character.length;
	}
	if (firstNonGsmIndex === -1) {
		const segments = septets <= GSM_SINGLE_SEPTETS ? 1 : gsmParts.parts;
		return { encoding: 'GSM-7', units: septets, segments, ...(extensionCharacters.size ? { extensionCharacters: [...extensionCharacters] } : {}) };
	}
	return {
		encoding: 'UCS-2',
		units: text.length,
		segments: text.length <= UCS2_SINGLE_UNITS ? 1 : ucs2Parts.parts,
		nonGsmCharacter: describeCharacterAt(text, firstNonGsmIndex),
	};
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

function describeCharacterAt(text: string, utf16Index: number): NonGsmCharacter {
	const codePoint = String.fromCodePoint(text.codePointAt(utf16Index)!);
	let position = 0;
	for (const { segment, index } of graphemes.segment(text)) {
		position++;
		if (index + segment.length > utf16Index) {
			return { character: segment, position, replaceable: TYPOGRAPHY.has(codePoint) };
		}
	}
	throw new RangeError(`No character at index ${utf16Index}`);
}

/**
 * The character that forces UCS-2, placed in the text as the user typed it: with Replace
 * Typography on, the first one that replacement leaves outside GSM (positions in the replaced
 * text would be shifted by every "…" → "..." before it).
 */
export function characterForcingUcs2(typed: string, typographyReplaced: boolean): NonGsmCharacter | undefined {
	let position = 0;
	for (const { segment } of graphemes.segment(typed)) {
		position++;
		const sent = typographyReplaced ? replaceTypography(segment) : segment;
		if ([...sent].some((character) => !GSM_SEPTETS.has(character))) {
			return { character: segment, position, replaceable: TYPOGRAPHY.has(String.fromCodePoint(segment.codePointAt(0)!)) };
		}
	}
	return undefined;
}

/** The extension characters as a user reads them (form feed has no glyph). */
function showCharacter(character: string): string {
	return character === '\f' ? 'form feed' : character;
}

/**
 * Why a text takes the SMS it does, for the editor: " because of ’ at position 21" (UCS-2), or
 * "; € counts as 2 characters (as each of ^ { } \ [ ] ~ | € does)" (GSM-7), or "".
 */
export function describeCostCause(analysis: TextAnalysis): string {
	const character = analysis.nonGsmCharacter;
	if (character) return ` because of ${character.character} at position ${character.position}`;
	const extension = analysis.extensionCharacters;
	if (!extension?.length) return '';
	const named = extension.map(showCharacter);
	const list = named.length === 1 ? `${named[0]} counts` : `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]} count`;
	return `; ${list} as 2 characters (as each of ${Array.from(GSM_EXTENSION.slice(1)).join(' ')} does)`;
}

/** Septets and UTF-16 units of a piece of text, and whether it is all GSM. */
interface Size {
	septets: number;
	units: number;
	gsm: boolean;
}

function sizeOf(text: string): Size {
	let septets = 0;
	let gsm = true;
	for (const character of text) {
		const cost = GSM_SEPTETS.get(character);
		if (cost === undefined) gsm = false;
		else septets += cost;
	}
	return { septets, units: text.length, gsm };
}

/** A part being filled; its room is one SMS of whichever encoding its own text needs. */
class Part {
	private size: Size;
	text = '';

	/** `reserved` is taken by a part number written in front later (plain GSM characters). */
	constructor(reserved: number) {
		this.size = { septets: reserved, units: reserved, gsm: true };
	}

	/** The size with `piece` added, or undefined when that would no longer fit in one SMS. */
	sizeWith(piece: string): Size | undefined {
		const added = sizeOf(piece);
		const size = {
			septets: this.size.septets + added.septets,
			units: this.size.units + added.units,
			gsm: this.size.gsm && added.gsm,
		};
		// Within one SMS, the guide's 160 characters hold too: 160 septets or 70 units are at most 160 characters.
		const fits = size.gsm ? size.septets <= GSM_SINGLE_SEPTETS : size.units <= UCS2_SINGLE_UNITS;
		return fits ? size : undefined;
	}

	append(piece: string, size: Size) {
		this.text += piece;
		this.size = size;
	}
}

/**
 * Cuts a text into parts that each fit one SMS of its own encoding, between words where it can;
 * a word longer than a part is cut between characters as the user sees them (so never inside an
 * escape or surrogate pair, nor inside an emoji built of several code points).
 * `reservedFor(index)` is the room the 0-based part keeps free for its number.
 */
function packParts(text: string, reservedFor: (index: number) => number): string[] {
	const parts: string[] = [];
	// Words at even indexes, the whitespace between them at odd ones (kept, so line breaks survive).
	const tokens = text.trim().split(/(\s+)/);
	let part = new Part(reservedFor(0));
	const startPart = () => {
		parts.push(part.text);
		part = new Part(reservedFor(parts.length));
	};
	// Fills parts piece by piece; a piece larger than a whole SMS is cut between its code points.
	const cutInto = (pieces: Iterable<string>) => {
		for (const piece of pieces) {
			let size = part.sizeWith(piece);
			if (!size && part.text) {
				startPart();
				size = part.sizeWith(piece);
			}
			if (size) part.append(piece, size);
			else cutInto(piece);
		}
	};
	for (let tokenIndex = 0; tokenIndex < tokens.length; tokenIndex += 2) {
		const word = tokens[tokenIndex];
		const piece = part.text ? `${tokens[tokenIndex - 1]}${word}` : word;
		const size = part.sizeWith(piece);
		if (size) {
			part.append(piece, size);
			continue;
		}
		if (part.text) startPart();
		cutInto(Array.from(graphemes.segment(word), ({ segment }) => segment));
	}
	if (part.text) parts.push(part.text);
	return parts;
}

function partNumber(index: number, total: number): string {
	return `${index + 1}/${total} `;
}

export interface SplitOptions {
	/** Write "1/3 " in front of each part; the number takes room in the part. */
	numbered?: boolean;
}

/**
 * Splits a text into parts that each go out as one SMS (a text that fits one SMS stays whole, and
 * unnumbered), in order. Whitespace between words inside a part is kept; where a cut falls, it is dropped.
 */
export function splitMessage(text: string, options: SplitOptions = {}): string[] {
	const parts = packParts(text, () => 0);
	if (!options.numbered || parts.length < 2) return parts;
	// Room is kept for numbers as wide as "i/total"; the count found that way may exceed the
	// total guessed, which widens the numbers: guess again with it until the count fits the guess.
	let total = parts.length;
	for (;;) {
		const numbered = packParts(text, (index) => partNumber(index, total).length);
		if (numbered.length <= total) {
			return numbered.map((part, index) => `${partNumber(index, numbered.length)}${part}`);
		}
		total = numbered.length;
	}
}
