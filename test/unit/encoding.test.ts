import { analyzeText, describeCostCause, replaceTypography, splitMessage } from '../../nodes/Mifumo/helpers/encoding';

/**
 * GSM 03.38 written out here from 3GPP TS 23.038's mapping to Unicode, independently of the module:
 * the basic table row by row (code 0x00 to 0x7F), 0x1B being the escape, which is no character.
 */
const ESCAPE = null;
const GSM_BASIC_BY_CODE: Array<number | null> = [
	0x40, 0xa3, 0x24, 0xa5, 0xe8, 0xe9, 0xf9, 0xec, 0xf2, 0xc7, 0x0a, 0xd8, 0xf8, 0x0d, 0xc5, 0xe5,
	0x394, 0x5f, 0x3a6, 0x393, 0x39b, 0x3a9, 0x3a0, 0x3a8, 0x3a3, 0x398, 0x39e, ESCAPE, 0xc6, 0xe6, 0xdf, 0xc9,
	0x20, 0x21, 0x22, 0x23, 0xa4, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f,
	0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f,
	0xa1, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f,
	0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0xc4, 0xd6, 0xd1, 0xdc, 0xa7,
	0xbf, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f,
	0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0xe4, 0xf6, 0xf1, 0xfc, 0xe0,
];
/** The extension table: escape code → Unicode. */
const GSM_EXTENSION_BY_CODE: Record<number, number> = {
	0x0a: 0x0c, // form feed
	0x14: 0x5e, // ^
	0x28: 0x7b, // {
	0x29: 0x7d, // }
	0x2f: 0x5c, // \
	0x3c: 0x5b, // [
	0x3d: 0x7e, // ~
	0x3e: 0x5d, // ]
	0x40: 0x7c, // |
	0x65: 0x20ac, // €
};

const basicCharacters = GSM_BASIC_BY_CODE.filter((code) => code !== null).map((code) => String.fromCodePoint(code!));
const extensionCharacters = Object.values(GSM_EXTENSION_BY_CODE).map((code) => String.fromCodePoint(code));

describe('analyzeText: the GSM 03.38 tables', () => {
	test('the tables written out here hold 127 basic and 10 extension characters', () => {
		expect(new Set(basicCharacters).size).toBe(127);
		expect(new Set(extensionCharacters).size).toBe(10);
	});

	test.each(basicCharacters.map((character) => [JSON.stringify(character), character]))(
		'basic %s is GSM-7, one septet',
		(_, character) => {
			expect(analyzeText(character)).toEqual({ encoding: 'GSM-7', units: 1, segments: 1 });
			expect(analyzeText(`a${character}b`)).toEqual({ encoding: 'GSM-7', units: 3, segments: 1 });
		},
	);

	test.each(extensionCharacters.map((character) => [JSON.stringify(character), character]))(
		'extension %s is GSM-7, two septets',
		(_, character) => {
			expect(analyzeText(character)).toEqual({ encoding: 'GSM-7', units: 2, segments: 1, extensionCharacters: [character] });
			expect(analyzeText(`a${character}b`)).toEqual({ encoding: 'GSM-7', units: 4, segments: 1, extensionCharacters: [character] });
		},
	);

	test('every other character of the Basic Multilingual Plane is UCS-2', () => {
		const gsm = new Set([...basicCharacters, ...extensionCharacters]);
		const misjudged: string[] = [];
		for (let code = 0; code <= 0xffff; code++) {
			if (code >= 0xd800 && code <= 0xdfff) continue; // surrogates are halves, not characters
			const character = String.fromCharCode(code);
			if (gsm.has(character)) continue;
			if (analyzeText(`ab${character}`).encoding !== 'UCS-2') misjudged.push(code.toString(16));
		}
		expect(misjudged).toEqual([]);
	});

	test.each([
		['ç (lower-case c cedilla: only the capital is GSM)', 'ç'],
		['the escape code itself', '\u001b'],
		['a tab', '\t'],
		['’', '’'],
		['á', 'á'],
		['Ж', 'Ж'],
		['ع', 'ع'],
		['the emoji 😀', '😀'],
		['a non-breaking space', '\u00a0'],
	])('%s is UCS-2, counted in UTF-16 units', (_, character) => {
		expect(analyzeText(`Habari ${character}`)).toMatchObject({ encoding: 'UCS-2', units: 7 + character.length, segments: 1 });
	});

	test('an empty text takes no SMS', () => {
		expect(analyzeText('')).toEqual({ encoding: 'GSM-7', units: 0, segments: 0 });
	});
});

