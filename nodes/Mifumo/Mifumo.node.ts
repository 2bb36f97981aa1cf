import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IExecuteFunctions,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as contact from './actions/contact';
import { router } from './actions/router';
import * as segment from './actions/segment';
import * as sms from './actions/sms';
import { sendAndWaitWebhook } from './actions/sms/sendAndWait/answer';
import { testMifumoCredential } from './transport/credentialTest';

export class Mifumo implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Mifumo SMS',
		name: 'mifumo',
		icon: { light: 'file:mifumo.svg', dark: 'file:mifumo.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description: 'Send SMS in Tanzania and manage contacts and segments with Mifumo SMS',
		defaults: { name: 'Mifumo SMS' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'mifumoApi', required: true, testedBy: 'mifumoApiTest' }],
		// Send and Wait for Response: the page behind the question's link, while the execution waits (n8n's own pattern).
		webhooks: (['GET', 'POST'] as const).map((httpMethod) => ({
			name: 'default',
			httpMethod,
			responseMode: 'onReceived',
			responseData: '',
			path: '={{ $nodeId }}',
			restartWebhook: true,
			isFullPath: true,
		})),
		waitingNodeTooltip: '={{ $parameter["operation"] === "sendAndWait" ? "Execution will continue after the answer on the page the SMS links to" : "" }}',
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Contact', value: 'contact' },
					{ name: 'Segment', value: 'segment' },
					{ name: 'SMS', value: 'sms' },
				],
				default: 'sms',
			},
			...sms.description,
			...contact.description,
			...segment.description,
		],
	};

	methods = {
		credentialTest: {
			async mifumoApiTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				return await testMifumoCredential.call(this, credential);
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await sendAndWaitWebhook.call(this);
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
