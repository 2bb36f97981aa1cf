/**
 * The Redis of n8n's queue mode, read from n8n's own settings (QUEUE_BULL_REDIS_*, QUEUE_BULL_PREFIX)
 * the way n8n reads them (@n8n/config: a `_FILE` twin holds a secret, quotes around a value are
 * dropped, booleans are true/1/false/0), so the pace lives where n8n's queue does.
 */
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports -- n8n reads QUEUE_BULL_REDIS_PASSWORD_FILE and the like from a file: the same settings must be read the same way
import { readFileSync } from 'node:fs';

export interface QueueRedisSettings {
	host: string;
	port: number;
	db: number;
	username: string;
	password: string;
	/** host:port pairs of a Redis Cluster (QUEUE_BULL_REDIS_CLUSTER_NODES); empty: one server. */
	clusterNodes: Array<{ host: string; port: number }>;
	tls?: { servername?: string; rejectUnauthorized: boolean };
	/** 0: IPv4 and IPv6 (QUEUE_BULL_REDIS_DUALSTACK), else 4, as n8n does. */
	family: 0 | 4;
	prefix: string;
}

type Env = Record<string, string | undefined>;

function read(env: Env, name: string): string | undefined {
	if (name in env) return env[name]?.trim().replace(/^(['"])(.*)\1$/, '$2');
	const file = env[`${name}_FILE`];
	return file ? readFileSync(file, 'utf8').trim() : undefined;
}

function readBoolean(env: Env, name: string, fallback: boolean): boolean {
	const value = read(env, name)?.toLowerCase();
	if (value === 'true' || value === '1') return true;
	if (value === 'false' || value === '0') return false;
	return fallback;
}

function readNumber(env: Env, name: string, fallback: number): number {
	const value = read(env, name);
	const number = value ? Number(value) : NaN;
	return Number.isFinite(number) ? number : fallback;
}

/** The queue's Redis when this n8n runs in queue mode (EXECUTIONS_MODE=queue), else undefined. */
// eslint-disable-next-line @n8n/community-nodes/no-restricted-globals -- n8n tells a node nothing of queue mode: its settings are only in the environment
export function queueRedisSettings(env: Env = process.env): QueueRedisSettings | undefined {
	if (read(env, 'EXECUTIONS_MODE') !== 'queue') return undefined;
	const tls = readBoolean(env, 'QUEUE_BULL_REDIS_TLS', false);
	return {
		host: read(env, 'QUEUE_BULL_REDIS_HOST') || 'localhost',
		port: readNumber(env, 'QUEUE_BULL_REDIS_PORT', 6379),
		db: readNumber(env, 'QUEUE_BULL_REDIS_DB', 0),
		username: read(env, 'QUEUE_BULL_REDIS_USERNAME') ?? '',
		password: read(env, 'QUEUE_BULL_REDIS_PASSWORD') ?? '',
		clusterNodes: (read(env, 'QUEUE_BULL_REDIS_CLUSTER_NODES') ?? '')
			.split(',')
			.filter((pair) => pair.trim())
			.map((pair) => {
				const [host, port] = pair.trim().split(':');
				return { host, port: Number(port) };
			}),
		tls: tls
			? {
					servername: read(env, 'QUEUE_BULL_REDIS_TLS_SERVERNAME') || undefined,
					rejectUnauthorized: readBoolean(env, 'QUEUE_BULL_REDIS_TLS_VALIDATE_CERTIFICATE', true),
				}
			: undefined,
		family: readBoolean(env, 'QUEUE_BULL_REDIS_DUALSTACK', false) ? 0 : 4,
		prefix: read(env, 'QUEUE_BULL_PREFIX') || 'bull',
	};
}

/** Where the pace is, for a user reading a hint: never the password. */
export function describeRedis(settings: QueueRedisSettings): string {
	return settings.clusterNodes.length
		? `the Redis Cluster ${settings.clusterNodes.map(({ host, port }) => `${host}:${port}`).join(', ')}`
		: `Redis at ${settings.host}:${settings.port}`;
}
