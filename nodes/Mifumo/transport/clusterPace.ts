/**
 * The account's pace in n8n's queue Redis, shared by every worker: a send takes a ticket on the
 * account's schedule with one Lua script (GCRA-like: the schedule moves on by the SMS it spends),
 * on Redis's clock, then checks once more with another when it is due. When Redis does not answer
 * within COMMAND_TIMEOUT_MS, this process paces itself (its AccountPace) and asks Redis again a
 * second later. Redis is asked without an offline queue or retries, so no turn is replayed later.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';

import { IDLE_EXPIRY_MS, smsIntervalMs, sleep, type AccountPace, type Pace, type Readiness } from './pace';
import { describeRedis, type QueueRedisSettings } from './queueRedis';

/**
 * A pace call that takes longer than this is given up: the send goes on with this process's pace.
 * Not shorter: a worker running a hundred executions at once can be that late reading the answer.
 */
const COMMAND_TIMEOUT_MS = 2000;
const CONNECT_TIMEOUT_MS = 2000;
/** After Redis failed to answer, this process paces alone this long before asking it again. */
const RETRY_SHARED_MS = 1000;
const RECONNECT_MS = 1000;
/** "Due" answers read too late to trust that are asked again, at most this many times per send. */
const MAX_STALE_ANSWERS = 3;

/** Lua: `now`, Redis's clock in ms, so that every worker's turns (and send-once claims) are measured against one clock. */
export const REDIS_NOW_LUA = `
if redis.replicate_commands then redis.replicate_commands() end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
`;

/*
 * The account's schedule: a send takes a ticket, the point `offset` ms into the schedule, due at
 * `origin + offset`; `total` is where the next ticket goes. A pause moves `origin` on by the time
 * it adds, so every ticket not yet due keeps its place and its spacing, and none falls inside it;
 * `shifted` sums those moves (what the pauses added to a waiting ticket).
 */

/**
 * KEYS[1] the account; ARGV: ms the send spends (SMS × interval), pause the item still allows,
 * idle expiry. → {1, pause left, pause asked} when the pause is longer than allowed, else
 * {0, ticket offset, wait until due, shifted}.
 */
const TAKE_SCRIPT = `${REDIS_NOW_LUA}
local state = redis.call('HMGET', KEYS[1], 'origin', 'total', 'paused', 'asked', 'shifted')
local total = tonumber(state[2]) or 0
local paused = tonumber(state[3]) or 0
if paused - now > tonumber(ARGV[2]) then return {1, tostring(paused - now), tostring(tonumber(state[4]) or 0)} end
local start = math.max(now, paused)
local origin = tonumber(state[1]) or start
-- An idle schedule starts now: time nobody used is not made up by a burst.
if origin + total < start then origin = start - total end
redis.call('HSET', KEYS[1], 'origin', tostring(origin), 'total', tostring(total + tonumber(ARGV[1])))
redis.call('PEXPIRE', KEYS[1], math.ceil(origin + total + tonumber(ARGV[1]) - now + tonumber(ARGV[3])))
return {0, tostring(total), tostring(origin + total - now), tostring(tonumber(state[5]) or 0)}
`;

/**
 * KEYS[1] the account; ARGV: ticket offset, slack. → {wait until due, shifted, pause left, pause
 * asked}. A ticket due more than `slack` (half an interval) ago moves the rest of the schedule on
 * by the excess, as the in-process pace does: a late wake-up (a busy worker) is not made up for by
 * sends closer together than the pace, which the server's window would refuse.
 */
const DUE_SCRIPT = `${REDIS_NOW_LUA}
local state = redis.call('HMGET', KEYS[1], 'origin', 'paused', 'asked', 'shifted')
local origin = tonumber(state[1]) or now
local wait = origin + tonumber(ARGV[1]) - now
local slack = tonumber(ARGV[2])
if wait < -slack then
	origin = origin - wait - slack
	wait = -slack
	redis.call('HSET', KEYS[1], 'origin', tostring(origin))
end
return {tostring(wait), tostring(tonumber(state[4]) or 0), tostring((tonumber(state[2]) or 0) - now), tostring(tonumber(state[3]) or 0)}
`;

/** KEYS[1] the account → {pause left, pause asked}. */
const PAUSE_LEFT_SCRIPT = `${REDIS_NOW_LUA}
local state = redis.call('HMGET', KEYS[1], 'paused', 'asked')
return {tostring((tonumber(state[1]) or 0) - now), tostring(tonumber(state[2]) or 0)}
`;

/**
 * KEYS[1] the account; ARGV: pause asked for, idle expiry. The schedule moves on by what the pause
 * adds to one already in force (a shorter pause adds nothing).
 */
