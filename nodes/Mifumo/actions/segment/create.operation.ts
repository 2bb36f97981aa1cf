import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { isEmptyValue } from '../../helpers/dates';
import { compact, requireText } from '../../helpers/validation';
import type { MifumoClient } from '../../transport';
import { criteriaOptions, readCriteria } from './segmentFields';
import { withRequestOptions } from '../options';

const properties: INodeProperties[] = [
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'VIP Customers',
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [{ displayName: 'Description', name: 'description', type: 'string', default: '' }],
	},
	{
		displayName: 'Criteria',
		name: 'criteria',
		type: 'collection',
		placeholder: 'Add Criterion',
		default: {},
		description: 'Which contacts belong to the segment',
		options: criteriaOptions,
	},
];

export const description = updateDisplayOptions({ show: { resource: ['segment'], operation: ['create'] } }, withRequestOptions(properties));

export async function execute(this: IExecuteFunctions, itemIndex: number, client: MifumoClient): Promise<IDataObject[]> {
	const node = this.getNode();
	const additionalFields = this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
	const body = compact({
		name: requireText(node, itemIndex, this.getNodeParameter('name', itemIndex, ''), 'Name', 'Enter a name for the segment.'),
		description: isEmptyValue(additionalFields.description) ? undefined : String(additionalFields.description),
		criteria: readCriteria(this, itemIndex, this.getNodeParameter('criteria', itemIndex, {}) as IDataObject),
	});
	return [await client.create('/contacts/segments/create/', body)];
}
