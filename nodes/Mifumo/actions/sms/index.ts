import type { INodeProperties } from 'n8n-workflow';

import type { OperationModule } from '../types';

import * as getBalance from './getBalance.operation';
import * as getDeliveryReports from './getDeliveryReports.operation';
import * as getStatus from './getStatus.operation';
import * as send from './send.operation';
import * as sendAndWait from './sendAndWait.operation';
import * as sendToSegment from './sendToSegment.operation';

export type Operation = 'getBalance' | 'getDeliveryReports' | 'getStatus' | 'send' | 'sendAndWait' | 'sendToSegment';

export const operations: Record<Operation, OperationModule> = {
	getBalance,
	getDeliveryReports,
	getStatus,
	send,
	sendAndWait,
	sendToSegment,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['sms'] } },
		options: [
			{ name: 'Get Balance', value: 'getBalance', description: 'Get the account balance', action: 'Get the account balance' },
			{
				name: 'Get Delivery Reports',
				value: 'getDeliveryReports',
				description: 'Get many delivery reports',
				action: 'Get delivery reports',
			},
			{ name: 'Get Status', value: 'getStatus', description: 'Get the status of a sent SMS', action: 'Get the status of an SMS' },
			{ name: 'Send', value: 'send', description: 'Send an SMS to one or more numbers', action: 'Send an SMS' },
			{
				name: 'Send and Wait for Response',
				value: 'sendAndWait',
				description: 'Ask by SMS and wait for the answer, given on the page the SMS links to',
				action: 'Send an SMS and wait for response',
			},
			{
				name: 'Send to Segment',
				value: 'sendToSegment',
				description: 'Send an SMS to every active contact of a segment',
				action: 'Send an SMS to a segment',
			},
		],
		default: 'send',
	},
	...send.description,
	...sendAndWait.description,
	...sendToSegment.description,
	...getStatus.description,
	...getDeliveryReports.description,
	...getBalance.description,
];
