/** One SMS carries at most this many characters (the guide's limit). */
export const SMS_MAX_LENGTH = 160;

/** Length as Mifumo counts it: characters, not UTF-16 units (an emoji is one). */
export function messageLength(text: string): number {
	return Array.from(text).length;
}

/**
 * Splits a long text into SMS of at most `maxLength` characters at word boundaries, in order.
 * A single word longer than an SMS is cut where it must be.
 */
export function splitMessage(text: string, maxLength = SMS_MAX_LENGTH): string[] {
	const parts: string[] = [];
	// Words at even indexes, the whitespace between them at odd ones (kept, so line breaks survive).
	const tokens = text.trim().split(/(\s+)/);
	let current = '';
	for (let index = 0; index < tokens.length; index += 2) {
		const word = tokens[index];
		const candidate = current ? `${current}${tokens[index - 1]}${word}` : word;
		if (messageLength(candidate) <= maxLength) {
			current = candidate;
			continue;
		}
		if (current) parts.push(current);
		let rest = Array.from(word);
		while (rest.length > maxLength) {
			parts.push(rest.slice(0, maxLength).join(''));
			rest = rest.slice(maxLength);
		}
		current = rest.join('');
	}
	if (current) parts.push(current);
	return parts;
}
