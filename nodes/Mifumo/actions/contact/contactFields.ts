import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { toE164 } from '../../helpers/phone';
import { compact, inputError, readBoolean, readCountry, readEmail, readTags, requireText } from '../../helpers/validation';
import type { MifumoClient } from '../../transport';
import { paginate } from '../../transport/paginate';
import { contactOptionsProperty, isActiveField, tagsField } from '../common.description';
import type { CountryCode } from 'libphonenumber-js/min';

/** The node asks for at most this many contacts per request. */
export const CONTACT_PAGE_SIZE = 50;

export const contactIdProperty: INodeProperties = {
	displayName: 'Contact ID',
	name: 'contactId',
	type: 'string',
	required: true,
	default: '',
	description: 'The contact_id from Create, Search or Get Many',
};

/** The fields of Create and Upsert (one description, two operations). */
export const contactProperties: INodeProperties[] = [
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'Asha Mwakyusa',
		description: "Contact's full name",
	},
	{
		displayName: 'Phone Number',
		name: 'phoneNumber',
		type: 'string',
		required: true,
		default: '',
		placeholder: '0712 345 678',
		description: 'Local (0712 345 678) or international (+255712345678) form; sent to Mifumo as +255712345678',
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{ displayName: 'Email', name: 'email', type: 'string', placeholder: 'name@email.com', default: '' },
			isActiveField,
			tagsField,
		],
	},
	contactOptionsProperty,
];

export function readPhoneNumber(
	context: IExecuteFunctions,
	itemIndex: number,
	value: unknown,
	country: CountryCode,
): string {
	const text = requireText(context.getNode(), itemIndex, value, 'Phone Number', 'Enter a number such as 0712 345 678.');
	const number = toE164(text, country);
	if (!number) {
		throw inputError(
			context.getNode(),
			itemIndex,
			`Phone Number "${text}" is not a valid phone number. Use a number such as 0712 345 678, 255712345678 or +255712345678.`,
			'INVALID_PHONE',
		);
	}
	return number;
}

/** The request body of Create (and of the update half of Upsert). */
export function readContactBody(context: IExecuteFunctions, itemIndex: number): IDataObject {
	const node = context.getNode();
	const additionalFields = context.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const country = readCountry(node, itemIndex, options.defaultCountry);
	return compact({
		name: requireText(node, itemIndex, context.getNodeParameter('name', itemIndex, ''), 'Name', "Enter the contact's name."),
		phone_number: readPhoneNumber(context, itemIndex, context.getNodeParameter('phoneNumber', itemIndex, ''), country),
		email: readEmail(node, itemIndex, additionalFields.email),
		tags: readTags(node, itemIndex, additionalFields.tags),
		is_active: readBoolean(node, itemIndex, additionalFields.isActive, 'Is Active'),
	});
}

/** Records carry their id as contact_id (Mifumo's server) or id. */
export function contactIdOf(record: IDataObject): string | undefined {
	const id = record.contact_id ?? record.id;
	return id === undefined || id === null ? undefined : String(id);
}

/** Trimmed text, or undefined when empty: an optional filter left empty is not sent. */
export function textOrUndefined(value: unknown): string | undefined {
	if (value === undefined || value === null) return undefined;
	const text = String(value).trim();
	return text === '' ? undefined : text;
}

/** `q` is always sent, empty when there is no query: the server answers 400 without it. */
export async function searchContacts(
	client: MifumoClient,
	query: string,
	{ segmentId, limit }: { segmentId?: string; limit?: number },
): Promise<IDataObject[]> {
	const qs = compact({ q: query, segment_id: segmentId });
	return await paginate(client, { path: '/contacts/search/', qs, style: 'offset', maxPageSize: CONTACT_PAGE_SIZE, limit });
}
