/**
 * SMS → Send and Wait for Response through n8n's engine against the sandbox: the question goes out
 * once, with the execution's signed resume link, and the execution waits (or, under Dry Run, does
 * not); bad input sends nothing and does not wait. The answer itself needs n8n's server (its
 * waiting webhooks): test/e2e/sendAndWait.e2e.test.js.
 */
import { Container } from '@n8n/di';
import { generateUrlSignature, InstanceSettings, prepareUrlForSigning } from 'n8n-core';
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { WAIT_INDEFINITELY } from 'n8n-workflow';

import { countSegments } from '../../sandbox';
import { errorItem, useSandbox } from '../helpers/sandbox';

// Mifumo's guide caps a text at 160 characters; a question with its link is longer (one SMS of several parts).
const sandbox = useSandbox({ maxMessageLength: 1000 });

/** 60 GSM-7 characters. */
const QUESTION = 'Order #1024 from Mama Asha is TZS 2,500,000. Approve it now?';

function ask(overrides: IDataObject = {}, options: IDataObject = {}): INodeParameters {
	return { resource: 'sms', operation: 'sendAndWait', recipients: '0712 345 678', message: QUESTION, options, ...overrides } as INodeParameters;
}

/** The link the engine's execution gets: n8n's waiting-webhook URL for the node, signed with the instance's secret. */
function expectSignedLink(link: string, executionId: string) {
	const url = new URL(link);
	expect(`${url.origin}${url.pathname}`).toBe(`http://localhost:5678/webhook-waiting/${executionId}/target`);
	const signature = url.searchParams.get('signature');
	url.searchParams.delete('signature');
	expect(signature).toBe(generateUrlSignature(prepareUrlForSigning(url), Container.get(InstanceSettings).hmacSignatureSecret));
}

const numbers = (count: number) => Array.from({ length: count }, (_, index) => `0712${String(index).padStart(6, '0')}`);

