/**
 * What Send and Send to Segment share: the Sender ID, Additional Fields and Options they show,
 * and the readers that turn them into a checked SendSettings.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { readCountry, readScheduleTime, readSenderId, readWebhookUrl, readWholeNumber } from '../../helpers/validation';
import type { CountryCode } from 'libphonenumber-js/min';
import { defaultCountryOption } from '../common.description';
import { concurrencyOption, maxRateLimitWaitOption, messagesPerMinuteOption, timeoutOption } from '../options';

export const DEFAULT_SENDER_ID = 'MIFUMO';
export const DEFAULT_RECIPIENTS_PER_REQUEST = 100;

export const senderIdProperty: INodeProperties = {
	displayName: 'Sender ID',
	name: 'senderId',
	type: 'string',
	default: DEFAULT_SENDER_ID,
	description: 'Name the SMS comes from; it must be approved by Mifumo',
};

export const sendAdditionalFields: INodeProperties = {
	displayName: 'Additional Fields',
	name: 'additionalFields',
	type: 'collection',
	placeholder: 'Add Field',
	default: {},
	options: [
		{
			displayName: 'Schedule Time',
			name: 'scheduleTime',
			type: 'dateTime',
			default: '',
			description: 'Send later, at this time (sent to Mifumo in UTC)',
		},
		{
			displayName: 'Webhook URL',
			name: 'webhookUrl',
			type: 'string',
			default: '',
			placeholder: 'https://your-n8n.example.com/webhook/…',
			description:
				'Mifumo calls this URL when the SMS is sent, delivered or failed. Paste the Production URL of a Mifumo SMS Trigger here.',
		},
	],
};

export const sendOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		concurrencyOption,
		defaultCountryOption,
		{
			displayName: 'Invalid Numbers',
			name: 'invalidNumbers',
			type: 'options',
			default: 'error',
			options: [
				{
					name: 'Fail the Item',
					value: 'error',
					description: 'Send nothing for this item and say which numbers are invalid',
				},
				{
					name: 'Skip Them',
					value: 'skip',
					description: 'Send to the valid numbers and list the others under skipped_recipients',
				},
			],
		},
		{
			displayName: 'Long Messages',
			name: 'longMessages',
			type: 'options',
			default: 'error',
			options: [
				{
					name: 'Fail the Item',
					value: 'error',
					description: 'A message over 160 characters is an error; nothing is sent',
				},
				{
					name: 'Split Into Several SMS',
					value: 'split',
					description: 'Send consecutive SMS of at most 160 characters, split between words',
				},
			],
		},
		maxRateLimitWaitOption,
		messagesPerMinuteOption,
		{
			displayName: 'Recipients Per Request',
			name: 'recipientsPerRequest',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: DEFAULT_RECIPIENTS_PER_REQUEST,
			description: 'A longer list goes out in several requests, each its own output item',
		},
		timeoutOption,
		{
			displayName: 'Wait For Delivery',
			name: 'waitForDelivery',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 0,
			description:
				'Seconds to wait after each send for Mifumo to report every recipient delivered or failed; the output then has delivery_status (delivered, failed, partial or pending) and delivery_report. 0 does not wait.',
		},
	],
};

/** The Send options as stored in a workflow. */
export interface SendOptionValues {
	defaultCountry?: string;
	invalidNumbers?: 'error' | 'skip';
	longMessages?: 'error' | 'split';
	recipientsPerRequest?: number;
	waitForDelivery?: number;
}

/** One item's checked send settings, whatever the operation. */
export interface SendSettings {
	senderId: string;
	scheduleTime?: string;
	webhookUrl?: string;
	country: CountryCode;
	skipInvalidNumbers: boolean;
	splitLongMessages: boolean;
	recipientsPerRequest: number;
	/** 0: the sends' answers are output at once. */
	waitForDeliveryMs: number;
}

export function readSendSettings(context: IExecuteFunctions, itemIndex: number): SendSettings {
	const node = context.getNode();
	const options = context.getNodeParameter('options', itemIndex, {}) as SendOptionValues;
	const additionalFields = context.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
	return {
		senderId: readSenderId(node, itemIndex, context.getNodeParameter('senderId', itemIndex, DEFAULT_SENDER_ID), DEFAULT_SENDER_ID),
		scheduleTime: readScheduleTime(node, itemIndex, additionalFields.scheduleTime),
		webhookUrl: readWebhookUrl(node, itemIndex, additionalFields.webhookUrl),
		country: readCountry(node, itemIndex, options.defaultCountry),
		skipInvalidNumbers: options.invalidNumbers === 'skip',
		splitLongMessages: options.longMessages === 'split',
		recipientsPerRequest: readWholeNumber(node, itemIndex, options.recipientsPerRequest, 'Options → Recipients Per Request', {
			fallback: DEFAULT_RECIPIENTS_PER_REQUEST,
			minimum: 1,
		}),
		waitForDeliveryMs:
			readWholeNumber(node, itemIndex, options.waitForDelivery, 'Options → Wait For Delivery', {
				fallback: 0,
				minimum: 0,
				orElse: 'Enter the seconds to wait for delivery reports, or 0 not to wait.',
			}) * 1000,
	};
}
