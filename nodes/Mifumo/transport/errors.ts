/** Every error the node raises: the classes, what a user can do about each code, and the texts. */
import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { describeNonEnvelope, type Answer } from './answer';
import type { MifumoEnvelope, MifumoRequest } from './types';

const CHECK_KEY = 'Check the API key in the Mifumo SMS API credential (Mifumo dashboard → API Keys).';
const CHECK_BASE_URL = "Check the Base URL of the credential (the server's address, without /api/integration/v1).";

/** A rate limit met by a request that sends no SMS: the hourly call and contact limits, not Messages Per Minute. */
const CALL_RATE_LIMIT_TEXT = 'Mifumo allows 1,000 API calls an hour and 500 contact operations an hour by default.';

/** What a user can do about each Mifumo error code (the guide's and the server source's). Unknown codes are shown as they came. */
export const HINTS: Record<string, string> = {
	INVALID_CREDENTIALS: CHECK_KEY,
	INVALID_API_KEY: CHECK_KEY,
	AUTHENTICATION_REQUIRED: `The server got no API key it accepts. ${CHECK_KEY}`,
	INSUFFICIENT_PERMISSIONS:
		'This API key may not do this (a "read" key cannot send or change data). Use a key with "write" or "admin" permission.',
	INSUFFICIENT_BALANCE: 'Top up your Mifumo account, then run the workflow again. This request was not processed.',
	RATE_LIMIT_EXCEEDED:
		'Mifumo allows 100 SMS a minute by default. Lower Options → Messages Per Minute, or raise Options → Max Rate Limit Wait.',
	INVALID_SENDER_ID: 'Use an approved sender ID (MIFUMO is always approved) or ask Mifumo to approve yours.',
	MESSAGE_TOO_LONG: 'Shorten the message to 160 characters, or set Options → Long Messages to "Split Into Several SMS".',
	MISSING_MESSAGE: 'Enter the text of the SMS in Message (an expression there may have given nothing).',
	INVALID_PHONE: 'Use numbers such as 0712 345 678, 255712345678 or +255712345678.',
	INVALID_PHONE_FORMAT:
		'The server wants numbers in international form (+255712345678). Use numbers such as 0712 345 678, 255712345678 or +255712345678: the node sends them as +255….',
	MISSING_RECIPIENTS: 'Add at least one recipient.',
	MESSAGE_NOT_FOUND: 'Check the message ID: it comes from the output of a Send (message_id).',
	CONTACT_NOT_FOUND: 'Check the contact ID: it comes from the output of Create or Get Many (contact_id).',
	SEGMENT_NOT_FOUND: 'Check the segment ID: it comes from the output of Create or Get Many (segment_id).',
	NOT_FOUND: `Check the ID. ${CHECK_BASE_URL}`,
	SMS_SEND_FAILED: 'Mifumo could not send it. Check Get Status or Get Delivery Reports before sending again.',
	INTERNAL_ERROR: 'Mifumo had an internal error: try again later, and tell Mifumo support if it persists.',
	NOT_IMPLEMENTED: 'This Mifumo server does not offer this operation yet.',
};

const HINTS_BY_STATUS: Record<number, string> = {
	401: HINTS.INVALID_API_KEY,
	403: HINTS.INSUFFICIENT_PERMISSIONS,
	404: HINTS.NOT_FOUND,
	429: HINTS.RATE_LIMIT_EXCEEDED,
};

export function hintFor(errorCode: string | null | undefined, httpStatus?: number): string | undefined {
	return (errorCode && HINTS[errorCode]) || (httpStatus ? HINTS_BY_STATUS[httpStatus] : undefined);
}

/** Servers sometimes echo the key they were given: it must not reach the output. */
export function redactSecret(text: string, secret: string | undefined): string {
	if (!secret || secret.length < 4) return text;
	return text.split(secret).join('[API key hidden]');
}

/** An error that carries the code the output shows under Continue On Fail. */
export interface CodedError {
	errorCode: string;
}

export function errorCodeOf(error: unknown): string {
	const code = (error as Partial<CodedError>)?.errorCode;
	return typeof code === 'string' && code ? code : 'UNKNOWN_ERROR';
}

