import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

/** What a user can do about each Mifumo error code. Unknown codes are shown as they came. */
const HINTS: Record<string, string> = {
	INVALID_CREDENTIALS: 'Check the API key in the Mifumo SMS API credential (Mifumo dashboard → API Keys).',
	INVALID_API_KEY: 'Check the API key in the Mifumo SMS API credential (Mifumo dashboard → API Keys).',
	AUTHENTICATION_REQUIRED: 'Check the API key in the Mifumo SMS API credential (Mifumo dashboard → API Keys).',
	INSUFFICIENT_PERMISSIONS:
		'This API key may not do this (a "read" key cannot send or change data). Use a key with "write" or "admin" permission.',
	INSUFFICIENT_BALANCE: 'Top up your Mifumo account, then run the workflow again. This request was not processed.',
	RATE_LIMIT_EXCEEDED:
		'Mifumo allows 100 SMS a minute by default. Lower Options → Messages Per Minute, or raise Options → Max Rate Limit Wait.',
	INVALID_SENDER_ID: 'Use an approved sender ID (MIFUMO is always approved) or ask Mifumo to approve yours.',
	MESSAGE_TOO_LONG: 'Shorten the message to 160 characters, or set Options → Long Messages to "Split Into Several SMS".',
	INVALID_PHONE: 'Use numbers such as 0712 345 678, 255712345678 or +255712345678.',
	INVALID_PHONE_FORMAT: 'Use numbers such as 0712 345 678, 255712345678 or +255712345678.',
	MISSING_RECIPIENTS: 'Add at least one recipient.',
	MESSAGE_NOT_FOUND: 'Check the message ID: it comes from the output of a Send (message_id).',
	CONTACT_NOT_FOUND: 'Check the contact ID: it comes from the output of Create or Get Many (contact_id).',
	SEGMENT_NOT_FOUND: 'Check the segment ID: it comes from the output of Create or Get Many (segment_id).',
	NOT_FOUND: 'Check the ID and the Base URL of the credential.',
	SMS_SEND_FAILED: 'Mifumo could not send it. Check Get Status or Get Delivery Reports before sending again.',
	INTERNAL_ERROR: 'Mifumo had an internal error. Try again later.',
};

const HINTS_BY_STATUS: Record<number, string> = {
	401: HINTS.INVALID_API_KEY,
	403: HINTS.INSUFFICIENT_PERMISSIONS,
	404: HINTS.NOT_FOUND,
	429: HINTS.RATE_LIMIT_EXCEEDED,
};

/** Servers sometimes echo the key they were given: it must not reach the output. */
export function redactSecret(text: string, secret: string | undefined): string {
	if (!secret || secret.length < 4) return text;
	return text.split(secret).join('[API key hidden]');
}

export function hintFor(errorCode: string | null | undefined, httpStatus?: number): string | undefined {
	return (errorCode && HINTS[errorCode]) || (httpStatus ? HINTS_BY_STATUS[httpStatus] : undefined);
}

/** An error that carries the code the output shows under Continue On Fail. */
export interface CodedError {
	errorCode: string;
}

export function errorCodeOf(error: unknown): string {
	const code = (error as Partial<CodedError>)?.errorCode;
	return typeof code === 'string' && code ? code : 'UNKNOWN_ERROR';
}

/** Mifumo answered, and the answer was an error (or not an answer at all). */
export class MifumoApiError extends NodeApiError implements CodedError {
	errorCode: string;

	constructor(
		node: INode,
		options: { message: string; errorCode: string; httpStatus?: number; description?: string },
	) {
		const response: JsonObject = { message: options.message, errorCode: options.errorCode };
		if (options.httpStatus) response.httpCode = String(options.httpStatus);
		super(node, response, {
			message: options.message,
			description: options.description,
			httpCode: options.httpStatus ? String(options.httpStatus) : undefined,
		});
		// n8n rewrites messages that mention a network code (ECONNRESET...) into generic advice
		// ("you can retry"), which is wrong for a send: keep ours.
		this.message = options.message;
		this.errorCode = options.errorCode;
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