describe('analyzeText: parts', () => {
	test.each([
		['160 GSM-7 septets are one SMS', 'a'.repeat(160), 160, 1],
		['161 septets are two parts', 'a'.repeat(161), 161, 2],
		['2 × 153 septets are two parts', 'a'.repeat(306), 306, 2],
		['2 × 153 + 1 septets are three parts', 'a'.repeat(307), 307, 3],
		['158 + one extension character: 160 septets, one SMS', `${'a'.repeat(158)}€`, 160, 1],
		['159 + one extension character: 161 septets, two parts', `${'a'.repeat(159)}€`, 161, 2],
		['an escape pair ending a part exactly', `${'a'.repeat(151)}€${'a'.repeat(153)}`, 306, 2],
		// 306 septets would fill two parts, but the pair at 153–154 moves whole into the second.
		['an escape pair straddling the boundary moves to the next part', `${'a'.repeat(152)}€${'a'.repeat(152)}`, 306, 3],
	])('GSM-7: %s', (_, text, units, segments) => {
		const extensionCharacters = text.includes('€') ? { extensionCharacters: ['€'] } : {};
		expect(analyzeText(text)).toEqual({ encoding: 'GSM-7', units, segments, ...extensionCharacters });
	});

	test.each([
		['70 UTF-16 units are one SMS', 'ж'.repeat(70), 70, 1],
		['71 units are two parts', 'ж'.repeat(71), 71, 2],
		['2 × 67 units are two parts', 'ж'.repeat(134), 134, 2],
		['2 × 67 + 1 units are three parts', 'ж'.repeat(135), 135, 3],
		['35 emoji outside the BMP are 70 units, one SMS', '😀'.repeat(35), 70, 1],
		['35 emoji and a letter are 71 units, two parts', `${'😀'.repeat(35)}a`, 71, 2],
		['a surrogate pair ending a part exactly', `${'ж'.repeat(65)}😀${'ж'.repeat(67)}`, 134, 2],
		// 134 units would fill two parts, but the pair at 67–68 moves whole into the second.
		['a surrogate pair straddling the boundary moves to the next part', `${'ж'.repeat(66)}😀${'ж'.repeat(66)}`, 134, 3],
	])('UCS-2: %s', (_, text, units, segments) => {
		expect(analyzeText(text)).toMatchObject({ encoding: 'UCS-2', units, segments });
	});

	test('in UCS-2 an extension character is one unit like any other', () => {
		expect(analyzeText(`ж${'€'.repeat(69)}`)).toMatchObject({ encoding: 'UCS-2', units: 70, segments: 1 });
	});

	const swahili =
		'Habari za asubuhi, ng’ombe wako amefika salama sokoni. Tafadhali lipa ada ya usafiri kabla ya saa tano. Asante kwa kuchagua huduma yetu, karibu tena!!';

	test('Swahili with ’ is UCS-2 in 3 parts; after replaceTypography GSM-7 in one SMS', () => {
		expect(swahili).toHaveLength(150);
		expect(analyzeText(swahili)).toEqual({
			encoding: 'UCS-2',
			units: 150,
			segments: 3,
			nonGsmCharacter: { character: '’', position: 22, replaceable: true },
		});
		const replaced = replaceTypography(swahili);
		expect(replaced).toBe(swahili.replace('’', "'"));
		expect(analyzeText(replaced)).toEqual({ encoding: 'GSM-7', units: 150, segments: 1 });
	});
});

describe('analyzeText: the character that forced UCS-2', () => {
	test.each([
		['the first of several', 'Bei ni 5€ – au “kama ulivyo”', '–', 11, true],
		['at the very start', '’Sawa', '’', 1, true],
		['a non-breaking space', 'Saa\u00a04', '\u00a0', 4, true],
		['an emoji, which no replacement fixes', 'Asante 🙏 sana ’', '🙏', 8, false],
		['a flag, two code points the user sees as one character', 'Mambo 🇹🇿 ng’ombe', '🇹🇿', 7, false],
		['an emoji with a skin tone, seen as one character', '👍🏽 ok', '👍🏽', 1, false],
		['a combining accent, shown with the letter it sits on', 'Cafe\u0301 ’', 'e\u0301', 4, false],
		['after a Windows line break, which the user sees as one', 'Mstari\r\nng’ombe', '’', 10, true],
	])('%s', (_, text, character, position, replaceable) => {
		expect(analyzeText(text).nonGsmCharacter).toEqual({ character, position, replaceable });
	});

	test('GSM-7 text names no character', () => {
		expect(analyzeText('Habari {jina}, bei ni €5').nonGsmCharacter).toBeUndefined();
	});
});

