import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { MifumoClient } from '../../transport';
import { readListPage } from '../../transport/paginate';
import { returnAllAndLimit, readReturnLimit } from '../common.description';
import { withRequestOptions } from '../options';

const properties: INodeProperties[] = returnAllAndLimit(50);

export const description = updateDisplayOptions({ show: { resource: ['segment'], operation: ['getMany'] } }, withRequestOptions(properties));

export async function execute(this: IExecuteFunctions, itemIndex: number, client: MifumoClient): Promise<IDataObject[]> {
	const limit = readReturnLimit(this, itemIndex, 50);
	// Mifumo lists every segment in one answer.
	const { records } = readListPage(await client.get('/contacts/segments/'));
	return limit === undefined ? records : records.slice(0, limit);
}
