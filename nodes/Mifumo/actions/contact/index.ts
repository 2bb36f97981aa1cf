import type { INodeProperties } from 'n8n-workflow';

import type { OperationModule } from '../types';

import * as create from './create.operation';
import * as deleteContact from './delete.operation';
import * as get from './get.operation';
import * as getMany from './getMany.operation';
import * as search from './search.operation';
import * as update from './update.operation';
import * as upsert from './upsert.operation';

export type Operation = 'create' | 'delete' | 'get' | 'getMany' | 'search' | 'update' | 'upsert';

export const operations: Record<Operation, OperationModule> = { create, delete: deleteContact, get, getMany, search, update, upsert };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['contact'] } },
		options: [
			{ name: 'Create', value: 'create', description: 'Create a contact', action: 'Create a contact' },
			{
				name: 'Create or Update',
				value: 'upsert',
				description: 'Create a new record, or update the current one if it already exists (upsert)',
				action: 'Create or update a contact',
			},
			{ name: 'Delete', value: 'delete', description: 'Delete a contact', action: 'Delete a contact' },
			{ name: 'Get', value: 'get', description: 'Get a contact', action: 'Get a contact' },
			{ name: 'Get Many', value: 'getMany', description: 'Get many contacts', action: 'Get many contacts' },
			{ name: 'Search', value: 'search', description: 'Search contacts by name, phone or email', action: 'Search contacts' },
			{ name: 'Update', value: 'update', description: 'Update a contact', action: 'Update a contact' },
		],
		default: 'create',
	},
	...create.description,
	...upsert.description,
	...get.description,
	...update.description,
	...deleteContact.description,
	...getMany.description,
	...search.description,
];