/** What went wrong with a request, as the user reads it: the node throws it, the credential test shows it. */
export interface ApiFailure {
	errorCode: string;
	message: string;
	httpStatus?: number;
	/** The request may have been processed (a 5xx, a timeout, a lost answer): a send's fate is unknown. */
	outcomeUnknown?: boolean;
}

/** Mifumo answered, and the answer was an error (or not an answer at all). */
export class MifumoApiError extends NodeApiError implements CodedError {
	errorCode: string;
	outcomeUnknown: boolean;

	constructor(node: INode, options: ApiFailure) {
		const response: JsonObject = { message: options.message, errorCode: options.errorCode };
		if (options.httpStatus) response.httpCode = String(options.httpStatus);
		super(node, response, {
			message: options.message,
			httpCode: options.httpStatus ? String(options.httpStatus) : undefined,
		});
		// n8n rewrites messages that mention a network code (ECONNRESET...) into generic advice
		// ("you can retry"), which is wrong for a send: keep ours.
		this.message = options.message;
		this.errorCode = options.errorCode;
		this.outcomeUnknown = options.outcomeUnknown === true;
	}
}

/** Input the node can reject before sending anything. */
export class MifumoInputError extends NodeOperationError implements CodedError {
	errorCode: string;

	constructor(node: INode, message: string, options: { errorCode?: string; itemIndex?: number } = {}) {
		super(node, message, { itemIndex: options.itemIndex });
		this.errorCode = options.errorCode ?? 'INVALID_PARAMETER';
	}
}

/** "A." + "B" → "A. B"; "A" + "B" → "A. B" (server messages may or may not end with a full stop). */
export function joinSentences(...sentences: Array<string | undefined>): string {
	return sentences
		.filter((sentence): sentence is string => !!sentence)
		.reduce((text, sentence) => (text === '' ? sentence : /[.!?]$/.test(text) ? `${text} ${sentence}` : `${text}. ${sentence}`), '');
}

/** What a user is told when a request may or may not have been processed. */
export function unconfirmedAdvice(request: MifumoRequest, tries: number): string {
	switch (request.effect) {
		case 'sms':
			return 'The SMS may or may not have been sent: it was not sent again, so that nobody gets it twice. Check with "Get Status" or "Get Delivery Reports" before sending it again.';
		case 'record':
			return 'The request may or may not have been processed: it was not repeated, so that nothing is created twice. Check with "Get" or "Get Many" before trying again.';
		case 'none':
			return `Tried ${tries} ${tries === 1 ? 'time' : 'times'}.`;
	}
}

/** The server text of an envelope: its message and details, without the key. */
function envelopeText(envelope: MifumoEnvelope, apiKey: string | undefined): string {
	const details = detailsText(envelope.details);
	return redactSecret([envelope.message, details].filter(Boolean).join(' – '), apiKey);
}

/** `success: false` (any status below 500): Mifumo said what was wrong. */
export function envelopeFailure(status: number, envelope: MifumoEnvelope, apiKey?: string): ApiFailure {
	const errorCode = envelope.error_code || `HTTP_${status}`;
	const text = envelopeText(envelope, apiKey) || 'Mifumo reported an error without a message';
	return {
		errorCode,
		httpStatus: status,
		message: joinSentences(`${errorCode}: ${text}`, hintFor(envelope.error_code, status)),
	};
}

/** A 5xx after the retries the request allowed. */
export function serverFailure(
	request: MifumoRequest,
	status: number,
	answer: Answer,
	tries: number,
	apiKey?: string,
): ApiFailure {
	const envelope = answer.kind === 'envelope' ? answer.envelope : undefined;
	const errorCode = envelope?.error_code || `HTTP_${status}`;
	const text = envelope ? envelopeText(envelope, apiKey) : '';
	const what = text
		? `${errorCode}: ${text}`
		: `${errorCode}: Mifumo answered HTTP ${status}, a server error, with ${answer.kind === 'envelope' ? 'no message' : describeNonEnvelope(answer)}`;
	return {
		errorCode,
		httpStatus: status,
		outcomeUnknown: true,
				// A read may be tried later; a send or create must first be checked, not repeated.
		message: joinSentences(what, envelope && request.effect === 'none' ? hintFor(envelope.error_code) : undefined, unconfirmedAdvice(request, tries)),
	};
}

