import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { requireId } from '../../helpers/validation';
import { encodeId, type MifumoClient } from '../../transport';
import { withRequestOptions } from '../options';

const properties: INodeProperties[] = [
	{
		displayName: 'Message ID',
		name: 'messageId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'msg_123456789',
		description: 'The message_id that Send returned',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['sms'], operation: ['getStatus'] } }, withRequestOptions(properties));

export async function execute(this: IExecuteFunctions, itemIndex: number, client: MifumoClient): Promise<IDataObject[]> {
	const messageId = requireId(this.getNode(), itemIndex, this.getNodeParameter('messageId', itemIndex), 'Message ID');
	return [await client.get(`/sms/status/${encodeId(messageId)}/`)];
}
