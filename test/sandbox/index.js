'use strict';
/**
 * Mifumo sandbox: an in-memory, Mifumo-compatible HTTP server (plain CommonJS, node:http only).
 *
 * API under /api/integration/v1 (see ../../../shared/api/mifumo-sms-api-guide.txt) and a
 * test control plane under /__sandbox/ (no auth, never logged nor rate limited).
 *
 * Delivery convention: after `deliveryDelayMs`, every recipient of a sent message becomes
 * `delivered`, EXCEPT recipients whose number ends in `999`, which become `failed`.
 * (e.g. +255712345999 always fails). The control plane can force any outcome.
 */
const http = require('node:http');
const https = require('node:https');
const crypto = require('node:crypto');

const API_PREFIX = '/api/integration/v1';
const CONTROL_PREFIX = '/__sandbox';
const E164 = /^\+[1-9]\d{7,14}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const LIST_SHAPES = ['native', 'array', 'results', 'items', 'data'];
const MAX_TIMER = 2 ** 31 - 1;

const DEFAULT_API_KEYS = Object.freeze({
	'sandbox-admin-key': 'admin',
	'sandbox-write-key': 'write',
	'sandbox-read-key': 'read',
});
const DEFAULT_SENDER_IDS = Object.freeze(['MIFUMO', 'SANDBOX', 'INFO', 'ALERT', 'TEST']);

function defaultConfig() {
	return {
		host: '127.0.0.1',
		port: 0,
		apiKeys: { ...DEFAULT_API_KEYS },
		balance: 5000,
		currency: 'TZS',
		costPerSms: 10,
		rateLimits: { smsPerMinute: 100, callsPerHour: 1000, contactOpsPerHour: 500 },
		// window length of each limiter (ms); tests shorten them
		rateWindowMs: { smsPerMinute: 60_000, callsPerHour: 3_600_000, contactOpsPerHour: 3_600_000 },
		deliveryDelayMs: 1000,
		latencyMs: 0,
		webhookSecret: undefined,
		dashboardWebhookUrl: undefined,
		webhookTimeoutMs: 10000,
		maxLogEntries: 100_000, // request and webhook logs keep at most this many (oldest dropped)
		approvedSenderIds: [...DEFAULT_SENDER_IDS],
		maxMessageLength: 160,
		maxPerPage: 100, // delivery reports per_page cap
		maxLimit: 100, // contacts limit cap
		listShape: 'native',
		paginationHints: true,
		ignorePaging: false,
		log: false,
	};
}

function clone(v) {
	if (Array.isArray(v)) return v.map(clone);
	if (v && typeof v === 'object') {
		const o = {};
		for (const [k, x] of Object.entries(v)) o[k] = clone(x);
		return o;
	}
	return v;
}

/** Merge overrides into a config (rateLimits / rateWindowMs merged key by key). Throws on bad values. */
function mergeConfig(base, over) {
	const cfg = base;
	if (!over || typeof over !== 'object') return cfg;
	for (const [k, v] of Object.entries(over)) {
		if (k === 'rateLimits') {
			if (v === null || v === false) {
				cfg.rateLimits = { smsPerMinute: null, callsPerHour: null, contactOpsPerHour: null };
			} else if (typeof v === 'object') {
				cfg.rateLimits = { ...cfg.rateLimits, ...v };
			} else throw new Error('rateLimits must be an object or null');
		} else if (k === 'rateWindowMs') {
			if (typeof v === 'number') {
				cfg.rateWindowMs = { smsPerMinute: v, callsPerHour: v, contactOpsPerHour: v };
			} else if (v && typeof v === 'object') {
				cfg.rateWindowMs = { ...cfg.rateWindowMs, ...v };
			} else throw new Error('rateWindowMs must be a number or an object');
		} else if (k === 'listShape') {
			if (!LIST_SHAPES.includes(v)) throw new Error(`listShape must be one of ${LIST_SHAPES.join(', ')}`);
			cfg.listShape = v;
		} else if (k === 'apiKeys') {
			if (!v || typeof v !== 'object') throw new Error('apiKeys must be an object {key: permission}');
			cfg.apiKeys = { ...v };
		} else if (k === 'approvedSenderIds') {
			if (!Array.isArray(v)) throw new Error('approvedSenderIds must be an array');
			cfg.approvedSenderIds = [...v];
		} else {
			cfg[k] = clone(v);
		}
	}
	return cfg;
}

const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function envelope(success, message, data = null, errorCode = null, details = null) {
	return { success, message, data, error_code: errorCode, details };
}
function ok(status, message, data) {
	return { status, body: envelope(true, message, data) };
}
function fail(status, errorCode, message, details = null, headers) {
	return { status, body: envelope(false, message, null, errorCode, details), headers };
}

/** Parse an ISO 8601 date or date-time; a value without an offset is taken as UTC. NaN if unreadable. */
function parseIsoDate(s, endOfDay = false) {
	if (typeof s !== 'string') return NaN;
	const v = s.trim();
	const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
	if (dateOnly) {
		const ms = Date.UTC(+dateOnly[1], +dateOnly[2] - 1, +dateOnly[3]);
		if (new Date(ms).getUTCDate() !== +dateOnly[3]) return NaN;
		return endOfDay ? ms + 86_400_000 - 1 : ms;
	}
	const m = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(v);
	if (!m) return NaN;
	let t = v.replace(' ', 'T');
	if (!m[3]) t += 'Z';
	return Date.parse(t);
}

function parseIntParam(raw, name, def, { min = 0 } = {}) {
	if (raw === null || raw === undefined || raw === '') return { value: def };
	if (!/^\d+$/.test(raw.trim()) || Number(raw) < min) {
		return { error: fail(400, 'INVALID_PARAMETER', `Invalid value for '${name}': ${raw}`, `'${name}' must be an integer >= ${min}`) };
	}
	return { value: Number(raw) };
}

function queryObject(searchParams) {
	const o = {};
	for (const [k, v] of searchParams) {
		if (k in o) o[k] = Array.isArray(o[k]) ? [...o[k], v] : [o[k], v];
		else o[k] = v;
	}
	return o;
}

function tryJson(raw) {
	if (!raw) return null;
	try {
		return JSON.parse(raw);
	} catch {
		return null;
	}
}

/** Time (ms) until a sliding window admits `n` more units; 0 when admitted now. */
function windowWait(entries, limit, windowMs, n, now) {
	while (entries.length && entries[0].t <= now - windowMs) entries.shift();
	if (!limit) return 0;
	let used = 0;
	for (const e of entries) used += e.n;
	if (used + n <= limit) return 0;
	if (n > limit) return windowMs; // can never fit in one window
	for (const e of entries) {
		used -= e.n;
		if (used + n <= limit) return Math.max(1, e.t + windowMs - now);
	}
	return windowMs;
}

function freshState(config) {
	return {
		messages: new Map(),
		contacts: new Map(),
		phoneIndex: new Map(), // phone -> contact_id
		segments: new Map(),
		balance: Number(config.balance),
		balanceUpdatedMs: Date.now(),
		requestLog: [],
		webhookLog: [],
		faults: [],
		rate: new Map(), // api key -> {sms:[], calls:[], contacts:[]}
		seq: 0,
	};
}

// ---------------------------------------------------------------- routes
const ROUTES = [
	{ re: /^\/sms\/send$/, methods: { POST: 'sendSms' } },
	{ re: /^\/sms\/status\/([^/]+)$/, methods: { GET: 'smsStatus' } },
	{ re: /^\/sms\/delivery-reports$/, methods: { GET: 'deliveryReports' } },
	{ re: /^\/sms\/balance$/, methods: { GET: 'balance' } },
	{ re: /^\/contacts$/, methods: { GET: 'listContacts' } },
	{ re: /^\/contacts\/create$/, methods: { POST: 'createContact' } },
	{ re: /^\/contacts\/search$/, methods: { GET: 'searchContacts' } },
	{ re: /^\/contacts\/segments$/, methods: { GET: 'listSegments' } },
	{ re: /^\/contacts\/segments\/create$/, methods: { POST: 'createSegment' } },
	{ re: /^\/contacts\/segments\/([^/]+)$/, methods: { GET: 'getSegment' } },
	{ re: /^\/contacts\/segments\/([^/]+)\/update$/, methods: { PUT: 'updateSegment', PATCH: 'updateSegment' } },
	{ re: /^\/contacts\/segments\/([^/]+)\/delete$/, methods: { DELETE: 'deleteSegment' } },
	{ re: /^\/contacts\/([^/]+)$/, methods: { GET: 'getContact' } },
	{ re: /^\/contacts\/([^/]+)\/update$/, methods: { PUT: 'updateContact', PATCH: 'updateContact' } },
	{ re: /^\/contacts\/([^/]+)\/delete$/, methods: { DELETE: 'deleteContact' } },
];