describe('sms.sendAndWait: the question', () => {
	test('one request: the question, a new line and the signed link; the execution waits with no limit; the output names the SMS', async () => {
		const { items, error, run } = await sandbox.run(ask({ recipients: '0712 345 678, 255713000111, 0712345678' }));
		expect(error).toBeUndefined();

		const requests = await sandbox.requests();
		expect(requests).toHaveLength(1);
		const body = requests[0].body as { message: string };
		const [question, link] = body.message.split('\n');
		expect(question).toBe(QUESTION);
		expect(body).toStrictEqual({ message: `${QUESTION}\n${link}`, recipients: ['+255712345678', '+255713000111'], sender_id: 'MIFUMO' });
		const executionId = /webhook-waiting\/([^/]+)\//.exec(link)![1];
		expectSignedLink(link, executionId);

		expect(run.status).toBe('waiting');
		expect(run.waitTill).toEqual(WAIT_INDEFINITELY);
		const [message] = await sandbox.control.messages();
		// 60 characters and a link of ~110: more than one SMS, and the sandbox counts the same.
		expect(countSegments(body.message)).toEqual({ encoding: 'GSM-7', segments: 2 });
		const sms = { message_id: message.message_id, recipients: ['+255712345678', '+255713000111'], encoding: 'GSM-7', segments: 2, total_segments: 4 };
		expect(items).toEqual([{ json: { sms }, pairedItem: { item: 0 } }]);
		// Kept with the execution for the answer's output, readable in the executions list.
		expect(run.data.resultData.metadata).toEqual({
			mifumo_message_id: message.message_id,
			mifumo_recipients: encodeURIComponent('+255712345678,+255713000111'),
			mifumo_encoding_segments: encodeURIComponent('GSM-7 2'),
		});
	});

	test('Limit Wait Time: after an interval, or at a time', async () => {
		const before = Date.now();
		const interval = await sandbox.run(
			ask({}, { limitWaitTime: { values: { limitType: 'afterTimeInterval', resumeAmount: 2, resumeUnit: 'hours' } } }),
		);
		const waitTill = new Date(interval.run.waitTill!).getTime();
		expect(waitTill).toBeGreaterThanOrEqual(before + 2 * 3_600_000);
		expect(waitTill).toBeLessThanOrEqual(Date.now() + 2 * 3_600_000);

		const at = '2099-01-31T09:00:00.000Z';
		const fixed = await sandbox.run(ask({}, { limitWaitTime: { values: { limitType: 'atSpecifiedTime', maxDateAndTime: at } } }));
		expect(new Date(fixed.run.waitTill!).toISOString()).toBe(at);
		expect(await sandbox.requests()).toHaveLength(2);
	});

	test('Limit Wait Time and Approval Options stored flat, as the contract names them, are read too', async () => {
		const before = Date.now();
		const interval = await sandbox.run(ask({}, { limitWaitTime: { limitType: 'afterTimeInterval', resumeAmount: 30, resumeUnit: 'minutes' } }));
		const waitTill = new Date(interval.run.waitTill!).getTime();
		expect(waitTill).toBeGreaterThanOrEqual(before + 30 * 60_000);
		expect(waitTill).toBeLessThanOrEqual(Date.now() + 30 * 60_000);

		const at = '2099-01-31T09:00:00.000Z';
		const fixed = await sandbox.run(ask({}, { limitWaitTime: { limitType: 'atSpecifiedTime', maxDateAndTime: at } }));
		expect(new Date(fixed.run.waitTill!).toISOString()).toBe(at);

		const wrong = await sandbox.run(ask({ approvalOptions: { approvalType: 'triple' } }));
		expect(wrong.error?.message).toBe('Approval Options → Type of Approval "triple" is not one this node knows. Use "single" or "double".');
		expect(await sandbox.requests()).toHaveLength(2);
	});

	test('Replace Typography, Sender ID and Default Country apply to the question as they do to Send', async () => {
		const { items } = await sandbox.run(
			ask({ message: 'Tuma “ndiyo” au “hapana” – asante…', recipients: '0712 345 678', senderId: 'INFO' }, { replaceTypography: true, defaultCountry: 'KE' }),
		);
		const [request] = await sandbox.requests();
		const { message } = request.body as { message: string };
		expect(message).toMatch(/^Tuma "ndiyo" au "hapana" - asante\.\.\.\nhttp:\/\/localhost:5678\//);
		expect(request.body).toMatchObject({ recipients: ['+254712345678'], sender_id: 'INFO' });
		expect(items[0].json.sms).toMatchObject({ encoding: 'GSM-7', segments: countSegments(message).segments });
	});

	test('Dry Run: no request and no wait; the output is the SMS that would go out, link included', async () => {
		const { items, run } = await sandbox.run(ask({}, { dryRun: true }));
		expect(await sandbox.requests()).toEqual([]);
		expect(run.status).toBe('success');
		expect(run.waitTill).toBeUndefined();
		const message = items[0].json.message as string;
		expect(message.startsWith(`${QUESTION}\nhttp://localhost:5678/webhook-waiting/`)).toBe(true);
		expectSignedLink(message.split('\n')[1], /webhook-waiting\/([^/]+)\//.exec(message)![1]);
		expect(items).toEqual([
			{
				json: { dry_run: true, message, recipients: ['+255712345678'], sender_id: 'MIFUMO', encoding: 'GSM-7', segments: 2, total_segments: 2 },
				pairedItem: { item: 0 },
			},
		]);
	});

	test('one question per execution: several items ask once, with the first, and say so', async () => {
		const { items, run } = await sandbox.run(ask({ recipients: '={{ $json.phone }}' }), {
			items: [{ phone: '0712 345 678' }, { phone: '0713 000 111' }],
		});
		const requests = await sandbox.requests();
		expect(requests.map((request) => request.body?.recipients)).toEqual([['+255712345678']]);
		expect(items).toEqual([{ json: { sms: expect.objectContaining({ recipients: ['+255712345678'] }) }, pairedItem: { item: 0 } }]);
		expect(run.data.resultData.runData['Mifumo SMS'][0].hints).toEqual([
			{ message: 'Send and Wait asks once per execution, with the first item: the other 1 were not asked', type: 'warning', location: 'outputPane' },
		]);
	});

	test("as an AI agent's tool: 10 numbers are asked, 11 are refused before any request", async () => {
		const refused = await sandbox.run(ask({ recipients: numbers(11).join(', ') }), { asTool: true });
		expect(refused.error?.errorCode).toBe('TOO_MANY_RECIPIENTS');
		expect(await sandbox.requests()).toEqual([]);
		expect(refused.run.waitTill).toBeUndefined();

		const asked = await sandbox.run(ask({ recipients: numbers(10).join(', ') }), { asTool: true });
		expect(asked.error).toBeUndefined();
		const requests = await sandbox.requests();
		expect(requests).toHaveLength(1);
		expect(requests[0].body?.recipients).toHaveLength(10);
		expect(asked.run.status).toBe('waiting');
	});
});

describe('sms.sendAndWait: bad input sends nothing and does not wait', () => {
	const rows: Array<{ name: string; parameters: INodeParameters; message: string; errorCode: string }> = [
		{
			name: 'no recipients',
			// (left empty in the editor, n8n itself refuses to run the node: "Recipients is required")
			parameters: ask({ recipients: '={{ "" }}' }),
			message: 'Recipients is empty: its expression {{ "" }} gave no phone number. Enter at least one phone number, e.g. 0712 345 678.',
			errorCode: 'MISSING_RECIPIENTS',
		},
		{
			name: 'more than 10 numbers',
			parameters: ask({ recipients: numbers(11).join(', ') }),
			message: 'Recipients has 11 numbers (after removing duplicates); Send and Wait asks at most 10. Ask fewer people. Nothing was sent.',
			errorCode: 'TOO_MANY_RECIPIENTS',
		},
		{
			name: 'an invalid number',
			parameters: ask({ recipients: '0712' }),
			message:
				'Recipients has an invalid phone number: "0712". Use numbers such as 0712 345 678, 255712345678 or +255712345678, or set Options → Invalid Numbers to "Skip Them". Nothing was sent.',
			errorCode: 'INVALID_PHONE',
		},
		{
			name: 'an empty question',
			parameters: ask({ message: '   ' }),
			message: 'Message is empty. Enter the question to ask.',
			errorCode: 'INVALID_PARAMETER',
		},
		{
			name: 'a question from an expression that gave nothing',
			parameters: ask({ message: '={{ $json.question }}' }),
			message: 'Message is empty: its expression {{ $json.question }} gave nothing (this item has no question). Enter the question to ask.',
			errorCode: 'INVALID_PARAMETER',
		},
		{
			name: 'a limit in the past',
			parameters: ask({}, { limitWaitTime: { values: { limitType: 'atSpecifiedTime', maxDateAndTime: '2024-01-01T10:00:00Z' } } }),
			message: 'Options → Limit Wait Time → Max Date and Time 2024-01-01T10:00:00.000Z is in the past. Pick a later time. Nothing was sent.',
			errorCode: 'INVALID_PARAMETER',
		},
		{
			name: 'a limit that is no date',
			parameters: ask({}, { limitWaitTime: { values: { limitType: 'atSpecifiedTime', maxDateAndTime: 'next week' } } }),
			message:
				'Options → Limit Wait Time → Max Date and Time is not a date that can be read: "next week". Pick a date and time. Nothing was sent.',
			errorCode: 'INVALID_PARAMETER',
		},
		{
			name: 'a limit of 0 minutes',
			parameters: ask({}, { limitWaitTime: { values: { limitType: 'afterTimeInterval', resumeAmount: 0, resumeUnit: 'minutes' } } }),
			message: 'Options → Limit Wait Time must be an amount of more than 0 minutes, hours or days, not 0 "minutes". Nothing was sent.',
			errorCode: 'INVALID_PARAMETER',
		},
		{
			name: 'more SMS parts than Max Segments allows (the link counts)',
			parameters: ask({}, { maxSegments: 1 }),
			message: 'Message takes 2 SMS per recipient (GSM-7); Options → Max Segments allows 1. Shorten it, or raise Max Segments. Nothing was sent.',
			errorCode: 'MESSAGE_TOO_LONG',
		},
		{
			name: 'an unknown response type',
			parameters: ask({ responseType: 'customForm' }),
			message: 'Response Type "customForm" is not one this node knows. Use "approval" or "freeText".',
			errorCode: 'INVALID_PARAMETER',
		},
	];

	test.each(rows)('$name', async ({ parameters, message, errorCode }) => {
		const failed = await sandbox.run(parameters);
		expect({ message: failed.error?.message, errorCode: failed.error?.errorCode, itemIndex: failed.error?.context?.itemIndex }).toEqual({
			message,
			errorCode,
			itemIndex: 0,
		});
		expect(failed.run.status).toBe('error');
		expect(failed.run.waitTill).toBeUndefined();

		const continued = await sandbox.run(parameters, { continueOnFail: true });
		expect(continued.items).toEqual([errorItem(message, errorCode)]);
		expect(continued.run.waitTill).toBeUndefined();
		expect(await sandbox.requests()).toEqual([]);
	});
});
