/**
 * One pace per account: 300 executions started at once in one process, each sending one SMS,
 * are paced as one stream. The sandbox runs in a process of its own, as a real server would, so
 * that the times it records are not those of this busy process. It allows 100 SMS per 6 s (its
 * minute scaled down 10×) and every execution's Messages Per Minute is scaled the same way
 * (1,000 = 100 per 6 s).
 */
import { forgetAccountPaces } from '../../nodes/Mifumo/transport/pace';
import { SandboxClient } from '../../sandbox/client';
import { runMifumo } from '../helpers/engine';
import { ADMIN_KEY, burstNumber as phoneOf, burstSend } from '../helpers/sandbox';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startSandboxProcess } = require('../../bench/lib/sandbox-spawn') as {
	startSandboxProcess(): Promise<{ url: string; stop(): void }>;
};

const EXECUTIONS = 300;
const LIMIT = 100;
const WINDOW_MS = 6000;
const MESSAGES_PER_MINUTE = (LIMIT * 60_000) / WINDOW_MS;

let server: { url: string; stop(): void };
let control: SandboxClient;

beforeAll(async () => {
	server = await startSandboxProcess();
	control = new SandboxClient(server.url);
	await control.reset({
		balance: 1_000_000_000,
		rateLimits: { smsPerMinute: LIMIT, callsPerHour: null, contactOpsPerHour: null },
		rateWindowMs: { smsPerMinute: WINDOW_MS },
	});
	forgetAccountPaces();
});
afterAll(() => server?.stop());

test(`${EXECUTIONS} executions at once, one SMS each: none failed or doubled, ≤ 3 rate-limit answers, ≥ 95 % of the limit used`, async () => {
	const runs = await Promise.all(
		Array.from({ length: EXECUTIONS }, (_, index) =>
			runMifumo({
				credentials: { apiKey: ADMIN_KEY, baseUrl: server.url },
				parameters: burstSend(index, MESSAGES_PER_MINUTE),
			}),
		),
	);

	expect(runs.filter((run) => run.error).map((run) => run.error?.message)).toEqual([]);
	runs.forEach((run, index) => {
		expect(run.items).toHaveLength(1);
		expect(run.items[0].json.recipients).toEqual([phoneOf(index)]);
	});

	// Every SMS accepted exactly once, each with its own execution's text.
	const messages = await control.messages();
	expect(messages).toHaveLength(EXECUTIONS);
	expect(new Map(messages.map((message) => [message.recipients[0], message.message]))).toEqual(
		new Map(Array.from({ length: EXECUTIONS }, (_, index) => [phoneOf(index), `Order ${index} is ready`])),
	);

	const stats = await control.stats();
	expect(stats.rateLimited).toBeLessThanOrEqual(3);
	expect(stats.sendsAccepted).toBe(EXECUTIONS);
	// The sustained rate, first to last acceptance, in SMS per window.
	const times = stats.acceptedSendTimes;
	const perWindow = ((times.length - 1) * WINDOW_MS) / (times[times.length - 1] - times[0]);
	console.log(`burst: ${perWindow.toFixed(1)} SMS per window of ${LIMIT}, ${stats.rateLimited} rate-limit answers`);
	expect(perWindow).toBeGreaterThanOrEqual(0.95 * LIMIT);
	expect(perWindow).toBeLessThanOrEqual(LIMIT * 1.01);
}, 60_000);
