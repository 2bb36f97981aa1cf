'use strict';
// SMS → Send and Wait for Response in a real n8n: the question reaches the sandbox with its link,
// and the test answers as the recipient's phone would, by opening that link and pressing a button.

const { e2eContext, apiRequests, waitFor, restartN8n, local } = require('./lib/context');
const { CREDENTIAL_ID, IDS } = require('./lib/constants');

const ctx = e2eContext();
const SEND_PATH = '/api/integration/v1/sms/send/';

/** A workflow: manual trigger → "Ask" (Send and Wait) → "Go on" (a No Op), with Ask's parameters. */
function askWorkflow(id, parameters) {
	return {
		id,
		name: `Send and Wait e2e ${id}`,
		nodes: [
			{ id: `${id}-trigger`, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: `${id}-ask`,
				name: 'Ask',
				type: 'n8n-nodes-mifumo.mifumo',
				typeVersion: 1,
				position: [220, 0],
				parameters: { resource: 'sms', operation: 'sendAndWait', recipients: '0712 345 678', ...parameters },
				credentials: { mifumoApi: { id: CREDENTIAL_ID, name: 'Mifumo Sandbox' } },
			},
			{ id: `${id}-next`, name: 'Go on', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [440, 0], parameters: {} },
		],
		connections: {
			Start: { main: [[{ node: 'Ask', type: 'main', index: 0 }]] },
			Ask: { main: [[{ node: 'Go on', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
		active: false,
	};
}

const QUESTION = 'Order #1024 from Mama Asha is TZS 2,500,000. Approve it now?';
const SWAHILI = 'Mteja anauliza: <script>alert("x")</script> & "bei" ni ngapi?';
const workflows = {
	approve: askWorkflow('MifumoWaitE2e001', { message: QUESTION }),
	freeText: askWorkflow('MifumoWaitE2e002', { message: SWAHILI, responseType: 'freeText' }),
	two: askWorkflow('MifumoWaitE2e003', { message: QUESTION, recipients: '0712 345 678, 0713 000 111' }),
	limited: askWorkflow('MifumoWaitE2e004', {
		message: 'Reply within seconds?',
		options: { limitWaitTime: { values: { limitType: 'afterTimeInterval', resumeAmount: 0.25, resumeUnit: 'minutes' } } },
	}),
};

/** Runs the workflow through the CLI until it waits; the SMS the sandbox received, its link, the execution. */
async function ask({ id }) {
	await ctx.sandbox.clearRequests();
	const before = (await apiRequests(ctx.sandbox, { method: 'POST', path: SEND_PATH })).length;
	const run = await ctx.execute(id);
	const sends = await apiRequests(ctx.sandbox, { method: 'POST', path: SEND_PATH });
	if (sends.length !== before + 1) throw new Error(`expected one send, got ${sends.length - before}:\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`);
	const body = sends.at(-1).body;
	const link = /\n(https?:\/\/\S+)$/.exec(body.message)?.[1];
	if (!link) throw new Error(`no link at the end of the SMS: ${JSON.stringify(body.message)}`);
	const executionId = /\/webhook-waiting\/([^/]+)\//.exec(link)[1];
	await waitFor(async () => (await execution(executionId))?.status === 'waiting', { what: `execution ${executionId} waiting` });
	return { body, link, executionId };
}

async function execution(id) {
	const rest = await ctx.rest();
	return rest.execution(id).catch(() => undefined);
}

/**
 * The execution once it ran to its end (`last` ran, or it failed) and n8n saved it for the last
 * time: n8n saves a resumed execution more than once (1.x midway too), so two reads must agree.
 */
async function finished(id, last = 'Go on') {
	let previous;
	return waitFor(
		async () => {
			const ex = await execution(id);
			const ended = ex?.data?.resultData?.runData?.[last] || ['error', 'crashed', 'canceled'].includes(ex?.status);
			const settled = ended && ex.stoppedAt && ex.status !== 'running' && previous?.stoppedAt === ex.stoppedAt;
			previous = ended ? ex : undefined;
			return settled ? ex : null;
		},
		{ what: `execution ${id} to finish`, timeoutMs: 60000, intervalMs: 1000 },
	);
}

/** The page the link opens, as a phone's browser gets it. */
async function open(link, init = {}) {
	const response = await fetch(link, { redirect: 'manual', ...init, headers: { 'user-agent': 'Nokia6300/2.0 Opera Mini', ...init.headers } });
	return { status: response.status, type: response.headers.get('content-type'), html: await response.text() };
}

/** Submits the page's form as the browser does: the form has no action, so it posts to the link itself. */
function answer(link, fields) {
	return open(link, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams(fields).toString(),
	});
}

const askItems = (ex) => local.nodeItems(ex.data, 'Ask');
const nextItems = (ex) => local.nodeItems(ex.data, 'Go on');

beforeAll(async () => {
	await ctx.sandbox.reset({ maxMessageLength: 1000 });
	await local.importWorkflows(ctx.env, Object.values(workflows));
}, 60000);

afterAll(async () => {
	await ctx.sandbox.reset();
});

describe('Send and Wait for Response in a real n8n', () => {
	test('the SMS carries the question and one signed link; the page shows it; a tampered link is refused; Approve finishes the execution', async () => {
		const { body, link, executionId } = await ask(workflows.approve);
		expect(body).toEqual({ message: `${QUESTION}\n${link}`, recipients: ['+255712345678'], sender_id: 'MIFUMO' });
		expect(link).toMatch(new RegExp(`^http://localhost:${ctx.n8nPort}/webhook-waiting/${executionId}/MifumoWaitE2e001-ask\\?signature=[0-9a-f]{64}$`));

		const page = await open(link);
		expect(page.status).toBe(200);
		expect(page.type).toMatch(/^text\/html/);
		expect(page.html).toContain(`<p class="question">${QUESTION}</p>`);
		expect(page.html).toContain('<button type="submit" class="approve">Approve</button>');
		expect(page.html).toContain('<button type="submit" class="decline">Decline</button>');
		expect(page.html).not.toMatch(/<script|https?:\/\/(?!localhost)/);

		const tampered = link.replace(/signature=(.)/, (_, c) => `signature=${c === 'a' ? 'b' : 'a'}`);
		for (const wrong of [tampered, link.replace(/\?signature=.*$/, '')]) {
			expect((await open(wrong)).status).toBe(401);
			expect((await answer(wrong, { approved: 'true' })).status).toBe(401);
		}
		expect((await execution(executionId)).status).toBe('waiting');

		const recorded = await answer(link, { approved: 'true' });
		expect(recorded.status).toBe(200);
		expect(recorded.html).toContain('Your answer was recorded');
		const ex = await finished(executionId);
		expect(ex.status).toBe('success');
		const [message] = (await ctx.sandbox.messages()).filter((m) => m.message === body.message);
		const output = {
			data: { approved: true },
			sms: { message_id: message.message_id, recipients: ['+255712345678'], encoding: 'GSM-7', segments: 2, total_segments: 2 },
		};
		expect(askItems(ex)).toEqual([output]);
		expect(nextItems(ex)).toEqual([output]);
	});

	test('Decline: approved false', async () => {
		const { link, executionId } = await ask(workflows.approve);
		expect((await answer(link, { approved: 'false' })).status).toBe(200);
		const ex = await finished(executionId);
		expect(askItems(ex)).toEqual([expect.objectContaining({ data: { approved: false } })]);
	});

	test('free text: the question is shown escaped, the answer comes out as typed (Swahili, <script> and all)', async () => {
		const { body, link, executionId } = await ask(workflows.freeText);
		expect(body.message).toBe(`${SWAHILI}\n${link}`);
		const page = await open(link);
		expect(page.html).toContain(
			'<p class="question">Mteja anauliza: &#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#34;bei&#34; ni ngapi?</p>',
		);
		expect(page.html).toContain('<textarea id="text" name="text" rows="4" maxlength="1000" required></textarea>');
		expect(page.html).not.toContain('<script>');

		const empty = await answer(link, { text: '   ' });
		expect(empty.status).toBe(400);
		expect(empty.html).toContain('Write your answer in the box');
		expect((await execution(executionId)).status).toBe('waiting');

		const text = 'Sawa, endelea — lakini <script>alert(1)</script> & bei ni TZS 5,000.';
		expect((await answer(link, { text })).status).toBe(200);
		const ex = await finished(executionId);
		expect(askItems(ex)).toEqual([expect.objectContaining({ data: { text } })]);
	});

	test('two recipients, one SMS each, answering at the same moment: one answer wins, the other changes nothing', async () => {
		const { body, link, executionId } = await ask(workflows.two);
		expect(body.recipients).toEqual(['+255712345678', '+255713000111']);
		const answers = await Promise.all([answer(link, { approved: 'false' }), answer(link, { approved: 'true' })]);
		const recorded = answers.map((page) => page.html.includes('Your answer was recorded'));
		expect(recorded.filter(Boolean)).toHaveLength(1);
		// The other finds the answer given (the node's own page), or the execution resumed already (n8n's).
		expect(answers[recorded.indexOf(false)].html).toMatch(/Already answered|No action required|is running already/);
		const ex = await finished(executionId);
		const winner = { data: { approved: recorded[1] }, sms: expect.objectContaining({ total_segments: 4 }) };
		expect(askItems(ex)).toEqual([winner]);

		// Later answers and visits meet n8n's own page for an execution that no longer waits.
		for (const later of [await answer(link, { approved: String(!recorded[1]) }), await open(link)]) {
			expect(later.status).toBe(200);
			expect(later.html).toContain('<h1>No action required</h1>');
		}
		const after = await execution(executionId);
		expect(after.stoppedAt).toBe(ex.stoppedAt);
		expect(askItems(after)).toEqual([winner]);
	});

	test('n8n restarted while two executions wait: one answered after the restart, one resumed by its wait limit', async () => {
		const answered = await ask(workflows.approve);
		const limited = await ask(workflows.limited);
		await restartN8n(ctx);

		expect((await answer(answered.link, { approved: 'true' })).status).toBe(200);
		const ex = await finished(answered.executionId);
		expect(askItems(ex)).toEqual([expect.objectContaining({ data: { approved: true }, sms: expect.objectContaining({ recipients: ['+255712345678'] }) })]);

		// The limit passed without an answer: the node passes its input on, as n8n's own Send and Wait nodes do.
		const timedOut = await finished(limited.executionId);
		expect(timedOut.status).toBe('success');
		expect(askItems(timedOut)).toEqual([{}]);
		expect(nextItems(timedOut)).toEqual([{}]);
	}, 150000);

	test('example 09: a large order asks the owner; Approve confirms the order to the customer', async () => {
		const { body, link, executionId } = await ask({ id: IDS.approveOrder });
		expect(body).toEqual({
			message: `Order #1024 from Mama Asha is TZS 2,500,000. Approve it?\n${link}`,
			recipients: ['+255712345678'],
			sender_id: 'MIFUMO',
		});
		await ctx.sandbox.clearRequests();
		expect((await answer(link, { approved: 'true' })).status).toBe(200);
		const ex = await finished(executionId, 'Confirm to the customer');
		expect(ex.status).toBe('success');
		const sends = await apiRequests(ctx.sandbox, { method: 'POST', path: SEND_PATH });
		expect(sends.map((request) => request.body)).toEqual([
			{ message: 'Habari Mama Asha, your order #1024 is confirmed. Asante!', recipients: ['+255713000111'], sender_id: 'MIFUMO' },
		]);
		expect(local.nodeItems(ex.data, 'Tell the customer')).toBeUndefined();
	});
});
