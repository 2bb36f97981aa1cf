import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { requireId } from '../../helpers/validation';
import { encodeId, type MifumoClient } from '../../transport';
import { segmentIdProperty } from './segmentFields';
import { withRequestOptions } from '../options';

export const description = updateDisplayOptions({ show: { resource: ['segment'], operation: ['delete'] } }, withRequestOptions([
	segmentIdProperty,
]));

export async function execute(this: IExecuteFunctions, itemIndex: number, client: MifumoClient): Promise<IDataObject[]> {
	const segmentId = requireId(this.getNode(), itemIndex, this.getNodeParameter('segmentId', itemIndex), 'Segment ID');
	await client.delete(`/contacts/segments/${encodeId(segmentId)}/delete/`);
	return [{ id: segmentId, deleted: true }];
}
