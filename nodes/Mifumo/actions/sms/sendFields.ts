/**
 * What Send and Send to Segment share: the Sender ID, Additional Fields and Options they show,
 * and the readers that turn them into a checked SendSettings.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { isEmptyValue } from '../../helpers/dates';
import { quietHoursOption, scheduleWithQuietHours } from '../../helpers/quietHours';
import { readBoolean, readCountry, readScheduleTime, readSenderId, readWebhookUrl, readWholeNumber } from '../../helpers/validation';
import type { CountryCode } from 'libphonenumber-js/min';
import { defaultCountryOption } from '../common.description';
import { concurrencyOption, maxRateLimitWaitOption, messagesPerMinuteOption, timeoutOption } from '../options';
import { idempotencyKeyOption, readSendOnceSettings, repeatUnknownOption, repeatWindowOption, type SendOnceSettings } from './sendOnce';

export const DEFAULT_SENDER_ID = 'MIFUMO';
export const DEFAULT_RECIPIENTS_PER_REQUEST = 100;
/** An AI agent decides whom to text: unless the user set Max Recipients, one call reaches at most this many. */
export const TOOL_MAX_RECIPIENTS = 10;

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
			displayName: 'Dry Run',
			name: 'dryRun',
			type: 'boolean',
			default: false,
			description:
				'Whether to check and prepare everything but send nothing: each request that would have gone out becomes an output item with dry_run, its recipients and what it would cost (total_segments)',
		},
		idempotencyKeyOption,
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
					description: 'A text that needs more than one SMS goes out as consecutive SMS that each fit one SMS, split between words',
				},
				{
					name: 'Split Into Numbered SMS',
					value: 'splitNumbered',
					description: 'As Split, with "1/3 " in front of each part; the numbers take room, so this can cost one more SMS',
				},
			],
		},
		maxRateLimitWaitOption,
		{
			displayName: 'Max Recipients',
			name: 'maxRecipients',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 0,
			description: `Fail the item, sending nothing, when it has more numbers than this (after removing duplicates). 0: no limit. When the node is an AI agent's tool and this is not set, the limit is ${TOOL_MAX_RECIPIENTS}.`,
		},
		{
			displayName: 'Max Segments',
			name: 'maxSegments',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 0,
			description:
				'Fail the item, sending nothing, when one recipient would receive more SMS parts than this (all parts of a split message together). 0: no limit.',
		},
		messagesPerMinuteOption,
		quietHoursOption,
		{
			displayName: 'Recipients Per Request',
			name: 'recipientsPerRequest',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: DEFAULT_RECIPIENTS_PER_REQUEST,
			description: 'A longer list goes out in several requests, each its own output item',
		},
		repeatUnknownOption,
		repeatWindowOption,
		{
			displayName: 'Replace Typography',
			name: 'replaceTypography',
			type: 'boolean',
			default: false,
			description:
				'Whether to replace typographic characters (’ “ ” – — … non-breaking spaces) with plain ones before sending. One such character makes the whole text UCS-2, which fits 70 characters per SMS instead of 160.',
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
	longMessages?: 'error' | 'split' | 'splitNumbered';
	recipientsPerRequest?: number;
	replaceTypography?: boolean;
	maxSegments?: number;
	maxRecipients?: number;
	dryRun?: boolean;
	waitForDelivery?: number;
	repeatWindowHours?: number;
	idempotencyKey?: string;
	repeatUnknown?: boolean;
	quietHours?: IDataObject;
}

/** One item's checked send settings, whatever the operation. */
export interface SendSettings {
	senderId: string;
	scheduleTime?: string;
	/** Set when Quiet Hours moved the send: the new schedule time (also in scheduleTime). */
	quietHoursDelayedTo?: string;
	/** Options → Repeat Window and Idempotency Key; undefined when off. */
	sendOnce?: SendOnceSettings;
	webhookUrl?: string;
	country: CountryCode;
	skipInvalidNumbers: boolean;
	splitLongMessages: boolean;
	/** Split parts start with "1/3 ". */
	numberParts: boolean;
	recipientsPerRequest: number;
	replaceTypography: boolean;
	/** SMS parts one recipient may receive; 0: no limit. */
	maxSegments: number;
	/** Numbers one item may send to; 0: no limit. */
	maxRecipients: number;
	/** Whether Max Recipients is the AI-tool default rather than the user's. */
	toolRecipientLimit: boolean;
	dryRun: boolean;
	/** 0: the sends' answers are output at once. */
	waitForDeliveryMs: number;
}