const PAUSE_SCRIPT = `${REDIS_NOW_LUA}
local state = redis.call('HMGET', KEYS[1], 'origin', 'total', 'paused', 'shifted')
local untilMs = now + tonumber(ARGV[1])
local from = math.max(now, tonumber(state[3]) or 0)
if untilMs <= from then return 0 end
local added = untilMs - from
local origin = tonumber(state[1])
if origin then redis.call('HSET', KEYS[1], 'origin', tostring(origin + added)) end
redis.call('HSET', KEYS[1], 'paused', tostring(untilMs), 'asked', ARGV[1], 'shifted', tostring((tonumber(state[4]) or 0) + added))
local ends = math.max(untilMs, (origin or 0) + added + (tonumber(state[2]) or 0))
redis.call('PEXPIRE', KEYS[1], math.ceil(ends - now + tonumber(ARGV[2])))
return 1
`;

/** The scripts' answers: numbers as text, so that fractions of a millisecond are kept. */
type PaceClient = (Redis | Cluster) & {
	mifumoTake(key: string, spendMs: string, allowanceMs: string, expiryMs: string): Promise<[number, string, string, string?]>;
	mifumoDue(key: string, offset: string, slackMs: string): Promise<[string, string, string, string]>;
	mifumoPauseLeft(key: string): Promise<[string, string]>;
	mifumoPause(key: string, ms: string, expiryMs: string): Promise<number>;
};

interface Connection {
	client: PaceClient;
	lastError?: string;
	connected: Promise<void>;
	/** The first connect outlasted its wait: later calls do not wait for it again. */
	gaveUp?: boolean;
}

/** One connection per process and Redis, opened on the first turn. */
const connections = new Map<string, Connection>();

function connect(settings: QueueRedisSettings): Connection {
	const id = JSON.stringify(settings);
	const existing = connections.get(id);
	if (existing) return existing;
	const options: RedisOptions = {
		host: settings.host,
		port: settings.port,
		db: settings.db,
		username: settings.username || undefined,
		password: settings.password || undefined,
		tls: settings.tls,
		family: settings.family,
		connectionName: 'n8n-nodes-mifumo',
		lazyConnect: true,
		// A turn that cannot be asked now is paced here instead (a send checked by this process's record
		// alone): never queued, never sent again later.
		enableOfflineQueue: false,
		maxRetriesPerRequest: 0,
		autoResendUnfulfilledCommands: false,
		commandTimeout: COMMAND_TIMEOUT_MS,
		connectTimeout: CONNECT_TIMEOUT_MS,
		enableReadyCheck: false,
		// Keep reconnecting: the shared pace resumes as soon as Redis is back.
		retryStrategy: () => RECONNECT_MS,
	};
	const client = (
		settings.clusterNodes.length
			? new Cluster(settings.clusterNodes, {
					redisOptions: options,
					lazyConnect: true,
					enableOfflineQueue: false,
					clusterRetryStrategy: () => RECONNECT_MS,
				})
			: new Redis(options)
	) as PaceClient;
	client.defineCommand('mifumoTake', { numberOfKeys: 1, lua: TAKE_SCRIPT });
	client.defineCommand('mifumoDue', { numberOfKeys: 1, lua: DUE_SCRIPT });
	client.defineCommand('mifumoPauseLeft', { numberOfKeys: 1, lua: PAUSE_LEFT_SCRIPT });
	client.defineCommand('mifumoPause', { numberOfKeys: 1, lua: PAUSE_SCRIPT });
	const connection: Connection = { client, connected: client.connect() };
	// ioredis reports every failed reconnect here; the next turn says why in its hint.
	client.on('error', (error: Error) => (connection.lastError = error.message));
	connections.set(id, connection);
	return connection;
}

/** Close every connection to the queue Redis (tests; a process that ends closes them anyway). */
export function closeClusterConnections(): void {
	const all = [...connections.values()];
	connections.clear();
	for (const { client } of all) client.disconnect();
}

/**
 * The process's connection to the queue Redis, once it is ready; throws why it is not. The first
 * call waits for the connection; later ones never wait for a reconnect.
 */
export async function readyClient(settings: QueueRedisSettings): Promise<Redis | Cluster> {
	const connection = connect(settings);
	const isReady = () => connection.client.status === 'ready';
	if (!isReady()) {
		// A Redis that takes the connection but does not answer (stopped, overloaded) would hold the first connect up for good.
		if (!connection.gaveUp) {
			await Promise.race([connection.connected.catch((error: Error) => (connection.lastError ??= error.message)), sleep(COMMAND_TIMEOUT_MS)]);
			if (!isReady()) connection.gaveUp = true;
		}
		if (!isReady()) throw new Error(connection.lastError ?? `no answer within ${COMMAND_TIMEOUT_MS / 1000} s (connection ${connection.client.status})`);
	}
	return connection.client;
}

export class ClusterPace implements Pace {
	private readonly key: string;

	/** Until then this process paces alone (Redis did not answer), and why. */
	private unsharedUntil = 0;
	private unshared = '';

	constructor(
		private readonly settings: QueueRedisSettings,
		accountId: string,
		/** This process's pace of the account: used while Redis does not answer. */
		private readonly local: AccountPace,
	) {
		this.key = `${settings.prefix}:n8n-nodes-mifumo:pace:${accountId}`;
	}