function matchRoute(path) {
	if (path !== API_PREFIX && !path.startsWith(API_PREFIX + '/')) return null;
	let rest = path.slice(API_PREFIX.length);
	if (rest.length > 1 && rest.endsWith('/')) rest = rest.slice(0, -1); // trailing slash optional
	for (const r of ROUTES) {
		const m = r.re.exec(rest);
		if (m) {
			let params;
			try {
				params = m.slice(1).map((p) => decodeURIComponent(p));
			} catch {
				return null;
			}
			return { route: r, params, isContact: rest.startsWith('/contacts') };
		}
	}
	return null;
}

function normPath(p) {
	let s = String(p);
	if (!s.startsWith('/')) s = '/' + s;
	if (!s.startsWith(API_PREFIX) && !s.startsWith(CONTROL_PREFIX)) s = API_PREFIX + s;
	return s;
}
function stripSlash(p) {
	return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}
function faultMatches(f, method, path) {
	if (f.method && f.method.toUpperCase() !== method) return false;
	if (f.path === '*' || f.path === undefined) return true;
	const fp = normPath(f.path);
	if (fp.endsWith('*')) return path.startsWith(fp.slice(0, -1));
	return stripSlash(fp) === stripSlash(path);
}

// ---------------------------------------------------------------- validation helpers
function validateContactFields(body, { partial }) {
	const out = {};
	if (!partial || 'name' in body) {
		if (typeof body.name !== 'string' || !body.name.trim()) {
			return { error: fail(400, 'INVALID_PARAMETER', 'Contact name is required', "Field 'name' must be a non-empty string") };
		}
		out.name = body.name.trim();
	}
	if (!partial || 'phone_number' in body) {
		if (body.phone_number === undefined || body.phone_number === null || body.phone_number === '') {
			return { error: fail(400, 'INVALID_PARAMETER', 'Phone number is required', "Field 'phone_number' is required") };
		}
		if (typeof body.phone_number !== 'string' || !E164.test(body.phone_number)) {
			return { error: fail(400, 'INVALID_PHONE', `Invalid phone number format: ${body.phone_number}`, 'Phone numbers must be in E.164 format, e.g. +255712345678') };
		}
		out.phone_number = body.phone_number;
	}
	if ('email' in body) {
		const e = body.email;
		if (e === null || e === '') out.email = null;
		else if (typeof e !== 'string' || !EMAIL.test(e)) {
			return { error: fail(400, 'INVALID_EMAIL', `Invalid email address: ${e}`, "Field 'email' must be a valid email address") };
		} else out.email = e;
	} else if (!partial) out.email = null;
	if ('tags' in body) {
		const t = body.tags === null ? [] : body.tags;
		if (!Array.isArray(t) || t.some((x) => typeof x !== 'string')) {
			return { error: fail(400, 'INVALID_PARAMETER', 'Tags must be a list of strings', "Field 'tags' must be an array of strings") };
		}
		out.tags = [...t];
	} else if (!partial) out.tags = [];
	if ('is_active' in body) {
		if (typeof body.is_active !== 'boolean') {
			return { error: fail(400, 'INVALID_PARAMETER', 'is_active must be a boolean', "Field 'is_active' must be true or false") };
		}
		out.is_active = body.is_active;
	} else if (!partial) out.is_active = true;
	return { value: out };
}

function validateCriteria(c) {
	if (c === undefined || c === null) return { value: {} };
	if (typeof c !== 'object' || Array.isArray(c)) {
		return { error: fail(400, 'INVALID_PARAMETER', 'Criteria must be an object', "Field 'criteria' must be an object") };
	}
	const out = {};
	for (const [k, v] of Object.entries(c)) {
		if (v === null) {
			out[k] = null;
			continue;
		}
		if (k === 'tags') {
			if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
				return { error: fail(400, 'INVALID_PARAMETER', 'criteria.tags must be a list of strings', "Field 'criteria.tags' must be an array of strings") };
			}
		} else if (k === 'is_active') {
			if (typeof v !== 'boolean') {
				return { error: fail(400, 'INVALID_PARAMETER', 'criteria.is_active must be a boolean', "Field 'criteria.is_active' must be true or false") };
			}
		} else if (k === 'created_after') {
			if (Number.isNaN(parseIsoDate(v))) {
				return { error: fail(400, 'INVALID_DATE', `Invalid date for criteria.created_after: ${v}`, 'Use YYYY-MM-DD') };
			}
		}
		out[k] = clone(v);
	}
	return { value: out };
}

function inSegment(contact, criteria) {
	if (Array.isArray(criteria.tags) && criteria.tags.length && !criteria.tags.some((t) => contact.tags.includes(t))) return false;
	if (typeof criteria.is_active === 'boolean' && contact.is_active !== criteria.is_active) return false;
	if (criteria.created_after) {
		const after = parseIsoDate(criteria.created_after);
		if (!Number.isNaN(after) && contact._createdMs < after) return false;
	}
	return true;
}

function matchesQuery(contact, q) {
	const s = String(q).trim().toLowerCase();
	if (!s) return true;
	if (contact.name.toLowerCase().includes(s)) return true;
	if (contact.phone_number.toLowerCase().includes(s)) return true;
	if (contact.email && contact.email.toLowerCase().includes(s)) return true;
	// digits only: "255712345678", "0712 345 678" style input (a '+' in a query string may arrive as a space)
	if (/^[\d\s+().-]+$/.test(s)) {
		const digits = s.replace(/\D/g, '');
		if (digits && contact.phone_number.replace(/\D/g, '').includes(digits.replace(/^0+/, ''))) return true;
	}
	return false;
}

const publicContact = (c) => ({
	contact_id: c.contact_id,
	name: c.name,
	phone_number: c.phone_number,
	email: c.email,
	tags: [...c.tags],
	is_active: c.is_active,
	created_at: c.created_at,
	updated_at: c.updated_at,
});

function messageOverall(msg) {
	const rs = msg.recipientStatuses;
	if (rs.every((r) => r.status === 'failed')) return 'failed';
	if (rs.every((r) => r.status === 'delivered' || r.status === 'failed')) return 'delivered';
	return msg.status === 'scheduled' && rs.every((r) => r.status === 'scheduled') ? 'scheduled' : 'sent';
}
function messageDeliveryTime(msg) {
	const rs = msg.recipientStatuses;
	if (!rs.every((r) => r.status === 'delivered' || r.status === 'failed')) return null;
	const times = rs.map((r) => r.delivery_time).filter(Boolean).sort();
	return times.length ? times[times.length - 1] : null;
}
const naturalOutcome = (phone) => (String(phone).endsWith('999') ? 'failed' : 'delivered');

// ---------------------------------------------------------------- the sandbox
class Sandbox {
	constructor(options = {}) {
		this.initialConfig = mergeConfig(defaultConfig(), options);
		this.config = clone(this.initialConfig);
		this._state = freshState(this.config);
		this.stats = { inFlight: 0, maxInFlight: 0, requests: 0, rateLimited: 0, webhooksSent: 0 };
		this.timers = new Set(); // message lifecycle timers (cleared by reset)
		this.sleeps = new Set();
		this.hanging = new Set();
		this.webhookRequests = new Set();
		this.faultSeq = 0;
		this.closed = false;
		this.server = http.createServer((req, res) => {
			this._onRequest(req, res).catch((err) => {
				try {
					if (!res.headersSent) {
						const b = JSON.stringify(envelope(false, 'Internal sandbox error', null, 'INTERNAL_ERROR', String(err && err.message)));
						res.writeHead(500, { 'content-type': 'application/json' });
						res.end(b);
					} else res.destroy();
				} catch {
					/* ignore */
				}
			});
		});
		this.url = undefined;
		this.port = undefined;
	}

