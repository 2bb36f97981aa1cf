import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { MifumoClient } from '../../transport';
import { withRequestOptions } from '../options';

export const description = updateDisplayOptions({ show: { resource: ['sms'], operation: ['getBalance'] } }, withRequestOptions([]));

export async function execute(this: IExecuteFunctions, _itemIndex: number, client: MifumoClient): Promise<IDataObject[]> {
	return [await client.get('/sms/balance/')];
}
