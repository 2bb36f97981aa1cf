'use strict';
// The package in n8n's queue mode: main + 2 workers + webhook processor, PostgreSQL, Redis.
// Every send is counted at the sandbox: each recipient exactly once (or, after a crash, at most once).

const { spawn } = require('node:child_process');
const { createHash } = require('node:crypto');
const { queueContext, waitFor, postJson, phones, sentRecipients, duplicates, local, queue } = require('./lib/context');
const { IDS, PATHS, RECEIPTS_WEBHOOK_ID, BURST_LIMIT } = require('./lib/workflows');

const ctx = queueContext();
const FINAL = ['success', 'error', 'crashed', 'canceled'];
const figures = {};
const BURST = 100;

function report(name, data) {
	figures[name] = data;
	process.stderr.write(`[e2e-queue] ${name}: ${JSON.stringify(data)}\n`);
}

afterAll(() => {
	process.stderr.write(`[e2e-queue] figures ${JSON.stringify({ setup: ctx.timings, ...figures })}\n`);
});

/** Waits until a workflow has n executions in a final state; resolves them. */
function finishedExecutions(workflowId, n, timeoutMs = 120000) {
	return waitFor(
		() => {
			const list = ctx.executions(workflowId);
			return list.length >= n && list.every((e) => FINAL.includes(e.status)) ? list : null;
		},
		{ what: `${n} finished executions of ${workflowId}`, timeoutMs },
	);
}


const PACED_BURST = 300;
const SEND_PATH = '/api/integration/v1/sms/send/';

/** The burst account's pace key: n8n's queue prefix, then a hash of Base URL and API key. */
function paceKey() {
	const baseUrl = ctx.burstSandboxUrl.replace(/\/+$/, '');
	return `bull:n8n-nodes-mifumo:pace:${createHash('sha256').update(`${baseUrl}\nsandbox-admin-key`).digest('hex')}`;
}

/**
 * Holds the burst account's sends as a rate-limit pause announced by another worker would (a
 * pause of 5 s, renewed every second by a redis-cli loop of its own, so that this busy test
 * process cannot let it lapse), until `release()`. On this 2-core machine n8n takes in and starts
 * about 7–15 executions a second, less than the limit's 16.7 SMS: without the hold the burst would
 * measure n8n, not the pace.
 */
function holdSends() {
	const renew = `local t = redis.call('TIME'); redis.call('HSET', KEYS[1], 'paused', t[1] * 1000 + math.floor(t[2] / 1000) + 5000, 'asked', 5000); return 1`;
	const cli = `${ctx.redisCli} -h 127.0.0.1 -p ${ctx.redisPort} EVAL "${renew}" 1 ${paceKey()} > /dev/null`;
	const loop = spawn('bash', ['-c', `${cli} && echo held && while :; do ${cli}; sleep 1; done`], { stdio: ['ignore', 'pipe', 'inherit'] });
	const held = new Promise((resolve) => loop.stdout.once('data', resolve));
	return { held, release: () => loop.kill('SIGKILL') };
}

/** The sustained rate, first to last acceptance, in SMS per window of the burst sandbox's limit. */
function perWindow(times) {
	return ((times.length - 1) * BURST_LIMIT.windowMs) / (times[times.length - 1] - times[0]);
}

/**
 * `count` single-SMS webhooks at once to the burst workflow (sandbox limit 100 per 6 s, every
 * execution at Messages Per Minute 1,000), their sends held until all are queued and as many as
 * the `workers` can run at once are running; `during()` runs once they are released. Resolves the
 * burst's executions once all are final, with what the sandbox saw.
 */
