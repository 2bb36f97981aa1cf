import type {
	IDataObject,
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { testMifumoCredential } from '../Mifumo/transport/credentialTest';

import { asPayload, eventOf, MAX_BODY_BYTES, type MifumoWebhookPayload, parsePayload, toItems } from './payload';
import { isAuthentic, type WebhookCredentials } from './verify';
import { deliveryStatusOptions } from '../Mifumo/actions/common.description';

type WebhookRequest = ReturnType<IWebhookFunctions['getRequestObject']>;

/**
 * The bytes that were sent: n8n keeps them as `rawBody` for webhooks. Without them (a body n8n
 * did not read raw), the parsed body re-serialized is the best available stand-in.
 */
function receivedBytes(request: WebhookRequest, parsedBody: unknown): Buffer {
	const raw: unknown = request.rawBody;
	if (Buffer.isBuffer(raw)) return raw;
	if (typeof parsedBody === 'string') return Buffer.from(parsedBody, 'utf8');
	return Buffer.from(JSON.stringify(parsedBody ?? {}), 'utf8');
}

/** Answers the request now with a small JSON body; nothing about the credential goes into it. */
function answer(context: IWebhookFunctions, statusCode: number, body: IDataObject, headers: IDataObject = {}): void {
	const response = context.getResponseObject();
	// writeHead/end work on n8n's Express response and on any plain Node response alike.
	response.writeHead(statusCode, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
	response.end(JSON.stringify(body));
}

function refuse(context: IWebhookFunctions, statusCode: number, message: string, headers?: IDataObject): IWebhookResponseData {
	answer(context, statusCode, { success: false, message }, headers);
	return { noWebhookResponse: true };
}

export class MifumoTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Mifumo SMS Trigger',
		name: 'mifumoTrigger',
		icon: { light: 'file:mifumo.svg', dark: 'file:mifumo.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ ($parameter["events"] || []).join(", ") }}',
		description: 'Starts the workflow when Mifumo SMS reports that a message was sent, delivered or failed',
		defaults: { name: 'Mifumo SMS Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'mifumoApi', required: true, testedBy: 'mifumoApiTest' }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				path: 'webhook',
			},
		],
		properties: [
			{
				displayName:
					'Mifumo has no API to register webhooks: copy the Production URL above and paste it as the Webhook URL of a Mifumo SMS Send (Additional Fields → Webhook URL), or add it as a webhook in the Mifumo dashboard and put that webhook\'s secret in the credential\'s Webhook Secret. Then activate this workflow.',
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Trigger On',
				name: 'events',
				type: 'multiOptions',
				required: true,
				options: deliveryStatusOptions,
				default: ['sent', 'delivered', 'failed'],
				description:
					'Which notifications start the workflow; the others are acknowledged and ignored. Matched against the payload\'s status, or its event without the "message." prefix.',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Split Recipients',
						name: 'splitRecipients',
						type: 'boolean',
						default: false,
						description:
							'Whether to output one item per recipient of a delivery report (each with the message\'s message_id, status and metadata, and that recipient under "recipient") instead of one item for the whole report',
					},
				],
			},
		],
	};

	// n8n tests a credential through the first node that uses it: both nodes offer the same test.
	methods = { credentialTest: { mifumoApiTest: testMifumoCredential } };

	webhookMethods = {
		default: {
			// Mifumo has no API to register, look up or remove webhooks: the user pastes the URL into a
			// send or the dashboard, so there is nothing to check, create or delete here. n8n's
			// community-package scanner still requires all three (webhook-lifecycle-complete).
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const request = this.getRequestObject();
		const parsedBody: unknown = request.body;
		const rawBody = receivedBytes(request, parsedBody);
		if (rawBody.length > MAX_BODY_BYTES) return refuse(this, 413, 'Payload too large');

		const credentials = await this.getCredentials<WebhookCredentials>('mifumoApi');
		// Authenticity first: an unauthenticated caller learns nothing about what the node would accept.
		if (!isAuthentic(request.headers, rawBody, credentials)) {
			return refuse(this, 401, 'Unauthorized', { 'WWW-Authenticate': 'Bearer' });
		}

		const payload: MifumoWebhookPayload | undefined = Buffer.isBuffer(request.rawBody)
			? parsePayload(rawBody)
			: asPayload(parsedBody);
		if (!payload) return refuse(this, 400, 'Invalid payload: expected a JSON object with message_id');

		const events = this.getNodeParameter('events', []) as string[];
		if (!events.includes(eventOf(payload))) {
			// n8n's idiom for "no execution": no workflowData; it answers 200 with this body.
			return { webhookResponse: { success: true, message: 'Event ignored' } };
		}

		const options = this.getNodeParameter('options', {}) as { splitRecipients?: boolean };
		const items = toItems(payload, options.splitRecipients === true);
		// Answered here: with onReceived and no responseData, n8n 2.41 would send the text "firstEntryJson".
		answer(this, 200, { success: true, message: 'Webhook received' });
		return { noWebhookResponse: true, workflowData: [items.map((json) => ({ json }))] };
	}
}