	get state() {
		return this._state;
	}

	listen() {
		return new Promise((resolve, reject) => {
			const onError = (err) => reject(err);
			this.server.once('error', onError);
			this.server.listen(this.config.port, this.config.host, () => {
				this.server.removeListener('error', onError);
				this.port = this.server.address().port;
				let h = this.config.host;
				if (!h || h === '0.0.0.0' || h === '::') h = '127.0.0.1';
				if (h.includes(':')) h = `[${h}]`;
				this.url = `http://${h}:${this.port}`;
				resolve(this);
			});
		});
	}

	async close() {
		if (this.closed) return;
		this.closed = true;
		this._clearTimers();
		for (const t of this.sleeps) clearTimeout(t);
		this.sleeps.clear();
		for (const r of this.webhookRequests) r.destroy();
		this.webhookRequests.clear();
		for (const res of this.hanging) res.destroy();
		this.hanging.clear();
		await new Promise((resolve) => {
			this.server.close(() => resolve());
			this.server.closeAllConnections();
		});
	}

	_clearTimers() {
		for (const t of this.timers) clearTimeout(t);
		this.timers.clear();
	}
	_setTimer(fn, ms) {
		const t = setTimeout(() => {
			this.timers.delete(t);
			fn();
		}, Math.min(Math.max(0, ms), MAX_TIMER));
		this.timers.add(t);
		return t;
	}
	/** Request-side waits (latency, fault delays): survive reset(), cleared by close(). */
	_sleep(ms) {
		return new Promise((resolve) => {
			const t = setTimeout(() => {
				this.sleeps.delete(t);
				resolve();
			}, Math.min(Math.max(0, ms), MAX_TIMER));
			this.sleeps.add(t);
		});
	}

	reset(overrides) {
		const cfg = mergeConfig(clone(this.initialConfig), overrides || {});
		this._clearTimers();
		for (const res of this.hanging) res.destroy();
		this.hanging.clear();
		this.config = cfg;
		this._state = freshState(cfg);
		this.stats = { inFlight: this.stats.inFlight, maxInFlight: this.stats.inFlight, requests: 0, rateLimited: 0, webhooksSent: 0 };
	}

	configure(over) {
		mergeConfig(this.config, over || {});
		if (over && 'balance' in over) this._setBalance(over.balance);
		return this.publicConfig();
	}

	publicConfig() {
		return { ...clone(this.config), url: this.url };
	}

	_setBalance(b) {
		const n = Number(b);
		if (!Number.isFinite(n)) throw new Error('balance must be a number');
		this._state.balance = n;
		this._state.balanceUpdatedMs = Date.now();
	}

	_log(line) {
		const l = this.config.log;
		if (typeof l === 'function') l(line);
		else if (l) console.log(line);
	}

	// ------------------------------------------------------------ request entry
	async _onRequest(req, res) {
		const chunks = [];
		for await (const c of req) chunks.push(c);
		const raw = Buffer.concat(chunks).toString('utf8');
		const url = new URL(req.url, `http://${req.headers.host || '127.0.0.1'}`);
		const path = url.pathname;
		if (path === CONTROL_PREFIX || path.startsWith(CONTROL_PREFIX + '/')) {
			return this._control(req, res, url, raw);
		}
		return this._api(req, res, url, raw);
	}

	async _api(req, res, url, raw) {
		const started = Date.now();
		const method = req.method.toUpperCase();
		const state = this._state;
		const entry = {
			method,
			path: url.pathname,
			query: queryObject(url.searchParams),
			headers: { ...req.headers },
			body: tryJson(raw),
			rawBody: raw,
			status: null,
			at: started,
		};
		state.requestLog.push(entry);
		if (state.requestLog.length > this.config.maxLogEntries) state.requestLog.splice(0, state.requestLog.length - this.config.maxLogEntries);
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

		if (this.config.latencyMs > 0) await this._sleep(this.config.latencyMs);
		if (this.closed) return;

		const fault = this._takeFault(state, method, url.pathname);
		if (fault) {
			entry.fault = fault.id;
			const action = fault.action;
			if (fault.delayMs > 0 && action !== 'hang') {
				await this._sleep(fault.delayMs);
				if (this.closed) return;
			}
			if (action === 'hang') {
				entry.outcome = 'hang';
				this.hanging.add(res);
				res.on('close', () => this.hanging.delete(res));
				this._log(`${iso(Date.now())} ${method} ${req.url} -> (hang)`);
				return;
			}
			if (action === 'reset') {
				if (fault.processThenFail) this._process(method, url, raw, req.headers);
				entry.outcome = 'reset';
				this._log(`${iso(Date.now())} ${method} ${req.url} -> (connection reset)`);
				req.socket.destroy();
				return;
			}
			if (action === 'respond') {
				if (fault.processThenFail) this._process(method, url, raw, req.headers);
				return this._write(res, this._faultResponse(fault), entry, req, started);
			}
			// 'delay': handle normally
		}
		const result = this._process(method, url, raw, req.headers);
		return this._write(res, result, entry, req, started);
	}

	_faultResponse(f) {
		const status = f.status || 500;
		let body = f.body;
		const headers = { ...(f.headers || {}) };
		if (body === undefined) {
			const code = status === 429 ? 'RATE_LIMIT_EXCEEDED' : status >= 500 ? 'INTERNAL_ERROR' : status >= 400 ? 'SANDBOX_FAULT' : null;
			body = status < 400 ? envelope(true, 'OK', null) : envelope(false, `Injected fault (HTTP ${status})`, null, code, 'Injected by the sandbox control plane');
		}
		if (typeof body === 'string') {
			if (f.contentType) headers['content-type'] = f.contentType;
			else if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'text/plain; charset=utf-8';
		} else if (f.contentType) headers['content-type'] = f.contentType;
		return { status, body, headers };
	}

	_write(res, result, entry, req, started) {
		if (res.destroyed || res.writableEnded) return;
		const text = typeof result.body === 'string' ? result.body : JSON.stringify(result.body);
		const headers = { 'content-type': 'application/json' };
		for (const [k, v] of Object.entries(result.headers || {})) {
			const lk = k.toLowerCase();
			if (v === null || v === undefined) delete headers[lk];
			else headers[lk] = String(v);
		}
		headers['content-length'] = Buffer.byteLength(text);
		entry.status = result.status;
		if (result.status === 429) this.stats.rateLimited++;
		res.writeHead(result.status, headers);
		res.end(text);
		this._log(`${iso(Date.now())} ${req.method} ${req.url} -> ${result.status} (${Date.now() - started} ms)`);
	}

	_takeFault(state, method, path) {
		for (let i = 0; i < state.faults.length; i++) {
			const f = state.faults[i];
			if (!faultMatches(f, method, path)) continue;
			if (f.remaining !== Infinity) {
				f.remaining--;
				if (f.remaining <= 0) state.faults.splice(i, 1);
			}
			f.hits++;
			return f;
		}
		return null;
	}

	_limiter(key) {
		let l = this._state.rate.get(key);
		if (!l) {
			l = { sms: [], calls: [], contacts: [] };
			this._state.rate.set(key, l);
		}
		return l;
	}

	_rateLimited(name, waitMs, limit) {
		const secs = Math.max(1, Math.ceil(waitMs / 1000));
		const what = { smsPerMinute: 'SMS per minute', callsPerHour: 'API calls per hour', contactOpsPerHour: 'contact operations per hour' }[name];
		return fail(429, 'RATE_LIMIT_EXCEEDED', `Rate limit exceeded: ${limit} ${what}`, `Retry after ${secs} seconds`, { 'Retry-After': secs });
	}

