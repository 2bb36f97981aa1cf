/**
 * The question's SMS, kept from the send to the answer: the answer's output names it, but n8n runs
 * the answer in another context (after a restart, in another process). It is kept in the execution's
 * custom data, which n8n saves with the waiting execution (and lists beside it: the message ID is handy there).
 * n8n 2.x offers `customData` on every context; n8n 1.x only as `$execution.customData` in expressions.
 */
import type { IDataObject, IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';

import type { SmsEncoding } from '../../../helpers/encoding';

export interface QuestionSms extends IDataObject {
	message_id: string;
	recipients: string[];
	encoding: SmsEncoding;
	segments: number;
	total_segments: number;
}

const KEYS = { messageId: 'mifumo_message_id', recipients: 'mifumo_recipients', cost: 'mifumo_encoding_segments' } as const;

type Context = IExecuteFunctions | IWebhookFunctions;

interface CustomData {
	set(key: string, value: string): void;
	get(key: string): string | undefined;
}

/** Values stay within characters an expression's string literal holds as they are. */
const plain = (value: string) => encodeURIComponent(value);

function customDataOf(context: Context): CustomData {
	const own = (context as { customData?: CustomData }).customData;
	if (own && typeof own.set === 'function') return own;
	// evaluateExpression adds the leading "=" itself.
	const evaluate = (expression: string) =>
		(context as unknown as { evaluateExpression(expression: string, itemIndex: number): unknown }).evaluateExpression(expression, 0);
	return {
		set: (key, value) => void evaluate(`{{ $execution.customData.set("${key}", "${value}") }}`),
		get: (key) => {
			const value = evaluate(`{{ $execution.customData.get("${key}") }}`);
			return typeof value === 'string' && value !== '' ? value : undefined;
		},
	};
}

export function saveQuestionSms(context: IExecuteFunctions, sms: QuestionSms): void {
	const customData = customDataOf(context);
	customData.set(KEYS.messageId, plain(sms.message_id));
	customData.set(KEYS.recipients, plain(sms.recipients.join(',')));
	customData.set(KEYS.cost, plain(`${sms.encoding} ${sms.segments}`));
}

export function readQuestionSms(context: IWebhookFunctions): QuestionSms | undefined {
	const customData = customDataOf(context);
	const [messageId, recipients, cost] = [KEYS.messageId, KEYS.recipients, KEYS.cost].map((key) => {
		const value = customData.get(key);
		return value === undefined ? undefined : decodeURIComponent(value);
	});
	if (messageId === undefined || recipients === undefined || cost === undefined) return undefined;
	const [encoding, segments] = cost.split(' ');
	const numbers = recipients.split(',');
	return {
		message_id: messageId,
		recipients: numbers,
		encoding: encoding as SmsEncoding,
		segments: Number(segments),
		total_segments: Number(segments) * numbers.length,
	};
}
