/**
 * The pace in n8n's queue Redis (a real redis-server on loopback): two workers' paces of one
 * account hand out one stream of slots, share a rate-limit pause, and each paces itself while
 * Redis does not answer, then shares again once it does.
 */
import { Redis } from 'ioredis';

import { closeClusterConnections, ClusterPace } from '../../nodes/Mifumo/transport/clusterPace';
import { accountId, AccountPace, smsIntervalMs } from '../../nodes/Mifumo/transport/pace';
import { queueRedisSettings, type QueueRedisSettings } from '../../nodes/Mifumo/transport/queueRedis';
import { startRedisServer, type RedisServer } from '../helpers/redis';

const API_KEY = 'mifumo-live-key-0123456789';
const ACCOUNT = accountId('https://mifumo.example', API_KEY);
const MESSAGES_PER_MINUTE = 600;

let redis: RedisServer;
let settings: QueueRedisSettings;

beforeAll(async () => {
	redis = await startRedisServer();
	settings = queueRedisSettings({ EXECUTIONS_MODE: 'queue', QUEUE_BULL_REDIS_HOST: '127.0.0.1', QUEUE_BULL_REDIS_PORT: String(redis.port) })!;
});
beforeEach(() => redis.cli('FLUSHALL'));
afterAll(async () => {
	closeClusterConnections();
	await redis?.stop();
});

/** Two workers: each its own process-local pace, the same Redis. */
const twoWorkers = () => [new ClusterPace(settings, ACCOUNT, new AccountPace()), new ClusterPace(settings, ACCOUNT, new AccountPace())];

test('two workers asking at once get one stream of slots, one interval apart, under a key that names no API key', async () => {
	const workers = twoWorkers();
	const interval = smsIntervalMs(MESSAGES_PER_MINUTE);
	const startedAt = Date.now();
	const turns = await Promise.all(
		Array.from({ length: 30 }, async (_, index) => {
			const readiness = await workers[index % 2].ready(1, MESSAGES_PER_MINUTE, 10_000, true);
			return { at: Date.now() - startedAt, readiness };
		}),
	);
	expect(turns.map((turn) => turn.readiness)).toEqual(Array(30).fill({ pausedMs: 0 }));
	const times = turns.map((turn) => turn.at).sort((a, b) => a - b);
	// A late wake-up (a busy machine) moves one turn, not the stream: CI once measured the first turn 26 ms late.
	const LATE_MS = 150;
	// Alone, each worker would have sent its 15 in 15 intervals; shared, the 30 take 29.
	expect(times[29] - times[0]).toBeGreaterThanOrEqual(29 * interval - LATE_MS);
	for (let index = 4; index < times.length; index++) expect(times[index] - times[index - 4]).toBeGreaterThanOrEqual(4 * interval - LATE_MS);

	expect(redis.cli('KEYS', '*')).toBe(`bull:n8n-nodes-mifumo:pace:${ACCOUNT}`);
	expect(redis.cli('HGETALL', `bull:n8n-nodes-mifumo:pace:${ACCOUNT}`)).not.toContain(API_KEY);
	expect(Number(redis.cli('PTTL', `bull:n8n-nodes-mifumo:pace:${ACCOUNT}`))).toBeGreaterThan(14 * 60_000);
});

test("a pause one worker announces holds the other's requests; one that allows less than is left fails at once", async () => {
	const [first, second] = twoWorkers();
	await first.pauseAll(1500);

	const held = await second.ready(1, MESSAGES_PER_MINUTE, 500, true);
	expect(held.held?.askedMs).toBe(1500);
	expect(held.held?.leftMs).toBeGreaterThan(1300);
	expect(held.held?.leftMs).toBeLessThanOrEqual(1500);

	const startedAt = Date.now();
	const waited = await second.ready(0, 0, 5000, true);
	expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1300);
	expect(waited.pausedMs).toBeGreaterThan(1300);
	expect(waited.held).toBeUndefined();
});

test('a pause announced while turns wait moves every waiting turn on by the pause, keeping their spacing', async () => {
	const [first, second] = twoWorkers();
	const interval = smsIntervalMs(MESSAGES_PER_MINUTE);
	const startedAt = Date.now();
	const turns = Array.from({ length: 10 }, async () => {
		const readiness = await first.ready(1, MESSAGES_PER_MINUTE, 10_000, true);
		return { at: Date.now() - startedAt, readiness };
	});
	await new Promise((resolve) => setTimeout(resolve, 250));
	const pausedAt = Date.now() - startedAt;
	await second.pauseAll(1000);
	const done = await Promise.all(turns);

	const times = done.map((turn) => turn.at).sort((a, b) => a - b);
	// None went out during the pause; those after it kept one interval between them.
	expect(times.filter((at) => at > pausedAt + 20 && at < pausedAt + 980)).toEqual([]);
	const after = times.filter((at) => at >= pausedAt + 980);
	expect(after.length).toBeGreaterThanOrEqual(6);
	expect(after[after.length - 1] - after[0]).toBeGreaterThanOrEqual((after.length - 1) * interval - 150);
	// What the pause added is counted against each item's Max Rate Limit Wait.
	expect(done.filter((turn) => turn.readiness.pausedMs >= 900)).toHaveLength(after.length);
});

