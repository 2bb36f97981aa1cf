import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { splitRecipientList } from '../../helpers/phone';
import { readBoolean, requireText } from '../../helpers/validation';
import type { MifumoClient } from '../../transport';
import type { ItemOutcome, ItemSlot } from '../types';
import { sendCombined } from './sendBatch';
import { readSendSettings, sendAdditionalFields, sendOptions, senderIdProperty } from './sendFields';
import { SendOnceClaim, outputNotes, settledIfThrows } from './sendOnce';
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
	const { plan, notes, repeatsOnly } = planItem(this, itemIndex);
	if (repeatsOnly) return [repeatsOnly];
	try {
		return (await runSendPlan(client, plan, slot)).map((record) => ({ ...record, ...notes() }));
	} finally {
		await plan.sendOnce?.settle();
	}
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
	const prepared = new Map<number, PlannedSend>();
	try {
		const outcomes = await sendCombined(this, itemCount, (itemIndex) => {
			const item = planItem(this, itemIndex);
			prepared.set(itemIndex, item);
			const plan = item.repeatsOnly ? { ...item.plan, requests: [] } : item.plan;
			// An item that waits for delivery follows its own SMS: it is not combined with others.
			const combine = combines(itemIndex) && plan.waitForDeliveryMs === 0;
			return { itemIndex, plan, recipientsPerRequest: item.recipientsPerRequest, combine, client: clientFor(itemIndex) };
		});
		return outcomes.map((outcome, itemIndex) => {
			const item = prepared.get(itemIndex);
			if (item?.repeatsOnly) return [item.repeatsOnly];
			return Array.isArray(outcome) && item ? outcome.map((record) => ({ ...record, ...item.notes() })) : outcome;
		});
	} finally {
		for (const item of prepared.values()) await item.plan.sendOnce?.settle();
	}
}

interface PlannedSend {
	plan: SendPlan;
	recipientsPerRequest: number;
	/** What the item's output adds: repeats left out, the Quiet Hours delay. */
	notes: () => IDataObject;
	/** Set when every number was a repeat: the item's one output, and nothing is sent. */
	repeatsOnly?: IDataObject;
}

function planItem(context: IExecuteFunctions, itemIndex: number): PlannedSend {
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
	const sendOnce = SendOnceClaim.open(context, settings.sendOnce, settings.dryRun);
	const toSend = sendOnce ? sendOnce.keep(message, recipients) : recipients;
	// With every number a repeat the text is still checked: bad input fails, as without the window.
	const plan = settledIfThrows(sendOnce, () => planSend(node, itemIndex, message, toSend.length ? toSend : recipients, skipped, settings));
	plan.sendOnce = sendOnce;
	const notes = () => outputNotes(sendOnce, settings);
	if (toSend.length === 0) return { plan, recipientsPerRequest: settings.recipientsPerRequest, notes, repeatsOnly: sendOnce!.skippedRecord() };
	addCostHint(context, plan);
	return { plan, recipientsPerRequest: settings.recipientsPerRequest, notes };
}
