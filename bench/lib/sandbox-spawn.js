'use strict';
/** Starts bench/lib/sandbox-process.js and resolves with its URL and a stop(). */
const { spawn } = require('node:child_process');
const { join } = require('node:path');

async function startSandboxProcess() {
	const child = spawn(process.execPath, [join(__dirname, 'sandbox-process.js')], { stdio: ['pipe', 'pipe', 'inherit'] });
	const url = await new Promise((resolve, reject) => {
		let buffer = '';
		child.stdout.on('data', (chunk) => {
			buffer += chunk;
			if (buffer.includes('\n')) resolve(JSON.parse(buffer.split('\n')[0]).url);
		});
		child.once('exit', (code) => reject(new Error(`the sandbox exited (${code}) before listening`)));
	});
	return { url, stop: () => child.stdin.end() };
}

module.exports = { startSandboxProcess };
