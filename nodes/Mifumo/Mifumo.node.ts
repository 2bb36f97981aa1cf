import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IExecuteFunctions,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as contact from './actions/contact';
import { router } from './actions/router';
import * as segment from './actions/segment';
import * as sms from './actions/sms';
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

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
