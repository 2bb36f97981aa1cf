'use strict';
/**
 * The least a node can do to send an SMS per item: read `message` and `recipients`, POST them with
 * the mifumoApi credential, output the answer. No normalisation, no validation, no retries, no
 * envelope checks, no pool: the floor that the Mifumo node's Send is compared against.
 */
const { NodeConnectionTypes } = require('n8n-workflow');

class BaselineSend {
	constructor() {
		this.description = {
			displayName: 'Baseline Send',
			name: 'baselineSend',
			group: ['output'],
			version: 1,
			description: 'One POST /sms/send/ per item',
			defaults: { name: 'Baseline Send' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			credentials: [{ name: 'mifumoApi', required: true }],
			properties: [
				{ displayName: 'Message', name: 'message', type: 'string', default: '' },
				{ displayName: 'Recipients', name: 'recipients', type: 'string', default: '' },
			],
		};
	}

	async execute() {
		const items = this.getInputData();
		const { baseUrl } = await this.getCredentials('mifumoApi');
		const out = [];
		for (let i = 0; i < items.length; i++) {
			const message = this.getNodeParameter('message', i);
			const recipients = this.getNodeParameter('recipients', i);
			const response = await this.helpers.httpRequestWithAuthentication.call(this, 'mifumoApi', {
				method: 'POST',
				url: `${baseUrl}/api/integration/v1/sms/send/`,
				body: { message, recipients: [recipients], sender_id: 'MIFUMO' },
				json: true,
			});
			out.push({ json: response.data, pairedItem: { item: i } });
		}
		return [out];
	}
}

module.exports = { BaselineSend };
