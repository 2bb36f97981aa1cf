'use strict';
/**
 * What handlers answer, and how an answer is written in each dialect.
 * An answer is {status, envelope, headers?} (rendered per dialect) or {status, body, headers?}
 * (written as it is: injected faults, non-envelope answers).
 */

/** ISO 8601 to the second, as Mifumo writes times. */
const iso = (ms) => new Date(ms).toISOString().slice(0, 19) + 'Z';

function envelope(success, message, data = null, errorCode = null, details = null) {
	return { success, message, data, error_code: errorCode, details };
}
function ok(status, message, data) {
	return { status, envelope: envelope(true, message, data) };
}
function fail(status, errorCode, message, details = null, headers) {
	return { status, envelope: envelope(false, message, null, errorCode, details), headers };
}

/** guide: the full envelope; source: Mifumo's own, with `timestamp` and without empty keys. */
function renderEnvelope(env, dialect) {
	if (dialect !== 'source') return env;
	const body = { success: env.success, timestamp: new Date().toISOString() };
	for (const key of ['data', 'message', 'error_code', 'details']) {
		if (env[key] !== null && env[key] !== undefined) body[key] = env[key];
	}
	return body;
}

/** The text and headers an answer is written with. */
function renderAnswer(answer, dialect) {
	const headers = { 'content-type': 'application/json' };
	for (const [name, value] of Object.entries(answer.headers || {})) {
		const lower = name.toLowerCase();
		if (value === null || value === undefined) delete headers[lower];
		else headers[lower] = String(value);
	}
	const body = answer.envelope ? renderEnvelope(answer.envelope, dialect) : answer.body;
	const text = typeof body === 'string' ? body : JSON.stringify(body);
	headers['content-length'] = Buffer.byteLength(text);
	return { text, headers };
}

/** Parse an ISO 8601 date or date-time; a value without an offset is taken as UTC. NaN if unreadable. */
function parseIsoDate(text, endOfDay = false) {
	if (typeof text !== 'string') return NaN;
	const value = text.trim();
	const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
	if (dateOnly) {
		const ms = Date.UTC(+dateOnly[1], +dateOnly[2] - 1, +dateOnly[3]);
		if (new Date(ms).getUTCDate() !== +dateOnly[3]) return NaN;
		return endOfDay ? ms + 86_400_000 - 1 : ms;
	}
	const dateTime = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(value);
	if (!dateTime) return NaN;
	const normalized = value.replace(' ', 'T');
	return Date.parse(dateTime[3] ? normalized : normalized + 'Z');
}

/** {value} or {error: a 400 INVALID_PARAMETER answer}. */
function parseIntParam(raw, name, fallback, { min = 0 } = {}) {
	if (raw === null || raw === undefined || raw === '') return { value: fallback };
	if (!/^\d+$/.test(raw.trim()) || Number(raw) < min) {
		return { error: fail(400, 'INVALID_PARAMETER', `Invalid value for '${name}': ${raw}`, `'${name}' must be an integer >= ${min}`) };
	}
	return { value: Number(raw) };
}

function queryObject(searchParams) {
	const query = {};
	for (const [key, value] of searchParams) {
		if (key in query) query[key] = Array.isArray(query[key]) ? [...query[key], value] : [query[key], value];
		else query[key] = value;
	}
	return query;
}

function tryJson(raw) {
	if (!raw) return null;
	try {
		return JSON.parse(raw);
	} catch {
		return null;
	}
}

module.exports = { iso, envelope, ok, fail, renderAnswer, parseIsoDate, parseIntParam, queryObject, tryJson };
