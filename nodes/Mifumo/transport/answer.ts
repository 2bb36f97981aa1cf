/** Reading what a server answered: Mifumo's envelope, or what came instead. */
import type { MifumoEnvelope } from './types';

export type Answer =
	| { kind: 'envelope'; envelope: MifumoEnvelope }
	/** JSON, but not the envelope (e.g. Django's `{"detail": "...", "code": "token_not_valid"}`). */
	| { kind: 'json'; value: unknown; otherServer?: string }
	| { kind: 'html'; otherServer?: string }
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
			if (!/^<(!doctype|html|\?xml|head|body)/i.test(text)) return { kind: 'text' };
			const otherServer = otherServerOfPage(text);
			return otherServer ? { kind: 'html', otherServer } : { kind: 'html' };
		}
	}
	if (value === undefined || value === null) return { kind: 'empty' };
	if (isObject(value) && typeof value.success === 'boolean') return { kind: 'envelope', envelope: value as unknown as MifumoEnvelope };
	const otherServer = otherServerOfJson(value);
	return otherServer ? { kind: 'json', value, otherServer } : { kind: 'json', value };
}

/**
 * What an HTML page looks like when it is surely not Mifumo's (a Django server): n8n's editor, or
 * the "Cannot GET /path" page of an Express server such as n8n. A Base URL pointing at n8n gets these.
 */
function otherServerOfPage(html: string): string | undefined {
	if (/<meta name="n8n:config:/i.test(html)) return "n8n's editor page";
	const express = /<pre>(Cannot (?:GET|POST|PUT|PATCH|DELETE) [^<]*)<\/pre>/.exec(html)?.[1];
	if (express) return `a "${express}" page of an Express server (as n8n answers)`;
	return undefined;
}

/** n8n's answer for a webhook path it does not serve: {code: 404, message: "The requested webhook … is not registered.", hint}. */
function otherServerOfJson(value: unknown): string | undefined {
	if (!isObject(value) || typeof value.code !== 'number' || typeof value.message !== 'string') return undefined;
	return /^The requested webhook .* is not registered\.$/.test(value.message) ? `n8n's answer "${value.message}"` : undefined;
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
