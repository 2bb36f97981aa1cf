'use strict';
/** Segments: criteria, the store (state.segments) and the /contacts/segments/ handlers. */
const crypto = require('node:crypto');
const { clone } = require('./config');
const { iso, ok, fail, parseIsoDate } = require('./answers');
const { listData, offsetPage } = require('./list-shapes');
const { requireObject, inSegment, newestFirst } = require('./contacts');

function validateCriteria(criteria) {
	if (criteria === undefined || criteria === null) return { value: {} };
	if (typeof criteria !== 'object' || Array.isArray(criteria)) {
		return { error: fail(400, 'INVALID_PARAMETER', 'Criteria must be an object', "Field 'criteria' must be an object") };
	}
	const valid = {};
	for (const [key, value] of Object.entries(criteria)) {
		if (value === null) {
			valid[key] = null; // removes the key on update
			continue;
		}
		if (key === 'tags') {
			if (!Array.isArray(value) || value.some((tag) => typeof tag !== 'string')) {
				return { error: fail(400, 'INVALID_PARAMETER', 'criteria.tags must be a list of strings', "Field 'criteria.tags' must be an array of strings") };
			}
		} else if (key === 'is_active') {
			if (typeof value !== 'boolean') {
				return { error: fail(400, 'INVALID_PARAMETER', 'criteria.is_active must be a boolean', "Field 'criteria.is_active' must be true or false") };
			}
		} else if (key === 'created_after') {
			if (Number.isNaN(parseIsoDate(value))) {
				return { error: fail(400, 'INVALID_DATE', `Invalid date for criteria.created_after: ${value}`, 'Use YYYY-MM-DD') };
			}
		}
		valid[key] = clone(value);
	}
	return { value: valid };
}

/** {value: the fields to store} or {error}; `partial` for an update. */
function validateSegment(body, partial) {
	const bad = requireObject(body);
	if (bad) return { error: bad };
	const fields = {};
	if (!partial || 'name' in body) {
		if (typeof body.name !== 'string' || !body.name.trim()) {
			return { error: fail(400, 'INVALID_PARAMETER', 'Segment name is required', "Field 'name' must be a non-empty string") };
		}
		fields.name = body.name.trim();
	}
	if ('description' in body) {
		if (body.description !== null && typeof body.description !== 'string') {
			return { error: fail(400, 'INVALID_PARAMETER', 'Description must be a string', "Field 'description' must be a string") };
		}
		fields.description = body.description || '';
	} else if (!partial) fields.description = '';
	if (!partial || 'criteria' in body) {
		const criteria = validateCriteria(body.criteria);
		if (criteria.error) return { error: criteria.error };
		fields.criteria = criteria.value;
	}
	return { value: fields };
}

function segmentView(state, segment) {
	let count = 0;
	for (const contact of state.contacts.values()) if (inSegment(contact, segment.criteria)) count++;
	return {
		segment_id: segment.segment_id,
		name: segment.name,
		description: segment.description,
		criteria: clone(segment.criteria),
		contact_count: count,
		created_at: segment.created_at,
		updated_at: segment.updated_at,
	};
}

function insertSegment(state, fields, nowMs) {
	const criteria = {};
	for (const [key, value] of Object.entries(fields.criteria || {})) if (value !== null) criteria[key] = value;
	const segment = {
		segment_id: fields.segment_id || crypto.randomUUID(),
		name: fields.name,
		description: fields.description || '',
		criteria,
		created_at: iso(nowMs),
		updated_at: iso(nowMs),
		_createdMs: nowMs,
		_seq: ++state.seq,
	};
	state.segments.set(segment.segment_id, segment);
	return segment;
}

function findSegment(state, id) {
	const segment = state.segments.get(id);
	return segment ? { segment } : { error: fail(404, 'SEGMENT_NOT_FOUND', 'Segment not found', `No segment with id ${id}`) };
}

function createSegment(sandbox, request) {
	const valid = validateSegment(request.body, false);
	if (valid.error) return valid.error;
	const segment = insertSegment(sandbox.state, valid.value, request.now);
	return ok(201, 'Segment created successfully', segmentView(sandbox.state, segment));
}

function getSegment(sandbox, request) {
	const found = findSegment(sandbox.state, request.params[0]);
	if (found.error) return found.error;
	return ok(200, 'Segment retrieved successfully', segmentView(sandbox.state, found.segment));
}

function updateSegment(sandbox, request) {
	const found = findSegment(sandbox.state, request.params[0]);
	if (found.error) return found.error;
	const valid = validateSegment(request.body, true);
	if (valid.error) return valid.error;
	const segment = found.segment;
	const changes = valid.value;
	if (changes.name !== undefined) segment.name = changes.name;
	if (changes.description !== undefined) segment.description = changes.description;
	for (const [key, value] of Object.entries(changes.criteria || {})) {
		if (value === null) delete segment.criteria[key];
		else segment.criteria[key] = value;
	}
	segment.updated_at = iso(request.now);
	return ok(200, 'Segment updated successfully', segmentView(sandbox.state, segment));
}

function deleteSegment(sandbox, request) {
	const found = findSegment(sandbox.state, request.params[0]);
	if (found.error) return found.error;
	sandbox.state.segments.delete(found.segment.segment_id);
	return ok(200, 'Segment deleted successfully', null);
}

function listSegments(sandbox, request) {
	const all = [...sandbox.state.segments.values()].sort(newestFirst);
	let items = all;
	let info = { total: all.length, hasMore: false, page: 1, pages: 1 };
	if (request.query.get('limit') !== null || request.query.get('offset') !== null) {
		const page = offsetPage(sandbox.config, request, all, { defaultLimit: 20 });
		if (page.error) return page.error;
		items = page.items;
		info = page;
	}
	const data = listData(sandbox.config, 'segments', items.map((segment) => segmentView(sandbox.state, segment)), { ...info, native: {} });
	return ok(200, 'Segments retrieved successfully', data);
}

module.exports = {
	validateSegment,
	segmentView,
	insertSegment,
	segmentHandlers: { createSegment, getSegment, updateSegment, deleteSegment, listSegments },
};
