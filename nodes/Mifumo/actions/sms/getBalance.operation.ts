import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { MifumoClient } from '../../transport';

export const description: INodeProperties[] = [];

export async function execute(this: IExecuteFunctions, _itemIndex: number, client: MifumoClient): Promise<IDataObject[]> {
	return [await client.request({ method: 'GET', path: '/sms/balance/' })];
}
