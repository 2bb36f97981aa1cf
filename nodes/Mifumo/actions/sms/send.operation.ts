import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { splitRecipientList } from '../../helpers/phone';
import { requireText } from '../../helpers/validation';
import type { MifumoClient } from '../../transport';
import type { ItemSlot } from '../types';
import { readSendSettings, sendAdditionalFields, sendOptions, senderIdProperty } from './sendFields';
import { addCostHint, planSend, readRecipients, runSendPlan } from './sendPlan';

const properties: INodeProperties[] = [
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		typeOptions: { rows: 4 },
		required: true,
		default: '',
		placeholder: 'Habari! Your order #1024 is on its way.',
		description: 'Text of the SMS, up to 160 characters (longer texts: see Options → Long Messages)',
	},
	{
		displayName: 'Recipients',
		name: 'recipients',
		type: 'string',
		required: true,
		default: '',
		placeholder: '0712 345 678, +255 713 000 111',
		description:
			'Phone numbers separated by commas, semicolons or new lines, or a list from an expression. Local (0712 345 678) and international (+255712345678, 255712345678) forms both work.',
	},
	senderIdProperty,
	sendAdditionalFields,
	sendOptions,
];

export const description = updateDisplayOptions({ show: { resource: ['sms'], operation: ['send'] } }, properties);

export const sendsSms = true;

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	client: MifumoClient,
	slot: ItemSlot,
): Promise<IDataObject[]> {
	const node = this.getNode();
	const message = requireText(
		node,
		itemIndex,
		this.getNodeParameter('message', itemIndex, ''),
		'Message',
		'Enter the text of the SMS.',
		'message',
	);
	const settings = readSendSettings(this, itemIndex);
	const entries = splitRecipientList(this.getNodeParameter('recipients', itemIndex, ''));
	const { recipients, skipped } = readRecipients(node, itemIndex, entries, settings);
	const plan = planSend(node, itemIndex, message, recipients, skipped, settings);
	addCostHint(this, plan);
	return await runSendPlan(client, plan, slot);
}