describe('replaceTypography', () => {
	test.each([
		['’', "'"],
		['‘', "'"],
		['‚', "'"],
		['‛', "'"],
		['′', "'"],
		['“', '"'],
		['”', '"'],
		['„', '"'],
		['″', '"'],
		['–', '-'],
		['—', '-'],
		['‒', '-'],
		['−', '-'],
		['…', '...'],
	])('%s → %s', (typographic, plain) => {
		expect(replaceTypography(`a${typographic}b`)).toBe(`a${plain}b`);
	});

	test('every Unicode space separator becomes a plain space', () => {
		const spaces: string[] = [];
		for (let code = 0x21; code <= 0xffff; code++) {
			const character = String.fromCharCode(code);
			if (/\p{Zs}/u.test(character)) spaces.push(character);
		}
		expect(spaces).toContain('\u00a0');
		expect(spaces).toContain('\u202f');
		expect(replaceTypography(spaces.join(''))).toBe(' '.repeat(spaces.length));
	});

	test('everything else stays as it is', () => {
		const text = 'Habari ç 🙏 ж\t«x» \u200b ng\'ombe "sawa" - ...';
		expect(replaceTypography(text)).toBe(text);
	});

	test('a text of the table\'s characters becomes GSM-7', () => {
		const replaced = replaceTypography('“Bei” – ‘50’… saa\u00a04′ 5″ — ‚x‛ ‒ −');
		expect(replaced).toBe('"Bei" - \'50\'... saa 4\' 5" - \'x\' - -');
		expect(analyzeText(replaced).encoding).toBe('GSM-7');
	});
});

