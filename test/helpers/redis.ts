/**
 * A real redis-server (Debian's package) on a free loopback port, no persistence, for the tests of
 * the pace shared through n8n's queue Redis. `pause()`/`resume()` stop and continue the process
 * (SIGSTOP/SIGCONT): a Redis that stops answering with its connections still open.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServer {
	port: number;
	/** redis-cli's raw answer. */
	cli(...args: Array<string | number>): string;
	pause(): void;
	resume(): void;
	stop(): Promise<void>;
}

async function freePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
	});
}

export async function startRedisServer(): Promise<RedisServer> {
	const port = await freePort();
	const dir = mkdtempSync(join(tmpdir(), 'mifumo-test-redis-'));
	const child: ChildProcess = spawn(
		'redis-server',
		['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
		{ stdio: 'ignore' },
	);
	const cli = (...args: Array<string | number>) => {
		const result = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), '--raw', ...args.map(String)], { encoding: 'utf8' });
		if (result.status !== 0) throw new Error(`redis-cli ${args.join(' ')}: ${result.stderr}`);
		return result.stdout.trim();
	};
	for (let tries = 0; ; tries++) {
		try {
			if (cli('PING') === 'PONG') break;
		} catch (error) {
			if (tries > 100) throw error;
		}
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	return {
		port,
		cli,
		pause: () => void child.kill('SIGSTOP'),
		resume: () => void child.kill('SIGCONT'),
		async stop() {
			child.kill('SIGCONT');
			const exited = new Promise((resolve) => child.once('exit', resolve));
			child.kill('SIGKILL');
			await exited;
			rmSync(dir, { recursive: true, force: true });
		},
	};
}
