/**
 * The one place that talks HTTP to Mifumo: authentication (through n8n's credential helper),
 * the envelope, errors a user can act on, retries, rate limits and paging.
 * It knows nothing of node parameters.
 */
import type { IDataObject, IExecuteFunctions, IHttpRequestOptions, IPollFunctions } from 'n8n-workflow';

import { MifumoApiError, hintFor, redactSecret } from './errors';
import { RequestScheduler, sleep } from './scheduler';
import type { HttpMethod, MifumoEnvelope, MifumoRequest, RequestPolicy } from './types';

export const API_PREFIX = '/api/integration/v1';

export const DEFAULT_POLICY: RequestPolicy = { timeoutMs: 30_000, maxRateLimitWaitMs: 300_000 };

/** GETs are retried this many times on a 5xx or a network error; PUT and DELETE too (idempotent). */
const MAX_IDEMPOTENT_RETRIES = 3;

/** The shortest wait after a rate-limit answer, whatever Retry-After says. */
const MIN_RATE_LIMIT_WAIT_MS = 250;

const NETWORK_ERROR_CODES = new Set([
	'ECONNRESET',
	'ECONNREFUSED',
	'ECONNABORTED',
	'ETIMEDOUT',
	'EPIPE',
	'ENOTFOUND',
	'EAI_AGAIN',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

interface RawResponse {
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	body: unknown;
}

export class MifumoClient {
	private baseUrl?: string;

	/** Only to hide it if a server echoes it back in an error. */
	private apiKey?: string;

	constructor(
		private readonly context: IExecuteFunctions | IPollFunctions,
		readonly scheduler: RequestScheduler = new RequestScheduler(0),
	) {}

	/** Sends one request and returns the envelope's `data`, or throws a MifumoApiError. */
	async request<T = IDataObject>(request: MifumoRequest, policy: RequestPolicy = DEFAULT_POLICY): Promise<T> {
		const idempotent = request.method !== 'POST';
		let rateLimitWaitedMs = 0;
		let retries = 0;
		for (let attempt = 0; ; attempt++) {
			await this.scheduler.waitForPause();
			let response: RawResponse;
			try {
				response = await this.send(request, policy.timeoutMs);
			} catch (error) {
				const code = networkErrorCode(error);
				// Not a network failure (a cancelled execution, a missing credential): no retry.
				if (!code) throw this.unexpectedError(request, error);
				if (idempotent && retries < MAX_IDEMPOTENT_RETRIES) {
					retries++;
					await sleep(backoffMs(retries));
					continue;
				}
				throw this.networkError(request, code, policy.timeoutMs);
			}

			const envelope = parseEnvelope(response.body);
			const errorCode = envelope?.error_code ?? null;
			if (response.statusCode === 429 || errorCode === 'RATE_LIMIT_EXCEEDED') {
				// Not processed by the server: safe to send again, after the wait it asked for.
				// A floor, so that "Retry-After: 0" cannot turn into a burst of requests.
				const waitMs = Math.max(
					MIN_RATE_LIMIT_WAIT_MS,
					retryAfterMs(response.headers['retry-after']) ?? backoffMs(attempt + 1),
				);
				if (rateLimitWaitedMs + waitMs > policy.maxRateLimitWaitMs) {
					throw new MifumoApiError(this.context.getNode(), {
						errorCode: 'RATE_LIMIT_EXCEEDED',
						httpStatus: response.statusCode,
						message: `RATE_LIMIT_EXCEEDED: Mifumo's rate limit was still in force after waiting ${formatSeconds(rateLimitWaitedMs)} (Max Rate Limit Wait is ${formatSeconds(policy.maxRateLimitWaitMs)}). ${request.method === 'POST' ? 'This request was not processed; nothing was sent. ' : ''}${hintFor('RATE_LIMIT_EXCEEDED')}`,
					});
				}
				rateLimitWaitedMs += waitMs;
				this.scheduler.pauseAll(waitMs);
				continue;
			}

			if (response.statusCode >= 500) {
				if (idempotent && retries < MAX_IDEMPOTENT_RETRIES) {
					retries++;
					await sleep(backoffMs(retries));
					continue;
				}
				throw this.serverError(request, response, envelope);
			}

			if (!envelope) throw this.notJsonError(request, response);
			if (envelope.success !== true) throw this.envelopeError(response.statusCode, envelope);
			return envelope.data as T;
		}
	}

	private async send(request: MifumoRequest, timeoutMs: number): Promise<RawResponse> {
		const options: IHttpRequestOptions = {
			method: request.method,
			url: `${await this.getBaseUrl()}${API_PREFIX}${request.path}`,
			qs: request.qs,
			headers: { Accept: 'application/json' },
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			// Read the body as text: a non-JSON answer (an HTML error page) must be reported, not guessed at.
			encoding: 'text',
			json: false,
			timeout: timeoutMs,
		};
		if (request.body !== undefined) {
			options.body = JSON.stringify(request.body);
			options.headers!['Content-Type'] = 'application/json';
		}
		return (await this.context.helpers.httpRequestWithAuthentication.call(
			this.context,
			'mifumoApi',
			options,
		)) as RawResponse;
	}

	private async getBaseUrl(): Promise<string> {
		if (this.baseUrl === undefined) {
			const credentials = await this.context.getCredentials<{ baseUrl?: string; apiKey?: string }>('mifumoApi');
			this.baseUrl = normalizeBaseUrl(credentials.baseUrl);
			this.apiKey = credentials.apiKey;
		}
		return this.baseUrl;
	}

	private envelopeError(status: number, envelope: MifumoEnvelope): MifumoApiError {
		const errorCode = envelope.error_code || `HTTP_${status}`;
		const serverText = this.serverText(envelope);
		const hint = hintFor(envelope.error_code, status);
		return new MifumoApiError(this.context.getNode(), {
			errorCode,
			httpStatus: status,
			message: joinSentences(`${errorCode}: ${serverText || 'Mifumo reported an error without a message'}`, hint),
		});
	}

	private serverText(envelope: MifumoEnvelope): string {
		const text = [envelope.message, detailsText(envelope.details)].filter(Boolean).join(' – ');
		return redactSecret(text, this.apiKey);
	}

	private serverError(request: MifumoRequest, response: RawResponse, envelope?: MifumoEnvelope): MifumoApiError {
		const status = response.statusCode;
		const errorCode = envelope?.error_code || `HTTP_${status}`;
		const serverText = envelope ? this.serverText(envelope) : '';
		const what = serverText ? `${errorCode}: ${serverText}` : `${errorCode}: Mifumo answered with a server error${envelope ? '' : ' that is not JSON'}`;
		return new MifumoApiError(this.context.getNode(), {
			errorCode,
			httpStatus: status,
			message: joinSentences(what, unconfirmedAdvice(request, MAX_IDEMPOTENT_RETRIES)),
		});
	}

	private notJsonError(request: MifumoRequest, response: RawResponse): MifumoApiError {
		const body = typeof response.body === 'string' ? response.body.trim() : '';
		const looksLike = body === '' ? 'an empty body' : /^<(!doctype|html)/i.test(body) ? 'an HTML page' : 'a body that is not JSON';
		const status = response.statusCode;
		const unsure = request.method === 'POST' && status < 400;
		return new MifumoApiError(this.context.getNode(), {
			errorCode: 'INVALID_RESPONSE',
			httpStatus: status,
			message: `INVALID_RESPONSE: Mifumo answered HTTP ${status} with ${looksLike} instead of its JSON envelope. Check the Base URL of the credential (it should be the server's address, without /api/integration/v1).${unsure ? ` ${unconfirmedAdvice(request, 0)}` : ''}`,
		});
	}

	/** Whatever else stopped the request; its text may quote the request, so the key is hidden. */
	private unexpectedError(request: MifumoRequest, error: unknown): MifumoApiError {
		const text = redactSecret(String((error as Error)?.message ?? error), this.apiKey);
		const advice = request.method === 'POST' ? ` ${unconfirmedAdvice(request, 0)}` : '';
		return new MifumoApiError(this.context.getNode(), {
			errorCode: 'REQUEST_FAILED',
			message: `REQUEST_FAILED: The request to Mifumo did not complete: ${text}.${advice}`,
		});
	}

	private networkError(request: MifumoRequest, code: string, timeoutMs: number): MifumoApiError {
		const reason =
			code === 'ECONNABORTED' || code === 'ETIMEDOUT'
				? `Mifumo did not answer within ${formatSeconds(timeoutMs)} (Options → Timeout)`
				: code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN'
					? `Could not connect to the Mifumo server (${code}). Check the Base URL of the credential`
					: `The connection to Mifumo failed (${code})`;
		// A refused connection never reached the server, so nothing can have been sent.
		const neverReached = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
		const advice = neverReached
			? request.method === 'POST'
				? 'Nothing was sent.'
				: ''
			: unconfirmedAdvice(request, MAX_IDEMPOTENT_RETRIES);
		return new MifumoApiError(this.context.getNode(), {
			errorCode: code === 'ECONNABORTED' || code === 'ETIMEDOUT' ? 'TIMEOUT' : 'NETWORK_ERROR',
			message: `${reason}.${advice ? ` ${advice}` : ''}`,
		});
	}
}

function unconfirmedAdvice(request: MifumoRequest, retries: number): string {
	if (request.method !== 'POST') return `Tried ${retries + 1} times.`;
	if (request.path.startsWith('/sms/send')) {
		return 'The SMS may or may not have been sent: it was not sent again, so that nobody gets it twice. Check with "Get Status" or "Get Delivery Reports" before sending it again.';
	}
	return 'The request may or may not have been processed: it was not repeated, so that nothing is created twice. Check with "Get" or "Get Many" before trying again.';
}

/** "A." + "B" → "A. B"; "A" + "B" → "A. B" (server messages may or may not end with a full stop). */
function joinSentences(first: string, second: string | undefined): string {
	if (!second) return first;
	return /[.!?]$/.test(first) ? `${first} ${second}` : `${first}. ${second}`;
}

function parseEnvelope(body: unknown): MifumoEnvelope | undefined {
	let value = body;
	if (typeof body === 'string') {
		try {
			value = JSON.parse(body);
		} catch {
			return undefined;
		}
	}
	if (value && typeof value === 'object' && !Array.isArray(value) && 'success' in value) {
		return value as MifumoEnvelope;
	}
	return undefined;
}

function detailsText(details: unknown): string {
	if (details === null || details === undefined || details === '') return '';
	if (typeof details === 'string') return details;
	try {
		return JSON.stringify(details);
	} catch {
		return '';
	}
}

/** The code of a network failure (reset, timeout, refused), wherever n8n's wrapper put it. */
function networkErrorCode(error: unknown): string | undefined {
	const candidates = [
		(error as { cause?: { code?: unknown } })?.cause?.code,
		(error as { code?: unknown })?.code,
		(error as { httpCode?: unknown })?.httpCode,
	];
	for (const code of candidates) {
		if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return code;
	}
	const message = String((error as Error)?.message ?? '');
	if (/timeout/i.test(message)) return 'ETIMEDOUT';
	if (/socket hang up|reset/i.test(message)) return 'ECONNRESET';
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
function backoffMs(attempt: number): number {
	const base = Math.min(30_000, 500 * 2 ** (attempt - 1));
	return Math.round(base * (0.75 + Math.random() * 0.5));
}

function formatSeconds(ms: number): string {
	const seconds = ms / 1000;
	return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}

export function normalizeBaseUrl(baseUrl: string | undefined): string {
	const url = (baseUrl ?? '').trim().replace(/\/+$/, '');
	// Users paste the API address from the guide: keep only the server part.
	return url.replace(/\/api\/integration(\/v1)?$/, '');
}

export function encodeId(id: string): string {
	return encodeURIComponent(id);
}

export type { HttpMethod, MifumoRequest, RequestPolicy };
