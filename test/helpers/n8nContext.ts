/**
 * What n8n's server hands its engine (see workflowEngine.js), for the Mifumo credential as the
 * sources define it. Shared by the engine harness (test/helpers/engine.ts) and the webhook
 * harness (test/trigger).
 */
import type { ICredentialDataDecryptedObject, IWorkflowExecuteAdditionalData } from 'n8n-workflow';

import { MifumoApi } from '../../credentials/MifumoApi.credentials';
import { additionalDataFor as additionalDataForType } from './workflowEngine';

export const mifumoApi = new MifumoApi();

/** additionalData for an n8n served at `baseUrl` (every *BaseUrl must be a valid absolute URL). */
export function additionalDataFor(
	baseUrl: string,
	credentials: ICredentialDataDecryptedObject,
	executionId?: string,
): IWorkflowExecuteAdditionalData {
	return additionalDataForType(baseUrl, mifumoApi, credentials, executionId);
}
