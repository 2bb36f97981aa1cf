'use strict';
/** The sandbox server: HTTP entry, request log, latency and faults, timers, reset and config. */
const http = require('node:http');
const crypto = require('node:crypto');
const { CONTROL_PREFIX, MAX_TIMER_MS, defaultConfig, mergeConfig, clone } = require('./config');
const { iso, envelope, renderAnswer, queryObject, tryJson } = require('./answers');
const { FaultInjector, faultAnswer } = require('./fault-injector');
const { RateLimiter } = require('./rate-limiter');
const { processRequest } = require('./routes');
const { handleControl } = require('./control-api');
const { advance } = require('./message-store');
const { seed } = require('./seed-data');
const { sendWebhook } = require('./webhook-sender');

function freshState(config) {
	return {
		accountId: crypto.randomUUID(),
		messages: new Map(),
		messagesNewestFirst: null, // cache, see message-store
		contacts: new Map(),
		phoneIndex: new Map(), // phone -> contact_id
		segments: new Map(),
		balance: Number(config.balance),
		balanceUpdatedMs: Date.now(),
		requestLog: [],
		webhookLog: [],
		faults: new FaultInjector(),
		seq: 0, // creation order, for ties in "newest first"
	};
}

function freshStats(inFlight = 0) {
	return {
		inFlight,
		maxInFlight: inFlight,
		requests: 0, // API requests received (faulted ones too)
		sendsAccepted: 0,
		smsAccepted: 0, // recipients × parts of the accepted sends
		acceptedSendTimes: [], // ms of each accepted send, to measure an accepted rate
		rateLimited: 0, // 429s answered, injected ones too
		rateLimitedBy: { smsPerMinute: 0, callsPerHour: 0, contactOpsPerHour: 0 },
		webhooksSent: 0,
	};
}

class Sandbox {
	constructor(options = {}) {
		this.initialConfig = mergeConfig(defaultConfig(), options);
		this.config = clone(this.initialConfig);
		this.state = freshState(this.config);
		this.rateLimiter = new RateLimiter();
		this.stats = freshStats();
		this.timers = new Set(); // message lifecycle timers (cleared by reset)
		this.sleeps = new Set(); // request-side waits (cleared by close)
		this.hanging = new Set();
		this.webhookRequests = new Set();
		this.closed = false;
		this.server = http.createServer((req, res) => {
			this._onRequest(req, res).catch((err) => {
				if (res.headersSent) return res.destroy();
				const text = JSON.stringify(envelope(false, 'Internal sandbox error', null, 'INTERNAL_ERROR', String(err && err.message)));
				res.writeHead(500, { 'content-type': 'application/json' });
				res.end(text);
			});
		});
		// Clients keep connections open between bursts (a control call after a long run): an idle
		// socket closed under a request that is already on its way fails it.
		this.server.keepAliveTimeout = 65_000;
		this.url = undefined;
		this.port = undefined;
	}

	listen() {
		return new Promise((resolve, reject) => {
			const onError = (err) => reject(err);
			this.server.once('error', onError);
			this.server.listen(this.config.port, this.config.host, () => {
				this.server.removeListener('error', onError);
				this.port = this.server.address().port;
				let host = this.config.host;
				if (!host || host === '0.0.0.0' || host === '::') host = '127.0.0.1';
				if (host.includes(':')) host = `[${host}]`;
				this.url = `http://${host}:${this.port}`;
				resolve(this);
			});
		});
	}

	async close() {
		if (this.closed) return;
		this.closed = true;
		this._clearTimers();
		for (const timer of this.sleeps) clearTimeout(timer);
		this.sleeps.clear();
		for (const req of this.webhookRequests) req.destroy();
		this.webhookRequests.clear();
		this._dropHanging();
		await new Promise((resolve) => {
			this.server.close(() => resolve());
			this.server.closeAllConnections();
		});
	}

	_clearTimers() {
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
	}

	_dropHanging() {
		for (const res of this.hanging) res.destroy();
		this.hanging.clear();
	}

