/**
 * What the question's page needs from the node's parameters, and the webhook n8n calls when the
 * page is opened (GET) or answered (POST) while the execution waits.
 */
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import {
	alreadyAnsweredPage,
	answerRecordedPage,
	MAX_ANSWER_LENGTH,
	PAGE_HEADERS,
	questionPage,
	type ApprovalType,
	type QuestionPage,
	type ResponseType,
} from './responsePage';
import { readQuestionSms } from './questionRecord';

export const DEFAULT_APPROVE_LABEL = 'Approve';
export const DEFAULT_DISAPPROVE_LABEL = 'Decline';

/** getNodeParameter of an execute or a webhook context, for item 0. */
export type ReadParameter = (name: string, fallback: unknown) => unknown;

export function readQuestionPage(read: ReadParameter, question: string): QuestionPage {
	const approval = readNested(read('approvalOptions', {}));
	const label = (value: unknown, fallback: string) => (typeof value === 'string' && value.trim() ? value.trim() : fallback);
	return {
		question,
		responseType: read('responseType', 'approval') === 'freeText' ? 'freeText' : 'approval',
		approvalType: approval.approvalType === 'single' ? 'single' : 'double',
		approveLabel: label(approval.approveLabel, DEFAULT_APPROVE_LABEL),
		disapproveLabel: label(approval.disapproveLabel, DEFAULT_DISAPPROVE_LABEL),
	};
}

/** A setting stored flat or, as n8n's own Send and Wait nodes store it, under `values`: the flat fields win. */
export function readNested(stored: unknown): IDataObject {
	if (!stored || typeof stored !== 'object') return {};
	const { values, ...flat } = stored as IDataObject;
	return { ...(values && typeof values === 'object' ? (values as IDataObject) : {}), ...flat };
}

export function readResponseType(value: unknown): ResponseType | undefined {
	return value === 'approval' || value === 'freeText' ? value : undefined;
}

export function readApprovalType(value: unknown): ApprovalType | undefined {
	return value === 'single' || value === 'double' ? value : undefined;
}

/**
 * Answers handed on in this process, by page address: two answers that reach n8n at the same moment
 * both find the execution waiting; the second is told so instead of resuming it twice. (Later ones
 * find the execution resumed, and n8n itself says there is nothing left to do.)
 */
const answeredPages = new Map<string, number>();
const ANSWERED_MEMORY_MS = 10 * 60_000;

function firstAnswer(address: string): boolean {
	const now = Date.now();
	for (const [key, at] of answeredPages) if (now - at > ANSWERED_MEMORY_MS) answeredPages.delete(key);
	if (answeredPages.has(address)) return false;
	answeredPages.set(address, now);
	return true;
}

type Answer = { data: IDataObject } | { problem: string };

function readAnswer(body: IDataObject, page: QuestionPage): Answer {
	if (page.responseType === 'freeText') {
		const text = typeof body.text === 'string' ? body.text.trim() : '';
		if (text === '') return { problem: 'Write your answer in the box, then press Send.' };
		const length = Array.from(text).length;
		if (length > MAX_ANSWER_LENGTH) {
			return { problem: `Your answer has ${length} characters; at most ${MAX_ANSWER_LENGTH} fit. Shorten it, then press Send.` };
		}
		return { data: { text } };
	}
	if (body.approved === 'true') return { data: { approved: true } };
	if (body.approved === 'false' && page.approvalType === 'double') return { data: { approved: false } };
	return { problem: 'Press one of the buttons below.' };
}

export async function sendAndWaitWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const request = this.getRequestObject();
	const response = this.getResponseObject();
	const read: ReadParameter = (name, fallback) => this.getNodeParameter(name, fallback);
	const message = read('message', '');
	const page = readQuestionPage(read, typeof message === 'string' ? message.trim() : String(message));
	const send = (status: number, html: string): IWebhookResponseData => {
		response.status(status).set(PAGE_HEADERS).send(html);
		return { noWebhookResponse: true };
	};

	// Opening the link (or a link preview fetching it) only shows the question.
	if (request.method !== 'POST') return send(200, questionPage(page));

	const answer = readAnswer((this.getBodyData() ?? {}) as IDataObject, page);
	if ('problem' in answer) return send(400, questionPage(page, answer.problem));
	if (!firstAnswer(request.path)) return send(409, alreadyAnsweredPage());

	send(200, answerRecordedPage());
	const sms = readQuestionSms(this);
	return {
		noWebhookResponse: true,
		workflowData: [[{ json: { data: answer.data, ...(sms ? { sms } : {}) }, pairedItem: { item: 0 } }]],
	};
}
