'use strict';
/**
 * The API's routes and the checks every request passes, in this order: route 404, JWT refusal
 * (jwtAuth), auth 401, permission 403, call/contact limits 429, method 405, JSON 400, handler.
 */
const { API_PREFIX } = require('./config');
const { fail } = require('./answers');
const { smsHandlers } = require('./sms');
const { contactHandlers } = require('./contacts');
const { segmentHandlers } = require('./segments');
const { djangoNotFound, JWT_REFUSAL } = require('./source-dialect');

const ROUTES = [
	{ pattern: /^\/sms\/send$/, methods: { POST: smsHandlers.sendSms } },
	{ pattern: /^\/sms\/status\/([^/]+)$/, methods: { GET: smsHandlers.smsStatus } },
	{ pattern: /^\/sms\/delivery-reports$/, methods: { GET: smsHandlers.deliveryReports } },
	{ pattern: /^\/sms\/balance$/, methods: { GET: smsHandlers.balance } },
	{ pattern: /^\/contacts$/, methods: { GET: contactHandlers.listContacts } },
	{ pattern: /^\/contacts\/create$/, methods: { POST: contactHandlers.createContact } },
	{ pattern: /^\/contacts\/search$/, methods: { GET: contactHandlers.searchContacts } },
	{ pattern: /^\/contacts\/segments$/, methods: { GET: segmentHandlers.listSegments } },
	{ pattern: /^\/contacts\/segments\/create$/, methods: { POST: segmentHandlers.createSegment } },
	{ pattern: /^\/contacts\/segments\/([^/]+)$/, methods: { GET: segmentHandlers.getSegment } },
	{ pattern: /^\/contacts\/segments\/([^/]+)\/update$/, methods: { PUT: segmentHandlers.updateSegment, PATCH: segmentHandlers.updateSegment } },
	{ pattern: /^\/contacts\/segments\/([^/]+)\/delete$/, methods: { DELETE: segmentHandlers.deleteSegment } },
	{ pattern: /^\/contacts\/([^/]+)$/, methods: { GET: contactHandlers.getContact } },
	{ pattern: /^\/contacts\/([^/]+)\/update$/, methods: { PUT: contactHandlers.updateContact, PATCH: contactHandlers.updateContact } },
	{ pattern: /^\/contacts\/([^/]+)\/delete$/, methods: { DELETE: contactHandlers.deleteContact } },
];

/** {route, params, isContact} for an API path (trailing slash optional), or null. */
function matchRoute(path) {
	if (path !== API_PREFIX && !path.startsWith(API_PREFIX + '/')) return null;
	let rest = path.slice(API_PREFIX.length);
	if (rest.length > 1 && rest.endsWith('/')) rest = rest.slice(0, -1);
	for (const route of ROUTES) {
		const match = route.pattern.exec(rest);
		if (!match) continue;
		try {
			return { route, params: match.slice(1).map((param) => decodeURIComponent(param)), isContact: rest.startsWith('/contacts') };
		} catch {
			return null; // a malformed %-escape
		}
	}
	return null;
}

const WWW_AUTHENTICATE = { 'WWW-Authenticate': 'Bearer realm="api"' };

/** {key, permission} or {error}. */
function authenticate(config, authorization) {
	const bearer = typeof authorization === 'string' ? /^\s*bearer(?:\s+(.*))?$/i.exec(authorization) : null;
	if (bearer && config.jwtAuth) return { error: JWT_REFUSAL };
	if (!bearer && config.dialect === 'source') return { error: fail(401, 'AUTHENTICATION_REQUIRED', 'Authentication required', null, WWW_AUTHENTICATE) };
	if (!bearer) return { error: fail(401, null, 'Authentication credentials were not provided.', null, WWW_AUTHENTICATE) };
	const key = (bearer[1] || '').trim();
	const permission = Object.prototype.hasOwnProperty.call(config.apiKeys, key) ? config.apiKeys[key] : undefined;
	if (!key || !permission) return { error: fail(401, 'INVALID_API_KEY', 'Invalid API key', 'The provided API key is invalid or expired', WWW_AUTHENTICATE) };
	return { key, permission };
}

/** Answer one API request synchronously: {status, envelope | body, headers?}. */
function processRequest(sandbox, method, url, raw, headers) {
	const config = sandbox.config;
	const match = matchRoute(url.pathname);
	// Mifumo's own server serves no /contacts/ paths
	if (config.dialect === 'source' && (!match || match.isContact)) return djangoNotFound(url.pathname);
	if (!match) return fail(404, 'NOT_FOUND', `Endpoint not found: ${url.pathname}`, 'Check the URL and the API version');
	const auth = authenticate(config, headers.authorization);
	if (auth.error) return auth.error;
	const { key, permission } = auth;
	if (permission !== 'write' && permission !== 'admin' && method !== 'GET' && method !== 'HEAD') {
		return fail(403, 'INSUFFICIENT_PERMISSIONS', 'Your API key does not have permission to perform this action', `This action requires a 'write' or 'admin' key; this key has '${permission}' permission`);
	}
	const now = Date.now();
	const limiter = sandbox.rateLimiter;
	const limited = limiter.check('callsPerHour', key, 1, config, now) || (match.isContact && limiter.check('contactOpsPerHour', key, 1, config, now));
	if (limited) return limited;
	const handler = match.route.methods[method];
	if (!handler) {
		const allowed = Object.keys(match.route.methods).join(', ');
		return fail(405, 'METHOD_NOT_ALLOWED', `Method "${method}" not allowed.`, `Allowed: ${allowed}`, { Allow: allowed });
	}
	let body = null;
	if (raw && raw.trim()) {
		try {
			body = JSON.parse(raw);
		} catch (e) {
			return fail(400, 'INVALID_JSON', 'JSON parse error', String(e.message));
		}
	}
	const answer = handler(sandbox, { key, permission, method, url, query: url.searchParams, body, params: match.params, now });
	if (answer.status !== 429) {
		limiter.record('callsPerHour', key, 1, now);
		if (match.isContact) limiter.record('contactOpsPerHour', key, 1, now);
	}
	return answer;
}

module.exports = { processRequest };