	/** A lifecycle timer: cleared by reset() and close(). */
	setTimer(fn, ms) {
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			fn();
		}, Math.min(Math.max(0, ms), MAX_TIMER_MS));
		this.timers.add(timer);
		return timer;
	}

	clearTimer(timer) {
		clearTimeout(timer);
		this.timers.delete(timer);
	}

	/** Count an accepted send of `sms` SMS (recipients × parts). */
	recordAcceptedSend(sms, nowMs) {
		const stats = this.stats;
		stats.sendsAccepted++;
		stats.smsAccepted += sms;
		stats.acceptedSendTimes.push(nowMs);
		if (stats.acceptedSendTimes.length > this.config.maxLogEntries) stats.acceptedSendTimes.shift();
	}

	/** A request-side wait (latency, fault delays): survives reset(), cleared by close(). */
	_sleep(ms) {
		return new Promise((resolve) => {
			const timer = setTimeout(() => {
				this.sleeps.delete(timer);
				resolve();
			}, Math.min(Math.max(0, ms), MAX_TIMER_MS));
			this.sleeps.add(timer);
		});
	}

	/** Clear all state, logs and faults; restore the start-up config, then apply `overrides`. */
	reset(overrides) {
		const config = mergeConfig(clone(this.initialConfig), overrides || {});
		this._clearTimers();
		this._dropHanging();
		this.config = config;
		this.state = freshState(config);
		this.rateLimiter = new RateLimiter();
		this.resetStats();
	}

	resetStats() {
		this.stats = freshStats(this.stats.inFlight);
	}

	configure(overrides) {
		mergeConfig(this.config, overrides || {});
		if (overrides && 'balance' in overrides) this.setBalance(overrides.balance);
		return this.publicConfig();
	}

	publicConfig() {
		return { ...clone(this.config), url: this.url };
	}

	setBalance(balance) {
		const amount = Number(balance);
		if (!Number.isFinite(amount)) throw new Error('balance must be a number');
		this.state.balance = amount;
		this.state.balanceUpdatedMs = Date.now();
	}

	advance(messageId, status, phones) {
		return advance(this, messageId, status, phones);
	}

	seed(spec) {
		return seed(this, spec);
	}

	sendWebhook(opts) {
		return sendWebhook(this, opts);
	}

	_log(line) {
		const log = this.config.log;
		if (typeof log === 'function') log(line);
		else if (log) console.log(line);
	}

	async _onRequest(req, res) {
		const chunks = [];
		for await (const chunk of req) chunks.push(chunk);
		const raw = Buffer.concat(chunks).toString('utf8');
		const url = new URL(req.url, `http://${req.headers.host || '127.0.0.1'}`);
		if (url.pathname === CONTROL_PREFIX || url.pathname.startsWith(CONTROL_PREFIX + '/')) return handleControl(this, req, res, url, raw);
		return this._api(req, res, url, raw);
	}

	_logRequest(entry) {
		const log = this.state.requestLog;
		log.push(entry);
		if (log.length > this.config.maxLogEntries) log.splice(0, log.length - this.config.maxLogEntries);
	}

	_countInFlight(res) {
		const stats = this.stats;
		stats.requests++;
		stats.inFlight++;
		if (stats.inFlight > stats.maxInFlight) stats.maxInFlight = stats.inFlight;
		let counted = true;
		res.on('close', () => {
			if (counted) {
				counted = false;
				this.stats.inFlight = Math.max(0, this.stats.inFlight - 1);
			}
		});
	}

	async _api(req, res, url, raw) {
		const started = Date.now();
		const method = req.method.toUpperCase();
		const entry = { method, path: url.pathname, query: queryObject(url.searchParams), headers: { ...req.headers }, body: tryJson(raw), rawBody: raw, status: null, at: started };
		this._logRequest(entry);
		this._countInFlight(res);
		const answerRequest = () => processRequest(this, method, url, raw, req.headers);

		if (this.config.latencyMs > 0) await this._sleep(this.config.latencyMs);
		if (this.closed) return;
		const fault = this.state.faults.take(method, url.pathname);
		if (!fault) return this._write(res, answerRequest(), entry, req, started);
		entry.fault = fault.id;
		if (fault.delayMs > 0 && fault.action !== 'hang') {
			await this._sleep(fault.delayMs);
			if (this.closed) return;
		}
		if (fault.action === 'hang') {
			entry.outcome = 'hang';
			this.hanging.add(res);
			res.on('close', () => this.hanging.delete(res));
			this._log(`${iso(Date.now())} ${method} ${req.url} -> (hang)`);
			return;
		}
		if (fault.action === 'delay') return this._write(res, answerRequest(), entry, req, started);
		if (fault.processThenFail) answerRequest(); // its answer is lost
		if (fault.action === 'reset') {
			entry.outcome = 'reset';
			this._log(`${iso(Date.now())} ${method} ${req.url} -> (connection reset)`);
			req.socket.destroy();
			return;
		}
		return this._write(res, faultAnswer(fault), entry, req, started);
	}

	_write(res, answer, entry, req, started) {
		if (res.destroyed || res.writableEnded) return;
		const { text, headers } = renderAnswer(answer, this.config.dialect);
		entry.status = answer.status;
		if (answer.status === 429) this.stats.rateLimited++;
		if (answer.limit) this.stats.rateLimitedBy[answer.limit]++;
		res.writeHead(answer.status, headers);
		res.end(text);
		this._log(`${iso(Date.now())} ${req.method} ${req.url} -> ${answer.status} (${Date.now() - started} ms)`);
	}
}

async function startSandbox(options = {}) {
	const sandbox = new Sandbox(options);
	await sandbox.listen();
	return sandbox;
}

module.exports = { Sandbox, startSandbox };
