import type { IExecuteFunctions, INodePropertyOptions, INodeProperties } from 'n8n-workflow';

import { readLimit } from '../helpers/validation';

import { countryOptions } from '../helpers/countries';

/** n8n's "Return All" / "Limit" pair, as its own nodes word it. */
export function returnAllAndLimit(defaultLimit: number): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1 },
			// eslint-disable-next-line n8n-nodes-base/node-param-default-wrong-for-limit -- the contract sets 20 for contact search, 50 elsewhere
			default: defaultLimit,
			description: 'Max number of results to return',
			displayOptions: { show: { returnAll: [false] } },
		},
	];
}

/** How many records the item wants: undefined for Return All, else its checked Limit. */
export function readReturnLimit(context: IExecuteFunctions, itemIndex: number, defaultLimit: number): number | undefined {
	if (context.getNodeParameter('returnAll', itemIndex, false) as boolean) return undefined;
	return readLimit(context.getNode(), itemIndex, context.getNodeParameter('limit', itemIndex, defaultLimit));
}

export const defaultCountryOption: INodeProperties = {
	displayName: 'Default Country',
	name: 'defaultCountry',
	type: 'options',
	options: countryOptions(),
	default: 'TZ',
	description:
		'Country of numbers written without a country code, such as 0712 345 678. From an expression: a two-letter code such as TZ, KE or UG.',
};

export const tagsField: INodeProperties = {
	displayName: 'Tags',
	name: 'tags',
	type: 'string',
	default: '',
	placeholder: 'customer, vip',
	description: 'Comma-separated tags, or a list from an expression',
};

export const isActiveField: INodeProperties = {
	displayName: 'Is Active',
	name: 'isActive',
	type: 'boolean',
	default: true,
	description: 'Whether the contact is active',
};

/** Options of the contact operations that read a phone number. */
export const contactOptionsProperty: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [defaultCountryOption],
};

/** Filters → Segment ID of the contact lists. */
export const segmentIdFilter: INodeProperties = {
	displayName: 'Segment ID',
	name: 'segmentId',
	type: 'string',
	default: '',
	description: 'Only contacts in this segment (segment_id)',
};

/** The statuses Mifumo reports, as the triggers and the report filter offer them. */
export const deliveryStatusOptions: INodePropertyOptions[] = [
	{ name: 'Delivered', value: 'delivered', description: 'The message reached the phone' },
	{ name: 'Failed', value: 'failed', description: 'The message could not be delivered' },
	{ name: 'Sent', value: 'sent', description: 'Mifumo handed the message to the network' },
];
