/**
 * What n8n's server hands its engine, reduced to what these nodes use: the credential (decrypted,
 * authenticated through the credential's own `authenticate` block) and the instance URLs.
 * Shared by the engine harness (test/helpers/engine.ts) and the webhook harness (test/trigger).
 */
import type {
	ICredentialDataDecryptedObject,
	IHttpRequestOptions,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { ICredentialsHelper } from 'n8n-workflow';

import { MifumoApi } from '../../credentials/MifumoApi.credentials';

const mifumoApi = new MifumoApi();

/** Hands out the credential already decrypted, as n8n's CredentialsHelper.getDecrypted does. */
export class TestCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly data: ICredentialDataDecryptedObject) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	/** Resolves the credential's generic `authenticate` block (`={{$credentials.x}}` templates). */
	async authenticate(credentials: ICredentialDataDecryptedObject, _type: string, options: IHttpRequestOptions) {
		const headers = (mifumoApi.authenticate.properties.headers ?? {}) as Record<string, string>;
		const resolved = Object.fromEntries(
			Object.entries(headers).map(([name, template]) => [
				name,
				template.replace(/^=/, '').replace(/\{\{\s*\$credentials\.(\w+)\s*\}\}/g, (_, key: string) => String(credentials[key] ?? '')),
			]),
		);
		return { ...options, headers: { ...options.headers, ...resolved } };
	}

	async preAuthentication() {
		return undefined;
	}

	async runPreAuthentication() {
		return undefined;
	}

	async getCredentials(): Promise<never> {
		throw new Error('not used by these nodes');
	}

	async getDecrypted(_additionalData: unknown, nodeCredentials: { name?: string | null }, type: string) {
		if (type !== mifumoApi.name) throw new Error(`unexpected credential type ${type}`);
		if (!nodeCredentials?.name) throw new Error('the node has no credential set');
		return { ...this.data };
	}

	async updateCredentials() {}

	async updateCredentialsOauthTokenData() {}

	getCredentialsProperties() {
		return mifumoApi.properties;
	}
}

/** additionalData for an n8n served at `baseUrl` (every *BaseUrl must be a valid absolute URL). */
export function additionalDataFor(
	baseUrl: string,
	credentials: ICredentialDataDecryptedObject,
	executionId?: string,
): IWorkflowExecuteAdditionalData {
	return {
		credentialsHelper: new TestCredentialsHelper(credentials),
		executionId,
		currentNodeExecutionIndex: 0,
		variables: {},
		restApiUrl: `${baseUrl}/rest`,
		instanceBaseUrl: `${baseUrl}/`,
		formBaseUrl: `${baseUrl}/form`,
		formWaitingBaseUrl: `${baseUrl}/form-waiting`,
		formTestBaseUrl: `${baseUrl}/form-test`,
		webhookBaseUrl: `${baseUrl}/webhook`,
		webhookWaitingBaseUrl: `${baseUrl}/webhook-waiting`,
		webhookTestBaseUrl: `${baseUrl}/webhook-test`,
		mcpBaseUrl: `${baseUrl}/mcp`,
		mcpTestBaseUrl: `${baseUrl}/mcp-test`,
		logAiEvent: () => {},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		executeWorkflow: async () => {
			throw new Error('not used');
		},
	} as unknown as IWorkflowExecuteAdditionalData;
}