/** An answer below 500 that is not Mifumo's envelope: say what came and what to check. */
export function notEnvelopeFailure(
	request: MifumoRequest,
	status: number,
	answer: Exclude<Answer, { kind: 'envelope' }>,
	apiKey?: string,
): ApiFailure {
	if ((answer.kind === 'html' || answer.kind === 'json') && answer.otherServer) {
		// Not Mifumo at all: "Mifumo answered 404" would send the user looking for a missing endpoint.
		return {
			errorCode: `HTTP_${status}`,
			httpStatus: status,
			message: joinSentences(
				`HTTP_${status}: The Base URL points at a server that is not Mifumo: it answered HTTP ${status} with ${redactSecret(answer.otherServer, apiKey)}`,
				CHECK_BASE_URL,
				request.effect === 'none' ? undefined : 'Nothing was sent to Mifumo.',
			),
		};
	}
	const what = `HTTP_${status}: Mifumo answered HTTP ${status} with ${redactSecret(describeNonEnvelope(answer), apiKey)}`;
	let advice: string;
	if (status === 401 || status === 403) advice = `The server refused the API key. ${CHECK_KEY}`;
	else if (status === 404) advice = `This server has no ${request.method} ${endpointOf(request.path)} endpoint.`;
	else if (status < 400) {
		advice = joinSentences(
			`This does not look like a Mifumo server. ${CHECK_BASE_URL}`,
			request.effect !== 'none' ? unconfirmedAdvice(request, 1) : undefined,
		);
	} else advice = 'The request was not processed.';
	return { errorCode: `HTTP_${status}`, httpStatus: status, outcomeUnknown: status < 400, message: joinSentences(what, advice) };
}

/** The endpoint as the request named it, without a query. */
function endpointOf(path: string): string {
	return path.split('?')[0];
}

/** Where a request stood with the rate limit when it gave up. */
export interface RateLimitStand {
	status: number;
	/** Rate-limit waits the item already spent. */
	waitedMs: number;
	/** Options → Max Rate Limit Wait. */
	maxWaitMs: number;
	/** The wait Mifumo asked for (Retry-After), or the back-off when it named none. */
	askedMs: number;
	retryAfter: boolean;
	/** The run's pacing (Options → Messages Per Minute); 0: off. */
	messagesPerMinute: number;
}

/** A 429 asking for more than the item's Max Rate Limit Wait has left: what Mifumo asked, which option to raise. */
export function rateLimitFailure(request: MifumoRequest, stand: RateLimitStand): ApiFailure {
	const limit = `Options → Max Rate Limit Wait (${formatSeconds(stand.maxWaitMs)})`;
	const asked = formatSeconds(stand.askedMs);
	let what: string;
	if (stand.waitedMs > 0) {
		const waited = `RATE_LIMIT_EXCEEDED: Mifumo's rate limit was still in force after waiting ${formatSeconds(stand.waitedMs)}`;
		what = stand.retryAfter
			? `${waited}; Mifumo asked to wait ${asked} more (Retry-After), which would pass ${limit}`
			: `${waited}; the next wait (${asked}, Mifumo named none) would pass ${limit}`;
	} else {
		what = stand.retryAfter
			? `RATE_LIMIT_EXCEEDED: Mifumo asked to wait ${asked} (Retry-After) before its rate limit lets this request through, longer than ${limit} allows`
			: `RATE_LIMIT_EXCEEDED: Mifumo answered with its rate limit; the wait before trying again (${asked}, Mifumo named none) is longer than ${limit} allows`;
	}
	return {
		errorCode: 'RATE_LIMIT_EXCEEDED',
		httpStatus: stand.status,
		message: joinSentences(
			what,
			request.effect === 'none' ? undefined : 'This request was not processed; nothing was sent.',
			rateLimitAdvice(request, stand.messagesPerMinute, stand.waitedMs + stand.askedMs),
		),
	};
}

