import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { describeEntry, normalizePhoneNumbers, splitRecipientList } from '../../helpers/phone';
import { SMS_MAX_LENGTH, messageLength, splitMessage } from '../../helpers/message';
import { compact, inputError, readCountry, readDateField, requireText } from '../../helpers/validation';
import type { MifumoClient } from '../../transport';
import type { RequestPolicy } from '../../transport/types';
import { defaultCountryOption } from '../common.description';
import type { ExecutionSettings } from '../types';

const properties: INodeProperties[] = [
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		typeOptions: { rows: 4 },
		required: true,
		default: '',
		placeholder: 'Habari! Your order #1024 is on its way.',
		description: 'Text of the SMS, up to 160 characters (longer texts: see Options → Long Messages)',
	},
	{
		displayName: 'Recipients',
		name: 'recipients',
		type: 'string',
		required: true,
		default: '',
		placeholder: '0712 345 678, +255 713 000 111',
		description:
			'Phone numbers separated by commas, semicolons or new lines, or a list from an expression. Local (0712 345 678) and international (+255712345678, 255712345678) forms both work.',
	},
	{
		displayName: 'Sender ID',
		name: 'senderId',
		type: 'string',
		default: 'MIFUMO',
		description: 'Name the SMS comes from; it must be approved by Mifumo',
	},
	{
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
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Concurrency',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 32 },
				default: 4,
				description:
					'How many requests may be in flight at once across items (within Messages Per Minute). Output order always follows the input.',
			},
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
			{
				displayName: 'Max Rate Limit Wait',
				name: 'maxRateLimitWait',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 300,
				description:
					'Seconds an item may spend waiting when Mifumo says "too many requests" before it fails. Such requests were not processed, so waiting and resending is safe.',
			},
			{
				displayName: 'Messages Per Minute',
				name: 'messagesPerMinute',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 100,
				description:
					"Pace sending to stay under your account's limit (Mifumo's default is 100 SMS a minute), counted in recipients. 0 turns pacing off.",
			},
			{
				displayName: 'Recipients Per Request',
				name: 'recipientsPerRequest',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 100,
				description: 'A longer list goes out in several requests, each its own output item',
			},
			{
				displayName: 'Timeout',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 30,
				description:
					'Seconds to wait for Mifumo to answer. A send that times out is not sent again (it may have gone out).',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['sms'], operation: ['send'] } }, properties);

interface SendOptions {
	concurrency?: number;
	defaultCountry?: string;
	invalidNumbers?: 'error' | 'skip';
	longMessages?: 'error' | 'split';
	maxRateLimitWait?: number;
	messagesPerMinute?: number;
	recipientsPerRequest?: number;
	timeout?: number;
}

/** A schedule time this far in the past is a mistake, not clock drift. */
const SCHEDULE_TOLERANCE_MS = 60_000;

/** Read from the first item; a bad value there fails that item (in execute), not the whole run. */
export function executionSettings(this: IExecuteFunctions): ExecutionSettings {
	const options = this.getNodeParameter('options', 0, {}) as SendOptions;
	const orDefault = (value: unknown, field: string, fallback: number, minimum: number) => {
		try {
			return wholeNumber(this, 0, value, field, fallback, minimum);
		} catch {
			return fallback;
		}
	};
	return {
		concurrency: orDefault(options.concurrency, 'Concurrency', 4, 1),
		messagesPerMinute: orDefault(options.messagesPerMinute, 'Messages Per Minute', 100, 0),
	};
}

export async function execute(this: IExecuteFunctions, itemIndex: number, client: MifumoClient): Promise<IDataObject[]> {
	const node = this.getNode();
	const options = this.getNodeParameter('options', itemIndex, {}) as SendOptions;
	const additionalFields = this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;

	const message = requireText(
		node,
		itemIndex,
		this.getNodeParameter('message', itemIndex, ''),
		'Message',
		'Enter the text of the SMS.',
	);
	const parts = messageParts(this, itemIndex, message, options.longMessages ?? 'error');
	const { recipients, skipped } = readRecipients(this, itemIndex, options);
	const senderId = readSenderId(this, itemIndex);
	const scheduleTime = readScheduleTime(this, itemIndex, additionalFields.scheduleTime);
	const webhookUrl = readWebhookUrl(this, itemIndex, additionalFields.webhookUrl);
	const batchSize = wholeNumber(this, itemIndex, options.recipientsPerRequest, 'Recipients Per Request', 100, 1);
	// The run-wide settings are checked here too, so that a bad value names its item.
	wholeNumber(this, itemIndex, options.concurrency, 'Concurrency', 4, 1);
	wholeNumber(this, itemIndex, options.messagesPerMinute, 'Messages Per Minute', 100, 0);
	const policy: RequestPolicy = {
		timeoutMs: wholeNumber(this, itemIndex, options.timeout, 'Timeout', 30, 1) * 1000,
		maxRateLimitWaitMs: wholeNumber(this, itemIndex, options.maxRateLimitWait, 'Max Rate Limit Wait', 300, 0) * 1000,
	};

	const batches: string[][] = [];
	for (let start = 0; start < recipients.length; start += batchSize) {
		batches.push(recipients.slice(start, start + batchSize));
	}

	const results: IDataObject[] = [];
	for (const [partIndex, text] of parts.entries()) {
		for (const batch of batches) {
			await client.scheduler.paceSend(batch.length);
			try {
				const data = await client.request<IDataObject>(
					{
						method: 'POST',
						path: '/sms/send/',
						body: compact({
							message: text,
							recipients: batch,
							sender_id: senderId,
							schedule_time: scheduleTime,
							webhook_url: webhookUrl,
						}),
					},
					policy,
				);
				results.push({
					...data,
					...(parts.length > 1 ? { part: partIndex + 1, parts: parts.length } : {}),
					...(skipped.length ? { skipped_recipients: skipped } : {}),
				});
			} catch (error) {
				throw withProgress(error, results, recipients.length * parts.length);
			}
		}
	}
	return results;
}

