import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { compact } from '../../helpers/validation';
import type { MifumoClient } from '../../transport';
import { paginate } from '../../transport/paginate';
import { returnAllAndLimit, segmentIdFilter, readReturnLimit } from '../common.description';
import { CONTACT_PAGE_SIZE, textOrUndefined } from './contactFields';
import { withRequestOptions } from '../options';

const properties: INodeProperties[] = [
	...returnAllAndLimit(50),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'Search',
				name: 'search',
				type: 'string',
				default: '',
				description: 'Only contacts whose name, phone or email contains this text',
			},
			segmentIdFilter,
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['contact'], operation: ['getMany'] } }, withRequestOptions(properties));

export async function execute(this: IExecuteFunctions, itemIndex: number, client: MifumoClient): Promise<IDataObject[]> {
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const limit = readReturnLimit(this, itemIndex, 50);
	const qs = compact({ search: textOrUndefined(filters.search), segment_id: textOrUndefined(filters.segmentId) });
	return await paginate(client, { path: '/contacts/', qs, style: 'offset', maxPageSize: CONTACT_PAGE_SIZE, limit });
}
