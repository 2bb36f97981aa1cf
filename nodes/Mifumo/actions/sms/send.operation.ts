import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { splitRecipientList } from '../../helpers/phone';
import { readBoolean, requireText } from '../../helpers/validation';
import type { MifumoClient } from '../../transport';
import type { ItemOutcome, ItemSlot } from '../types';
import { sendCombined } from './sendBatch';
import { readSendSettings, sendAdditionalFields, sendOptions, senderIdProperty } from './sendFields';
import { addCostHint, planSend, readRecipients, runSendPlan, type SendPlan } from './sendPlan';

const combineItemsOption: INodeProperties = {
	displayName: 'Combine Items',
	name: 'batchItems',
	type: 'boolean',
	default: false,
	description:
		'Whether items with the same text, Sender ID, Schedule Time and Webhook URL share requests (up to Recipients Per Request numbers each) instead of one request per item. Each item still gets its own output, with its own numbers.',
};

const options: INodeProperties = {
	...sendOptions,
	options: [...(sendOptions.options as INodeProperties[]), combineItemsOption].sort((a, b) =>
		a.displayName.localeCompare(b.displayName),
	),
};

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
	options,
];

export const description = updateDisplayOptions({ show: { resource: ['sms'], operation: ['send'] } }, properties);

export const sendsSms = true;

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	client: MifumoClient,
	slot: ItemSlot,
): Promise<IDataObject[]> {
	return await runSendPlan(client, planItem(this, itemIndex).plan, slot);
}

/** Combine Items: when any item asks for it, the items are planned together and share requests. */
export async function executeBatch(
	this: IExecuteFunctions,
	clientFor: (itemIndex: number) => MifumoClient,
): Promise<ItemOutcome[] | undefined> {
	const itemCount = this.getInputData().length;
	const combines = (itemIndex: number) =>
		readBoolean(this.getNode(), itemIndex, this.getNodeParameter('options.batchItems', itemIndex, false), 'Options → Combine Items') === true;
	let any = false;
	for (let itemIndex = 0; itemIndex < itemCount && !any; itemIndex++) {
		try {
			any = combines(itemIndex);
		} catch {
			// A bad value fails its own item, when it is planned below.
		}
	}
	if (!any) return undefined;
	return await sendCombined(this, itemCount, (itemIndex) => {
		const { plan, recipientsPerRequest } = planItem(this, itemIndex);
		// An item that waits for delivery follows its own SMS: it is not combined with others.
		const combine = combines(itemIndex) && plan.waitForDeliveryMs === 0;
		return { itemIndex, plan, recipientsPerRequest, combine, client: clientFor(itemIndex) };
	});
}

function planItem(context: IExecuteFunctions, itemIndex: number): { plan: SendPlan; recipientsPerRequest: number } {
	const node = context.getNode();
	const message = requireText(
		node,
		itemIndex,
		context.getNodeParameter('message', itemIndex, ''),
		'Message',
		'Enter the text of the SMS.',
		'message',
	);
	const settings = readSendSettings(context, itemIndex);
	const entries = splitRecipientList(context.getNodeParameter('recipients', itemIndex, ''));
	const { recipients, skipped } = readRecipients(node, itemIndex, entries, settings);
	const plan = planSend(node, itemIndex, message, recipients, skipped, settings);
	addCostHint(context, plan);
	return { plan, recipientsPerRequest: settings.recipientsPerRequest };
}