	/** Synchronous: auth, permission, rate limits, route. Returns {status, body, headers}. */
	_process(method, url, raw, headers) {
		const match = matchRoute(url.pathname);
		if (!match) return fail(404, 'NOT_FOUND', `Endpoint not found: ${url.pathname}`, 'Check the URL and the API version');
		const auth = headers.authorization;
		const m = typeof auth === 'string' ? /^\s*bearer(?:\s+(.*))?$/i.exec(auth) : null;
		if (!m) {
			return fail(401, null, 'Authentication credentials were not provided.', null, { 'WWW-Authenticate': 'Bearer realm="api"' });
		}
		const key = (m[1] || '').trim();
		const perm = Object.prototype.hasOwnProperty.call(this.config.apiKeys, key) ? this.config.apiKeys[key] : undefined;
		if (!key || !perm) {
			return fail(401, 'INVALID_API_KEY', 'Invalid API key', 'The provided API key is invalid or expired', { 'WWW-Authenticate': 'Bearer realm="api"' });
		}
		if (perm !== 'write' && perm !== 'admin' && method !== 'GET' && method !== 'HEAD') {
			return fail(403, 'INSUFFICIENT_PERMISSIONS', 'Your API key does not have permission to perform this action', `This action requires a 'write' or 'admin' key; this key has '${perm}' permission`);
		}
		const now = Date.now();
		const lim = this._limiter(key);
		const rl = this.config.rateLimits || {};
		const win = this.config.rateWindowMs || {};
		let w = windowWait(lim.calls, rl.callsPerHour, win.callsPerHour, 1, now);
		if (w) return this._rateLimited('callsPerHour', w, rl.callsPerHour);
		if (match.isContact) {
			w = windowWait(lim.contacts, rl.contactOpsPerHour, win.contactOpsPerHour, 1, now);
			if (w) return this._rateLimited('contactOpsPerHour', w, rl.contactOpsPerHour);
		}
		const handlerName = match.route.methods[method];
		if (!handlerName) {
			return fail(405, 'METHOD_NOT_ALLOWED', `Method "${method}" not allowed.`, `Allowed: ${Object.keys(match.route.methods).join(', ')}`, {
				Allow: Object.keys(match.route.methods).join(', '),
			});
		}
		let body = null;
		if (raw && raw.trim()) {
			try {
				body = JSON.parse(raw);
			} catch (e) {
				return fail(400, 'INVALID_JSON', 'JSON parse error', String(e.message));
			}
		}
		const ctx = { key, perm, method, url, query: url.searchParams, body, params: match.params, now, limiter: lim };
		const result = this[handlerName](ctx);
		if (result.status !== 429) {
			lim.calls.push({ t: now, n: 1 });
			if (match.isContact) lim.contacts.push({ t: now, n: 1 });
		}
		return result;
	}

	_requireObject(body) {
		if (!body || typeof body !== 'object' || Array.isArray(body)) {
			return fail(400, 'INVALID_PARAMETER', 'Request body must be a JSON object', null);
		}
		return null;
	}

	// ------------------------------------------------------------ list shapes
	/**
	 * info: {total, hasMore, native (hint fields of the native shape), next, previous, page, pages}
	 */
	_listData(listKey, items, info, extra = {}) {
		const shape = this.config.listShape || 'native';
		const hints = this.config.paginationHints !== false;
		if (shape === 'array') return items;
		if (shape === 'native') {
			const d = { [listKey]: items, ...extra };
			if (hints) Object.assign(d, info.native || {});
			return d;
		}
		const d = { [shape]: items, ...extra };
		if (hints) {
			if (shape === 'results') Object.assign(d, { count: info.total, next: info.next || null, previous: info.previous || null });
			else if (shape === 'items') Object.assign(d, { total: info.total, has_next: !!info.hasMore });
			else if (shape === 'data') Object.assign(d, { total: info.total, page: info.page, total_pages: info.pages });
		}
		return d;
	}

	_pageUrl(url, changes) {
		const u = new URL(url.href);
		for (const [k, v] of Object.entries(changes)) u.searchParams.set(k, String(v));
		return u.href;
	}

	_offsetPage(ctx, all, { defLimit }) {
		const lim = parseIntParam(ctx.query.get('limit'), 'limit', defLimit, { min: 1 });
		if (lim.error) return { error: lim.error };
		const off = parseIntParam(ctx.query.get('offset'), 'offset', 0, { min: 0 });
		if (off.error) return { error: off.error };
		const limit = Math.min(lim.value, this.config.maxLimit || Infinity);
		const offset = this.config.ignorePaging ? 0 : off.value;
		const items = all.slice(offset, offset + limit);
		const total = all.length;
		const hasMore = offset + items.length < total;
		return {
			items,
			limit,
			offset,
			total,
			hasMore,
			next: hasMore ? this._pageUrl(ctx.url, { limit, offset: offset + limit }) : null,
			previous: offset > 0 ? this._pageUrl(ctx.url, { limit, offset: Math.max(0, offset - limit) }) : null,
			page: Math.floor(offset / limit) + 1,
			pages: Math.max(1, Math.ceil(total / limit)),
		};
	}

	// ------------------------------------------------------------ SMS
	sendSms(ctx) {
		const bad = this._requireObject(ctx.body);
		if (bad) return bad;
		const b = ctx.body;
		const cfg = this.config;
		if (b.message === undefined || b.message === null || (typeof b.message === 'string' && !b.message.trim())) {
			return fail(400, 'MISSING_MESSAGE', 'Message is required', "Field 'message' must be a non-empty string");
		}
		if (typeof b.message !== 'string') return fail(400, 'INVALID_PARAMETER', 'Message must be a string', "Field 'message' must be a string");
		const len = Array.from(b.message).length;
		if (len > cfg.maxMessageLength) {
			return fail(400, 'MESSAGE_TOO_LONG', `Message exceeds ${cfg.maxMessageLength} characters`, `Message length is ${len} characters; the maximum is ${cfg.maxMessageLength}`);
		}
		if (b.recipients === undefined || b.recipients === null || (Array.isArray(b.recipients) && b.recipients.length === 0)) {
			return fail(400, 'MISSING_RECIPIENTS', 'At least one recipient is required', "Field 'recipients' must be a non-empty array");
		}
		if (!Array.isArray(b.recipients)) return fail(400, 'INVALID_PARAMETER', 'Recipients must be a list of phone numbers', "Field 'recipients' must be an array");
		for (const r of b.recipients) {
			if (typeof r !== 'string' || !E164.test(r)) {
				return fail(400, 'INVALID_PHONE', `Invalid phone number: ${typeof r === 'string' ? r : JSON.stringify(r)}`, 'Phone numbers must be in E.164 format, e.g. +255712345678');
			}
		}
		let senderId = 'MIFUMO';
		if (b.sender_id !== undefined && b.sender_id !== null) {
			if (typeof b.sender_id !== 'string' || !cfg.approvedSenderIds.includes(b.sender_id)) {
				return fail(400, 'INVALID_SENDER_ID', `Sender ID not approved: ${b.sender_id}`, `Approved sender IDs: ${cfg.approvedSenderIds.join(', ')}`);
			}
			senderId = b.sender_id;
		}
		let scheduleMs = null;
		if (b.schedule_time !== undefined && b.schedule_time !== null) {
			scheduleMs = parseIsoDate(b.schedule_time);
			if (Number.isNaN(scheduleMs)) {
				return fail(400, 'INVALID_SCHEDULE_TIME', `Invalid schedule_time: ${b.schedule_time}`, 'Use an ISO 8601 date-time, e.g. 2024-01-01T10:00:00Z');
			}
		}
		let webhookUrl = null;
		if (b.webhook_url !== undefined && b.webhook_url !== null) {
			let okUrl = false;
			try {
				okUrl = typeof b.webhook_url === 'string' && /^https?:$/.test(new URL(b.webhook_url).protocol);
			} catch {
				okUrl = false;
			}
			if (!okUrl) return fail(400, 'INVALID_PARAMETER', `Invalid webhook_url: ${b.webhook_url}`, 'webhook_url must be an http(s) URL');
			webhookUrl = b.webhook_url;
		}
		const n = b.recipients.length;
		const rl = cfg.rateLimits || {};
		const w = windowWait(ctx.limiter.sms, rl.smsPerMinute, (cfg.rateWindowMs || {}).smsPerMinute, n, ctx.now);
		if (w) return this._rateLimited('smsPerMinute', w, rl.smsPerMinute);
		const cost = n * cfg.costPerSms;
		const state = this._state;
		if (state.balance < cost) {
			return fail(402, 'INSUFFICIENT_BALANCE', 'Insufficient balance', `This message costs ${cost} ${cfg.currency}; the balance is ${state.balance} ${cfg.currency}`);
		}
		ctx.limiter.sms.push({ t: ctx.now, n });
		state.balance -= cost;
		state.balanceUpdatedMs = ctx.now;
		const scheduled = scheduleMs !== null && scheduleMs > ctx.now;
		const msg = this._createMessage({
			message: b.message,
			recipients: b.recipients,
			sender_id: senderId,
			schedule_time: scheduleMs !== null ? iso(scheduleMs) : null,
			webhook_url: webhookUrl,
			api_key: ctx.key,
			cost,
			createdMs: ctx.now,
			status: scheduled ? 'scheduled' : 'sent',
		});
		if (scheduled) {
			if (scheduleMs - ctx.now <= MAX_TIMER) this._setTimer(() => this._markSent(msg), scheduleMs - ctx.now);
		} else {
			this._afterSent(msg);
		}
		return ok(200, scheduled ? 'SMS scheduled successfully' : 'SMS sent successfully', {
			message_id: msg.message_id,
			recipients: [...msg.recipients],
			status: msg.status,
			cost,
			currency: cfg.currency,
		});
	}

