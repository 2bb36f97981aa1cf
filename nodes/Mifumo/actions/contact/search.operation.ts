import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { MifumoClient } from '../../transport';
import { returnAllAndLimit, segmentIdFilter, readReturnLimit } from '../common.description';
import { searchContacts, textOrUndefined } from './contactFields';
import { withRequestOptions } from '../options';

const properties: INodeProperties[] = [
	{
		displayName: 'Query',
		name: 'query',
		type: 'string',
		default: '',
		placeholder: 'Asha',
		description: 'Text to find in the name, phone number or email. Empty finds every contact.',
	},
	...returnAllAndLimit(20),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			segmentIdFilter,
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['contact'], operation: ['search'] } }, withRequestOptions(properties));

export async function execute(this: IExecuteFunctions, itemIndex: number, client: MifumoClient): Promise<IDataObject[]> {
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const limit = readReturnLimit(this, itemIndex, 20);
	return await searchContacts(client, textOrUndefined(this.getNodeParameter('query', itemIndex, '')) ?? '', {
		segmentId: textOrUndefined(filters.segmentId),
		limit,
	});
}
