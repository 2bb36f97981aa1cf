import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { isEmptyValue } from '../../helpers/dates';
import { compact, inputError, readBoolean, readCountry, readEmail, readTags, requireId, requireText } from '../../helpers/validation';
import { encodeId, type MifumoClient } from '../../transport';
import { contactOptionsProperty, isActiveField, tagsField } from '../common.description';
import { contactIdProperty, readPhoneNumber } from './contactFields';
import { withRequestOptions } from '../options';

const properties: INodeProperties[] = [
	contactIdProperty,
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{ displayName: 'Email', name: 'email', type: 'string', placeholder: 'name@email.com', default: '' },
			isActiveField,
			{ displayName: 'Name', name: 'name', type: 'string', default: '' },
			{
				displayName: 'Phone Number',
				name: 'phoneNumber',
				type: 'string',
				default: '',
				placeholder: '0712 345 678',
				description: 'Local or international form; sent to Mifumo as +255712345678',
			},
			tagsField,
		],
	},
	contactOptionsProperty,
];

export const description = updateDisplayOptions({ show: { resource: ['contact'], operation: ['update'] } }, withRequestOptions(properties));

export async function execute(this: IExecuteFunctions, itemIndex: number, client: MifumoClient): Promise<IDataObject[]> {
	const node = this.getNode();
	const contactId = requireId(node, itemIndex, this.getNodeParameter('contactId', itemIndex), 'Contact ID');
	const fields = this.getNodeParameter('updateFields', itemIndex, {}) as IDataObject;
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const body = compact({
		name: isEmptyValue(fields.name) ? undefined : requireText(node, itemIndex, fields.name, 'Name'),
		phone_number: isEmptyValue(fields.phoneNumber)
			? undefined
			: readPhoneNumber(this, itemIndex, fields.phoneNumber, readCountry(node, itemIndex, options.defaultCountry)),
		email: readEmail(node, itemIndex, fields.email),
		tags: readTags(node, itemIndex, fields.tags),
		is_active: readBoolean(node, itemIndex, fields.isActive, 'Is Active'),
	});
	if (Object.keys(body).length === 0) {
		throw inputError(node, itemIndex, 'Update Fields is empty. Add at least one field to change.');
	}
	return [await client.put(`/contacts/${encodeId(contactId)}/update/`, body)];
}
