/**
 * SMS → Send and Wait for Response: n8n's human-in-the-loop pattern over SMS. The question goes out
 * with one link, the execution's signed resume URL; the execution waits until someone answers on the
 * page behind it (the node's webhook, sendAndWait/answer.ts) or the wait limit is reached. One
 * question per execution, asked with the first item, as n8n's own Send and Wait nodes do.
 */
import type { IDataObject, IExecuteFunctions, INode, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions, WAIT_INDEFINITELY } from 'n8n-workflow';

import { analyzeText, replaceTypography } from '../../helpers/encoding';
import { readDate } from '../../helpers/dates';
import { splitRecipientList } from '../../helpers/phone';
import { compact, describeValue, inputError, requireText } from '../../helpers/validation';
import type { MifumoClient } from '../../transport';
import type { ItemOutcome } from '../types';
import {
	DEFAULT_APPROVE_LABEL,
	DEFAULT_DISAPPROVE_LABEL,
	readApprovalType,
	readNested,
	readResponseType,
	type ReadParameter,
} from './sendAndWait/answer';
import { saveQuestionSms } from './sendAndWait/questionRecord';
import { readSendSettings, sendOptions, senderIdProperty, TOOL_MAX_RECIPIENTS } from './sendFields';
import { checkSegmentCount, readRecipients, sendPlannedRequest, type PlannedRequest } from './sendPlan';

/** Who is asked: a question is for a few people, and an AI agent's tool is held to the same number. */
export const MAX_ASKED = TOOL_MAX_RECIPIENTS;

/** Send's options that apply to a question (the others split, batch or wait for delivery). */
const SHARED_OPTIONS = ['defaultCountry', 'dryRun', 'invalidNumbers', 'maxRateLimitWait', 'maxSegments', 'replaceTypography', 'timeout'];

/** The same fields under `values`, where n8n's own Send and Wait nodes keep them (their fixedCollection). */
function storedAsN8nDoes(fields: INodeProperties[]): INodeProperties {
	return {
		displayName: 'Values (Stored Layout of Send and Wait Nodes)',
		name: 'values',
		type: 'collection',
		placeholder: 'Add Value',
		default: {},
		description: 'The same settings in the layout of n8n\'s own Send and Wait nodes; the fields above win where both are set',
		options: fields,
	};
}

/** Limit Wait Time's fields, as n8n's own Send and Wait nodes (n8n-nodes-base utils/sendAndWait) have them. */
const limitWaitTimeFields: INodeProperties[] = [
		{
			displayName: 'Limit Type',
			name: 'limitType',
			type: 'options',
			default: 'afterTimeInterval',
			description: 'Sets the condition for the execution to resume. Can be a specified date or after some time.',
			options: [
				{ name: 'After Time Interval', description: 'Waits for a certain amount of time', value: 'afterTimeInterval' },
				{ name: 'At Specified Time', description: 'Waits until the set date and time to continue', value: 'atSpecifiedTime' },
			],
		},
		{
			displayName: 'Amount',
			name: 'resumeAmount',
			type: 'number',
			displayOptions: { show: { limitType: ['afterTimeInterval'] } },
			typeOptions: { minValue: 0, numberPrecision: 2 },
			default: 1,
			description: 'The time to wait',
		},
		{
			displayName: 'Unit',
			name: 'resumeUnit',
			type: 'options',
			displayOptions: { show: { limitType: ['afterTimeInterval'] } },
			options: [
				{ name: 'Minutes', value: 'minutes' },
				{ name: 'Hours', value: 'hours' },
				{ name: 'Days', value: 'days' },
			],
			default: 'hours',
			description: 'Unit of the interval value',
		},
		{
			displayName: 'Max Date and Time',
			name: 'maxDateAndTime',
			type: 'dateTime',
			displayOptions: { show: { limitType: ['atSpecifiedTime'] } },
			default: '',
			description: 'Continue execution after the specified date and time',
		},
];

/**
 * Options → Limit Wait Time. Stored flat (`{limitType, resumeAmount, resumeUnit}`, as the
 * contract names it) or as n8n's own nodes store it (`{values: {…}}`): both are read.
 */
