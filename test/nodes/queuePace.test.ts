/**
 * In queue mode (EXECUTIONS_MODE=queue) the node keeps the account's pace in n8n's queue Redis
 * (a real redis-server on loopback, named by n8n's QUEUE_BULL_REDIS_* settings). When that Redis
 * stops answering, sends go on paced by this process, each once, and the run says so in a hint.
 */
import type { NodeExecutionHint } from 'n8n-workflow';

import { closeClusterConnections } from '../../nodes/Mifumo/transport/clusterPace';
import { accountId } from '../../nodes/Mifumo/transport/pace';
import { useQueueModeRedis } from '../helpers/redis';
import { ADMIN_KEY, burstNumber as phoneOf, burstSend, useSandbox } from '../helpers/sandbox';

const sandbox = useSandbox();
const MESSAGES_PER_MINUTE = 600;
const redis = useQueueModeRedis();

const sendOne = (index: number) => sandbox.run(burstSend(index, MESSAGES_PER_MINUTE));
const hintsOf = (run: Awaited<ReturnType<typeof sendOne>>) =>
	(run.run.data.resultData.runData['Mifumo SMS'][0].hints ?? []) as NodeExecutionHint[];
const paceKey = () => `bull:n8n-nodes-mifumo:pace:${accountId(sandbox.url, ADMIN_KEY)}`;

async function acceptedRecipients(): Promise<string[]> {
	return (await sandbox.control.messages()).flatMap((message) => message.recipients).sort();
}

test('12 executions at once are paced through the queue Redis: each SMS once, one interval apart, no hint', async () => {
	const runs = await Promise.all(Array.from({ length: 12 }, (_, index) => sendOne(index)));
	expect(runs.map((run) => run.error)).toEqual(Array(12).fill(undefined));
	expect(runs.flatMap(hintsOf)).toEqual([]);
	expect(await acceptedRecipients()).toEqual(Array.from({ length: 12 }, (_, index) => phoneOf(index)).sort());

	// One stream at 600 a minute (102 ms apart with head-room): a late wake-up moves one send, not the
	// stream. How late one can arrive is the machine's: CI once measured 152 ms on 2 busy cores.
	const times = (await sandbox.control.stats()).acceptedSendTimes;
	const LATE_MS = 250;
	expect(times[11] - times[0]).toBeGreaterThanOrEqual(11 * 102 - LATE_MS);
	for (let index = 4; index < times.length; index++) expect(times[index] - times[index - 4]).toBeGreaterThanOrEqual(4 * 102 - LATE_MS);
	expect(redis.cli('KEYS', '*')).toBe(paceKey());
	expect(Number(redis.cli('HGET', paceKey(), 'total'))).toBeGreaterThan(0);
});

test('Redis stopped mid-run: the rest are paced by this process, each sent once, and the run says why; then shared again', async () => {
	const first = await sendOne(0);
	expect(first.error).toBeUndefined();
	redis.pause();
	let during: Array<Awaited<ReturnType<typeof sendOne>>>;
	try {
		during = await Promise.all(Array.from({ length: 6 }, (_, index) => sendOne(index + 1)));
	} finally {
		redis.resume();
	}
	expect(during.map((run) => run.error)).toEqual(Array(6).fill(undefined));
	const hint = `The pace shared by n8n's queue-mode workers could not be used: Redis at 127.0.0.1:${redis.port} did not answer (Command timed out). This n8n process paced its SMS to the account by itself, so together with other workers the account may get more than Messages Per Minute; a rate-limit answer is still waited out and the SMS sent once. The shared pace resumes when Redis answers again.`;
	expect(hintsOf(during[0])).toEqual([{ type: 'warning', location: 'outputPane', message: hint }]);
	expect(await acceptedRecipients()).toEqual(Array.from({ length: 7 }, (_, index) => phoneOf(index)).sort());

	await new Promise((resolve) => setTimeout(resolve, 1100));
	const nextBefore = Number(redis.cli('HGET', paceKey(), 'total'));
	const after = await sendOne(7);
	expect(after.error).toBeUndefined();
	expect(hintsOf(after)).toEqual([]);
	expect(Number(redis.cli('HGET', paceKey(), 'total'))).toBeGreaterThan(nextBefore);
	expect(await acceptedRecipients()).toHaveLength(8);
});

test('not in queue mode: Redis is not asked at all', async () => {
	closeClusterConnections();
	delete process.env.EXECUTIONS_MODE;
	const run = await sendOne(0);
	expect(run.error).toBeUndefined();
	expect(redis.cli('KEYS', '*')).toBe('');
	expect(redis.cli('CLIENT', 'LIST')).not.toContain('name=n8n-nodes-mifumo');
});
