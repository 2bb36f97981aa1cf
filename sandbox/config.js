'use strict';
/** The sandbox's configuration: defaults, the two answer dialects, and how overrides merge. */

const API_PREFIX = '/api/integration/v1';
const CONTROL_PREFIX = '/__sandbox';
const LIST_SHAPES = ['native', 'array', 'results', 'items', 'data'];
const DIALECTS = ['guide', 'source'];
const REPORT_DATE_FIELDS = ['sent_at', 'updated_at'];
const RATE_LIMIT_NAMES = ['smsPerMinute', 'callsPerHour', 'contactOpsPerHour'];
const MAX_TIMER_MS = 2 ** 31 - 1; // setTimeout's longest wait

const DEFAULT_API_KEYS = Object.freeze({
	'sandbox-admin-key': 'admin',
	'sandbox-write-key': 'write',
	'sandbox-read-key': 'read',
});
const DEFAULT_SENDER_IDS = Object.freeze(['MIFUMO', 'SANDBOX', 'INFO', 'ALERT', 'TEST']);

// What changes with the dialect unless the same overrides set it: Mifumo's own server bills in
// USD and sends no Retry-After.
const DIALECT_DEFAULTS = Object.freeze({
	guide: { currency: 'TZS', retryAfter: true },
	source: { currency: 'USD', retryAfter: false },
});

function defaultConfig() {
	return {
		host: '127.0.0.1',
		port: 0,
		dialect: 'guide',
		jwtAuth: false, // as shipped: the JWT authenticator refuses every Bearer API key
		sendAnswers500: false, // as shipped: a valid send answers 500 and reaches no provider
		apiKeys: { ...DEFAULT_API_KEYS },
		balance: 5000,
		currency: 'TZS',
		costPerSms: 10, // per SMS part per recipient
		rateLimits: { smsPerMinute: 100, callsPerHour: 1000, contactOpsPerHour: 500 },
		// window length of each limiter (ms); tests shorten them
		rateWindowMs: { smsPerMinute: 60_000, callsPerHour: 3_600_000, contactOpsPerHour: 3_600_000 },
		retryAfter: true,
		deliveryDelayMs: 1000,
		failNumbers: [], // numbers that fail on delivery, beside those ending in 999
		reportDateField: 'sent_at', // what delivery reports' start_date/end_date filter on
		latencyMs: 0,
		webhookSecret: undefined,
		dashboardWebhookUrl: undefined,
		webhookTimeoutMs: 10000,
		maxLogEntries: 100_000, // request, webhook and send-time logs keep at most this many (oldest dropped)
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

function clone(value) {
	if (Array.isArray(value)) return value.map(clone);
	if (value && typeof value === 'object') {
		const copy = {};
		for (const [key, item] of Object.entries(value)) copy[key] = clone(item);
		return copy;
	}
	return value;
}

function oneOf(name, allowed, value) {
	if (!allowed.includes(value)) throw new Error(`${name} must be one of ${allowed.join(', ')}`);
	return value;
}

/** Merge overrides into a config in place (rateLimits / rateWindowMs key by key). Throws on bad values. */
function mergeConfig(config, overrides) {
	if (!overrides || typeof overrides !== 'object') return config;
	for (const [key, value] of Object.entries(overrides)) {
		if (key === 'rateLimits') {
			if (value === null || value === false) {
				config.rateLimits = Object.fromEntries(RATE_LIMIT_NAMES.map((name) => [name, null]));
			} else if (typeof value === 'object') {
				config.rateLimits = { ...config.rateLimits, ...value };
			} else throw new Error('rateLimits must be an object or null');
		} else if (key === 'rateWindowMs') {
			if (typeof value === 'number') {
				config.rateWindowMs = Object.fromEntries(RATE_LIMIT_NAMES.map((name) => [name, value]));
			} else if (value && typeof value === 'object') {
				config.rateWindowMs = { ...config.rateWindowMs, ...value };
			} else throw new Error('rateWindowMs must be a number or an object');
		} else if (key === 'dialect') {
			config.dialect = oneOf('dialect', DIALECTS, value);
			for (const [name, dialectValue] of Object.entries(DIALECT_DEFAULTS[value])) {
				if (!(name in overrides)) config[name] = dialectValue;
			}
		} else if (key === 'listShape') {
			config.listShape = oneOf('listShape', LIST_SHAPES, value);
		} else if (key === 'reportDateField') {
			config.reportDateField = oneOf('reportDateField', REPORT_DATE_FIELDS, value);
		} else if (key === 'apiKeys') {
			if (!value || typeof value !== 'object') throw new Error('apiKeys must be an object {key: permission}');
			config.apiKeys = { ...value };
		} else if (key === 'approvedSenderIds' || key === 'failNumbers') {
			if (!Array.isArray(value)) throw new Error(`${key} must be an array`);
			config[key] = [...value];
		} else {
			config[key] = clone(value);
		}
	}
	return config;
}

module.exports = {
	API_PREFIX,
	CONTROL_PREFIX,
	RATE_LIMIT_NAMES,
	MAX_TIMER_MS,
	DEFAULT_API_KEYS,
	DEFAULT_SENDER_IDS,
	defaultConfig,
	mergeConfig,
	clone,
};