async function pacedBurst(count, prefix, workers, during) {
	await ctx.burstSandbox.reset({
		balance: 1e9,
		rateLimits: { smsPerMinute: BURST_LIMIT.sms, callsPerHour: null, contactOpsPerHour: null },
		rateWindowMs: { smsPerMinute: BURST_LIMIT.windowMs },
		deliveryDelayMs: null,
	});
	const before = new Set(ctx.executions(IDS.burst).map((execution) => execution.id));
	const numbers = phones(count, prefix);
	const send = (number, index) => postJson(`${ctx.urls.webhook}/webhook/${PATHS.burst}`, { message: `Order ${index} is ready`, recipients: [number] });
	const startedAt = Date.now();
	const hold = holdSends();
	await hold.held;
	let answers;
	let running = 0;
	try {
		// A webhook the processor turned away under the burst is sent again, as a webhook sender would.
		answers = await Promise.all(numbers.map(send));
		for (let round = 0; round < 3 && answers.some((answer) => answer.status !== 200); round++) {
			await new Promise((resolve) => setTimeout(resolve, 1000));
			answers = await Promise.all(answers.map((answer, index) => (answer.status === 200 ? answer : send(numbers[index], index))));
		}
		// Released once every execution is queued and as many run as the workers take at once (or
		// their number stops growing).
		const inFlight = Math.min(count, workers * ctx.concurrency);
		let steadySince = Date.now();
		await waitFor(
			() => {
				const mine = ctx.executions(IDS.burst).filter((execution) => !before.has(execution.id));
				const now = mine.filter((execution) => execution.status === 'running').length;
				if (now !== running) [running, steadySince] = [now, Date.now()];
				return mine.length >= count && (running >= inFlight || (running > 0 && Date.now() - steadySince > 5000));
			},
			{ what: `${count} executions queued, ${inFlight} running`, intervalMs: 250, timeoutMs: 120000 },
		);
		// The last ones started reach their turn in the pace.
		await new Promise((resolve) => setTimeout(resolve, 2000));
	} finally {
		hold.release();
	}
	const queuedMs = Date.now() - startedAt;
	expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
	expect((await ctx.burstSandbox.stats()).sendsAccepted).toBe(0);
	const duringResult = during ? await during() : undefined;
	const executions = await waitFor(
		() => {
			const mine = ctx.executions(IDS.burst).filter((execution) => !before.has(execution.id));
			return mine.length >= count && mine.every((execution) => FINAL.includes(execution.status)) ? mine : null;
		},
		{ what: `${count} finished burst executions`, timeoutMs: 240000, intervalMs: 1000 },
	);
	const stats = await ctx.burstSandbox.stats();
	const sent = await sentRecipients(ctx.burstSandbox);
	return { numbers, executions, stats, sent, queuedMs, runningAtRelease: running, elapsedMs: Date.now() - startedAt, during: duringResult };
}

/**
 * The shared pace worked: every SMS once, few rate-limit answers, the limit used over the whole
 * burst. The rate over the sends of the executions already running at the release is printed
 * beside it: those started later arrive as fast as n8n starts them.
 */
function expectOnePace({ numbers, executions, stats, sent, runningAtRelease }) {
	expect(ctx.failures(executions)).toEqual([]);
	expect(duplicates(sent)).toEqual([]);
	expect(sent).toHaveLength(numbers.length);
	expect(new Set(sent)).toEqual(new Set(numbers));
	const rate = perWindow(stats.acceptedSendTimes);
	const whileWaiting = perWindow(stats.acceptedSendTimes.slice(0, runningAtRelease));
	process.stderr.write(
		`[e2e-queue] paced burst at the sandbox: ${JSON.stringify({ smsPerWindow: Number(rate.toFixed(1)), runningAtRelease, ofThoseRunning: Number(whileWaiting.toFixed(1)), rateLimited: stats.rateLimited, sent: sent.length })}\n`,
	);
	expect(stats.rateLimited).toBeLessThanOrEqual(3);
	expect(rate).toBeGreaterThanOrEqual(0.95 * BURST_LIMIT.sms);
	expect(rate).toBeLessThanOrEqual(BURST_LIMIT.sms * 1.01);
	return rate;
}

