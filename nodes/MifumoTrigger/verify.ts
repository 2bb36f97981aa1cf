import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IWebhookFunctions } from 'n8n-workflow';

type IncomingHttpHeaders = ReturnType<IWebhookFunctions['getHeaderData']>;

/** What the trigger needs from the `mifumoApi` credential. */
export interface WebhookCredentials {
	apiKey?: string;
	webhookSecret?: string;
}

/** Compares two strings in constant time: hashing first gives equal-length inputs whatever the lengths. */
function safeEqual(received: string, expected: string): boolean {
	const a = createHash('sha256').update(received, 'utf8').digest();
	const b = createHash('sha256').update(expected, 'utf8').digest();
	return timingSafeEqual(a, b);
}

function firstHeader(value: string | string[] | undefined): string | undefined {
	return Array.isArray(value) ? value[0] : value;
}

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), if any. */
function bearerToken(headers: IncomingHttpHeaders): string | undefined {
	const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(firstHeader(headers.authorization) ?? '');
	return match?.[1];
}

/** The hex digest of `X-Webhook-Signature`, lower-cased, without an optional `sha256=` prefix. */
function signatureDigest(headers: IncomingHttpHeaders): string | undefined {
	const value = firstHeader(headers['x-webhook-signature'])?.trim();
	if (!value) return undefined;
	return value.replace(/^sha256=/i, '').toLowerCase();
}

/** Hex HMAC-SHA256 of the exact bytes received, as Mifumo's dashboard webhooks sign them. */
function signBody(rawBody: Buffer, secret: string): string {
	return createHmac('sha256', secret).update(rawBody).digest('hex');
}

/**
 * Accepts `Authorization: Bearer <apiKey>` (the guide's webhooks) or, when the credential has a
 * webhook secret, a valid `X-Webhook-Signature` (the dashboard's). An empty key or secret never matches.
 */
export function isAuthentic(headers: IncomingHttpHeaders, rawBody: Buffer, credentials: WebhookCredentials): boolean {
	const apiKey = typeof credentials.apiKey === 'string' ? credentials.apiKey : '';
	const token = bearerToken(headers);
	const bearerOk = apiKey !== '' && token !== undefined && safeEqual(token, apiKey);

	const secret = typeof credentials.webhookSecret === 'string' ? credentials.webhookSecret : '';
	const signature = signatureDigest(headers);
	const signatureOk = secret !== '' && signature !== undefined && safeEqual(signature, signBody(rawBody, secret));

	return bearerOk || signatureOk;
}
