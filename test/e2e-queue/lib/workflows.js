'use strict';
// The workflows the queue-mode suite runs, and the names they share with the tests.

const CREDENTIAL = { id: 'MifumoSandbox001', name: 'Mifumo Sandbox' };
/** The sandbox in a process of its own, with a rate limit: the paced bursts. */
const BURST_CREDENTIAL = { id: 'MifumoSandboxRL1', name: 'Mifumo Sandbox (rate limited)' };
const OWNER = { email: 'queue@example.com', password: 'Mifumo-Queue-Test-1', firstName: 'Queue', lastName: 'Runner' };
const IDS = { bulk: 'MifumoQueueBulk1', receipts: 'MifumoQueueRcpt1', paced: 'MifumoQueuePace1', burst: 'MifumoQueueBrst1' };
const PATHS = { bulk: 'mifumo-queue-bulk', paced: 'mifumo-queue-paced', burst: 'mifumo-queue-burst' };
/** The burst sandbox's limit, its minute scaled down 10×; each execution's Messages Per Minute is the same limit, scaled the same way. */
const BURST_LIMIT = { sms: 100, windowMs: 6000, messagesPerMinute: 1000 };
const RECEIPTS_WEBHOOK_ID = '0b7e6f0a-5c1d-4e8b-9a3f-7d2c1b0e9f42';

const credentials = (sandboxUrl, burstSandboxUrl) => [
	{ ...CREDENTIAL, type: 'mifumoApi', data: { apiKey: 'sandbox-admin-key', baseUrl: sandboxUrl } },
	{ ...BURST_CREDENTIAL, type: 'mifumoApi', data: { apiKey: 'sandbox-admin-key', baseUrl: burstSandboxUrl } },
];

/** Webhook (answers at once: the execution goes to the queue) → Send SMS to body.recipients. */
function sendWorkflow(id, name, path, webhookId, options, credential = CREDENTIAL) {
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
				credentials: { mifumoApi: credential },
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
		// burst: one SMS per execution against the rate-limited sandbox, every execution at the limit
		sendWorkflow(
			IDS.burst,
			'Queue: paced burst',
			PATHS.burst,
			'8d4e2f1a-6b3c-4d5e-9f0a-2b1c3d4e5f60',
			{ messagesPerMinute: BURST_LIMIT.messagesPerMinute, recipientsPerRequest: 1, concurrency: 1 },
			BURST_CREDENTIAL,
		),
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

module.exports = { CREDENTIAL, BURST_CREDENTIAL, BURST_LIMIT, OWNER, IDS, PATHS, RECEIPTS_WEBHOOK_ID, credentials, workflows };
