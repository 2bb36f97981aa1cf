import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { compact, readBoolean, readDateField, readTags } from '../../helpers/validation';
import { tagsField } from '../common.description';

export const segmentIdProperty: INodeProperties = {
	displayName: 'Segment ID',
	name: 'segmentId',
	type: 'string',
	required: true,
	default: '',
	description: 'The segment_id from Create or Get Many',
};

/** Criteria fields, shared by Create (criteria collection) and Update (update fields). */
export const criteriaOptions: INodeProperties[] = [
	{
		displayName: 'Created After',
		name: 'createdAfter',
		type: 'dateTime',
		default: '',
		description: 'Only contacts created after this day',
	},
	{
		displayName: 'Is Active',
		name: 'isActive',
		type: 'boolean',
		default: true,
		description: 'Whether only active (or only inactive) contacts belong to the segment',
	},
	{ ...tagsField, description: 'Contacts with these tags belong to the segment (comma-separated, or a list)' },
];

/** `{tags?, is_active?, created_after?}` from the fields that were given. */
export function readCriteria(context: IExecuteFunctions, itemIndex: number, fields: IDataObject): IDataObject {
	const node = context.getNode();
	return compact({
		tags: readTags(node, itemIndex, fields.tags),
		is_active: readBoolean(node, itemIndex, fields.isActive, 'Is Active'),
		created_after: readDateField(node, itemIndex, fields.createdAfter, 'Created After', 'day'),
	});
}
