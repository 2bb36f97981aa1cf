/** When and how long to wait before a request goes out again. */
import type { NetworkFailure } from './errors';

/** Reads are retried this many times on a 5xx or a network error (PUT and DELETE too: idempotent). */
export const MAX_RETRIES = 3;

/** The shortest wait after a rate-limit answer, whatever Retry-After says. */
export const MIN_RATE_LIMIT_WAIT_MS = 250;

const FAILURES: Record<string, NetworkFailure> = {
	ECONNABORTED: 'timeout',
	ETIMEDOUT: 'timeout',
	ERR_SOCKET_CONNECTION_TIMEOUT: 'timeout',
	ECONNREFUSED: 'unreachable',
	ENOTFOUND: 'unreachable',
	EAI_AGAIN: 'unreachable',
	ECONNRESET: 'broken',
	EPIPE: 'broken',
	EHOSTUNREACH: 'broken',
	ENETUNREACH: 'broken',
};

/** The code of a network failure (reset, timeout, refused), wherever n8n's wrapper put it. */
export function networkFailureOf(error: unknown): { code: string; failure: NetworkFailure } | undefined {
	const candidates = [
		(error as { cause?: { code?: unknown } })?.cause?.code,
		(error as { code?: unknown })?.code,
		(error as { httpCode?: unknown })?.httpCode,
	];
	for (const code of candidates) {
		if (typeof code === 'string' && FAILURES[code]) return { code, failure: FAILURES[code] };
	}
	const message = String((error as Error)?.message ?? '');
	if (/timeout/i.test(message)) return { code: 'ETIMEDOUT', failure: 'timeout' };
	if (/socket hang up|reset/i.test(message)) return { code: 'ECONNRESET', failure: 'broken' };
	return undefined;
}

/** Retry-After in seconds or as an HTTP date. */
export function retryAfterMs(header: string | string[] | undefined): number | undefined {
	const value = Array.isArray(header) ? header[0] : header;
	if (!value) return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
	const date = Date.parse(value);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - Date.now());
}

/** Exponential back-off with jitter: ~0.5 s, 1 s, 2 s ... capped at 30 s. */
export function backoffMs(attempt: number): number {
	const base = Math.min(30_000, 500 * 2 ** (attempt - 1));
	return Math.round(base * (0.75 + Math.random() * 0.5));
}
