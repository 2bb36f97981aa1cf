import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { isEmptyValue } from '../../helpers/dates';
import { compact, inputError, requireId, requireText } from '../../helpers/validation';
import { encodeId, type MifumoClient } from '../../transport';
import { criteriaOptions, readCriteria, segmentIdProperty } from './segmentFields';
import { withRequestOptions } from '../options';

const properties: INodeProperties[] = [
	segmentIdProperty,
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			...criteriaOptions,
			{ displayName: 'Description', name: 'description', type: 'string', default: '' },
			{ displayName: 'Name', name: 'name', type: 'string', default: '' },
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['segment'], operation: ['update'] } }, withRequestOptions(properties));

export async function execute(this: IExecuteFunctions, itemIndex: number, client: MifumoClient): Promise<IDataObject[]> {
	const node = this.getNode();
	const segmentId = requireId(node, itemIndex, this.getNodeParameter('segmentId', itemIndex), 'Segment ID');
	const fields = this.getNodeParameter('updateFields', itemIndex, {}) as IDataObject;
	const criteria = readCriteria(this, itemIndex, fields);
	const body = compact({
		name: isEmptyValue(fields.name) ? undefined : requireText(node, itemIndex, fields.name, 'Name'),
		description: isEmptyValue(fields.description) ? undefined : String(fields.description),
		criteria: Object.keys(criteria).length ? criteria : undefined,
	});
	if (Object.keys(body).length === 0) {
		throw inputError(node, itemIndex, 'Update Fields is empty. Add at least one field to change.');
	}
	return [await client.put(`/contacts/segments/${encodeId(segmentId)}/update/`, body)];
}