/** A rate-limit pause announced by another request of the account outlasts what the item allows. */
export function pauseHeldFailure(
	request: MifumoRequest,
	hold: { leftMs: number; askedMs: number },
	stand: Pick<RateLimitStand, 'waitedMs' | 'maxWaitMs' | 'messagesPerMinute'>,
): ApiFailure {
	const waited = stand.waitedMs > 0 ? ` after waiting ${formatSeconds(stand.waitedMs)}` : '';
	return {
		errorCode: 'RATE_LIMIT_EXCEEDED',
		message: joinSentences(
			`RATE_LIMIT_EXCEEDED: Another request to this Mifumo account (in this or another execution) met the rate limit, and Mifumo asked it to wait ${formatSeconds(hold.askedMs)}. Every request to the account waits that pause out; ${formatSeconds(Math.ceil(hold.leftMs / 1000) * 1000)} of it were left${waited}, longer than this item's Options → Max Rate Limit Wait (${formatSeconds(stand.maxWaitMs)}) allows`,
			request.effect === 'none' ? 'This request was not sent.' : 'Nothing was sent.',
			rateLimitAdvice(request, stand.messagesPerMinute, stand.waitedMs + hold.leftMs),
		),
	};
}

/** Which option to raise (and, for sends, how pacing stands): a wait of `neededMs` in all would have been enough. */
function rateLimitAdvice(request: MifumoRequest, messagesPerMinute: number, neededMs: number): string {
	const raise = `raise Options → Max Rate Limit Wait to at least ${formatSeconds(Math.ceil(neededMs / 1000) * 1000)}`;
	if (request.effect !== 'sms') return `${CALL_RATE_LIMIT_TEXT} To wait it out, ${raise}; or spread the work over more time.`;
	if (messagesPerMinute > 0) {
		return `Mifumo allows 100 SMS a minute by default: lower Options → Messages Per Minute (now ${messagesPerMinute.toLocaleString('en-US')}) to your account's limit, or ${raise}.`;
	}
	return `Messages Per Minute was off (0), so the sends were not paced: set Options → Messages Per Minute to your account's limit (Mifumo allows 100 SMS a minute by default), or ${raise}.`;
}

export type NetworkFailure = 'timeout' | 'unreachable' | 'broken';

export function networkFailure(
	request: MifumoRequest,
	code: string,
	failure: NetworkFailure,
	timeoutMs: number,
	tries: number,
	baseUrl: string,
): ApiFailure {
	const reason =
		failure === 'timeout'
			? `Mifumo did not answer within ${formatSeconds(timeoutMs)} (Options → Timeout)`
			: failure === 'unreachable'
				? `Could not connect to the Mifumo server at ${baseUrl} (${code}). ${CHECK_BASE_URL}`
				: `The connection to Mifumo failed (${code})`;
	// A refused connection never reached the server, so nothing can have been sent.
	const advice =
		failure === 'unreachable' ? (request.effect === 'none' ? undefined : 'Nothing was sent.') : unconfirmedAdvice(request, tries);
	return {
		errorCode: failure === 'timeout' ? 'TIMEOUT' : 'NETWORK_ERROR',
		outcomeUnknown: failure !== 'unreachable',
		message: joinSentences(reason, advice),
	};
}

/** Whatever else stopped the request; its text may quote the request, so the key is hidden. */
export function unexpectedFailure(request: MifumoRequest, error: unknown, apiKey?: string): ApiFailure {
	const text = redactSecret(String((error as Error)?.message ?? error), apiKey);
	return {
		errorCode: 'REQUEST_FAILED',
		outcomeUnknown: true,
		message: joinSentences(
			`REQUEST_FAILED: The request to Mifumo did not complete: ${text}.`,
			request.effect === 'none' ? undefined : unconfirmedAdvice(request, 1),
		),
	};
}

/** A Base URL n8n cannot use: nothing was sent. */
export function baseUrlFailure(baseUrl: string): ApiFailure {
	const missingScheme = !/^[a-z][a-z0-9+.-]*:\/\//i.test(baseUrl);
	return {
		errorCode: 'INVALID_BASE_URL',
		message: missingScheme
			? `INVALID_BASE_URL: The Base URL of the credential, "${baseUrl}", has no scheme. Start it with http:// or https://, e.g. https://${baseUrl || 'mifumosms.example.com'}. Nothing was sent.`
			: `INVALID_BASE_URL: The Base URL of the credential, "${baseUrl}", is not an http(s) address. Use the server's address, e.g. https://mifumosms.example.com. Nothing was sent.`,
	};
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

export function formatSeconds(ms: number): string {
	const seconds = ms / 1000;
	return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}