	async ready(smsCount: number, messagesPerMinute: number, pauseAllowanceMs: number, firstAttempt: boolean): Promise<Readiness> {
		const progress = { pausedMs: 0, tookTicket: false };
		const client = await this.client();
		if (client) {
			try {
				// A send takes a ticket on every attempt: after a 429 its earlier one has passed.
				return smsCount > 0 && messagesPerMinute > 0
					? await this.turnShared(client, smsCount, smsIntervalMs(messagesPerMinute), pauseAllowanceMs, progress)
					: await this.pauseShared(client, pauseAllowanceMs, progress);
			} catch (error) {
				this.pauseAlone(error);
			}
		}
		const alone = await this.local.ready(
			smsCount,
			messagesPerMinute,
			pauseAllowanceMs - progress.pausedMs,
			firstAttempt && !progress.tookTicket,
		);
		return { ...alone, pausedMs: alone.pausedMs + progress.pausedMs, unshared: this.unshared };
	}

	private async turnShared(
		client: PaceClient,
		smsCount: number,
		intervalMs: number,
		pauseAllowanceMs: number,
		progress: { pausedMs: number; tookTicket: boolean },
	): Promise<Readiness> {
		for (;;) {
			const allowanceMs = Math.max(0, Math.floor(pauseAllowanceMs - progress.pausedMs));
			const [held, first, second, third] = await client.mifumoTake(
				this.key,
				String(smsCount * intervalMs),
				String(allowanceMs),
				String(IDLE_EXPIRY_MS),
			);
			if (held) {
				await this.mirrorPause(Number(first));
				return { pausedMs: progress.pausedMs, held: { leftMs: Number(first), askedMs: Number(second) } };
			}
			progress.tookTicket = true;
			const offset = first;
			const shiftedAtTake = Number(third);
			const pausedBefore = progress.pausedMs;
			let waitMs = Number(second);
			let staleAnswers = 0;
			for (;;) {
				await sleep(waitMs);
				const askedAt = Date.now();
				const [wait, shifted, pauseLeft, asked] = await client.mifumoDue(this.key, offset, String(intervalMs / 2));
				const answeredLate = Date.now() - askedAt > intervalMs / 2;
				await this.mirrorPause(Number(pauseLeft));
				// What pauses announced since the ticket was taken added to its wait.
				progress.pausedMs = pausedBefore + Math.max(0, Number(shifted) - shiftedAtTake);
				waitMs = Number(wait);
				if (progress.pausedMs > pauseAllowanceMs) {
					return { pausedMs: progress.pausedMs, held: { leftMs: Math.max(waitMs, Number(pauseLeft)), askedMs: Number(asked) } };
				}
				if (waitMs > 0) continue;
				// "Due" read late (a busy worker) is stale: asked again, the schedule moves on by the
				// delay, so that the other workers' next sends do not crowd in behind this late one.
				if (answeredLate && staleAnswers++ < MAX_STALE_ANSWERS) continue;
				if (Number(pauseLeft) <= 0) return { pausedMs: progress.pausedMs };
				// Due just as a pause began: wait it out, then take a new ticket behind it.
				if (Number(pauseLeft) > pauseAllowanceMs - progress.pausedMs) {
					return { pausedMs: progress.pausedMs, held: { leftMs: Number(pauseLeft), askedMs: Number(asked) } };
				}
				await sleep(Number(pauseLeft));
				progress.pausedMs += Number(pauseLeft);
				break;
			}
		}
	}

	private async pauseShared(
		client: PaceClient,
		pauseAllowanceMs: number,
		progress: { pausedMs: number },
	): Promise<Readiness> {
		for (;;) {
			const [left, asked] = (await client.mifumoPauseLeft(this.key)).map(Number);
			await this.mirrorPause(left);
			if (left <= 0) return { pausedMs: progress.pausedMs };
			if (left > pauseAllowanceMs - progress.pausedMs) return { pausedMs: progress.pausedMs, held: { leftMs: left, askedMs: asked } };
			await sleep(left);
			progress.pausedMs += left;
		}
	}

	async pauseAll(ms: number): Promise<void> {
		// Kept here too, for the turns this process may have to pace alone.
		await this.local.pauseAll(ms);
		const client = await this.client();
		if (!client) return;
		try {
			await client.mifumoPause(this.key, String(ms), String(IDLE_EXPIRY_MS));
		} catch (error) {
			this.pauseAlone(error);
		}
	}

	/** A pause another worker announced, kept here too: should Redis stop answering, this process still waits it out. */
	private async mirrorPause(leftMs: number): Promise<void> {
		if (leftMs > 0) await this.local.pauseAll(leftMs);
	}

	/** The connected client, or undefined while this process paces alone. */
	private async client(): Promise<PaceClient | undefined> {
		if (Date.now() < this.unsharedUntil) return undefined;
		try {
			return (await readyClient(this.settings)) as PaceClient;
		} catch (error) {
			this.pauseAlone(error);
			return undefined;
		}
	}

	private pauseAlone(error: unknown): void {
		this.unsharedUntil = Date.now() + RETRY_SHARED_MS;
		this.unshared = `${describeRedis(this.settings)} did not answer (${(error as Error)?.message ?? String(error)})`;
	}
}
