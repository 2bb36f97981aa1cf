import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { compact, inputError, readDateField } from '../../helpers/validation';
import type { MifumoClient } from '../../transport';
import { paginate } from '../../transport/paginate';
import { deliveryStatusOptions, returnAllAndLimit, readReturnLimit } from '../common.description';
import { withRequestOptions } from '../options';

const STATUSES = deliveryStatusOptions.map((option) => option.value);

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
				displayName: 'End Date',
				name: 'endDate',
				type: 'dateTime',
				default: '',
				description: 'Only reports up to this time',
			},
			{
				displayName: 'Start Date',
				name: 'startDate',
				type: 'dateTime',
				default: '',
				description: 'Only reports from this time on',
			},
			{
				displayName: 'Status',
				name: 'status',
				type: 'options',
				default: 'delivered',
				options: deliveryStatusOptions,
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['sms'], operation: ['getDeliveryReports'] } }, withRequestOptions(properties));

/** Mifumo caps per_page at 100 silently. */
const MAX_PAGE_SIZE = 100;

export async function execute(this: IExecuteFunctions, itemIndex: number, client: MifumoClient): Promise<IDataObject[]> {
	const node = this.getNode();
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const limit = readReturnLimit(this, itemIndex, 50);
	const status = filters.status;
	if (status !== undefined && status !== '' && !STATUSES.includes(status as string)) {
		throw inputError(node, itemIndex, `Status filter ${JSON.stringify(status)} is not one of sent, delivered, failed.`);
	}
	const qs = compact({
		start_date: readDateField(node, itemIndex, filters.startDate, 'Start Date'),
		end_date: readDateField(node, itemIndex, filters.endDate, 'End Date'),
		status: status || undefined,
	});
	return await paginate(client, { path: '/sms/delivery-reports/', qs, style: 'page', maxPageSize: MAX_PAGE_SIZE, limit });
}
