/**
 * A real redis-server (Debian's package) on a free loopback port, no persistence, for the tests of
 * the pace shared through n8n's queue Redis: the queue-mode suite's own startRedis. `pause()` and
 * `resume()` stop and continue the process (SIGSTOP/SIGCONT): a Redis that stops answering while
 * its connections stay open.
 */
import type { ChildProcess } from 'node:child_process';

import { closeClusterConnections } from '../../nodes/Mifumo/transport/clusterPace';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- scripts/ is CommonJS without types
const { startRedis } = require('../../scripts/lib/queue') as {
	startRedis(options: { redisServer: string; redisCli: string }): Promise<{
		port: number;
		child: ChildProcess;
		cli(...args: Array<string | number>): string;
		stop(): Promise<void>;
	}>;
};

export interface RedisServer {
	port: number;
	/** redis-cli's raw answer. */
	cli(...args: Array<string | number>): string;
	pause(): void;
	resume(): void;
	stop(): Promise<void>;
}

export async function startRedisServer(): Promise<RedisServer> {
	const redis = await startRedis({ redisServer: 'redis-server', redisCli: 'redis-cli' });
	return {
		port: redis.port,
		cli: redis.cli,
		pause: () => void redis.child.kill('SIGSTOP'),
		resume: () => void redis.child.kill('SIGCONT'),
		async stop() {
			redis.child.kill('SIGCONT');
			await redis.stop();
		},
	};
}

const QUEUE_ENV = ['EXECUTIONS_MODE', 'QUEUE_BULL_REDIS_HOST', 'QUEUE_BULL_REDIS_PORT'];

/**
 * The tests of a file in queue mode: one Redis for the file, emptied before each test, named by
 * n8n's settings (EXECUTIONS_MODE=queue, QUEUE_BULL_REDIS_*) during each test; the connections
 * closed at the end.
 */
export function useQueueModeRedis(): RedisServer {
	let server: RedisServer | undefined;
	const started = () => {
		if (!server) throw new Error('the Redis of useQueueModeRedis() starts in beforeAll');
		return server;
	};
	beforeAll(async () => {
		server = await startRedisServer();
	});
	beforeEach(() => {
		started().cli('FLUSHALL');
		Object.assign(process.env, { EXECUTIONS_MODE: 'queue', QUEUE_BULL_REDIS_HOST: '127.0.0.1', QUEUE_BULL_REDIS_PORT: String(started().port) });
	});
	afterEach(() => {
		for (const name of QUEUE_ENV) delete process.env[name];
	});
	afterAll(async () => {
		closeClusterConnections();
		await server?.stop();
	});
	return {
		get port() {
			return started().port;
		},
		cli: (...args) => started().cli(...args),
		pause: () => started().pause(),
		resume: () => started().resume(),
		stop: async () => await server?.stop(),
	};
}