	_newMessageId() {
		return 'msg_' + Date.now().toString(36) + crypto.randomBytes(5).toString('hex');
	}

	_createMessage(o) {
		const msg = {
			message_id: o.message_id || this._newMessageId(),
			message: o.message,
			recipients: [...o.recipients],
			sender_id: o.sender_id,
			schedule_time: o.schedule_time || null,
			webhook_url: o.webhook_url || null,
			api_key: o.api_key || null,
			cost: o.cost,
			currency: this.config.currency,
			status: o.status,
			created_at: iso(o.createdMs),
			sent_at: o.status === 'scheduled' ? null : iso(o.sentMs || o.createdMs),
			delivery_time: null,
			recipientStatuses: o.recipients.map((phone) => ({ phone, status: o.status, delivery_time: null })),
			_createdMs: o.createdMs,
			_seq: ++this._state.seq,
			_chain: Promise.resolve(),
		};
		this._state.messages.set(msg.message_id, msg);
		return msg;
	}

	_markSent(msg) {
		if (msg.status !== 'scheduled' || this._state.messages.get(msg.message_id) !== msg) return;
		msg.status = 'sent';
		msg.sent_at = iso(Date.now());
		for (const r of msg.recipientStatuses) if (r.status === 'scheduled') r.status = 'sent';
		this._afterSent(msg);
	}

	_afterSent(msg) {
		this._emitWebhooks(msg, 'sent', msg.recipientStatuses);
		const d = this.config.deliveryDelayMs;
		if (d !== null && d !== undefined && d !== false) {
			this._setTimer(() => this.advance(msg.message_id), Number(d));
		}
	}

	/**
	 * Move recipients to a final status now. status omitted = natural outcome (999 convention);
	 * phones omitted = every recipient (without status: every recipient not yet final).
	 * Returns the message view, or null when unknown.
	 */
	advance(messageId, status, phones) {
		const msg = this._state.messages.get(messageId);
		if (!msg) return null;
		const nowMs = Date.now();
		const changed = [];
		const before = messageOverall(msg);
		for (const r of msg.recipientStatuses) {
			if (phones && !phones.includes(r.phone)) continue;
			if (!status && !phones && (r.status === 'delivered' || r.status === 'failed')) continue;
			const s = status || naturalOutcome(r.phone);
			if (r.status === s) continue;
			r.status = s;
			r.delivery_time = s === 'sent' ? null : iso(nowMs);
			changed.push(r);
		}
		if (!msg.sent_at && changed.length) msg.sent_at = iso(nowMs);
		msg.status = messageOverall(msg);
		msg.delivery_time = messageDeliveryTime(msg);
		if (changed.length) {
			const overallChanged = msg.status !== before;
			this._emitWebhooks(msg, overallChanged ? msg.status : null, changed);
		}
		return this._messageView(msg);
	}

	_messageView(msg) {
		return {
			message_id: msg.message_id,
			message: msg.message,
			recipients: [...msg.recipients],
			sender_id: msg.sender_id,
			schedule_time: msg.schedule_time,
			webhook_url: msg.webhook_url,
			api_key: msg.api_key,
			status: msg.status,
			cost: msg.cost,
			currency: msg.currency,
			created_at: msg.created_at,
			sent_at: msg.sent_at,
			delivery_time: msg.delivery_time,
			recipient_statuses: msg.recipientStatuses.map((r) => ({ ...r })),
		};
	}

	smsStatus(ctx) {
		const msg = this._state.messages.get(ctx.params[0]);
		if (!msg) return fail(404, 'MESSAGE_NOT_FOUND', 'Message not found', `No message with id ${ctx.params[0]}`);
		return ok(200, 'Message status retrieved successfully', {
			message_id: msg.message_id,
			status: msg.status,
			delivery_time: msg.delivery_time,
			recipients: msg.recipientStatuses.map((r) => ({ phone: r.phone, status: r.status, delivery_time: r.delivery_time })),
		});
	}

	deliveryReports(ctx) {
		const q = ctx.query;
		let startMs = null;
		let endMs = null;
		if (q.get('start_date')) {
			startMs = parseIsoDate(q.get('start_date'));
			if (Number.isNaN(startMs)) return fail(400, 'INVALID_DATE', `Invalid start_date: ${q.get('start_date')}`, 'Use ISO 8601, e.g. 2024-01-01T00:00:00Z');
		}
		if (q.get('end_date')) {
			endMs = parseIsoDate(q.get('end_date'), true);
			if (Number.isNaN(endMs)) return fail(400, 'INVALID_DATE', `Invalid end_date: ${q.get('end_date')}`, 'Use ISO 8601, e.g. 2024-01-31T23:59:59Z');
		}
		const status = q.get('status') || null;
		const pg = parseIntParam(q.get('page'), 'page', 1, { min: 1 });
		if (pg.error) return pg.error;
		const pp = parseIntParam(q.get('per_page'), 'per_page', 50, { min: 1 });
		if (pp.error) return pp.error;
		const perPage = Math.min(pp.value, this.config.maxPerPage || Infinity);
		const page = this.config.ignorePaging ? 1 : pg.value;
		const all = [];
		const msgs = [...this._state.messages.values()].sort((a, b) => b._createdMs - a._createdMs || b._seq - a._seq); // newest first
		for (const m of msgs) {
			const t = m.sent_at ? Date.parse(m.sent_at) : m._createdMs;
			if (startMs !== null && t < startMs) continue;
			if (endMs !== null && t > endMs) continue;
			for (const r of m.recipientStatuses) {
				if (status && r.status !== status) continue;
				all.push({ message_id: m.message_id, phone: r.phone, status: r.status, sender_id: m.sender_id, message: m.message, sent_at: m.sent_at, delivery_time: r.delivery_time });
			}
		}
		const total = all.length;
		const pages = Math.max(1, Math.ceil(total / perPage));
		const reports = all.slice((page - 1) * perPage, page * perPage);
		const hasMore = page < pages;
		const data = this._listData('reports', reports, {
			total,
			hasMore,
			page,
			pages,
			next: hasMore ? this._pageUrl(ctx.url, { page: page + 1, per_page: perPage }) : null,
			previous: page > 1 ? this._pageUrl(ctx.url, { page: page - 1, per_page: perPage }) : null,
			native: { pagination: { page, per_page: perPage, total, pages } },
		});
		return ok(200, 'Delivery reports retrieved successfully', data);
	}

	balance() {
		const s = this._state;
		return ok(200, 'Balance retrieved successfully', { balance: s.balance, currency: this.config.currency, last_updated: iso(s.balanceUpdatedMs) });
	}