const limitWaitTimeOption: INodeProperties = {
	displayName: 'Limit Wait Time',
	name: 'limitWaitTime',
	type: 'collection',
	placeholder: 'Add Limit',
	description: 'Whether to limit the time this node waits for an answer before the execution resumes without one',
	default: {},
	options: [...limitWaitTimeFields, storedAsN8nDoes(limitWaitTimeFields)],
};

const options: INodeProperties = {
	...sendOptions,
	options: [
		...(sendOptions.options as INodeProperties[]).filter((option) => SHARED_OPTIONS.includes(option.name)),
		limitWaitTimeOption,
	].sort((a, b) => a.displayName.localeCompare(b.displayName)),
};

const approvalFields: INodeProperties[] = [
		{
			displayName: 'Type of Approval',
			name: 'approvalType',
			type: 'options',
			default: 'double',
			options: [
				{ name: 'Approve Only', value: 'single' },
				{ name: 'Approve and Decline', value: 'double' },
			],
		},
		{
			displayName: 'Approve Button Label',
			name: 'approveLabel',
			type: 'string',
			default: DEFAULT_APPROVE_LABEL,
		},
		{
			displayName: 'Decline Button Label',
			name: 'disapproveLabel',
			type: 'string',
			default: DEFAULT_DISAPPROVE_LABEL,
			displayOptions: { show: { approvalType: ['double'] } },
		},
];

const properties: INodeProperties[] = [
	{
		displayName: 'Recipients',
		name: 'recipients',
		type: 'string',
		required: true,
		default: '',
		placeholder: '0712 345 678',
		description: `Who is asked: up to ${MAX_ASKED} phone numbers, separated by commas or new lines. The first answer counts.`,
	},
	senderIdProperty,
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		typeOptions: { rows: 4 },
		required: true,
		default: '',
		placeholder: 'Order #1024 is TZS 2,500,000. Approve it?',
		description: 'The question. The SMS carries it followed by a link to the page where it is answered.',
	},
	{
		displayName: 'Response Type',
		name: 'responseType',
		type: 'options',
		default: 'approval',
		options: [
			{ name: 'Approval', value: 'approval', description: 'The page offers buttons to approve (or decline)' },
			{ name: 'Free Text', value: 'freeText', description: 'The page offers a text box (up to 1,000 characters)' },
		],
	},
	{
		displayName: 'Approval Options',
		name: 'approvalOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: { responseType: ['approval'] } },
		// Stored flat ({approvalType, approveLabel, disapproveLabel}) or as n8n's own nodes do ({values: {…}}): both are read.
		options: [...approvalFields, storedAsN8nDoes(approvalFields)],
	},
	options,
];

export const description = updateDisplayOptions({ show: { resource: ['sms'], operation: ['sendAndWait'] } }, properties);

export const sendsSms = true;

export async function execute(): Promise<IDataObject[]> {
	// Never reached: executeBatch always answers (one question per execution).
	return [];
}

/** The first item asks; the others have no output (n8n resumes the execution once). */
export async function executeBatch(
	this: IExecuteFunctions,
	clientFor: (itemIndex: number) => MifumoClient,
): Promise<ItemOutcome[]> {
	const outcomes: ItemOutcome[] = this.getInputData().map(() => undefined);
	if (outcomes.length > 1) {
		this.addExecutionHints({
			message: `Send and Wait asks once per execution, with the first item: the other ${outcomes.length - 1} were not asked`,
			type: 'warning',
			location: 'outputPane',
		});
	}
	try {
		outcomes[0] = await askAndWait(this, clientFor(0));
	} catch (error) {
		outcomes[0] = error as Error;
	}
	return outcomes;
}

