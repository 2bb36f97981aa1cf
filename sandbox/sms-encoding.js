'use strict';
/**
 * How a gateway counts an SMS: GSM-7 when every character is in the GSM 03.38 basic or extension
 * table (extension characters take 2 septets), else UCS-2 (UTF-16 units). One SMS holds 160
 * septets / 70 units; a longer text is cut into parts of 153 septets / 67 units, never inside an
 * escape pair or a surrogate pair. Written apart from the node's own count, so tests can compare.
 */

const GSM_BASIC = new Set(
	'@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
		'¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM_EXTENSION = new Set('\f^{}\\[~]|€');

const LIMITS = {
	'GSM-7': { single: 160, part: 153 },
	'UCS-2': { single: 70, part: 67 },
};

/** Cost of one character in its encoding: septets (GSM-7) or UTF-16 units (UCS-2). */
function characterSize(character, encoding) {
	if (encoding === 'UCS-2') return character.length;
	return GSM_EXTENSION.has(character) ? 2 : 1;
}

function encodingOf(text) {
	for (const character of text) {
		if (!GSM_BASIC.has(character) && !GSM_EXTENSION.has(character)) return 'UCS-2';
	}
	return 'GSM-7';
}

/** {encoding, segments}: the parts one recipient receives. */
function countSegments(text) {
	const encoding = encodingOf(text);
	const characters = Array.from(text); // code points: a surrogate pair stays whole
	const sizes = characters.map((character) => characterSize(character, encoding));
	const { single, part } = LIMITS[encoding];
	const total = sizes.reduce((sum, size) => sum + size, 0);
	if (total <= single) return { encoding, segments: 1 };
	let segments = 1;
	let used = 0;
	for (const size of sizes) {
		if (used + size > part) {
			segments++;
			used = 0;
		}
		used += size;
	}
	return { encoding, segments };
}

module.exports = { countSegments };
