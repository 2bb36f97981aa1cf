import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { readAnswer } from './answer';
import { baseUrlFailure, envelopeFailure, networkFailure, notEnvelopeFailure, serverFailure } from './errors';
import { API_PREFIX, normalizeBaseUrl } from './index';
import { networkFailureOf } from './retry';
import type { MifumoRequest } from './types';

const BALANCE: MifumoRequest = { method: 'GET', path: '/sms/balance/', repeatable: true, effect: 'none' };
const TIMEOUT_MS = 15_000;

/**
 * The credential's "Test" button: GET the balance and say what the node would say for the same
 * answer (the same failure texts). The API key never appears in the result.
 */
export async function testMifumoCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const { apiKey, baseUrl } = (credential.data ?? {}) as { apiKey?: string; baseUrl?: string };
	const serverUrl = normalizeBaseUrl(baseUrl);
	if (!/^https?:\/\/[^/]/i.test(serverUrl)) return { status: 'Error', message: baseUrlFailure(serverUrl).message };
	let response: { statusCode: number; body: unknown };
	try {
		// eslint-disable-next-line @n8n/community-nodes/no-deprecated-workflow-functions -- a credential test context offers only `request`
		response = await this.helpers.request({
			method: BALANCE.method,
			uri: `${serverUrl}${API_PREFIX}${BALANCE.path}`,
			headers: { Authorization: `Bearer ${apiKey ?? ''}`, Accept: 'application/json' },
			json: false,
			simple: false,
			resolveWithFullResponse: true,
			timeout: TIMEOUT_MS,
		});
	} catch (error) {
		const network = networkFailureOf(error) ?? { code: 'ECONNREFUSED', failure: 'unreachable' as const };
		const failure = networkFailure(BALANCE, network.code, network.failure, TIMEOUT_MS, 1, serverUrl);
		// A refused connection names the Base URL itself; a timeout or a reset says which was tried.
		const tried = network.failure === 'unreachable' ? '' : ` Base URL tried: ${serverUrl}.`;
		return { status: 'Error', message: `${failure.message}${tried}` };
	}
	const answer = readAnswer(response.body);
	const status = response.statusCode;
	if (status >= 200 && status < 300 && answer.kind === 'envelope' && answer.envelope.success === true) {
		return { status: 'OK', message: 'Connection successful!' };
	}
	const failure =
		status >= 500
			? serverFailure(BALANCE, status, answer, 1, apiKey)
			: answer.kind === 'envelope'
				? envelopeFailure(status, answer.envelope, apiKey)
				: notEnvelopeFailure(BALANCE, status, answer, apiKey);
	return { status: 'Error', message: failure.message };
}
