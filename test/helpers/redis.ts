/**
 * A real redis-server (Debian's package) on a free loopback port, no persistence, for the tests of
 * the pace shared through n8n's queue Redis: the queue-mode suite's own startRedis. `pause()` and
 * `resume()` stop and continue the process (SIGSTOP/SIGCONT): a Redis that stops answering while
 * its connections stay open.
 */
import type { ChildProcess } from 'node:child_process';

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