	// ------------------------------------------------------------ contacts
	_contactsNewestFirst() {
		return [...this._state.contacts.values()].sort((a, b) => b._createdMs - a._createdMs || b._seq - a._seq);
	}

	_segmentFilter(segmentId) {
		if (!segmentId) return { filter: () => true };
		const seg = this._state.segments.get(segmentId);
		if (!seg) return { error: fail(404, 'SEGMENT_NOT_FOUND', 'Segment not found', `No segment with id ${segmentId}`) };
		return { filter: (c) => inSegment(c, seg.criteria) };
	}

	_insertContact(fields, nowMs) {
		const c = {
			contact_id: fields.contact_id || crypto.randomUUID(),
			name: fields.name,
			phone_number: fields.phone_number,
			email: fields.email === undefined ? null : fields.email,
			tags: fields.tags || [],
			is_active: fields.is_active === undefined ? true : fields.is_active,
			created_at: iso(nowMs),
			updated_at: iso(nowMs),
			_createdMs: nowMs,
			_seq: ++this._state.seq,
		};
		this._state.contacts.set(c.contact_id, c);
		this._state.phoneIndex.set(c.phone_number, c.contact_id);
		return c;
	}

	createContact(ctx) {
		const bad = this._requireObject(ctx.body);
		if (bad) return bad;
		const v = validateContactFields(ctx.body, { partial: false });
		if (v.error) return v.error;
		if (this._state.phoneIndex.has(v.value.phone_number)) {
			return fail(400, 'DUPLICATE_CONTACT', `A contact with phone number ${v.value.phone_number} already exists`, `Existing contact_id: ${this._state.phoneIndex.get(v.value.phone_number)}`);
		}
		const c = this._insertContact(v.value, ctx.now);
		return ok(201, 'Contact created successfully', publicContact(c));
	}

	_findContact(id) {
		const c = this._state.contacts.get(id);
		return c ? { contact: c } : { error: fail(404, 'CONTACT_NOT_FOUND', 'Contact not found', `No contact with id ${id}`) };
	}

	getContact(ctx) {
		const f = this._findContact(ctx.params[0]);
		if (f.error) return f.error;
		return ok(200, 'Contact retrieved successfully', publicContact(f.contact));
	}

	updateContact(ctx) {
		const f = this._findContact(ctx.params[0]);
		if (f.error) return f.error;
		const bad = this._requireObject(ctx.body);
		if (bad) return bad;
		const v = validateContactFields(ctx.body, { partial: true });
		if (v.error) return v.error;
		const c = f.contact;
		const u = v.value;
		if (u.phone_number && u.phone_number !== c.phone_number) {
			const other = this._state.phoneIndex.get(u.phone_number);
			if (other && other !== c.contact_id) {
				return fail(400, 'DUPLICATE_CONTACT', `A contact with phone number ${u.phone_number} already exists`, `Existing contact_id: ${other}`);
			}
			this._state.phoneIndex.delete(c.phone_number);
			this._state.phoneIndex.set(u.phone_number, c.contact_id);
		}
		Object.assign(c, u);
		c.updated_at = iso(ctx.now);
		return ok(200, 'Contact updated successfully', publicContact(c));
	}

	deleteContact(ctx) {
		const f = this._findContact(ctx.params[0]);
		if (f.error) return f.error;
		this._state.contacts.delete(f.contact.contact_id);
		this._state.phoneIndex.delete(f.contact.phone_number);
		return ok(200, 'Contact deleted successfully', null);
	}

	listContacts(ctx) {
		const sf = this._segmentFilter(ctx.query.get('segment_id'));
		if (sf.error) return sf.error;
		const search = ctx.query.get('search');
		const all = this._contactsNewestFirst().filter((c) => sf.filter(c) && (!search || matchesQuery(c, search)));
		const p = this._offsetPage(ctx, all, { defLimit: 20 });
		if (p.error) return p.error;
		const data = this._listData('contacts', p.items.map(publicContact), {
			...p,
			native: { pagination: { total: p.total, limit: p.limit, offset: p.offset, has_more: p.hasMore } },
		});
		return ok(200, 'Contacts retrieved successfully', data);
	}

	searchContacts(ctx) {
		const q = ctx.query.get('q');
		if (q === null) return fail(400, null, "Search query parameter 'q' is required", null);
		const sf = this._segmentFilter(ctx.query.get('segment_id'));
		if (sf.error) return sf.error;
		const all = this._contactsNewestFirst().filter((c) => sf.filter(c) && matchesQuery(c, q));
		const p = this._offsetPage(ctx, all, { defLimit: 20 });
		if (p.error) return p.error;
		const data = this._listData('contacts', p.items.map(publicContact), { ...p, native: { count: p.total } }, { query: q });
		return ok(200, 'Contacts search completed successfully', data);
	}

	// ------------------------------------------------------------ segments
	_segmentView(s) {
		let count = 0;
		for (const c of this._state.contacts.values()) if (inSegment(c, s.criteria)) count++;
		return {
			segment_id: s.segment_id,
			name: s.name,
			description: s.description,
			criteria: clone(s.criteria),
			contact_count: count,
			created_at: s.created_at,
			updated_at: s.updated_at,
		};
	}

	_validateSegment(body, partial) {
		const bad = this._requireObject(body);
		if (bad) return { error: bad };
		const out = {};
		if (!partial || 'name' in body) {
			if (typeof body.name !== 'string' || !body.name.trim()) {
				return { error: fail(400, 'INVALID_PARAMETER', 'Segment name is required', "Field 'name' must be a non-empty string") };
			}
			out.name = body.name.trim();
		}
		if ('description' in body) {
			if (body.description !== null && typeof body.description !== 'string') {
				return { error: fail(400, 'INVALID_PARAMETER', 'Description must be a string', "Field 'description' must be a string") };
			}
			out.description = body.description || '';
		} else if (!partial) out.description = '';
		if (!partial || 'criteria' in body) {
			const c = validateCriteria(body.criteria);
			if (c.error) return { error: c.error };
			out.criteria = c.value;
		}
		return { value: out };
	}

	_insertSegment(fields, nowMs) {
		const criteria = {};
		for (const [k, v] of Object.entries(fields.criteria || {})) if (v !== null) criteria[k] = v;
		const s = {
			segment_id: fields.segment_id || crypto.randomUUID(),
			name: fields.name,
			description: fields.description || '',
			criteria,
			created_at: iso(nowMs),
			updated_at: iso(nowMs),
			_createdMs: nowMs,
			_seq: ++this._state.seq,
		};
		this._state.segments.set(s.segment_id, s);
		return s;
	}

	createSegment(ctx) {
		const v = this._validateSegment(ctx.body, false);
		if (v.error) return v.error;
		const s = this._insertSegment(v.value, ctx.now);
		return ok(201, 'Segment created successfully', this._segmentView(s));
	}

	_findSegment(id) {
		const s = this._state.segments.get(id);
		return s ? { segment: s } : { error: fail(404, 'SEGMENT_NOT_FOUND', 'Segment not found', `No segment with id ${id}`) };
	}

	getSegment(ctx) {
		const f = this._findSegment(ctx.params[0]);
		if (f.error) return f.error;
		return ok(200, 'Segment retrieved successfully', this._segmentView(f.segment));
	}

	updateSegment(ctx) {
		const f = this._findSegment(ctx.params[0]);
		if (f.error) return f.error;
		const v = this._validateSegment(ctx.body, true);
		if (v.error) return v.error;
		const s = f.segment;
		if (v.value.name !== undefined) s.name = v.value.name;
		if (v.value.description !== undefined) s.description = v.value.description;
		if (v.value.criteria) {
			// criteria are merged key by key; a key set to null is removed
			for (const [k, val] of Object.entries(v.value.criteria)) {
				if (val === null) delete s.criteria[k];
				else s.criteria[k] = val;
			}
		}
		s.updated_at = iso(ctx.now);
		return ok(200, 'Segment updated successfully', this._segmentView(s));
	}

	deleteSegment(ctx) {
		const f = this._findSegment(ctx.params[0]);
		if (f.error) return f.error;
		this._state.segments.delete(f.segment.segment_id);
		return ok(200, 'Segment deleted successfully', null);
	}