test("a worker that reads its turn late (a busy event loop) moves the schedule on: the other worker's next send keeps its distance", async () => {
	const [first, second] = twoWorkers();
	const interval = smsIntervalMs(MESSAGES_PER_MINUTE);
	// Now, then `first` one interval on, then `second` one more.
	expect(await first.ready(1, MESSAGES_PER_MINUTE, 10_000, true)).toEqual({ pausedMs: 0 });
	const late = first.ready(1, MESSAGES_PER_MINUTE, 10_000, true).then(() => Date.now());
	await new Promise((resolve) => setTimeout(resolve, 20));
	// Just after `first` asks Redis whether its turn is due (Redis answers "due" at once), the
	// process is busy for 300 ms: it reads the answer 300 ms late, and `second`'s turn with it.
	const sendCommand = Redis.prototype.sendCommand;
	let busyAfter = 0;
	const spy = jest.spyOn(Redis.prototype, 'sendCommand').mockImplementation(function (this: Redis, command, stream) {
		const sent = sendCommand.call(this, command, stream);
		const { name, args } = command as unknown as { name: string; args: unknown[] };
		if (name.startsWith('eval') && args.length === 5 && Date.now() >= busyAfter && busyAfter) {
			busyAfter = 0;
			const busyUntil = Date.now() + 300;
			while (Date.now() < busyUntil);
		}
		return sent;
	});
	try {
		busyAfter = Date.now() + interval / 2;
		const next = second.ready(1, MESSAGES_PER_MINUTE, 10_000, true).then(() => Date.now());
		const [lateAt, nextAt] = await Promise.all([late, next]);
		expect(busyAfter).toBe(0);
		// Without the schedule moving on, both would go out together, the second inside the
		// server's window: an SMS more than the pace allows, a rate-limit answer.
		expect(nextAt - lateAt).toBeGreaterThanOrEqual(interval / 2 - 10);
	} finally {
		spy.mockRestore();
	}
});

test('Redis stopped mid-run (SIGSTOP): turns go on within a moment, paced by this process, and say why; shared again once it answers', async () => {
	const [worker] = twoWorkers();
	expect(await worker.ready(1, MESSAGES_PER_MINUTE, 10_000, true)).toEqual({ pausedMs: 0 });

	redis.pause();
	try {
		const startedAt = Date.now();
		const alone = await worker.ready(1, MESSAGES_PER_MINUTE, 10_000, true);
		expect(Date.now() - startedAt).toBeLessThan(3000);
		expect(alone.unshared).toBe(`Redis at 127.0.0.1:${redis.port} did not answer (Command timed out)`);
		// The next turns do not wait on Redis again: this process's own pace spaces them.
		const nextAt = Date.now();
		for (let turn = 0; turn < 3; turn++) expect((await worker.ready(1, MESSAGES_PER_MINUTE, 10_000, true)).unshared).toBeDefined();
		const took = Date.now() - nextAt;
		expect(took).toBeGreaterThanOrEqual(2 * smsIntervalMs(MESSAGES_PER_MINUTE) - 10);
		expect(took).toBeLessThan(500);
	} finally {
		redis.resume();
	}

	await new Promise((resolve) => setTimeout(resolve, 1100));
	expect(await worker.ready(1, MESSAGES_PER_MINUTE, 10_000, true)).toEqual({ pausedMs: 0 });
	expect(redis.cli('HEXISTS', `bull:n8n-nodes-mifumo:pace:${ACCOUNT}`, 'total')).toBe('1');
});

test('no Redis at the address: every turn is paced by this process at once, with the reason', async () => {
	const nowhere = queueRedisSettings({ EXECUTIONS_MODE: 'queue', QUEUE_BULL_REDIS_HOST: '127.0.0.1', QUEUE_BULL_REDIS_PORT: '1' })!;
	const worker = new ClusterPace(nowhere, ACCOUNT, new AccountPace());
	const startedAt = Date.now();
	const alone = await worker.ready(1, MESSAGES_PER_MINUTE, 10_000, true);
	expect(Date.now() - startedAt).toBeLessThan(2500);
	expect(alone).toEqual({ pausedMs: 0, unshared: expect.stringMatching(/^Redis at 127\.0\.0\.1:1 did not answer \(.*ECONNREFUSED.*\)$/) });
});

test("n8n's settings: queue mode only, its QUEUE_BULL_REDIS_* names, TLS, cluster nodes and prefix", () => {
	expect(queueRedisSettings({ QUEUE_BULL_REDIS_HOST: 'redis' })).toBeUndefined();
	expect(
		queueRedisSettings({
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '"redis.internal"',
			QUEUE_BULL_REDIS_PORT: '6380',
			QUEUE_BULL_REDIS_DB: '2',
			QUEUE_BULL_REDIS_USERNAME: 'n8n',
			QUEUE_BULL_REDIS_PASSWORD: 'secret',
			QUEUE_BULL_REDIS_TLS: 'true',
			QUEUE_BULL_REDIS_TLS_VALIDATE_CERTIFICATE: 'false',
			QUEUE_BULL_REDIS_DUALSTACK: '1',
			QUEUE_BULL_PREFIX: 'n8nq',
		}),
	).toEqual({
		host: 'redis.internal',
		port: 6380,
		db: 2,
		username: 'n8n',
		password: 'secret',
		clusterNodes: [],
		tls: { servername: undefined, rejectUnauthorized: false },
		family: 0,
		prefix: 'n8nq',
	});
	expect(
		queueRedisSettings({ EXECUTIONS_MODE: 'queue', QUEUE_BULL_REDIS_CLUSTER_NODES: 'r1:7000, r2:7001' })?.clusterNodes,
	).toEqual([
		{ host: 'r1', port: 7000 },
		{ host: 'r2', port: 7001 },
	]);
});
