import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { API_PREFIX, normalizeBaseUrl } from './index';
import { redactSecret } from './errors';
import type { MifumoEnvelope } from './types';

/**
 * The credential's "Test" button: GET the balance; fail on a non-2xx status or `success: false`,
 * showing Mifumo's own message. The API key never appears in the result.
 */
export async function testMifumoCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const { apiKey, baseUrl } = (credential.data ?? {}) as { apiKey?: string; baseUrl?: string };
	const url = `${normalizeBaseUrl(baseUrl)}${API_PREFIX}/sms/balance/`;
	let response: { statusCode: number; body: unknown };
	try {
		// eslint-disable-next-line @n8n/community-nodes/no-deprecated-workflow-functions -- a credential test context offers only `request`
		response = await this.helpers.request({
			method: 'GET',
			uri: url,
			headers: { Authorization: `Bearer ${apiKey ?? ''}`, Accept: 'application/json' },
			json: true,
			simple: false,
			resolveWithFullResponse: true,
			timeout: 15_000,
		});
	} catch (error) {
		const code = (error as { cause?: { code?: string }; code?: string }).cause?.code ?? (error as { code?: string }).code;
		return { status: 'Error', message: `Could not reach Mifumo at ${url}${code ? ` (${code})` : ''}. Check the Base URL.` };
	}
	const body = response.body;
	const envelope =
		body && typeof body === 'object' && 'success' in body ? (body as MifumoEnvelope) : undefined;
	if (response.statusCode >= 200 && response.statusCode < 300 && envelope?.success === true) {
		return { status: 'OK', message: 'Connection successful!' };
	}
	if (!envelope) {
		return {
			status: 'Error',
			message: `Mifumo answered HTTP ${response.statusCode} without its JSON envelope. Check the Base URL (the server's address, without /api/integration/v1).`,
		};
	}
	const code = envelope.error_code ? `${envelope.error_code}: ` : '';
	const message = `${code}${envelope.message ?? `HTTP ${response.statusCode}`}`;
	return { status: 'Error', message: redactSecret(message, apiKey) };
}