// Send once (Options → Repeat Window) across workers: n8n 2.x starts a queued execution without
// the workflow's static data, so the record the workers share is kept in the queue's Redis. The
// same order webhook delivered twice, one second apart and at the same moment: one SMS each time,
// whichever workers ran the two. Before the worker kill below, so that both workers are alive.
describe('send once in queue mode: the same webhook twice over two workers', () => {
	const { CREDENTIAL } = require('./lib/workflows');
	const path = `send-once-queue-${Date.now()}`;
	let workflowId;

	beforeAll(async () => {
		const rest = await ctx.rest();
		const nodes = [
			{ id: 'so-webhook', name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: `${path}-id`, parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} } },
			{
				id: 'so-send',
				name: 'Send',
				type: 'n8n-nodes-mifumo.mifumo',
				typeVersion: 1,
				position: [300, 0],
				credentials: { mifumoApi: CREDENTIAL },
				parameters: {
					resource: 'sms',
					operation: 'send',
					message: '={{ $json.body.text }}',
					recipients: '={{ $json.body.phone }}',
					options: { messagesPerMinute: 0, repeatWindowHours: 24, idempotencyKey: '={{ $json.body.order_id }}' },
				},
			},
		];
		const connections = { Webhook: { main: [[{ node: 'Send', type: 'main', index: 0 }]] } };
		const workflow = await rest.ok('POST', '/rest/workflows', { name: 'Send once (queue)', nodes, connections, settings: { executionOrder: 'v1' } });
		await rest.ok('POST', `/rest/workflows/${workflow.id}/activate`, { versionId: workflow.versionId });
		workflowId = workflow.id;
		await new Promise((res) => setTimeout(res, 3000));
	});
	afterAll(async () => {
		const rest = await ctx.rest();
		await rest.request('POST', `/rest/workflows/${workflowId}/deactivate`, {});
	});

	const order = (id) => ({ order_id: id, phone: '+255712345678', text: `Oda yako ${id} imethibitishwa.` });
	const workerOf = (executionId) => ctx.startedBy().findIndex((ids) => ids.includes(executionId));

	test('one second apart, 4 times: one SMS each time, on one worker or two', async () => {
		const pairs = [];
		for (let round = 0; round < 4; round++) {
			await ctx.sandbox.reset();
			const before = ctx.executions(workflowId).length;
			expect((await postJson(`${ctx.urls.webhook}/webhook/${path}`, order(`Q-1-${round}`))).status).toBe(200);
			await finishedExecutions(workflowId, before + 1);
			await new Promise((res) => setTimeout(res, 1000));
			expect((await postJson(`${ctx.urls.webhook}/webhook/${path}`, order(`Q-1-${round}`))).status).toBe(200);
			const execs = (await finishedExecutions(workflowId, before + 2)).slice(-2);
			const sms = (await sentRecipients(ctx.sandbox)).length;
			const workers = execs.map((e) => workerOf(e.id));
			pairs.push({ sms, workers });
			expect(sms).toBe(1);
		}
		report('sendOnceApart', pairs);
	});

	test('at the same moment, 5 times: one SMS each time (the second finds the first one\'s claim in Redis)', async () => {
		const pairs = [];
		for (let round = 0; round < 5; round++) {
			await ctx.sandbox.reset();
			const before = ctx.executions(workflowId).length;
			const answers = await Promise.all([0, 1].map(() => postJson(`${ctx.urls.webhook}/webhook/${path}`, order(`Q-2-${round}`))));
			expect(answers.map((a) => a.status)).toEqual([200, 200]);
			const execs = (await finishedExecutions(workflowId, before + 2)).slice(-2);
			const sms = (await sentRecipients(ctx.sandbox)).length;
			const workers = execs.map((e) => workerOf(e.id));
			pairs.push({ sms, workers });
			expect(sms).toBe(1);
		}
		report('sendOnceSameMoment', pairs);
	});
});

