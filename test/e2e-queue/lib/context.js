'use strict';
// What a queue-mode test needs: SQL on n8n's PostgreSQL, Redis, the sandbox, the REST APIs,
// the worker logs (which worker started which execution) and polling.

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const local = require('../../../scripts/n8n-local');
const queue = require('../../../scripts/lib/queue');
const { SandboxClient } = require('../../../sandbox/client');
const { OWNER } = require('./workflows');

function queueContext() {
	if (!process.env.MIFUMO_E2E_QUEUE) throw new Error('MIFUMO_E2E_QUEUE is not set: run through `npm run test:e2e:queue` (jest.e2e-queue.config.js)');
	const s = JSON.parse(process.env.MIFUMO_E2E_QUEUE);
	let rest = null;
	const ctx = {
		...s,
		sandbox: new SandboxClient(s.sandboxUrl),
		/** The rate-limited sandbox of the paced bursts, in a process of its own. */
		burstSandbox: new SandboxClient(s.burstSandboxUrl),
		redisPort: s.redis.port,
		redisCli: s.redis.cli,
		redisPid: s.redis.pid,
		/** Rows (arrays of strings) of a query on n8n's database. */
		sql(query) {
			const r = spawnSync(path.join(s.pg.bin, 'psql'), ['-h', '127.0.0.1', '-p', String(s.pg.port), '-U', 'postgres', '-d', 'n8n', '-AtX', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', query], {
				encoding: 'utf8',
				maxBuffer: 512 * 1024 * 1024,
			});
			if (r.status !== 0) throw new Error(`psql: ${query}\n${r.stderr}`);
			return r.stdout
				.split('\n')
				.filter((l) => l !== '')
				.map((l) => l.split('\t'));
		},
		redis(...args) {
			const r = spawnSync(s.redis.cli, ['-h', '127.0.0.1', '-p', String(s.redis.port), '--raw', ...args.map(String)], { encoding: 'utf8' });
			if (r.status !== 0) throw new Error(`redis-cli ${args.join(' ')}: ${r.stderr}`);
			return r.stdout.trim();
		},
		/** [{id, status}] of a workflow's executions, oldest first. */
		executions(workflowId) {
			return ctx.sql(`select id, status from execution_entity where "workflowId" = '${workflowId}' order by id`).map(([id, status]) => ({ id, status }));
		},
		/**
		 * Those of these executions that did not succeed, each with the error n8n's event log gave
		 * for it (n8n.workflow.failed), so that a failed run says why.
		 */
		failures(executions) {
			const failed = executions.filter((execution) => execution.status !== 'success');
			if (failed.length === 0) return [];
			const errors = new Map();
			for (const file of fs.readdirSync(s.logDir).filter((name) => name.startsWith('events-'))) {
				for (const line of fs.readFileSync(path.join(s.logDir, file), 'utf8').split('\n')) {
					if (!line.includes('"n8n.workflow.failed"')) continue;
					const { payload } = JSON.parse(line);
					errors.set(payload.executionId, payload.errorMessage);
				}
			}
			return failed.map((execution) => ({ ...execution, error: errors.get(execution.id) ?? null }));
		},
		/** For each worker, the execution ids its log says it started. */
		startedBy() {
			return s.workers.map((w) => queue.executionsStartedIn(fs.readFileSync(w.logFile, 'utf8')));
		},
		/** Internal REST client (cookie) logged in as the owner. */
		async rest() {
			if (!rest) {
				rest = new local.RestClient(s.urls.main);
				await rest.login(OWNER);
			}
			return rest;
		},
		/** Every execution of a workflow through the public API (X-N8N-API-KEY), all pages. */
		async publicExecutions(workflowId) {
			const all = [];
			let cursor;
			for (;;) {
				const q = new URLSearchParams({ workflowId, limit: '250', ...(cursor ? { cursor } : {}) });
				const res = await fetch(`${s.urls.main}/api/v1/executions?${q}`, { headers: { 'X-N8N-API-KEY': s.apiKey, accept: 'application/json' } });
				const body = await res.json();
				if (res.status !== 200) throw new Error(`GET /api/v1/executions → ${res.status}: ${JSON.stringify(body)}`);
				all.push(...body.data);
				if (!body.nextCursor) return all;
				cursor = body.nextCursor;
			}
		},
	};
	return ctx;
}

async function waitFor(fn, { timeoutMs = 60000, intervalMs = 500, what = 'condition' } = {}) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const v = await fn();
		if (v) return v;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((r) => setTimeout(r, intervalMs));
	}
}

/** POSTs JSON; resolves {status, text}. */
async function postJson(url, body, headers = {}) {
	const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
	return { status: res.status, text: await res.text() };
}

/** Distinct Tanzanian mobile numbers in E.164: prefix '71', '78'… then 7 digits. */
function phones(count, prefix = '71', from = 0) {
	return Array.from({ length: count }, (_, i) => `+255${prefix}${String(from + i).padStart(7, '0')}`);
}

/** Every recipient the sandbox accepted, one entry per SMS sent. */
async function sentRecipients(sandbox) {
	return (await sandbox.messages()).flatMap((m) => m.recipients);
}

function duplicates(list) {
	const seen = new Set();
	const dup = new Set();
	for (const x of list) (seen.has(x) ? dup : seen).add(x);
	return [...dup];
}

module.exports = { queueContext, waitFor, postJson, phones, sentRecipients, duplicates, local, queue };
