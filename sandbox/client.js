'use strict';
/**
 * Small client for the sandbox control plane (/__sandbox/...). Uses global fetch (Node >= 18).
 *
 *   const { SandboxClient } = require('./sandbox/client');
 *   const sb = new SandboxClient('http://127.0.0.1:8001');
 *   await sb.reset({ deliveryDelayMs: null });
 */
class SandboxClient {
	constructor(url) {
		this.url = String(url).replace(/\/+$/, '');
	}

	async _call(method, path, body) {
		const init = { method, headers: {} };
		if (body !== undefined) {
			init.headers['content-type'] = 'application/json';
			init.body = JSON.stringify(body);
		}
		const res = await fetch(`${this.url}/__sandbox${path}`, init);
		const text = await res.text();
		let json;
		try {
			json = text ? JSON.parse(text) : null;
		} catch {
			json = text;
		}
		if (!res.ok) {
			const err = new Error(`sandbox ${method} ${path} -> ${res.status}: ${json && json.error ? json.error : text}`);
			err.status = res.status;
			err.body = json;
			throw err;
		}
		return json;
	}

	health() {
		return this._call('GET', '/health');
	}
	/** Clear all state, logs and faults; restore the start-up config, then apply `overrides`. */
	reset(overrides) {
		return this._call('POST', '/reset', overrides || {});
	}
	/** Change config live; returns the whole config. */
	configure(config) {
		return this._call('POST', '/config', config || {});
	}
	getConfig() {
		return this._call('GET', '/config');
	}
	/** API request log, arrival order: [{method, path, query, headers, body, rawBody, status, at, fault?, outcome?}] */
	requests() {
		return this._call('GET', '/requests');
	}
	clearRequests() {
		return this._call('DELETE', '/requests');
	}
	/** Every accepted message (with recipients and recipient_statuses). */
	messages() {
		return this._call('GET', '/messages');
	}
	message(id) {
		return this._call('GET', `/messages/${encodeURIComponent(id)}`);
	}
	/** Move a message's recipients to a final status now (and fire its webhooks). */
	advance(id, status, recipients) {
		const body = {};
		if (status) body.status = status;
		if (recipients) body.recipients = recipients;
		return this._call('POST', `/messages/${encodeURIComponent(id)}/advance`, body);
	}
	/** Add one fault (or an array of faults). */
	addFault(spec) {
		return this._call('POST', '/faults', spec);
	}
	faults() {
		return this._call('GET', '/faults');
	}
	clearFaults() {
		return this._call('DELETE', '/faults');
	}
	setBalance(balance) {
		return this._call('POST', '/balance', { balance });
	}
	getBalance() {
		return this._call('GET', '/balance');
	}
	/** {inFlight, maxInFlight, requests, rateLimited, webhooksSent} */
	stats() {
		return this._call('GET', '/stats');
	}
	resetStats() {
		return this._call('POST', '/stats/reset');
	}
	/** Log of webhook deliveries: [{dialect, url, message_id, event, headers, body, rawBody, status, responseBody, error, at}] */
	webhooks() {
		return this._call('GET', '/webhooks');
	}
	clearWebhooks() {
		return this._call('DELETE', '/webhooks');
	}
	/** POST an arbitrary webhook now: {url, payload, dialect?, key?, secret?, headers?, rawBody?} -> {status, body, error} */
	sendWebhook(opts) {
		return this._call('POST', '/webhooks/send', opts);
	}
	/** Preload records: {contacts?: n|[...], segments?: [...], messages?: n|{count,...}|[...]} */
	seed(spec) {
		return this._call('POST', '/seed', spec);
	}
	contacts() {
		return this._call('GET', '/contacts');
	}
	segments() {
		return this._call('GET', '/segments');
	}
}

module.exports = { SandboxClient };
