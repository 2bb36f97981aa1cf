'use strict';
/**
 * Injected faults: answers, connection resets, hangs and delays for chosen requests.
 * Spec: {method?, path, times=1 (-1 or "always" = until cleared), status?, body?, contentType?,
 * headers?, delayMs?, action: respond|reset|hang|delay, processThenFail?, after=0}: `after` lets that
 * many matching requests through first ("fail the 9th send": after 8).
 */
const { API_PREFIX, CONTROL_PREFIX } = require('./config');
const { envelope } = require('./answers');

const ACTIONS = ['respond', 'reset', 'hang', 'delay'];

function stripSlash(path) {
	return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** A path not starting with /api is relative to the API prefix. */
function absolutePath(path) {
	let absolute = String(path);
	if (!absolute.startsWith('/')) absolute = '/' + absolute;
	if (!absolute.startsWith(API_PREFIX) && !absolute.startsWith(CONTROL_PREFIX)) absolute = API_PREFIX + absolute;
	return absolute;
}

function faultMatches(fault, method, path) {
	if (fault.method && fault.method !== method) return false;
	if (fault.path === '*') return true;
	const faultPath = absolutePath(fault.path);
	if (faultPath.endsWith('*')) return path.startsWith(faultPath.slice(0, -1));
	return stripSlash(faultPath) === stripSlash(path);
}

class FaultInjector {
	constructor() {
		this.faults = [];
		this.lastId = 0; // ids stay unique across clear()
	}

	add(spec) {
		if (!spec || typeof spec !== 'object') throw new Error('fault must be an object');
		if (typeof spec.path !== 'string' || !spec.path) throw new Error('fault.path is required (exact path, or a prefix ending with *)');
		const action = spec.action || 'respond';
		if (!ACTIONS.includes(action)) throw new Error("fault.action must be 'respond', 'reset', 'hang' or 'delay'");
		if (action === 'delay' && !(spec.delayMs > 0)) throw new Error("fault.delayMs is required for action 'delay'");
		const times = spec.times === undefined ? 1 : spec.times;
		const remaining = times === 'always' || times === null || times < 0 ? Infinity : Number(times);
		if (remaining === 0) throw new Error('fault.times must be >= 1 (or -1 / "always")');
		const after = spec.after === undefined ? 0 : Number(spec.after);
		if (!Number.isInteger(after) || after < 0) throw new Error('fault.after must be a whole number >= 0');
		const fault = {
			id: ++this.lastId,
			method: spec.method ? String(spec.method).toUpperCase() : undefined,
			path: spec.path,
			times,
			remaining,
			status: spec.status,
			body: spec.body,
			contentType: spec.contentType,
			headers: spec.headers,
			delayMs: spec.delayMs || 0,
			action,
			processThenFail: !!spec.processThenFail,
			after,
			hits: 0,
		};
		this.faults.push(fault);
		return faultView(fault);
	}

	list() {
		return this.faults.map(faultView);
	}

	clear() {
		this.faults.length = 0;
	}

	/** The first fault matching the request, consumed once; null when none. */
	take(method, path) {
		const index = this.faults.findIndex((fault) => faultMatches(fault, method, path));
		if (index < 0) return null;
		const fault = this.faults[index];
		if (fault.after > 0) {
			fault.after--;
			return null;
		}
		if (fault.remaining !== Infinity && --fault.remaining <= 0) this.faults.splice(index, 1);
		fault.hits++;
		return fault;
	}
}

function faultView(fault) {
	const { remaining, ...rest } = fault;
	return { ...rest, remaining: remaining === Infinity ? 'always' : remaining };
}

/** The answer a 'respond' fault gives: its body as given, or an envelope for its status. */
function faultAnswer(fault) {
	const status = fault.status || 500;
	let body = fault.body;
	const headers = { ...(fault.headers || {}) };
	if (body === undefined) {
		const code = status === 429 ? 'RATE_LIMIT_EXCEEDED' : status >= 500 ? 'INTERNAL_ERROR' : status >= 400 ? 'SANDBOX_FAULT' : null;
		body = status < 400 ? envelope(true, 'OK', null) : envelope(false, `Injected fault (HTTP ${status})`, null, code, 'Injected by the sandbox control plane');
	}
	if (typeof body === 'string') {
		if (fault.contentType) headers['content-type'] = fault.contentType;
		else if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) headers['content-type'] = 'text/plain; charset=utf-8';
	} else if (fault.contentType) headers['content-type'] = fault.contentType;
	return { status, body, headers };
}

module.exports = { FaultInjector, faultAnswer, stripSlash };
