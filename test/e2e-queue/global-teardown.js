'use strict';
// Stops everything global-setup started, removes every data folder, even after failures. MIFUMO_E2E_KEEP_LOGS=1 copies the n8n logs to ./.n8n-local/queue-logs first.

const fs = require('fs');
const path = require('path');
const queue = require('../../scripts/lib/queue');
const local = require('../../scripts/n8n-local');

module.exports = async function globalTeardown() {
	const state = globalThis.__MIFUMO_E2E_QUEUE__ || {};
	const stack = state.stack;
	if (stack?.tmp) {
		if (process.env.MIFUMO_E2E_KEEP_LOGS === '1' && stack.logDir) {
			const dest = path.join(local.paths().base, 'queue-logs');
			fs.rmSync(dest, { recursive: true, force: true });
			fs.cpSync(stack.logDir, dest, { recursive: true });
			process.stderr.write(`[e2e-queue] logs copied to ${dest}\n`);
		}
	}
	try {
		if (stack) await stack.stop();
	} catch {}
	try {
		if (state.sandbox) await state.sandbox.close();
	} catch {}
	state.burstSandbox?.stop();
	if (state.packDir) queue.removeTemp(state.packDir);
	queue.killAllQueue();
	local.killAll();
	if (state.t0) process.stderr.write(`[e2e-queue] total ${((Date.now() - state.t0) / 1000).toFixed(1)} s\n`);
	globalThis.__MIFUMO_E2E_QUEUE__ = null;
};
