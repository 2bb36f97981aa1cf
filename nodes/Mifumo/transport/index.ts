/**
 * The one place that talks HTTP to Mifumo: authentication (through n8n's credential helper),
 * the envelope, errors, retries, the account's pace and rate-limit pauses.
 * A request says what it is (repeatable or not, what it may have done, the SMS it spends);
 * the client decides nothing by guessing, and knows nothing of node parameters.
 */
import type { IDataObject, IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { readAnswer } from './answer';
import {
	MifumoApiError,
	baseUrlFailure,
	envelopeFailure,
	networkFailure,
	notEnvelopeFailure,
	pauseHeldFailure,
	rateLimitFailure,
	serverFailure,
	unexpectedFailure,
	type ApiFailure,
} from './errors';
import { accountPace, sleep, type Pace, type Readiness } from './pace';
import { MAX_RETRIES, MIN_RATE_LIMIT_WAIT_MS, backoffMs, networkFailureOf, retryAfterMs } from './retry';
import type { MifumoContext, MifumoRequest, RequestPolicy } from './types';

export const API_PREFIX = '/api/integration/v1';

interface RawResponse {
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	body: unknown;
}

/** Read once per run and shared by the run's clients: one credential read, one account pace. */
export interface SharedConnection {
	current?: Promise<Connection>;
}

interface Connection {
	baseUrl: string;
	/** Only to hide it if a server echoes it back in an error. */
	apiKey?: string;
	pace: Pace;
	/** The run was told once that its pace was not shared (queue mode, Redis not answering). */
	toldUnshared?: boolean;
}

/** What a send carries (the guide's names). */
export interface SendSmsBody extends IDataObject {
	message: string;
	recipients: string[];
	sender_id: string;
	schedule_time?: string;
	webhook_url?: string;
}

export class MifumoClient {
	constructor(
		private readonly context: MifumoContext,
		/** Client-side pacing of sends, in SMS a minute; 0 turns it off. */
		private readonly messagesPerMinute: number,
		/** Options → Timeout and Max Rate Limit Wait. */
		readonly policy: RequestPolicy,
		private readonly connection: SharedConnection = {},
	) {}

	async get<T = IDataObject>(path: string, qs?: IDataObject): Promise<T> {
		return await this.request<T>({ method: 'GET', path, qs, repeatable: true, effect: 'none' });
	}

	/** PUT and DELETE set the same state however often they arrive: safe to repeat. */
	async put<T = IDataObject>(path: string, body: IDataObject): Promise<T> {
		return await this.request<T>({ method: 'PUT', path, body, repeatable: true, effect: 'none' });
	}

	async delete<T = IDataObject>(path: string): Promise<T> {
		return await this.request<T>({ method: 'DELETE', path, repeatable: true, effect: 'none' });
	}

	/** A create may have landed when no answer came: never repeated. */
	async create<T = IDataObject>(path: string, body: IDataObject): Promise<T> {
		return await this.request<T>({ method: 'POST', path, body, repeatable: false, effect: 'record' });
	}

	/** One send: it waits for its turn in the account's pace, and is never sent twice. */
	async sendSms(body: SendSmsBody): Promise<IDataObject> {
		return await this.request<IDataObject>({
			method: 'POST',
			path: '/sms/send/',
			body,
			repeatable: false,
			effect: 'sms',
			smsCount: body.recipients.length,
		});
	}

	/** Sends one request and returns the envelope's `data`, or throws a MifumoApiError. */
	async request<T = IDataObject>(request: MifumoRequest): Promise<T> {
		const fail = (failure: ApiFailure) => new MifumoApiError(this.context.getNode(), failure);
		const connection = await this.connect();
		const { baseUrl, apiKey, pace } = connection;
		let rateLimitWaitedMs = 0;
		/** The pause of this request's own last 429: already counted, so not counted again when it is waited out. */
		let ownPauseMs = 0;
		let retries = 0;
		for (let attempt = 1; ; attempt++) {
			const ready = await pace.ready(
				request.smsCount ?? 0,
				this.messagesPerMinute,
				this.policy.maxRateLimitWaitMs - rateLimitWaitedMs + ownPauseMs,
				attempt === 1,
			);
			this.tellUnshared(connection, ready);
			rateLimitWaitedMs += Math.max(0, ready.pausedMs - ownPauseMs);
			ownPauseMs = 0;
			if (ready.held) {
				throw fail(
					pauseHeldFailure(request, ready.held, {
						waitedMs: rateLimitWaitedMs,
						maxWaitMs: this.policy.maxRateLimitWaitMs,
						messagesPerMinute: this.messagesPerMinute,
					}),
				);
			}
			let response: RawResponse;
			try {
				response = await this.send(baseUrl, request);
			} catch (error) {
				const network = networkFailureOf(error);
				// Not a network failure (a cancelled execution, a missing credential): no retry.
				if (!network) throw fail(unexpectedFailure(request, error, apiKey));
				if (request.repeatable && retries < MAX_RETRIES) {
					await sleep(backoffMs(++retries));
					continue;
				}
				throw fail(networkFailure(request, network.code, network.failure, this.policy.timeoutMs, retries + 1, baseUrl));
			}

			const answer = readAnswer(response.body);
			const envelope = answer.kind === 'envelope' ? answer.envelope : undefined;
			if (response.statusCode === 429 || envelope?.error_code === 'RATE_LIMIT_EXCEEDED') {
				// Not processed by the server: safe to send again, after the wait it asked for.
				// A floor, so that "Retry-After: 0" cannot turn into a burst of requests.
				const retryAfter = retryAfterMs(response.headers['retry-after']);
				const waitMs = Math.max(MIN_RATE_LIMIT_WAIT_MS, retryAfter ?? backoffMs(attempt));
				// Every request of the account waits it out, even when this one gives up: Mifumo would refuse them too.
				await pace.pauseAll(waitMs);
				if (rateLimitWaitedMs + waitMs > this.policy.maxRateLimitWaitMs) {
					throw fail(
						rateLimitFailure(request, {
							status: response.statusCode,
							waitedMs: rateLimitWaitedMs,
							maxWaitMs: this.policy.maxRateLimitWaitMs,
							askedMs: waitMs,
							retryAfter: retryAfter !== undefined,
							messagesPerMinute: this.messagesPerMinute,
						}),
					);
				}
				rateLimitWaitedMs += waitMs;
				ownPauseMs = waitMs;
				continue;
			}

			if (response.statusCode >= 500) {
				if (request.repeatable && retries < MAX_RETRIES) {
					await sleep(backoffMs(++retries));
					continue;
				}
				throw fail(serverFailure(request, response.statusCode, answer, retries + 1, apiKey));
			}

			if (answer.kind !== 'envelope') throw fail(notEnvelopeFailure(request, response.statusCode, answer, apiKey));
			if (answer.envelope.success !== true) throw fail(envelopeFailure(response.statusCode, answer.envelope, apiKey));
			return answer.envelope.data as T;
		}
	}

	/** Once per run: the pace was this process's alone, and why. */
	private tellUnshared(connection: Connection, ready: Readiness): void {
		if (!ready.unshared || connection.toldUnshared) return;
		connection.toldUnshared = true;
		const context = this.context as Partial<Pick<IExecuteFunctions, 'addExecutionHints'>>;
		context.addExecutionHints?.({
			type: 'warning',
			location: 'outputPane',
			message: `The pace shared by n8n's queue-mode workers could not be used: ${ready.unshared}. This n8n process paced its SMS to the account by itself, so together with other workers the account may get more than Messages Per Minute; a rate-limit answer is still waited out and the SMS sent once. The shared pace resumes when Redis answers again.`,
		});
	}

	private async send(baseUrl: string, request: MifumoRequest): Promise<RawResponse> {
		const options: IHttpRequestOptions = {
			method: request.method,
			url: `${baseUrl}${API_PREFIX}${request.path}`,
			qs: request.qs,
			headers: { Accept: 'application/json' },
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			// Read the body as text: a non-JSON answer (an HTML error page) must be reported, not guessed at.
			encoding: 'text',
			json: false,
			timeout: this.policy.timeoutMs,
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

	/** Reads the credential once per run; a Base URL that cannot work fails before any request. */
	private async connect(): Promise<Connection> {
		this.connection.current ??= (async () => {
			const credentials = await this.context.getCredentials<{ baseUrl?: string; apiKey?: string }>('mifumoApi');
			const baseUrl = normalizeBaseUrl(credentials.baseUrl);
			if (!/^https?:\/\/[^/]/i.test(baseUrl)) throw new MifumoApiError(this.context.getNode(), baseUrlFailure(baseUrl));
			return { baseUrl, apiKey: credentials.apiKey, pace: accountPace(baseUrl, credentials.apiKey) };
		})();
		return await this.connection.current;
	}
}

export function normalizeBaseUrl(baseUrl: string | undefined): string {
	const url = (baseUrl ?? '').trim().replace(/\/+$/, '');
	// Users paste the API address from the guide: keep only the server part.
	return url.replace(/\/api\/integration(\/v1)?$/, '');
}

export function encodeId(id: string): string {
	return encodeURIComponent(id);
}

export type { MifumoRequest, RequestPolicy };
