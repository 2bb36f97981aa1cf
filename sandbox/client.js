'use strict';
/**
 * Client for the sandbox control plane (/__sandbox/...), with global fetch (Node >= 18).
 * Types and what each call answers: client.d.ts.
 *
 *   const { SandboxClient } = require('./sandbox/client');
 *   const control = new SandboxClient('http://127.0.0.1:8001');
 *   await control.reset({ deliveryDelayMs: null });
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

	reset(overrides) {
		return this._call('POST', '/reset', overrides || {});
	}
	configure(config) {
		return this._call('POST', '/config', config || {});
	}
	message(id) {
		return this._call('GET', `/messages/${encodeURIComponent(id)}`);
	}
	advance(id, status, recipients) {
		return this._call('POST', `/messages/${encodeURIComponent(id)}/advance`, { status, recipients });
	}
	advanceAfter(id, delayMs, status, recipients) {
		return this._call('POST', `/messages/${encodeURIComponent(id)}/advance`, { delayMs, status, recipients });
	}
	addFault(spec) {
		return this._call('POST', '/faults', spec);
	}
	setBalance(balance) {
		return this._call('POST', '/balance', { balance });
	}
	sendWebhook(opts) {
		return this._call('POST', '/webhooks/send', opts);
	}
	seed(spec) {
		return this._call('POST', '/seed', spec);
	}
}

// Calls without arguments: method name -> [HTTP method, control path].
const CALLS_WITHOUT_ARGUMENTS = {
	health: ['GET', '/health'],
	getConfig: ['GET', '/config'],
	requests: ['GET', '/requests'],
	clearRequests: ['DELETE', '/requests'],
	messages: ['GET', '/messages'],
	faults: ['GET', '/faults'],
	clearFaults: ['DELETE', '/faults'],
	getBalance: ['GET', '/balance'],
	stats: ['GET', '/stats'],
	resetStats: ['POST', '/stats/reset'],
	webhooks: ['GET', '/webhooks'],
	clearWebhooks: ['DELETE', '/webhooks'],
	contacts: ['GET', '/contacts'],
	segments: ['GET', '/segments'],
};
for (const [name, [method, path]] of Object.entries(CALLS_WITHOUT_ARGUMENTS)) {
	SandboxClient.prototype[name] = function () {
		return this._call(method, path);
	};
}

module.exports = { SandboxClient };
