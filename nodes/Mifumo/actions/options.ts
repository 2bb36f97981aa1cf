/**
 * The options that govern requests and the run (Timeout, Max Rate Limit Wait, Concurrency,
 * Messages Per Minute): each default is written once, in its description, and the readers take it from there.
 */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { readWholeNumber } from '../helpers/validation';
import type { RequestPolicy } from '../transport/types';

export const timeoutOption: INodeProperties = {
	displayName: 'Timeout',
	name: 'timeout',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: 30,
	description:
		'Seconds to wait for Mifumo to answer. A send or create that times out is not sent again (it may have gone through).',
};

export const maxRateLimitWaitOption: INodeProperties = {
	displayName: 'Max Rate Limit Wait',
	name: 'maxRateLimitWait',
	type: 'number',
	typeOptions: { minValue: 0 },
	default: 300,
	description:
		'Seconds an item may spend waiting when Mifumo says "too many requests" before it fails. Such requests were not processed, so waiting and resending is safe.',
};

export const concurrencyOption: INodeProperties = {
	displayName: 'Concurrency',
	name: 'concurrency',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 32 },
	default: 4,
	description:
		'How many requests may be in flight at once across items (within Messages Per Minute). Output order always follows the input.',
};

export const messagesPerMinuteOption: INodeProperties = {
	displayName: 'Messages Per Minute',
	name: 'messagesPerMinute',
	type: 'number',
	typeOptions: { minValue: 0 },
	default: 100,
	description:
		"Pace sending to stay under your account's limit (Mifumo's default is 100 SMS a minute), counted in recipients and shared by every workflow of this n8n that uses the same credential. 0 turns pacing off.",
};

/** Options of an operation that has no others. */
export const requestOptionsProperty: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [maxRateLimitWaitOption, timeoutOption],
};

interface RequestOptions {
	timeout?: unknown;
	maxRateLimitWait?: unknown;
	concurrency?: unknown;
	messagesPerMinute?: unknown;
}

function readOptions(context: IExecuteFunctions, itemIndex: number): RequestOptions {
	return context.getNodeParameter('options', itemIndex, {}) as RequestOptions;
}

export function readRequestPolicy(context: IExecuteFunctions, itemIndex: number): RequestPolicy {
	const node = context.getNode();
	const options = readOptions(context, itemIndex);
	return {
		timeoutMs:
			readWholeNumber(node, itemIndex, options.timeout, 'Options → Timeout', {
				fallback: timeoutOption.default as number,
				minimum: 1,
			}) * 1000,
		maxRateLimitWaitMs:
			readWholeNumber(node, itemIndex, options.maxRateLimitWait, 'Options → Max Rate Limit Wait', {
				fallback: maxRateLimitWaitOption.default as number,
				minimum: 0,
			}) * 1000,
	};
}

export interface RunSettings {
	concurrency: number;
	messagesPerMinute: number;
}

/** Run-wide: read once, from the first item. */
export function readRunSettings(context: IExecuteFunctions): RunSettings {
	const node = context.getNode();
	const options = readOptions(context, 0);
	return {
		concurrency: readWholeNumber(node, 0, options.concurrency, 'Options → Concurrency', {
			fallback: concurrencyOption.default as number,
			minimum: 1,
		}),
		messagesPerMinute: readWholeNumber(node, 0, options.messagesPerMinute, 'Options → Messages Per Minute', {
			fallback: messagesPerMinuteOption.default as number,
			minimum: 0,
		}),
	};
}

/** Every operation offers Timeout and Max Rate Limit Wait: added to its Options, or as its Options. */
export function withRequestOptions(properties: INodeProperties[]): INodeProperties[] {
	const options = properties.find((property) => property.name === 'options' && property.type === 'collection');
	if (!options) return [...properties, requestOptionsProperty];
	const merged = [...(options.options as INodeProperties[]), maxRateLimitWaitOption, timeoutOption].sort((a, b) =>
		a.displayName.localeCompare(b.displayName),
	);
	return properties.map((property) => (property === options ? { ...options, options: merged } : property));
}