describe('splitMessage', () => {
	/** Each part goes out as one SMS of its own encoding, within the guide's 160 characters. */
	function expectEachOneSms(parts: string[]) {
		for (const part of parts) {
			expect(analyzeText(part).segments).toBe(1);
			expect(Array.from(part).length).toBeLessThanOrEqual(160);
		}
	}

	test('a text that fits one SMS is one part', () => {
		expect(splitMessage('Habari yako')).toEqual(['Habari yako']);
		expect(splitMessage('a'.repeat(160))).toEqual(['a'.repeat(160)]);
	});

	test('splits between words, each part one GSM-7 SMS of up to 160 septets, nothing lost', () => {
		const words = Array.from({ length: 80 }, (_, index) => `neno${index}`);
		const text = words.join(' ');
		const parts = splitMessage(text);
		expect(parts).toHaveLength(4); // 549 characters
		expectEachOneSms(parts);
		expect(parts.map((part) => analyzeText(part).encoding)).toEqual(['GSM-7', 'GSM-7', 'GSM-7', 'GSM-7']);
		expect(parts.join(' ')).toBe(text);
		expect(parts.every((part) => !part.startsWith(' ') && !part.endsWith(' '))).toBe(true);
		// Full parts hold as many words as 160 septets allow: one more would not fit.
		expect(Array.from(`${parts[0]} ${parts[1].split(' ')[0]}`).length).toBeGreaterThan(160);
	});

	test('extension characters count two septets in the room of a part', () => {
		const word = '{x}'; // 5 septets
		const text = Array.from({ length: 40 }, () => word).join(' '); // 40 × 5 + 39 = 239 septets
		const parts = splitMessage(text);
		// 26 words take 26 × 5 + 25 = 155 septets; a 27th would make 161.
		expect(parts).toEqual([Array(26).fill(word).join(' '), Array(14).fill(word).join(' ')]);
		expectEachOneSms(parts);
	});

	test('a part holding a non-GSM character is held to one UCS-2 SMS (70 units), the others to 160 septets', () => {
		const gsmWords = Array(30).fill('sawa').join(' '); // 149 septets
		const text = `${gsmWords} ng’ombe ${gsmWords}`;
		const parts = splitMessage(text);
		expectEachOneSms(parts);
		expect(parts.map((part) => analyzeText(part).encoding)).toEqual(['GSM-7', 'UCS-2', 'GSM-7']);
		// The UCS-2 part: ng’ombe and 12 words (7 + 12 × 5 = 67 units); a 13th would make 72.
		expect(parts).toEqual([gsmWords, `ng’ombe ${Array(12).fill('sawa').join(' ')}`, Array(18).fill('sawa').join(' ')]);
	});

	test('keeps line breaks inside a part', () => {
		expect(splitMessage('Mstari wa kwanza\nMstari wa pili')).toEqual(['Mstari wa kwanza\nMstari wa pili']);
		const line = Array(15).fill('neno').join(' '); // 74 characters
		// 74 + 2 + 74 + "\nneno neno" = 160: the third line's first two words still fit.
		expect(splitMessage(`${line}\n\n${line}\n${line}`)).toEqual([
			`${line}\n\n${line}\nneno neno`,
			Array(13).fill('neno').join(' '),
		]);
	});

	test('cuts a single word longer than an SMS', () => {
		const word = 'x'.repeat(350);
		expect(splitMessage(`ok ${word} end`)).toEqual(['ok', 'x'.repeat(160), 'x'.repeat(160), `${'x'.repeat(30)} end`]);
	});

	test('cuts a long word of extension characters between escape pairs', () => {
		expect(splitMessage('€'.repeat(100))).toEqual(['€'.repeat(80), '€'.repeat(20)]);
	});

	test('cuts a long word of emoji between surrogate pairs, 35 to a UCS-2 part', () => {
		const parts = splitMessage(`${'🙏'.repeat(160)} a`);
		expect(parts).toEqual(['🙏'.repeat(35), '🙏'.repeat(35), '🙏'.repeat(35), '🙏'.repeat(35), `${'🙏'.repeat(20)} a`]);
		expectEachOneSms(parts);
	});

	test('cuts a long word of flags between flags, never between the two halves of one', () => {
		const parts = splitMessage('🇹🇿'.repeat(40)); // 4 units each: 17 fit in 70
		expect(parts).toEqual(['🇹🇿'.repeat(17), '🇹🇿'.repeat(17), '🇹🇿'.repeat(6)]);
	});

	test('a single character longer than an SMS is cut between its code points', () => {
		const character = `e${'\u0301'.repeat(100)}`; // one character as seen, 101 units
		expect(splitMessage(`ok ${character}`)).toEqual(['ok', character.slice(0, 70), character.slice(70)]);
	});

	test('numbered parts: "i/n " takes room in each part, and every part is still one SMS', () => {
		const text = Array(100).fill('neno').join(' ');
		const parts = splitMessage(text, { numbered: true });
		expect(parts).toEqual([
			`1/4 ${Array(31).fill('neno').join(' ')}`,
			`2/4 ${Array(31).fill('neno').join(' ')}`,
			`3/4 ${Array(31).fill('neno').join(' ')}`,
			`4/4 ${Array(7).fill('neno').join(' ')}`,
		]);
		expectEachOneSms(parts);
	});

	test('numbered parts: when the numbers make more parts, their width grows and the count is found again', () => {
		const text = Array(280).fill('abcd').join(' ');
		// Unnumbered: 32 words (159 characters) a part, 9 parts. "1/9 " leaves room for 31 words, which makes 10.
		expect(splitMessage(text)).toHaveLength(9);
		const parts = splitMessage(text, { numbered: true });
		expect(parts).toHaveLength(10);
		parts.forEach((part, index) => expect(part.startsWith(`${index + 1}/10 `)).toBe(true));
		expect(parts[9]).toBe('10/10 abcd');
		expectEachOneSms(parts);
		expect(parts.map((part) => part.replace(/^\d+\/10 /, '')).join(' ')).toBe(text);
	});

	test('numbered parts of a text that fits one SMS: one part, no number', () => {
		expect(splitMessage('Habari yako', { numbered: true })).toEqual(['Habari yako']);
	});

	test('an empty text has no parts', () => {
		expect(splitMessage('   ')).toEqual([]);
	});
});

describe('describeCostCause: why a text takes the SMS it does, as the editor hint says it', () => {
	test.each([
		['a GSM-7 text without extension characters: no cause', 'a'.repeat(200), ''],
		['one extension character, named', `${'a'.repeat(159)}€`, '; € counts as 2 characters (as each of ^ { } \\ [ ] ~ | € does)'],
		['several, in order of first use, each once; form feed by name', '{x}\f{', '; {, } and form feed count as 2 characters (as each of ^ { } \\ [ ] ~ | € does)'],
		['UCS-2: the character that forced it, where it is', 'Habari ’€', ' because of ’ at position 8'],
	])('%s', (_name, text, cause) => {
		expect(describeCostCause(analyzeText(text))).toBe(cause);
	});
});
