'use strict';
/**
 * The guide's three limits, each a sliding window per API key: SMS per minute (counted in
 * recipients), API calls per hour, contact operations per hour. A limit of null/0 is off.
 */
const { fail } = require('./answers');

const LIMIT_TEXT = {
	smsPerMinute: 'SMS per minute',
	callsPerHour: 'API calls per hour',
	contactOpsPerHour: 'contact operations per hour',
};

/** Time (ms) until a window admits `units` more; 0 when admitted now. */
function windowWait(entries, limit, windowMs, units, now) {
	while (entries.length && entries[0].at <= now - windowMs) entries.shift();
	if (!limit) return 0;
	let used = 0;
	for (const entry of entries) used += entry.units;
	if (used + units <= limit) return 0;
	if (units > limit) return windowMs; // can never fit in one window
	for (const entry of entries) {
		used -= entry.units;
		if (used + units <= limit) return Math.max(1, entry.at + windowMs - now);
	}
	return windowMs;
}

class RateLimiter {
	constructor() {
		this.windowsByKey = new Map(); // api key -> {smsPerMinute: [], callsPerHour: [], contactOpsPerHour: []}
	}

	_windows(key) {
		let windows = this.windowsByKey.get(key);
		if (!windows) {
			windows = { smsPerMinute: [], callsPerHour: [], contactOpsPerHour: [] };
			this.windowsByKey.set(key, windows);
		}
		return windows;
	}

	/** A 429 answer (tagged with the limit's name) when `units` more do not fit now, else null. */
	check(name, key, units, config, now) {
		const limit = (config.rateLimits || {})[name];
		const windowMs = (config.rateWindowMs || {})[name];
		const waitMs = windowWait(this._windows(key)[name], limit, windowMs, units, now);
		if (!waitMs) return null;
		const seconds = Math.max(1, Math.ceil(waitMs / 1000));
		const answer = fail(429, 'RATE_LIMIT_EXCEEDED', `Rate limit exceeded: ${limit} ${LIMIT_TEXT[name]}`, `Retry after ${seconds} seconds`);
		if (config.retryAfter !== false) answer.headers = { 'Retry-After': seconds };
		answer.limit = name;
		return answer;
	}

	record(name, key, units, now) {
		this._windows(key)[name].push({ at: now, units });
	}
}

module.exports = { RateLimiter };