	listSegments(ctx) {
		const all = [...this._state.segments.values()].sort((a, b) => b._createdMs - a._createdMs || b._seq - a._seq);
		let items = all;
		let info = { total: all.length, hasMore: false, page: 1, pages: 1 };
		if (ctx.query.get('limit') !== null || ctx.query.get('offset') !== null) {
			const p = this._offsetPage(ctx, all, { defLimit: 20 });
			if (p.error) return p.error;
			items = p.items;
			info = p;
		}
		const data = this._listData('segments', items.map((s) => this._segmentView(s)), { ...info, native: {} });
		return ok(200, 'Segments retrieved successfully', data);
	}

	// ------------------------------------------------------------ webhooks
	/** overallStatus: guide-dialect webhook with that status (null = none); changed: recipients for the dashboard dialect. */
	_emitWebhooks(msg, overallStatus, changed) {
		const cfg = this.config;
		if (overallStatus && msg.webhook_url) {
			const payload = {
				message_id: msg.message_id,
				status: overallStatus,
				recipients: msg.recipientStatuses.map((r) => ({ phone: r.phone, status: r.status, delivery_time: r.delivery_time })),
				metadata: { sender_id: msg.sender_id, cost: msg.cost, currency: msg.currency },
			};
			const raw = JSON.stringify(payload);
			const headers = { 'Content-Type': 'application/json', 'User-Agent': 'Mifumo-Sandbox-Webhook/1.0' };
			if (msg.api_key) headers.Authorization = `Bearer ${msg.api_key}`;
			const url = msg.webhook_url;
			msg._chain = msg._chain.then(() => this._postWebhook({ url, headers, rawBody: raw, dialect: 'guide', messageId: msg.message_id, event: overallStatus }));
		}
		if (cfg.dashboardWebhookUrl) {
			const url = cfg.dashboardWebhookUrl;
			const secret = cfg.webhookSecret;
			const perRecipientCost = msg.recipients.length ? msg.cost / msg.recipients.length : 0;
			for (const r of changed) {
				const payload = {
					event: `message.${r.status}`,
					message_id: msg.message_id,
					recipient: r.phone,
					status: r.status,
					timestamp: iso(Date.now()),
					delivery_time: r.delivery_time,
					sender_id: msg.sender_id,
					cost: perRecipientCost,
					currency: msg.currency,
				};
				const raw = JSON.stringify(payload);
				const headers = { 'Content-Type': 'application/json', 'User-Agent': 'Mifumo-Sandbox-Webhook/1.0' };
				if (secret) headers['X-Webhook-Signature'] = crypto.createHmac('sha256', secret).update(raw).digest('hex');
				msg._chain = msg._chain.then(() => this._postWebhook({ url, headers, rawBody: raw, dialect: 'dashboard', messageId: msg.message_id, event: payload.event }));
			}
		}
	}

	/** POST a webhook; never throws. Resolves {status, body, headers, error}. */
	_postWebhook({ url, headers, rawBody, dialect, messageId, event }) {
		const log = this._state.webhookLog;
		const entry = {
			dialect: dialect || null,
			url,
			message_id: messageId || null,
			event: event || null,
			headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
			body: tryJson(rawBody),
			rawBody,
			status: null,
			responseBody: null,
			error: null,
			at: Date.now(),
		};
		log.push(entry);
		if (log.length > this.config.maxLogEntries) log.splice(0, log.length - this.config.maxLogEntries);
		if (this.closed) {
			entry.error = 'sandbox closed';
			return Promise.resolve({ status: null, body: null, error: entry.error });
		}
		this.stats.webhooksSent++;
		return new Promise((resolve) => {
			let u;
			try {
				u = new URL(url);
				if (!/^https?:$/.test(u.protocol)) throw new Error(`unsupported protocol ${u.protocol}`);
			} catch (e) {
				entry.error = `invalid URL: ${e.message}`;
				resolve({ status: null, body: null, error: entry.error });
				return;
			}
			const lib = u.protocol === 'https:' ? https : http;
			let settled = false;
			const done = (r) => {
				if (!settled) {
					settled = true;
					resolve(r);
				}
			};
			let req;
			try {
				req = lib.request(
					u,
					{ method: 'POST', headers: { ...headers, 'Content-Length': Buffer.byteLength(rawBody) }, agent: false, timeout: this.config.webhookTimeoutMs || 5000 },
					(res) => {
						const chunks = [];
						res.on('data', (c) => chunks.push(c));
						res.on('error', () => {});
						res.on('end', () => {
							entry.status = res.statusCode;
							entry.responseBody = Buffer.concat(chunks).toString('utf8');
							done({ status: res.statusCode, body: entry.responseBody, headers: res.headers, error: null });
						});
						res.on('close', () => {
							entry.status = res.statusCode;
							done({ status: res.statusCode, body: entry.responseBody, headers: res.headers, error: null });
						});
					},
				);
			} catch (e) {
				entry.error = e.message;
				done({ status: null, body: null, error: e.message });
				return;
			}
			this.webhookRequests.add(req);
			req.on('timeout', () => req.destroy(new Error('webhook timed out')));
			req.on('error', (e) => {
				entry.error = e.message;
				done({ status: null, body: null, error: e.message });
			});
			req.on('close', () => {
				this.webhookRequests.delete(req);
				if (!settled) {
					entry.error = entry.error || 'connection closed';
					done({ status: entry.status, body: entry.responseBody, error: entry.error });
				}
			});
			req.end(rawBody);
		});
	}

	// ------------------------------------------------------------ seeding
	seed(spec) {
		const s = spec || {};
		const out = { contacts: 0, segments: 0, messages: 0, contact_ids: [], segment_ids: [], message_ids: [] };
		const now = Date.now();
		if (s.contacts !== undefined) {
			const list = typeof s.contacts === 'number' ? Array.from({ length: s.contacts }, () => ({})) : s.contacts;
			if (!Array.isArray(list)) throw new Error('contacts must be a number or an array');
			const base = this._state.contacts.size;
			list.forEach((c, i) => {
				const k = base + i;
				const fields = {
					name: `Contact ${k + 1}`,
					phone_number: '+2557' + String(10_000_000 + k).slice(-8),
					...c,
				};
				const v = validateContactFields(fields, { partial: false });
				if (v.error) throw new Error(`contact ${i}: ${v.error.body.message}`);
				if (this._state.phoneIndex.has(v.value.phone_number)) throw new Error(`contact ${i}: duplicate phone ${v.value.phone_number}`);
				const createdMs = c.created_at ? parseIsoDate(c.created_at) : now - (list.length - i);
				const rec = this._insertContact({ ...v.value, contact_id: c.contact_id || c.id }, Number.isNaN(createdMs) ? now : createdMs);
				out.contact_ids.push(rec.contact_id);
				out.contacts++;
			});
		}
		if (s.segments !== undefined) {
			if (!Array.isArray(s.segments)) throw new Error('segments must be an array');
			s.segments.forEach((seg, i) => {
				const v = this._validateSegment({ name: `Segment ${i + 1}`, ...seg }, false);
				if (v.error) throw new Error(`segment ${i}: ${v.error.body.message}`);
				const rec = this._insertSegment({ ...v.value, segment_id: seg.segment_id || seg.id }, now);
				out.segment_ids.push(rec.segment_id);
				out.segments++;
			});
		}
		if (s.messages !== undefined) {
			let list = s.messages;
			if (typeof list === 'number') list = { count: list };
			if (!Array.isArray(list)) {
				const { count = 0, recipients = 1, status, sender_id = 'MIFUMO', message = 'Seeded message', intervalMs = 1000 } = list;
				let k = 0;
				list = Array.from({ length: count }, (_, i) => ({
					message: `${message} ${i + 1}`,
					sender_id,
					status,
					recipients: Array.from({ length: recipients }, () => '+2556' + String(10_000_000 + k++).slice(-8)),
					sent_at: iso(now - (count - i) * intervalMs),
				}));
			}
			for (const m of list) {
				const recipients = m.recipients || ['+255700000001'];
				const sentMs = m.sent_at ? parseIsoDate(m.sent_at) : now;
				const msg = this._createMessage({
					message_id: m.message_id,
					message: m.message || 'Seeded message',
					recipients,
					sender_id: m.sender_id || 'MIFUMO',
					webhook_url: m.webhook_url,
					api_key: m.api_key,
					cost: recipients.length * this.config.costPerSms,
					createdMs: Number.isNaN(sentMs) ? now : sentMs,
					status: m.status === 'scheduled' ? 'scheduled' : 'sent',
				});
				if (m.status !== 'sent' && m.status !== 'scheduled') {
					const dt = iso((Number.isNaN(sentMs) ? now : sentMs) + 5000);
					for (const r of msg.recipientStatuses) {
						r.status = m.status || naturalOutcome(r.phone);
						r.delivery_time = m.delivery_time || dt;
					}
					msg.status = messageOverall(msg);
					msg.delivery_time = messageDeliveryTime(msg);
				}
				out.message_ids.push(msg.message_id);
				out.messages++;
			}
		}
		return out;
	}

