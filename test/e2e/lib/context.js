'use strict';
// What a test needs: the n8n started by global-setup (CLI env, REST client), the sandbox's
// control plane, and polling helpers.

const local = require('../../../scripts/n8n-local');
const { liveChildren, stopGroup } = require('../../../scripts/lib/processes');
const { SandboxClient } = require('../../../sandbox/client');
const { OWNER } = require('./constants');

function e2eContext() {
	if (!process.env.MIFUMO_E2E) throw new Error('MIFUMO_E2E is not set: run through `npm run test:e2e` (jest.e2e.config.js)');
	const s = JSON.parse(process.env.MIFUMO_E2E);
	const env = local.n8nEnv({ userFolder: s.userFolder, port: s.n8nPort, brokerPort: s.brokerPort });
	const rest = new local.RestClient(s.n8nUrl);
	let loggedIn = false;
	return {
		...s,
		env,
		sandbox: new SandboxClient(s.sandboxUrl),
		/** REST client logged in as the owner. */
		async rest() {
			if (!loggedIn) {
				await rest.login(OWNER);
				loggedIn = true;
			}
			return rest;
		},
		execute: (id) => local.executeWorkflow(env, id),
	};
}

/** API requests (not control plane) that reached the sandbox, optionally filtered. */
async function apiRequests(sandbox, { method, path } = {}) {
	const all = await sandbox.requests();
	return all.filter((r) => r.path.startsWith('/api/') && (!method || r.method === method) && (!path || (path instanceof RegExp ? path.test(r.path) : r.path === path)));
}

async function waitFor(fn, { timeoutMs = 30000, intervalMs = 500, what = 'condition' } = {}) {
	const deadline = Date.now() + timeoutMs;
	let last;
	for (;;) {
		last = await fn();
		if (last) return last;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((r) => setTimeout(r, intervalMs));
	}
}

/**
 * Stops the running n8n (global-setup's, or an earlier restart's) and starts it again with the same
 * user folder, port and log: what a restart of a server does to executions that wait.
 */
async function restartN8n(ctx) {
	const running = liveChildren().filter((child) => child.spawnargs.at(-1) === 'start');
	if (running.length !== 1) throw new Error(`expected one running n8n, found ${running.length}`);
	await stopGroup(running[0], { graceMs: 15000 });
	return local.startN8n({ env: ctx.env, logFile: ctx.logFile });
}

/** Fails with the CLI output when an execution did not succeed. */
function expectRunOk(r) {
	if (!r.ok) {
		throw new Error(`n8n execute failed (exit ${r.code}):\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
	}
	const err = r.run?.data?.resultData?.error;
	if (err) throw new Error(`execution error: ${err.message}\n${JSON.stringify(err).slice(0, 2000)}`);
}

module.exports = { e2eContext, apiRequests, waitFor, expectRunOk, restartN8n, local };
