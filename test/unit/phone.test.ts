import { normalizePhoneNumbers, splitRecipientList, toE164 } from '../../nodes/Mifumo/helpers/phone';

describe('toE164', () => {
	test.each([
		['0712 345 678', '+255712345678'],
		['0712345678', '+255712345678'],
		['255712345678', '+255712345678'],
		['+255712345678', '+255712345678'],
		['+255 712 345 678', '+255712345678'],
		['00255712345678', '+255712345678'],
		['0712-345-678', '+255712345678'],
		['(0712) 345 678', '+255712345678'],
		['712345678', '+255712345678'],
		['+255123456789', '+255123456789'], // the guide's own example: possible, though not assigned
		['+254 712 345 678', '+254712345678'], // Kenya, written internationally
	])('%s → %s', (input, expected) => {
		expect(toE164(input, 'TZ')).toBe(expected);
	});

	test.each([['0712'], ['12345'], ['hello'], ['0712abc678'], [''], ['   '], ['+'], ['071234567890123456']])(
		'%j is not a phone number',
		(input) => {
			expect(toE164(input, 'TZ')).toBeUndefined();
		},
	);

	test.each([[null], [undefined], [712345678], [{ phone: '0712345678' }], [['0712345678']]])(
		'a non-text entry (%j) is not a phone number',
		(input) => {
			expect(toE164(input, 'TZ')).toBeUndefined();
		},
	);

	test('the default country decides local numbers', () => {
		expect(toE164('0712 345 678', 'KE')).toBe('+254712345678');
	});
});

describe('splitRecipientList', () => {
	test('splits on commas, semicolons and new lines, keeping spaces inside numbers', () => {
		expect(splitRecipientList('0712 345 678 , 0713 000 111;0714000222\n\n0715000333\r\n')).toEqual([
			'0712 345 678',
			'0713 000 111',
			'0714000222',
			'0715000333',
		]);
	});

	test('a list stays a list, entries untouched', () => {
		const list = ['0712345678', null, 5];
		expect(splitRecipientList(list)).toBe(list);
	});
});

describe('normalizePhoneNumbers', () => {
	test('valid numbers once each, in order; invalid ones as given', () => {
		expect(normalizePhoneNumbers(['0712345678', 'x', '+255712345678', '255713000111', null], 'TZ')).toEqual({
			valid: ['+255712345678', '+255713000111'],
			invalid: ['x', null],
		});
	});
});

describe('the quick reading of usual shapes agrees with libphonenumber', () => {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { parsePhoneNumberFromString } = require('libphonenumber-js/min');
	const reference = (text: string, country: string) => {
		const international = text.trim().startsWith('00') ? `+${text.trim().slice(2)}` : text;
		const parsed = parsePhoneNumberFromString(international, country);
		return parsed?.isPossible() ? parsed.number : undefined;
	};
	const randomDigits = (length: number, random: () => number) =>
		Array.from({ length }, () => Math.floor(random() * 10)).join('');

	test.each(['TZ', 'KE', 'UG', 'RW', 'BI', 'US', 'GB', 'IN'] as const)('%s', (country) => {
		let seed = 42;
		const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
		const shapes = [
			(d: string) => d,
			(d: string) => `0${d}`,
			(d: string) => `+${d}`,
			(d: string) => `00${d}`,
			(d: string) => `${d.slice(0, 4)} ${d.slice(4, 7)} ${d.slice(7)}`,
			(d: string) => `(${d.slice(0, 3)}) ${d.slice(3)}`,
			(d: string) => `+${d.slice(0, 3)}-${d.slice(3)}`,
		];
		const prefixes = ['', '255', '254', '256', '250', '257', '1', '44', '91', '0'];
		let compared = 0;
		for (let round = 0; round < 3000; round++) {
			const prefix = prefixes[Math.floor(random() * prefixes.length)];
			const digits = prefix + randomDigits(5 + Math.floor(random() * 9), random);
			const text = shapes[Math.floor(random() * shapes.length)](digits);
			expect([text, toE164(text, country)]).toEqual([text, reference(text, country)]);
			compared++;
		}
		expect(compared).toBe(3000);
	});
});
