/**
 * The account's pace in n8n's queue Redis, shared by every worker: each turn is one Lua script
 * that reads the account's schedule and reserves the request's slot in one step (GCRA-like: the
 * next free time moves on by the SMS it spends), on Redis's clock. When Redis does not answer
 * within a moment, this process paces itself (its AccountPace) and tries Redis again shortly after.
 * Redis is asked without an offline queue or retries, so no turn is replayed once it is back.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';

import { IDLE_EXPIRY_MS, smsIntervalMs, sleep, type AccountPace, type Pace, type Readiness } from './pace';
import { describeRedis, type QueueRedisSettings } from './queueRedis';

/** A pace call that takes longer than this is given up: the send goes on with this process's pace. */
const COMMAND_TIMEOUT_MS = 500;
const CONNECT_TIMEOUT_MS = 2000;
/** After Redis failed to answer, this process paces alone this long before asking it again. */
const RETRY_SHARED_MS = 1000;
const RECONNECT_MS = 1000;

/** Redis's clock in ms, so that every worker's turns are measured against one clock. */
const NOW = `
if redis.replicate_commands then redis.replicate_commands() end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
`;

/**
 * KEYS[1] the account; ARGV: ms the request spends (SMS × interval), pause the item still allows,
 * idle expiry. → {wait until the slot, pause part of that wait, held 0/1, pause left, pause asked}.
 */
const TURN_SCRIPT = `${NOW}
local state = redis.call('HMGET', KEYS[1], 'next', 'paused', 'asked')
local nextDue = tonumber(state[1]) or 0
local paused = tonumber(state[2]) or 0
local pauseMs = math.max(0, paused - math.max(nextDue, now))
if pauseMs > tonumber(ARGV[2]) then return {0, 0, 1, paused - now, tonumber(state[3]) or 0} end
local at = math.max(nextDue, paused, now)
local after = at + tonumber(ARGV[1])
redis.call('HSET', KEYS[1], 'next', tostring(after))
redis.call('PEXPIRE', KEYS[1], math.ceil(after - now + tonumber(ARGV[3])))
return {at - now, pauseMs, 0, 0, 0}
`;

/** KEYS[1] the account → {pause left, pause asked}. */
const PAUSE_LEFT_SCRIPT = `${NOW}
local state = redis.call('HMGET', KEYS[1], 'paused', 'asked')
return {(tonumber(state[1]) or 0) - now, tonumber(state[2]) or 0}
`;

/** KEYS[1] the account; ARGV: pause asked for, idle expiry. A shorter pause never cuts a longer one. */
const PAUSE_SCRIPT = `${NOW}
local state = redis.call('HMGET', KEYS[1], 'next', 'paused')
local untilMs = now + tonumber(ARGV[1])
if untilMs <= (tonumber(state[2]) or 0) then return 0 end
redis.call('HSET', KEYS[1], 'paused', untilMs, 'asked', ARGV[1])
redis.call('PEXPIRE', KEYS[1], math.ceil(math.max(untilMs, tonumber(state[1]) or 0) - now + tonumber(ARGV[2])))
return 1
`;

type PaceClient = (Redis | Cluster) & {
	mifumoTurn(key: string, spendMs: string, allowanceMs: string, expiryMs: string): Promise<number[]>;
	mifumoPauseLeft(key: string): Promise<number[]>;
	mifumoPause(key: string, ms: string, expiryMs: string): Promise<number>;
};

interface Connection {
	client: PaceClient;
	lastError?: string;
	connected: Promise<void>;
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
		connectionName: 'n8n-nodes-mifumo-pace',
		lazyConnect: true,
		// A turn that cannot be asked now is paced here instead: never queued, never sent again later.
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
	client.defineCommand('mifumoTurn', { numberOfKeys: 1, lua: TURN_SCRIPT });
	client.defineCommand('mifumoPauseLeft', { numberOfKeys: 1, lua: PAUSE_LEFT_SCRIPT });
	client.defineCommand('mifumoPause', { numberOfKeys: 1, lua: PAUSE_SCRIPT });
	const connection: Connection = { client, connected: client.connect() };
	// ioredis reports every failed reconnect here; the next turn says why in its hint.
	client.on('error', (error: Error) => (connection.lastError = error.message));
	connections.set(id, connection);
	return connection;
}

/** Close every pace connection (tests; a process that ends closes them anyway). */
export function closeClusterPaces(): void {
	const all = [...connections.values()];
	connections.clear();
	for (const { client } of all) client.disconnect();
}

function isReady(client: PaceClient): boolean {
	return client.status === 'ready';
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
		const paced = smsCount > 0 && messagesPerMinute > 0;
		const progress = { pausedMs: 0, needTurn: firstAttempt && paced };
		const client = await this.client();
		if (client) {
			try {
				return await this.readyShared(client, smsCount, messagesPerMinute, pauseAllowanceMs, progress);
			} catch (error) {
				this.pauseAlone(error);
			}
		}
		const alone = await this.local.ready(smsCount, messagesPerMinute, pauseAllowanceMs - progress.pausedMs, progress.needTurn);
		return { ...alone, pausedMs: alone.pausedMs + progress.pausedMs, unshared: this.unshared };
	}

	private async readyShared(
		client: PaceClient,
		smsCount: number,
		messagesPerMinute: number,
		pauseAllowanceMs: number,
		progress: { pausedMs: number; needTurn: boolean },
	): Promise<Readiness> {
		for (;;) {
			if (progress.needTurn) {
				const spendMs = smsCount * smsIntervalMs(messagesPerMinute);
				const allowanceMs = Math.max(0, pauseAllowanceMs - progress.pausedMs);
				const [waitMs, pauseMs, held, leftMs, askedMs] = await client.mifumoTurn(
					this.key,
					String(spendMs),
					String(Math.floor(allowanceMs)),
					String(IDLE_EXPIRY_MS),
				);
				if (held) return { pausedMs: progress.pausedMs, held: { leftMs, askedMs } };
				progress.needTurn = false;
				await sleep(waitMs);
				progress.pausedMs += pauseMs;
			}
			const [leftMs, askedMs] = await client.mifumoPauseLeft(this.key);
			if (leftMs <= 0) return { pausedMs: progress.pausedMs };
			if (leftMs > pauseAllowanceMs - progress.pausedMs) return { pausedMs: progress.pausedMs, held: { leftMs, askedMs } };
			await sleep(leftMs);
			progress.pausedMs += leftMs;
			// The slot it had may have passed during the pause, as did those of every send held by it:
			// going out together when it ends would be a burst the server refuses.
			progress.needTurn = smsCount > 0 && messagesPerMinute > 0;
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

	/** The connected client, or undefined while this process paces alone. */
	private async client(): Promise<PaceClient | undefined> {
		if (Date.now() < this.unsharedUntil) return undefined;
		const connection = connect(this.settings);
		if (!isReady(connection.client)) {
			// The first turn of the process waits for the connection; later ones never wait for a reconnect.
			await connection.connected.catch((error: Error) => (connection.lastError ??= error.message));
			if (!isReady(connection.client)) {
				this.pauseAlone(new Error(connection.lastError ?? `connection ${connection.client.status}`));
				return undefined;
			}
		}
		return connection.client;
	}

	private pauseAlone(error: unknown): void {
		this.unsharedUntil = Date.now() + RETRY_SHARED_MS;
		this.unshared = `${describeRedis(this.settings)} did not answer (${(error as Error)?.message ?? String(error)})`;
	}
}
