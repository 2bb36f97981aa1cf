import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { MifumoClient } from '../../transport';
import { contactProperties, readContactBody } from './contactFields';
import { withRequestOptions } from '../options';

export const description = updateDisplayOptions({ show: { resource: ['contact'], operation: ['create'] } }, withRequestOptions(contactProperties));

export async function execute(this: IExecuteFunctions, itemIndex: number, client: MifumoClient): Promise<IDataObject[]> {
	const body = readContactBody(this, itemIndex);
	return [await client.create('/contacts/create/', body)];
}