/** An operation's own defaults where they differ from Send's (Send to Segment skips invalid numbers). */
export interface SendDefaults {
	invalidNumbers: NonNullable<SendOptionValues['invalidNumbers']>;
}

export function readSendSettings(
	context: IExecuteFunctions,
	itemIndex: number,
	defaults: SendDefaults = { invalidNumbers: 'error' },
): SendSettings {
	const node = context.getNode();
	const options = context.getNodeParameter('options', itemIndex, {}) as SendOptionValues;
	const additionalFields = context.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
	const toolLimit = isEmptyValue(options.maxRecipients) && runsAsTool(context);
	const senderId = readSenderId(node, itemIndex, context.getNodeParameter('senderId', itemIndex, DEFAULT_SENDER_ID), DEFAULT_SENDER_ID);
	const requestedScheduleTime = readScheduleTime(node, itemIndex, additionalFields.scheduleTime);
	return {
		senderId,
		// Quiet Hours move the time here, so that Combine Items groups by the moved time.
		...scheduleWithQuietHours(node, itemIndex, requestedScheduleTime, options.quietHours, context.getTimezone()),
		sendOnce: readSendOnceSettings(context, itemIndex, options, senderId, requestedScheduleTime),
		webhookUrl: readWebhookUrl(node, itemIndex, additionalFields.webhookUrl),
		country: readCountry(node, itemIndex, options.defaultCountry),
		skipInvalidNumbers: (options.invalidNumbers ?? defaults.invalidNumbers) === 'skip',
		splitLongMessages: options.longMessages === 'split' || options.longMessages === 'splitNumbered',
		numberParts: options.longMessages === 'splitNumbered',
		recipientsPerRequest: readWholeNumber(node, itemIndex, options.recipientsPerRequest, 'Options → Recipients Per Request', {
			fallback: DEFAULT_RECIPIENTS_PER_REQUEST,
			minimum: 1,
		}),
		replaceTypography: readBoolean(node, itemIndex, options.replaceTypography, 'Options → Replace Typography') ?? false,
		maxSegments: readWholeNumber(node, itemIndex, options.maxSegments, 'Options → Max Segments', {
			fallback: 0,
			minimum: 0,
			orElse: 'Use 0 for no limit.',
		}),
		maxRecipients: toolLimit
			? TOOL_MAX_RECIPIENTS
			: readWholeNumber(node, itemIndex, options.maxRecipients, 'Options → Max Recipients', {
					fallback: 0,
					minimum: 0,
					orElse: 'Use 0 for no limit.',
				}),
		toolRecipientLimit: toolLimit,
		dryRun: readBoolean(node, itemIndex, options.dryRun, 'Options → Dry Run') ?? false,
		waitForDeliveryMs:
			readWholeNumber(node, itemIndex, options.waitForDelivery, 'Options → Wait For Delivery', {
				fallback: 0,
				minimum: 0,
				orElse: 'Enter the seconds to wait for delivery reports, or 0 not to wait.',
			}) * 1000,
	};
}

/**
 * Whether the node runs as an AI agent's tool: n8n gives a `usableAsTool` node a second type whose
 * name ends in "Tool" (mifumoTool), the type an agent's tools run under, whichever way the agent
 * calls them. (n8n-workflow's isToolType and the context's isToolExecution() say the same, but
 * n8n 1.x has neither in every context, and an engine request runs a tool with a plain context.)
 */
function runsAsTool(context: IExecuteFunctions): boolean {
	return context.getNode().type.endsWith('Tool');
}