	// ------------------------------------------------------------ control plane
	async _control(req, res, url, raw) {
		const send = (status, obj) => {
			const text = JSON.stringify(obj);
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
		const p = stripSlash(url.pathname.slice(CONTROL_PREFIX.length)) || '/';
		const st = this._state;
		try {
			if (p === '/health' && method === 'GET') return send(200, { ok: true, url: this.url });
			if (p === '/reset' && method === 'POST') {
				this.reset(body || {});
				return send(200, { ok: true, config: this.publicConfig() });
			}
			if (p === '/config') {
				if (method === 'GET') return send(200, this.publicConfig());
				if (method === 'POST' || method === 'PUT' || method === 'PATCH') return send(200, this.configure(body || {}));
			}
			if (p === '/requests') {
				if (method === 'GET') return send(200, st.requestLog);
				if (method === 'DELETE') {
					st.requestLog.length = 0;
					return send(200, { ok: true });
				}
			}
			if (p === '/messages' && method === 'GET') return send(200, [...st.messages.values()].map((m) => this._messageView(m)));
			let m = /^\/messages\/([^/]+)$/.exec(p);
			if (m && method === 'GET') {
				const msg = st.messages.get(decodeURIComponent(m[1]));
				return msg ? send(200, this._messageView(msg)) : send(404, { error: 'message not found' });
			}
			m = /^\/messages\/([^/]+)\/advance$/.exec(p);
			if (m && method === 'POST') {
				const b = body || {};
				if (b.status !== undefined && !['delivered', 'failed', 'sent'].includes(b.status)) {
					return send(400, { error: "status must be 'delivered', 'failed' or 'sent'" });
				}
				if (b.recipients !== undefined && !Array.isArray(b.recipients)) return send(400, { error: 'recipients must be an array' });
				const view = this.advance(decodeURIComponent(m[1]), b.status, b.recipients);
				return view ? send(200, view) : send(404, { error: 'message not found' });
			}
			if (p === '/faults') {
				if (method === 'GET') return send(200, st.faults.map((f) => this._faultView(f)));
				if (method === 'DELETE') {
					st.faults.length = 0;
					return send(200, { ok: true });
				}
				if (method === 'POST') {
					const list = Array.isArray(body) ? body : [body || {}];
					const made = list.map((f) => this._addFault(f));
					return send(200, Array.isArray(body) ? made : made[0]);
				}
			}
			if (p === '/balance') {
				if (method === 'GET') return send(200, { balance: st.balance, currency: this.config.currency });
				if (method === 'POST') {
					this._setBalance((body || {}).balance);
					return send(200, { balance: st.balance, currency: this.config.currency });
				}
			}
			if (p === '/stats' && method === 'GET') return send(200, { ...this.stats });
			if (p === '/stats/reset' && method === 'POST') {
				this.stats = { inFlight: this.stats.inFlight, maxInFlight: this.stats.inFlight, requests: 0, rateLimited: 0, webhooksSent: 0 };
				return send(200, { ...this.stats });
			}
			if (p === '/webhooks') {
				if (method === 'GET') return send(200, st.webhookLog);
				if (method === 'DELETE') {
					st.webhookLog.length = 0;
					return send(200, { ok: true });
				}
			}
			if (p === '/webhooks/send' && method === 'POST') return send(200, await this.sendWebhook(body || {}));
			if (p === '/seed' && method === 'POST') return send(200, this.seed(body || {}));
			if (p === '/contacts' && method === 'GET') return send(200, this._contactsNewestFirst().map(publicContact));
			if (p === '/segments' && method === 'GET') return send(200, [...st.segments.values()].map((s) => this._segmentView(s)));
			return send(404, { error: `unknown control endpoint: ${method} ${url.pathname}` });
		} catch (e) {
			return send(400, { error: e.message });
		}
	}

	_addFault(f) {
		if (!f || typeof f !== 'object') throw new Error('fault must be an object');
		if (typeof f.path !== 'string' || !f.path) throw new Error('fault.path is required (exact path, or a prefix ending with *)');
		const action = f.action || 'respond';
		if (!['respond', 'reset', 'hang', 'delay'].includes(action)) throw new Error("fault.action must be 'respond', 'reset', 'hang' or 'delay'");
		if (action === 'delay' && !(f.delayMs > 0)) throw new Error("fault.delayMs is required for action 'delay'");
		const times = f.times === undefined ? 1 : f.times;
		const fault = {
			id: ++this.faultSeq,
			method: f.method ? String(f.method).toUpperCase() : undefined,
			path: f.path,
			times,
			remaining: times === 'always' || times === null || times < 0 ? Infinity : Number(times),
			status: f.status,
			body: f.body,
			contentType: f.contentType,
			headers: f.headers,
			delayMs: f.delayMs || 0,
			action,
			processThenFail: !!f.processThenFail,
			hits: 0,
		};
		if (fault.remaining === 0) throw new Error('fault.times must be >= 1 (or -1 / "always")');
		this._state.faults.push(fault);
		return this._faultView(fault);
	}

	_faultView(f) {
		const { remaining, ...rest } = f;
		return { ...rest, remaining: remaining === Infinity ? 'always' : remaining };
	}

	/** POST an arbitrary webhook now. dialect 'guide' adds Bearer <key>; 'dashboard' signs with secret. */
	async sendWebhook(opts) {
		if (!opts.url) throw new Error('url is required');
		const dialect = opts.dialect || 'guide';
		if (!['guide', 'dashboard'].includes(dialect)) throw new Error("dialect must be 'guide' or 'dashboard'");
		const rawBody = typeof opts.rawBody === 'string' ? opts.rawBody : JSON.stringify(opts.payload === undefined ? {} : opts.payload);
		const headers = { 'Content-Type': 'application/json', 'User-Agent': 'Mifumo-Sandbox-Webhook/1.0' };
		if (dialect === 'guide') {
			const key = opts.key === undefined ? Object.keys(this.config.apiKeys)[0] : opts.key;
			if (key !== null && key !== undefined) headers.Authorization = `Bearer ${key}`;
		} else {
			const secret = opts.secret === undefined ? this.config.webhookSecret : opts.secret;
			if (secret) headers['X-Webhook-Signature'] = crypto.createHmac('sha256', secret).update(rawBody).digest('hex');
		}
		for (const [k, v] of Object.entries(opts.headers || {})) {
			for (const existing of Object.keys(headers)) if (existing.toLowerCase() === k.toLowerCase()) delete headers[existing];
			if (v !== null && v !== undefined) headers[k] = String(v);
		}
		const r = await this._postWebhook({ url: opts.url, headers, rawBody, dialect, messageId: tryJson(rawBody)?.message_id, event: 'manual' });
		return { status: r.status, body: r.body, error: r.error || null };
	}
}

async function startSandbox(options = {}) {
	const sb = new Sandbox(options);
	await sb.listen();
	return sb;
}

module.exports = {
	startSandbox,
	Sandbox,
	DEFAULT_API_KEYS,
	DEFAULT_SENDER_IDS,
	API_PREFIX,
	CONTROL_PREFIX,
	defaultConfig,
};
