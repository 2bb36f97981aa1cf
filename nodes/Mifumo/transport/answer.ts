/** Reading what a server answered: Mifumo's envelope, or what came instead. */
import type { MifumoEnvelope } from './types';

export type Answer =
	| { kind: 'envelope'; envelope: MifumoEnvelope }
	/** JSON, but not the envelope (e.g. Django's `{"detail": "...", "code": "token_not_valid"}`). */
	| { kind: 'json'; value: unknown }
	| { kind: 'html' }
	| { kind: 'empty' }
	| { kind: 'text' };

export function readAnswer(body: unknown): Answer {
	let value = body;
	if (typeof body === 'string') {
		const text = body.trim();
		if (text === '') return { kind: 'empty' };
		try {
			value = JSON.parse(text);
		} catch {
			return /^<(!doctype|html|\?xml|head|body)/i.test(text) ? { kind: 'html' } : { kind: 'text' };
		}
	}
	if (value === undefined || value === null) return { kind: 'empty' };
	if (isObject(value) && typeof value.success === 'boolean') return { kind: 'envelope', envelope: value as unknown as MifumoEnvelope };
	return { kind: 'json', value };
}

/** "JSON without Mifumo's envelope: "Given token not valid…" (token_not_valid)", "an HTML page", "an empty body". */
export function describeNonEnvelope(answer: Exclude<Answer, { kind: 'envelope' }>): string {
	switch (answer.kind) {
		case 'html':
			return 'an HTML page';
		case 'empty':
			return 'an empty body';
		case 'text':
			return 'a body that is not JSON';
		case 'json': {
			const value = isObject(answer.value) ? answer.value : {};
			const said = [value.detail, value.message, value.error].find((text) => typeof text === 'string' && text.trim());
			const code = typeof value.code === 'string' ? ` (${value.code})` : '';
			return `JSON without Mifumo's envelope${said ? `: "${String(said).trim()}"${code}` : ''}`;
		}
	}
}

export function isObject(value: unknown): value is Record<string, unknown> {
	return !!value && typeof value === 'object' && !Array.isArray(value);
}
