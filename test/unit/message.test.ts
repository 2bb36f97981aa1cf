import { messageLength, splitMessage } from '../../nodes/Mifumo/helpers/message';

describe('splitMessage', () => {
	test('a short message is one part', () => {
		expect(splitMessage('Habari yako')).toEqual(['Habari yako']);
	});

	test('splits between words, each part at most 160 characters, nothing lost', () => {
		const words = Array.from({ length: 80 }, (_, index) => `neno${index}`);
		const text = words.join(' ');
		const parts = splitMessage(text);
		expect(parts.length).toBeGreaterThan(1);
		for (const part of parts) expect(messageLength(part)).toBeLessThanOrEqual(160);
		expect(parts.join(' ')).toBe(text);
		expect(parts.every((part) => !part.startsWith(' ') && !part.endsWith(' '))).toBe(true);
	});

	test('keeps line breaks inside a part', () => {
		expect(splitMessage('Mstari wa kwanza\nMstari wa pili')).toEqual(['Mstari wa kwanza\nMstari wa pili']);
	});

	test('cuts a single word longer than an SMS', () => {
		const word = 'x'.repeat(350);
		expect(splitMessage(`ok ${word} end`)).toEqual(['ok', 'x'.repeat(160), 'x'.repeat(160), `${'x'.repeat(30)} end`]);
	});

	test('counts an emoji as one character', () => {
		expect(messageLength('🙏🙏')).toBe(2);
		expect(splitMessage(`${'🙏'.repeat(160)} a`)).toEqual(['🙏'.repeat(160), 'a']);
	});
});
