import type { IAuthenticateGeneric, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * Mifumo SMS API key and server. The connection test lives on the Mifumo SMS node
 * (`testedBy: 'mifumoApiTest'`) so that it can show the server's own message.
 */
export class MifumoApi implements ICredentialType {
	name = 'mifumoApi';

	displayName = 'Mifumo SMS API';

	icon: Icon = { light: 'file:mifumo.svg', dark: 'file:mifumo.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-mifumo';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'The API key from your Mifumo dashboard (API Integration → API Keys)',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			required: true,
			default: 'http://127.0.0.1:8001',
			placeholder: 'https://mifumosms.example.com',
			description:
				'Scheme and host (and port) of the Mifumo server, without /api/integration/v1 (the node adds it)',
		},
		{
			displayName: 'Webhook Secret',
			name: 'webhookSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Optional. When set, the Mifumo SMS Trigger also accepts dashboard webhooks signed with this secret (X-Webhook-Signature).',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};
}