function messageParts(context: IExecuteFunctions, itemIndex: number, message: string, mode: string): string[] {
	const length = messageLength(message);
	if (length <= SMS_MAX_LENGTH) return [message];
	if (mode === 'split') return splitMessage(message);
	throw inputError(
		context.getNode(),
		itemIndex,
		`Message is ${length} characters long; one SMS holds at most ${SMS_MAX_LENGTH}. Shorten it, or set Options → Long Messages to "Split Into Several SMS".`,
		'MESSAGE_TOO_LONG',
	);
}

function readRecipients(
	context: IExecuteFunctions,
	itemIndex: number,
	options: SendOptions,
): { recipients: string[]; skipped: unknown[] } {
	const node = context.getNode();
	const entries = splitRecipientList(context.getNodeParameter('recipients', itemIndex, ''));
	if (entries.length === 0) {
		throw inputError(
			node,
			itemIndex,
			'Recipients is empty. Enter at least one phone number, e.g. 0712 345 678.',
			'MISSING_RECIPIENTS',
		);
	}
	const country = readCountry(node, itemIndex, options.defaultCountry);
	const { valid, invalid } = normalizePhoneNumbers(entries, country);
	const skip = options.invalidNumbers === 'skip';
	if (invalid.length && (!skip || valid.length === 0)) {
		const list = invalid.map(describeEntry).join(', ');
		throw inputError(
			node,
			itemIndex,
			`Recipients has ${invalid.length === 1 ? 'an invalid phone number' : `${invalid.length} invalid phone numbers`}: ${list}. Use numbers such as 0712 345 678, 255712345678 or +255712345678${skip ? '' : ', or set Options → Invalid Numbers to "Skip Them"'}. Nothing was sent.`,
			'INVALID_PHONE',
		);
	}
	return { recipients: valid, skipped: invalid };
}

function readSenderId(context: IExecuteFunctions, itemIndex: number): string {
	const value = context.getNodeParameter('senderId', itemIndex, 'MIFUMO');
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return 'MIFUMO';
	if (typeof value !== 'string') {
		throw inputError(
			context.getNode(),
			itemIndex,
			`Sender ID must be text, not ${JSON.stringify(value)}. Use an approved sender ID such as MIFUMO.`,
		);
	}
	return value.trim();
}

function readScheduleTime(context: IExecuteFunctions, itemIndex: number, value: unknown): string | undefined {
	const scheduleTime = readDateField(context.getNode(), itemIndex, value, 'Schedule Time');
	if (scheduleTime && Date.parse(scheduleTime) < Date.now() - SCHEDULE_TOLERANCE_MS) {
		throw inputError(
			context.getNode(),
			itemIndex,
			`Schedule Time ${scheduleTime} is in the past. Pick a future time, or remove Schedule Time to send now.`,
		);
	}
	return scheduleTime;
}

function readWebhookUrl(context: IExecuteFunctions, itemIndex: number, value: unknown): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const text = typeof value === 'string' ? value.trim() : '';
	let valid = false;
	try {
		valid = ['http:', 'https:'].includes(new URL(text).protocol);
	} catch {
		valid = false;
	}
	if (!valid) {
		throw inputError(
			context.getNode(),
			itemIndex,
			`Webhook URL ${JSON.stringify(value)} is not an http(s) URL. Paste the Production URL of a Mifumo SMS Trigger.`,
		);
	}
	return text;
}

function wholeNumber(
	context: IExecuteFunctions,
	itemIndex: number,
	value: unknown,
	field: string,
	fallback: number,
	minimum: number,
): number {
	if (value === undefined || value === null || value === '') return fallback;
	const number = typeof value === 'string' ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isFinite(number) || number < minimum) {
		throw inputError(
			context.getNode(),
			itemIndex,
			`Options → ${field} must be a number of at least ${minimum}, not ${JSON.stringify(value)}.`,
		);
	}
	return Math.floor(number);
}

/** When a later request of the same item fails, say what already went out: nothing is lost silently. */
function withProgress(error: unknown, sent: IDataObject[], total: number): unknown {
	if (sent.length === 0 || !(error instanceof Error)) return error;
	const ids = sent.map((result) => result.message_id).filter(Boolean).join(', ');
	const count = sent.reduce((sum, result) => sum + (Array.isArray(result.recipients) ? result.recipients.length : 0), 0);
	error.message = `${error.message} Before this failure, ${count} of ${total} SMS were already sent (${ids}); those must not be sent again.`;
	return error;
}