async function askAndWait(context: IExecuteFunctions, client: MifumoClient): Promise<IDataObject[]> {
	const node = context.getNode();
	const read: ReadParameter = (name, fallback) => context.getNodeParameter(name, 0, fallback);
	const question = requireText(node, 0, read('message', ''), 'Message', 'Enter the question to ask.', 'message');
	const settings = readSendSettings(context, 0);
	const { recipients, skipped } = readRecipients(node, 0, splitRecipientList(read('recipients', '')), settings);
	if (recipients.length > MAX_ASKED) {
		throw inputError(
			node,
			0,
			`Recipients has ${recipients.length} numbers (after removing duplicates); Send and Wait asks at most ${MAX_ASKED}. Ask fewer people. Nothing was sent.`,
			'TOO_MANY_RECIPIENTS',
		);
	}
	checkResponseSettings(node, read);
	const waitTill = readWaitLimit(node, readNested(read('options.limitWaitTime', {})));

	const text = `${settings.replaceTypography ? replaceTypography(question) : question}\n${resumeLink(context)}`;
	const analysis = analyzeText(text);
	checkSegmentCount(node, 0, text, analysis, analysis.segments, settings);
	const request: PlannedRequest = {
		body: compact({ message: text, recipients, sender_id: settings.senderId }),
		encoding: analysis.encoding,
		segments: analysis.segments,
		dryRun: settings.dryRun,
	};
	const record = await sendPlannedRequest(client, request, skipped);
	// A dry run shows the SMS, link included; nothing went out, so there is nothing to wait for.
	if (settings.dryRun) return [record];

	const sms = {
		message_id: String(record.message_id),
		recipients,
		encoding: analysis.encoding,
		segments: analysis.segments,
		total_segments: analysis.segments * recipients.length,
	};
	saveQuestionSms(context, sms);
	await context.putExecutionToWait(waitTill);
	return [{ sms }];
}

/** The execution's signed resume URL: n8n refuses a changed or missing signature. */
function resumeLink(context: IExecuteFunctions): string {
	// n8n 1.x checks the signature only when asked to; 2.x always does, and has no such call.
	(context as { setSignatureValidationRequired?: () => void }).setSignatureValidationRequired?.();
	return context.getSignedResumeUrl();
}

function checkResponseSettings(node: INode, read: ReadParameter) {
	const responseType = read('responseType', 'approval');
	if (!readResponseType(responseType)) {
		throw inputError(node, 0, `Response Type ${describeValue(responseType)} is not one this node knows. Use "approval" or "freeText".`);
	}
	const approvalType = readNested(read('approvalOptions', {})).approvalType;
	if (approvalType !== undefined && !readApprovalType(approvalType)) {
		throw inputError(
			node,
			0,
			`Approval Options → Type of Approval ${describeValue(approvalType)} is not one this node knows. Use "single" or "double".`,
		);
	}
}

const UNIT_MS: Record<string, number> = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 };

/** Options → Limit Wait Time as the moment to resume without an answer; none: wait until answered. */
function readWaitLimit(node: INode, limit: IDataObject): Date {
	if (!limit || Object.keys(limit).length === 0) return WAIT_INDEFINITELY;
	if (limit.limitType === 'atSpecifiedTime') {
		const date = readDate(limit.maxDateAndTime);
		if (!date) {
			throw inputError(
				node,
				0,
				`Options → Limit Wait Time → Max Date and Time is not a date that can be read: ${describeValue(limit.maxDateAndTime)}. Pick a date and time. Nothing was sent.`,
			);
		}
		if (date.getTime() <= Date.now()) {
			throw inputError(
				node,
				0,
				`Options → Limit Wait Time → Max Date and Time ${date.toISOString()} is in the past. Pick a later time. Nothing was sent.`,
			);
		}
		return date;
	}
	const amount = typeof limit.resumeAmount === 'string' ? Number(limit.resumeAmount) : limit.resumeAmount;
	const unitMs = UNIT_MS[String(limit.resumeUnit ?? 'hours')];
	if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0 || unitMs === undefined) {
		throw inputError(
			node,
			0,
			`Options → Limit Wait Time must be an amount of more than 0 minutes, hours or days, not ${describeValue(limit.resumeAmount)} ${describeValue(limit.resumeUnit)}. Nothing was sent.`,
		);
	}
	return new Date(Date.now() + amount * unitMs);
}
