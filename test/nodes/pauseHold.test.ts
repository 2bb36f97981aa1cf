/**
 * A rate-limit pause one request announces holds every request of the account, in every execution,
 * but no item waits on it longer than its own Max Rate Limit Wait allows: past that it fails at
 * once, saying another request's pause held it, and sends nothing.
 */
import type { INodeParameters } from 'n8n-workflow';

import { useSandbox } from '../helpers/sandbox';

const sandbox = useSandbox();

const SEND_PATH = '/api/integration/v1/sms/send/';

const send = (recipient: string, maxRateLimitWait: number): INodeParameters => ({
	resource: 'sms',
	operation: 'send',
	message: 'Habari',
	recipients: recipient,
	senderId: 'MIFUMO',
	options: { maxRateLimitWait },
});
const getBalance = (maxRateLimitWait: number): INodeParameters => ({
	resource: 'sms',
	operation: 'getBalance',
	options: { maxRateLimitWait },
});

const heldMessage = (asked: string, left: string, maxWait: string, advice: string) =>
	`RATE_LIMIT_EXCEEDED: Another request to this Mifumo account (in this or another execution) met the rate limit, and Mifumo asked it to wait ${asked}. Every request to the account waits that pause out; ${left} of it were left, longer than this item's Options → Max Rate Limit Wait (${maxWait}) allows. ${advice}`;
const sendAdvice = (atLeast: string) =>
	`Nothing was sent. Mifumo allows 100 SMS a minute by default: lower Options → Messages Per Minute (now 100) to your account's limit, or raise Options → Max Rate Limit Wait to at least ${atLeast}.`;
const readAdvice = (atLeast: string) =>
	`This request was not sent. Mifumo allows 1,000 API calls an hour and 500 contact operations an hour by default. To wait it out, raise Options → Max Rate Limit Wait to at least ${atLeast}; or spread the work over more time.`;

async function waitForRateLimitAnswer(): Promise<void> {
	for (let tries = 0; tries < 100; tries++) {
		if ((await sandbox.requests()).some((request) => request.status === 429)) return;
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	throw new Error('no 429 reached the node');
}

test('another execution waits out a 3 s pause; a send and a read that allow 1 s fail at once, naming that pause, and send nothing', async () => {
	await sandbox.control.addFault({ method: 'POST', path: '/sms/send/', status: 429, times: 1, headers: { 'Retry-After': '3' } });
	const patient = sandbox.run(send('0712000001', 10));
	await waitForRateLimitAnswer();

	const startedAt = Date.now();
	const [hastySend, hastyRead] = await Promise.all([sandbox.run(send('0712000002', 1)), sandbox.run(getBalance(1))]);
	expect(Date.now() - startedAt).toBeLessThan(1000);
	expect(hastySend.error?.message).toBe(heldMessage('3 s', '3 s', '1 s', sendAdvice('3 s')));
	expect(hastySend.error?.errorCode).toBe('RATE_LIMIT_EXCEEDED');
	expect(hastyRead.error?.message).toBe(heldMessage('3 s', '3 s', '1 s', readAdvice('3 s')));

	const { items, error } = await patient;
	expect(error).toBeUndefined();
	expect(items[0].json.recipients).toEqual(['+255712000001']);
	// The patient send twice (the 429, then after the pause); the held ones never reached the server.
	expect((await sandbox.requests()).map((request) => [request.path, request.status])).toEqual([
		[SEND_PATH, 429],
		[SEND_PATH, 200],
	]);
	expect((await sandbox.control.messages()).map((message) => message.recipients)).toEqual([['+255712000001']]);
});

test('a 429 its item gives up on (Retry-After 250 s, Max Rate Limit Wait 2 s) still pauses the account: the next execution sends nothing into it', async () => {
	await sandbox.control.addFault({ method: 'POST', path: '/sms/send/', status: 429, times: 1, headers: { 'Retry-After': '250' } });
	const first = await sandbox.run(send('0712000001', 2));
	expect(first.error?.message).toBe(
		`RATE_LIMIT_EXCEEDED: Mifumo asked to wait 250 s (Retry-After) before its rate limit lets this request through, longer than Options → Max Rate Limit Wait (2 s) allows. This request was not processed; nothing was sent. Mifumo allows 100 SMS a minute by default: lower Options → Messages Per Minute (now 100) to your account's limit, or raise Options → Max Rate Limit Wait to at least 250 s.`,
	);

	const startedAt = Date.now();
	const second = await sandbox.run(send('0712000002', 2), { continueOnFail: true });
	expect(Date.now() - startedAt).toBeLessThan(1000);
	expect(second.items).toEqual([
		{ json: { error: heldMessage('250 s', '250 s', '2 s', sendAdvice('250 s')), errorCode: 'RATE_LIMIT_EXCEEDED' }, pairedItem: { item: 0 } },
	]);
	expect((await sandbox.requests()).map((request) => request.status)).toEqual([429]);
	expect(await sandbox.control.messages()).toEqual([]);
});
