'use strict';
// A burst of single-SMS webhook executions across the two workers (each worker is its own process,
// with its own pace): every SMS sent exactly once, every execution a success, both workers busy.

const { queueContext, waitFor, postJson, phones, sentRecipients, duplicates } = require('./lib/context');
const { IDS, PATHS } = require('./lib/workflows');

const ctx = queueContext();
const FINAL = ['success', 'error', 'crashed', 'canceled'];
const BURST = 100;

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
	expect(execs.filter((execution) => execution.status !== 'success')).toEqual([]);

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
