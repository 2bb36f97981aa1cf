import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { requireId } from '../../helpers/validation';
import { encodeId, type MifumoClient } from '../../transport';
import { contactIdProperty } from './contactFields';
import { withRequestOptions } from '../options';

export const description = updateDisplayOptions({ show: { resource: ['contact'], operation: ['get'] } }, withRequestOptions([contactIdProperty]));

export async function execute(this: IExecuteFunctions, itemIndex: number, client: MifumoClient): Promise<IDataObject[]> {
	const contactId = requireId(this.getNode(), itemIndex, this.getNodeParameter('contactId', itemIndex), 'Contact ID');
	return [await client.get(`/contacts/${encodeId(contactId)}/`)];
}
