'use strict';
/**
 * The sandbox in its own process, so that its CPU time and memory are not charged to the node
 * under test. Prints one JSON line {url} when listening; exits on SIGTERM or when stdin closes.
 */
const { startSandbox } = require('../../sandbox');

(async () => {
	const sandbox = await startSandbox({ host: '127.0.0.1', port: 0, deliveryDelayMs: null, log: false });
	process.stdout.write(`${JSON.stringify({ url: sandbox.url })}\n`);
	const stop = async () => {
		await sandbox.close();
		process.exit(0);
	};
	process.on('SIGTERM', stop);
	process.stdin.on('end', stop);
	process.stdin.resume();
})().catch((error) => {
	console.error(error);
	process.exit(1);
});
