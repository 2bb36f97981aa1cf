'use strict';
/** The test control plane under /__sandbox/ (no auth, never logged nor rate limited). */
const { CONTROL_PREFIX } = require('./config');
const { stripSlash } = require('./fault-injector');
const { advance, advanceAfter, messageView } = require('./message-store');
const { contactsNewestFirst, publicContact } = require('./contacts');
const { segmentView } = require('./segments');
const { seed } = require('./seed-data');
const { sendWebhook } = require('./webhook-sender');

const ADVANCE_STATUSES = ['delivered', 'failed', 'sent', 'queued'];

/** An answer with a status other than 200. */
class ControlAnswer {
	constructor(status, body) {
		this.status = status;
		this.body = body;
	}
}
const refuse = (status, error) => new ControlAnswer(status, { error });

/** [method(s), path pattern, (sandbox, body, params) => answer (200) | ControlAnswer] */
const CONTROL_ROUTES = [
	['GET', /^\/health$/, (sandbox) => ({ ok: true, url: sandbox.url })],
	['POST', /^\/reset$/, (sandbox, body) => {
		sandbox.reset(body || {});
		return { ok: true, config: sandbox.publicConfig() };
	}],
	['GET', /^\/config$/, (sandbox) => sandbox.publicConfig()],
	[['POST', 'PUT', 'PATCH'], /^\/config$/, (sandbox, body) => sandbox.configure(body || {})],
	['GET', /^\/requests$/, (sandbox) => sandbox.state.requestLog],
	['DELETE', /^\/requests$/, (sandbox) => {
		sandbox.state.requestLog.length = 0;
		return { ok: true };
	}],
	['GET', /^\/messages$/, (sandbox) => [...sandbox.state.messages.values()].map(messageView)],
	['GET', /^\/messages\/([^/]+)$/, (sandbox, body, [id]) => {
		const msg = sandbox.state.messages.get(id);
		return msg ? messageView(msg) : refuse(404, 'message not found');
	}],
	['POST', /^\/messages\/([^/]+)\/advance$/, (sandbox, body, [id]) => {
		const { status, recipients, delayMs } = body || {};
		if (status !== undefined && !ADVANCE_STATUSES.includes(status)) return refuse(400, `status must be one of ${ADVANCE_STATUSES.join(', ')}`);
		if (recipients !== undefined && !Array.isArray(recipients)) return refuse(400, 'recipients must be an array');
		if (delayMs !== undefined && delayMs !== null && !(Number.isFinite(delayMs) && delayMs >= 0)) return refuse(400, 'delayMs must be a number >= 0, or null');
		const view = delayMs === undefined ? advance(sandbox, id, status, recipients) : advanceAfter(sandbox, id, delayMs, status, recipients);
		return view || refuse(404, 'message not found');
	}],
	['GET', /^\/faults$/, (sandbox) => sandbox.state.faults.list()],
	['DELETE', /^\/faults$/, (sandbox) => {
		sandbox.state.faults.clear();
		return { ok: true };
	}],
	['POST', /^\/faults$/, (sandbox, body) => {
		const made = (Array.isArray(body) ? body : [body || {}]).map((spec) => sandbox.state.faults.add(spec));
		return Array.isArray(body) ? made : made[0];
	}],
	['GET', /^\/balance$/, (sandbox) => ({ balance: sandbox.state.balance, currency: sandbox.config.currency })],
	['POST', /^\/balance$/, (sandbox, body) => {
		sandbox.setBalance((body || {}).balance);
		return { balance: sandbox.state.balance, currency: sandbox.config.currency };
	}],
	['GET', /^\/stats$/, (sandbox) => ({ ...sandbox.stats })],
	['POST', /^\/stats\/reset$/, (sandbox) => {
		sandbox.resetStats();
		return { ...sandbox.stats };
	}],
	['GET', /^\/webhooks$/, (sandbox) => sandbox.state.webhookLog],
	['DELETE', /^\/webhooks$/, (sandbox) => {
		sandbox.state.webhookLog.length = 0;
		return { ok: true };
	}],
	['POST', /^\/webhooks\/send$/, (sandbox, body) => sendWebhook(sandbox, body || {})],
	['POST', /^\/seed$/, (sandbox, body) => seed(sandbox, body || {})],
	['GET', /^\/contacts$/, (sandbox) => contactsNewestFirst(sandbox.state).map(publicContact)],
	['GET', /^\/segments$/, (sandbox) => [...sandbox.state.segments.values()].map((segment) => segmentView(sandbox.state, segment))],
];

async function handleControl(sandbox, req, res, url, raw) {
	const send = (status, answer) => {
		const text = JSON.stringify(answer);
		res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
		res.end(text);
	};
	let body = null;
	if (raw && raw.trim()) {
		try {
			body = JSON.parse(raw);
		} catch (e) {
			return send(400, { error: `invalid JSON body: ${e.message}` });
		}
	}
	const method = req.method.toUpperCase();
	const path = stripSlash(url.pathname.slice(CONTROL_PREFIX.length)) || '/';
	for (const [methods, pattern, handle] of CONTROL_ROUTES) {
		const match = pattern.exec(path);
		if (!match || !(Array.isArray(methods) ? methods : [methods]).includes(method)) continue;
		try {
			const result = await handle(sandbox, body, match.slice(1).map(decodeURIComponent));
			return result instanceof ControlAnswer ? send(result.status, result.body) : send(200, result);
		} catch (e) {
			return send(400, { error: e.message });
		}
	}
	return send(404, { error: `unknown control endpoint: ${method} ${url.pathname}` });
}

module.exports = { handleControl };
