'use strict';
// The workflows the queue-mode suite runs, and the names they share with the tests.

const CREDENTIAL = { id: 'MifumoSandbox001', name: 'Mifumo Sandbox' };
const OWNER = { email: 'queue@example.com', password: 'Mifumo-Queue-Test-1', firstName: 'Queue', lastName: 'Runner' };
const IDS = { bulk: 'MifumoQueueBulk1', receipts: 'MifumoQueueRcpt1', paced: 'MifumoQueuePace1' };
const PATHS = { bulk: 'mifumo-queue-bulk', paced: 'mifumo-queue-paced' };
const RECEIPTS_WEBHOOK_ID = '0b7e6f0a-5c1d-4e8b-9a3f-7d2c1b0e9f42';

const credentials = (sandboxUrl) => [{ ...CREDENTIAL, type: 'mifumoApi', data: { apiKey: 'sandbox-admin-key', baseUrl: sandboxUrl } }];

/** Webhook (answers at once: the execution goes to the queue) → Send SMS to body.recipients. */
function sendWorkflow(id, name, path, webhookId, options) {
	return {
		id,
		name,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
				id: `${id}-webhook`,
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId,
			},
			{
				parameters: {
					resource: 'sms',
					operation: 'send',
					message: '={{ $json.body.message }}',
					recipients: '={{ $json.body.recipients }}',
					senderId: 'MIFUMO',
					additionalFields: {},
					options,
				},
				id: `${id}-send`,
				name: 'Send SMS',
				type: 'n8n-nodes-mifumo.mifumo',
				typeVersion: 1,
				position: [240, 0],
				credentials: { mifumoApi: CREDENTIAL },
			},
		],
		connections: { Webhook: { main: [[{ node: 'Send SMS', type: 'main', index: 0 }]] } },
	};
}

function workflows() {
	return [
		// bulk: no client pacing (the sandbox has no limit here), 4 requests of 25 per execution
		sendWorkflow(IDS.bulk, 'Queue: bulk send', PATHS.bulk, '3f9c2d1e-7a4b-4c6d-8e2f-1a0b9c8d7e61', { messagesPerMinute: 0, recipientsPerRequest: 25, concurrency: 1 }),
		// paced: one recipient per request, 120 a minute (one every ~0.5 s)
		sendWorkflow(IDS.paced, 'Queue: paced send', PATHS.paced, '5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', { messagesPerMinute: 120, recipientsPerRequest: 1, concurrency: 1 }),
		{
			id: IDS.receipts,
			name: 'Queue: delivery receipts',
			active: false,
			settings: { executionOrder: 'v1' },
			nodes: [
				{
					parameters: { events: ['sent', 'delivered', 'failed'], options: {} },
					id: `${IDS.receipts}-trigger`,
					name: 'Mifumo SMS Trigger',
					type: 'n8n-nodes-mifumo.mifumoTrigger',
					typeVersion: 1,
					position: [0, 0],
					webhookId: RECEIPTS_WEBHOOK_ID,
					credentials: { mifumoApi: CREDENTIAL },
				},
			],
			connections: {},
		},
	];
}

module.exports = { CREDENTIAL, OWNER, IDS, PATHS, RECEIPTS_WEBHOOK_ID, credentials, workflows };