describe('n8n queue mode (2 workers, webhook processor, PostgreSQL, Redis)', () => {
	test('1,000 recipients in 10 executions of 100 through the queue: each sent exactly once, on both workers', async () => {
		await ctx.sandbox.reset();
		const numbers = phones(1000, '71');
		const t0 = Date.now();
		const answers = await Promise.all(
			Array.from({ length: 10 }, (_, b) =>
				postJson(`${ctx.urls.webhook}/webhook/${PATHS.bulk}`, { message: `Habari, batch ${b + 1}`, recipients: numbers.slice(b * 100, b * 100 + 100) }),
			),
		);
		const accepted = Date.now() - t0;
		expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));

		const execs = await finishedExecutions(IDS.bulk, 10);
		const elapsed = Date.now() - t0;
		expect(execs).toHaveLength(10);
		expect(execs.map((e) => e.status)).toEqual(Array(10).fill('success'));

		// at the sandbox: every recipient once, nothing else
		const sent = await sentRecipients(ctx.sandbox);
		expect(duplicates(sent)).toEqual([]);
		expect(sent).toHaveLength(1000);
		expect(new Set(sent)).toEqual(new Set(numbers));
		const sends = (await ctx.sandbox.requests()).filter((r) => r.path === '/api/integration/v1/sms/send/');
		expect(sends).toHaveLength(40); // 10 executions × 4 requests of 25
		expect(sends.every((r) => r.status === 200)).toBe(true);

		// n8n's own record: each execution output 4 send results covering its 100 recipients
		const rest = await ctx.rest();
		let inOutputs = 0;
		for (const e of execs) {
			const ex = await rest.execution(e.id);
			const items = local.nodeItems(ex.data, 'Send SMS');
			expect(items).toHaveLength(4);
			inOutputs += items.reduce((n, i) => n + i.recipients.length, 0);
		}
		expect(inOutputs).toBe(1000);

		// which worker ran which execution (each in exactly one worker's log), both busy
		const started = ctx.startedBy();
		const perWorker = started.map((ids) => execs.filter((e) => ids.includes(e.id)).length);
		for (const e of execs) expect(started.filter((ids) => ids.includes(e.id))).toHaveLength(1);
		expect(perWorker.reduce((a, b) => a + b, 0)).toBe(10);
		expect(perWorker.every((n) => n >= 1)).toBe(true);

		report('bulk', { recipients: 1000, executions: 10, perWorker, webhooksAcceptedMs: accepted, allFinishedMs: elapsed, smsPerSecond: Math.round(1000 / (elapsed / 1000)) });
	});

	test('200 concurrent delivery webhooks through the webhook processor start 200 executions, none lost', async () => {
		const url = `${ctx.urls.webhook}/webhook/${RECEIPTS_WEBHOOK_ID}/webhook`;
		const ids = Array.from({ length: 200 }, (_, i) => `queue-receipt-${String(i).padStart(4, '0')}`);
		const before = ctx.executions(IDS.receipts).length;
		expect(before).toBe(0);
		const send = (message_id, i) =>
			postJson(
				url,
				{ message_id, status: 'delivered', recipients: [{ phone: phones(1, '78', i)[0], status: 'delivered', delivery_time: new Date().toISOString() }], metadata: { i } },
				{ authorization: 'Bearer sandbox-admin-key' },
			);
		const t0 = Date.now();
		// all 200 at once; a sender that gets an error answer sends again (as a webhook sender should)
		let answers = await Promise.all(ids.map(send));
		const firstTry = answers.map((a) => a.status);
		const accepted = Date.now() - t0;
		for (let round = 0; round < 3 && answers.some((a) => a.status !== 200); round++) {
			await new Promise((r) => setTimeout(r, 1000));
			answers = await Promise.all(answers.map((a, i) => (a.status === 200 ? a : send(ids[i], i))));
		}
		expect(answers.filter((a) => a.status !== 200)).toEqual([]);
		const rejected = firstTry.filter((s) => s !== 200);

		const execs = await finishedExecutions(IDS.receipts, 200, 150000);
		const elapsed = Date.now() - t0;
		expect(execs).toHaveLength(200);
		expect(ctx.failures(execs)).toEqual([]);

		// each webhook's payload in exactly one execution (PostgreSQL: the stored run data)
		const rows = ctx.sql(
			`select e.id, d.data from execution_entity e join execution_data d on d."executionId" = e.id where e."workflowId" = '${IDS.receipts}'`,
		);
		expect(rows).toHaveLength(200);
		const seen = rows.map(([, data]) => [...new Set(data.match(/queue-receipt-\d{4}/g) || [])]);
		expect(seen.every((s) => s.length === 1)).toBe(true);
		expect(new Set(seen.flat())).toEqual(new Set(ids));

		// the public REST API (API key) counts the same
		const viaApi = await ctx.publicExecutions(IDS.receipts);
		expect(viaApi).toHaveLength(200);
		expect(viaApi.every((e) => e.status === 'success' && e.mode === 'webhook')).toBe(true);

		const started = ctx.startedBy();
		const perWorker = started.map((list) => execs.filter((e) => list.includes(e.id)).length);
		expect(perWorker.reduce((a, b) => a + b, 0)).toBe(200);
		report('webhooks', { webhooks: 200, firstTryRejected: rejected.length, rejectedStatuses: [...new Set(rejected)], executions: execs.length, perWorker, allAnsweredMs: accepted, allFinishedMs: elapsed, executionsPerSecond: Math.round(200 / (elapsed / 1000)) });
	});

	// Before the kill below: each worker is its own process with its own pace, and both must be alive.
	test(`${BURST} single-SMS webhooks at once through the queue: each SMS once, none lost, on both workers`, async () => {
		await ctx.sandbox.reset();
		const before = new Set(ctx.executions(IDS.bulk).map((execution) => execution.id));
		const numbers = phones(BURST, '74');
		const answers = await Promise.all(
			numbers.map((number, index) => postJson(`${ctx.urls.webhook}/webhook/${PATHS.bulk}`, { message: `Order ${index} is ready`, recipients: [number] })),
		);
		expect(answers.map((answer) => answer.status)).toEqual(Array(BURST).fill(200));

		const execs = await waitFor(
			() => {
				const mine = ctx.executions(IDS.bulk).filter((execution) => !before.has(execution.id));
				return mine.length >= BURST && mine.every((execution) => FINAL.includes(execution.status)) ? mine : null;
			},
			{ what: `${BURST} finished executions`, timeoutMs: 150000 },
		);
		expect(execs).toHaveLength(BURST);
		expect(ctx.failures(execs)).toEqual([]);

		const sent = await sentRecipients(ctx.sandbox);
		expect(duplicates(sent)).toEqual([]);
		expect(new Set(sent)).toEqual(new Set(numbers));
		expect(sent).toHaveLength(BURST);
		// Each text went to its own number.
		const byNumber = new Map((await ctx.sandbox.messages()).map((message) => [message.recipients[0], message.message]));
		expect(numbers.every((number, index) => byNumber.get(number) === `Order ${index} is ready`)).toBe(true);

		const perWorker = ctx.startedBy().map((ids) => execs.filter((execution) => ids.includes(execution.id)).length);
		expect(perWorker.reduce((a, b) => a + b, 0)).toBe(BURST);
		expect(perWorker.every((count) => count >= 1)).toBe(true);
		process.stderr.write(`[e2e-queue] burst: ${JSON.stringify({ executions: BURST, perWorker })}\n`);
	});

	test(`${PACED_BURST} single-SMS executions at once over 2 workers share one pace in the queue Redis: none failed or doubled, ≤ 3 rate-limit answers, ≥ 95 % of the limit used`, async () => {
		const burst = await pacedBurst(PACED_BURST, '77', 2);
		const rate = expectOnePace(burst);
		const perWorker = ctx.startedBy().map((ids) => burst.executions.filter((execution) => ids.includes(execution.id)).length);
		expect(perWorker.reduce((a, b) => a + b, 0)).toBe(PACED_BURST);
		expect(perWorker.every((count) => count >= 1)).toBe(true);
		// One pace key for the account, under n8n's queue prefix, naming no API key.
		const keys = ctx.redis('KEYS', 'bull:n8n-nodes-mifumo:pace:*').split('\n');
		expect(keys).toHaveLength(1);
		expect(keys[0]).toMatch(/^bull:n8n-nodes-mifumo:pace:[0-9a-f]{64}$/);
		report('pacedBurst2Workers', { executions: PACED_BURST, perWorker, smsPerWindow: Number(rate.toFixed(1)), limit: BURST_LIMIT.sms, rateLimited: burst.stats.rateLimited, queuedMs: burst.queuedMs, runningAtRelease: burst.runningAtRelease, allFinishedMs: burst.elapsedMs });
	});

	test(`the same ${PACED_BURST} over 3 workers: one pace still`, async () => {
		const third = await queue.startWorker({ name: 'worker2', userFolder: ctx.userFolder, logDir: ctx.logDir, pgPort: ctx.pg.port, redisPort: ctx.redisPort, concurrency: ctx.concurrency });
		try {
			const burst = await pacedBurst(PACED_BURST, '79', 3);
			const rate = expectOnePace(burst);
			const logs = [...ctx.startedBy(), queue.executionsStartedIn(third.log())];
			const perWorker = logs.map((ids) => burst.executions.filter((execution) => ids.includes(execution.id)).length);
			expect(perWorker.reduce((a, b) => a + b, 0)).toBe(PACED_BURST);
			expect(perWorker.every((count) => count >= 1)).toBe(true);
			report('pacedBurst3Workers', { executions: PACED_BURST, perWorker, smsPerWindow: Number(rate.toFixed(1)), limit: BURST_LIMIT.sms, rateLimited: burst.stats.rateLimited, queuedMs: burst.queuedMs, runningAtRelease: burst.runningAtRelease, allFinishedMs: burst.elapsedMs });
		} finally {
			await third.stop(8000);
		}
	});

	test(`Redis stopped (SIGSTOP) for 10 s in the middle of ${PACED_BURST}: no SMS lost or doubled among the executions n8n completes, and one pace again afterwards`, async () => {
		const STOP_MS = 10000;
		const burst = await pacedBurst(PACED_BURST, '73', 2, async () => {
			await waitFor(async () => (await ctx.burstSandbox.stats()).sendsAccepted >= 100, { what: '100 SMS accepted', intervalMs: 100, timeoutMs: 60000 });
			process.kill(ctx.redisPid, 'SIGSTOP');
			const stoppedAt = Date.now();
			try {
				await new Promise((resolve) => setTimeout(resolve, STOP_MS));
			} finally {
				process.kill(ctx.redisPid, 'SIGCONT');
			}
			return { stoppedAt, resumedAt: Date.now() };
		});
		const { stoppedAt, resumedAt } = burst.during;

		// Each execution's own number, from n8n's stored run data; what it says of the pace.
		const rows = ctx.sql(
			`select e.id, e.status, d.data from execution_entity e join execution_data d on d."executionId" = e.id where e."workflowId" = '${IDS.burst}'`,
		);
		const mine = rows.filter(([id]) => burst.executions.some((execution) => execution.id === id));
		expect(mine).toHaveLength(PACED_BURST);
		const numberOf = ([, , data]) => data.match(/\+25573\d{7}/)[0];
		const completed = mine.filter(([, status]) => status === 'success');
		const sentOnce = new Set(burst.sent);
		expect(duplicates(burst.sent)).toEqual([]);
		expect(burst.sent.every((number) => burst.numbers.includes(number))).toBe(true);
		expect(completed.map(numberOf).filter((number) => !sentOnce.has(number))).toEqual([]);
		// The sends that went out while Redis was stopped were paced by their worker alone, and said so.
		const toldAlone = mine.filter(([, , data]) => data.includes("The pace shared by n8n's queue-mode workers could not be used")).length;

		// One pace again: 40 more executions once it is back each take their turn in Redis (the
		// account's schedule grows by 40 intervals), and none says it paced alone.
		const totalBefore = Number(ctx.redis('HGET', paceKey(), 'total'));
		const more = phones(40, '72');
		const beforeMore = new Set(ctx.executions(IDS.burst).map((execution) => execution.id));
		const answers = await Promise.all(more.map((number, index) => postJson(`${ctx.urls.webhook}/webhook/${PATHS.burst}`, { message: `Order ${index} is ready`, recipients: [number] })));
		expect(answers.map((answer) => answer.status)).toEqual(Array(40).fill(200));
		const after = await waitFor(
			() => {
				const mine = ctx.executions(IDS.burst).filter((execution) => !beforeMore.has(execution.id));
				return mine.length >= 40 && mine.every((execution) => FINAL.includes(execution.status)) ? mine : null;
			},
			{ what: '40 more finished executions', timeoutMs: 60000 },
		);
		expect(ctx.failures(after)).toEqual([]);
		const interval = (60000 / BURST_LIMIT.messagesPerMinute) * 1.02;
		const grown = Number(ctx.redis('HGET', paceKey(), 'total')) - totalBefore;
		expect(grown).toBeGreaterThanOrEqual(40 * interval - 1);
		const afterIds = after.map((execution) => `'${execution.id}'`).join(',');
		const toldAloneAfter = ctx.sql(`select count(*) from execution_data where "executionId" in (${afterIds}) and data like '%could not be used%'`)[0][0];
		expect(toldAloneAfter).toBe('0');
		const sentAfter = await sentRecipients(ctx.burstSandbox);
		expect(duplicates(sentAfter)).toEqual([]);
		expect(more.every((number) => sentAfter.includes(number))).toBe(true);
		const lateRefusals = (await ctx.burstSandbox.requests()).filter((request) => request.path === SEND_PATH && request.status === 429 && request.at > resumedAt + 3000).length;
		report('pacedBurstRedisStopped', {
			executions: PACED_BURST,
			redisStoppedMs: resumedAt - stoppedAt,
			completed: completed.length,
			notCompleted: PACED_BURST - completed.length,
			sent: burst.sent.length,
			duplicates: 0,
			toldPacedAlone: toldAlone,
			rateLimited: burst.stats.rateLimited,
			rateLimitedFrom3sAfterResume: lateRefusals,
			afterResume: { executions: 40, ticketsInRedis: Math.round(grown / interval), toldPacedAlone: Number(toldAloneAfter) },
			queuedMs: burst.queuedMs,
			runningAtRelease: burst.runningAtRelease,
			allFinishedMs: burst.elapsedMs,
		});
	});

	test('a worker killed mid-send: nothing sent twice, nothing resent; n8n fails the execution and never retries it', async () => {
		await ctx.sandbox.reset();
		const numbers = phones(40, '75');
		const r = await postJson(`${ctx.urls.webhook}/webhook/${PATHS.paced}`, { message: 'Taarifa: paced send', recipients: numbers });
		expect(r.status).toBe(200);

		const exec = await waitFor(() => ctx.executions(IDS.paced).find((e) => e.status === 'running'), { what: 'the paced execution running' });
		const victim = await waitFor(() => {
			const i = ctx.startedBy().findIndex((ids) => ids.includes(exec.id));
			return i >= 0 ? i + 1 : 0;
		}, { what: 'a worker log naming the execution' }) - 1;
		const survivor = 1 - victim;
		await waitFor(async () => (await sentRecipients(ctx.sandbox)).length >= 8, { what: '8 SMS sent', intervalMs: 100, timeoutMs: 30000 });

		// SIGKILL the worker's whole process group (the worker and its task runner): a crashed machine
		process.kill(-ctx.workers[victim].pid, 'SIGKILL');
		const killedAt = Date.now();
		const atKill = (await sentRecipients(ctx.sandbox)).length;
		await waitFor(
			() => {
				try {
					process.kill(ctx.workers[victim].pid, 0);
					return false;
				} catch {
					return true;
				}
			},
			{ what: 'the killed worker gone', intervalMs: 100 },
		);

		// Bull: the job's lock expires, the surviving worker's stalled check fails it (n8n creates its
		// queue with maxStalledCount 0: a stalled job is failed, never put back in the queue)
		await waitFor(() => ctx.redis('LLEN', 'bull:jobs:active') === '0', { what: 'the stalled job leaving the active list', timeoutMs: 45000 });
		const stalledAfterMs = Date.now() - killedAt;
		// n8n still shows it running: the process that enqueued it (here the webhook processor)
		// rechecks the database for a 30 s grace window (a stall may be a false alarm), then saves
		// it as failed with MaxStalledCountError.
		expect(ctx.executions(IDS.paced)[0].status).toBe('running');
		await waitFor(() => ctx.executions(IDS.paced)[0].status !== 'running', { what: 'the execution leaving "running"', timeoutMs: 60000, intervalMs: 250 });
		const failedAfterMs = Date.now() - killedAt;

		// give anything that would resend the time to do it, then count at the sandbox
		await new Promise((res) => setTimeout(res, 3000));
		const sent = await sentRecipients(ctx.sandbox);
		expect(duplicates(sent)).toEqual([]);
		expect(sent.every((n) => numbers.includes(n))).toBe(true);
		expect(sent.length).toBeGreaterThanOrEqual(atKill);
		expect(sent.length).toBeLessThanOrEqual(atKill + 1); // at most the one request in flight at the kill
		expect(sent.length).toBeLessThan(numbers.length);
		// every send the sandbox confirmed (200) is in its log once
		const sends = (await ctx.sandbox.requests()).filter((q) => q.path === '/api/integration/v1/sms/send/');
		expect(sends.filter((q) => q.status === 200)).toHaveLength(sent.length);
		expect(sends).toHaveLength(sent.length);
		// not retried: still one execution, failed, and no worker started it again
		expect(ctx.executions(IDS.paced)).toEqual([{ id: exec.id, status: 'error' }]);
		expect(ctx.startedBy().flat().filter((id) => id === exec.id)).toHaveLength(1);
		// n8n kept none of the send results: the SMS that went out are only in Mifumo's log
		const rest = await ctx.rest();
		const ex = await rest.execution(exec.id);
		expect(ex.status).toBe('error');
		expect(ex.data.resultData.error.message).toMatch(/failed to be processed too many times and will no longer retry/);
		expect(local.nodeItems(ex.data, 'Send SMS')).toBeUndefined();

		// the surviving worker goes on: a new send runs there and completes
		await ctx.sandbox.reset();
		const more = phones(5, '76');
		const bulkBefore = ctx.executions(IDS.bulk).length;
		expect((await postJson(`${ctx.urls.webhook}/webhook/${PATHS.bulk}`, { message: 'After the crash', recipients: more })).status).toBe(200);
		const bulk = await finishedExecutions(IDS.bulk, bulkBefore + 1, 60000);
		const last = bulk[bulk.length - 1];
		expect(last.status).toBe('success');
		expect(ctx.startedBy()[survivor]).toContain(last.id);
		expect((await sentRecipients(ctx.sandbox)).sort()).toEqual(more);

		report('workerCrash', {
			recipients: numbers.length,
			sentBeforeKill: atKill,
			sentInTotal: sent.length,
			neverSent: numbers.length - sent.length,
			duplicates: 0,
			jobFailedByStalledCheckAfterMs: stalledAfterMs,
			executionFailedAfterMs: failedAfterMs,
			status: 'error',
		});
	});
});
