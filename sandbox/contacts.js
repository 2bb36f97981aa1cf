'use strict';
/** Contacts: validation, the store (state.contacts, state.phoneIndex) and the /contacts/ handlers. */
const crypto = require('node:crypto');
const { iso, ok, fail, parseIsoDate } = require('./answers');
const { listData, offsetPage } = require('./list-shapes');

const E164 = /^\+[1-9]\d{7,14}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function requireObject(body) {
	if (!body || typeof body !== 'object' || Array.isArray(body)) {
		return fail(400, 'INVALID_PARAMETER', 'Request body must be a JSON object', null);
	}
	return null;
}

/** {value: the fields to store} or {error}; `partial` for an update. */
function validateContactFields(body, { partial }) {
	const fields = {};
	if (!partial || 'name' in body) {
		if (typeof body.name !== 'string' || !body.name.trim()) {
			return { error: fail(400, 'INVALID_PARAMETER', 'Contact name is required', "Field 'name' must be a non-empty string") };
		}
		fields.name = body.name.trim();
	}
	if (!partial || 'phone_number' in body) {
		if (body.phone_number === undefined || body.phone_number === null || body.phone_number === '') {
			return { error: fail(400, 'INVALID_PARAMETER', 'Phone number is required', "Field 'phone_number' is required") };
		}
		if (typeof body.phone_number !== 'string' || !E164.test(body.phone_number)) {
			return { error: fail(400, 'INVALID_PHONE', `Invalid phone number format: ${body.phone_number}`, 'Phone numbers must be in E.164 format, e.g. +255712345678') };
		}
		fields.phone_number = body.phone_number;
	}
	if ('email' in body) {
		const email = body.email;
		if (email === null || email === '') fields.email = null;
		else if (typeof email !== 'string' || !EMAIL.test(email)) {
			return { error: fail(400, 'INVALID_EMAIL', `Invalid email address: ${email}`, "Field 'email' must be a valid email address") };
		} else fields.email = email;
	} else if (!partial) fields.email = null;
	if ('tags' in body) {
		const tags = body.tags === null ? [] : body.tags;
		if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== 'string')) {
			return { error: fail(400, 'INVALID_PARAMETER', 'Tags must be a list of strings', "Field 'tags' must be an array of strings") };
		}
		fields.tags = [...tags];
	} else if (!partial) fields.tags = [];
	if ('is_active' in body) {
		if (typeof body.is_active !== 'boolean') {
			return { error: fail(400, 'INVALID_PARAMETER', 'is_active must be a boolean', "Field 'is_active' must be true or false") };
		}
		fields.is_active = body.is_active;
	} else if (!partial) fields.is_active = true;
	return { value: fields };
}

function inSegment(contact, criteria) {
	if (Array.isArray(criteria.tags) && criteria.tags.length && !criteria.tags.some((tag) => contact.tags.includes(tag))) return false;
	if (typeof criteria.is_active === 'boolean' && contact.is_active !== criteria.is_active) return false;
	if (criteria.created_after) {
		const after = parseIsoDate(criteria.created_after);
		if (!Number.isNaN(after) && contact._createdMs < after) return false;
	}
	return true;
}

function matchesQuery(contact, query) {
	const text = String(query).trim().toLowerCase();
	if (!text) return true;
	if (contact.name.toLowerCase().includes(text)) return true;
	if (contact.phone_number.toLowerCase().includes(text)) return true;
	if (contact.email && contact.email.toLowerCase().includes(text)) return true;
	// digits only: "255712345678", "0712 345 678" style input (a '+' in a query string may arrive as a space)
	if (/^[\d\s+().-]+$/.test(text)) {
		const digits = text.replace(/\D/g, '');
		if (digits && contact.phone_number.replace(/\D/g, '').includes(digits.replace(/^0+/, ''))) return true;
	}
	return false;
}

const publicContact = (contact) => ({
	contact_id: contact.contact_id,
	name: contact.name,
	phone_number: contact.phone_number,
	email: contact.email,
	tags: [...contact.tags],
	is_active: contact.is_active,
	created_at: contact.created_at,
	updated_at: contact.updated_at,
});

const newestFirst = (a, b) => b._createdMs - a._createdMs || b._seq - a._seq;

function contactsNewestFirst(state) {
	return [...state.contacts.values()].sort(newestFirst);
}

function insertContact(state, fields, nowMs) {
	const contact = {
		contact_id: fields.contact_id || crypto.randomUUID(),
		name: fields.name,
		phone_number: fields.phone_number,
		email: fields.email === undefined ? null : fields.email,
		tags: fields.tags || [],
		is_active: fields.is_active === undefined ? true : fields.is_active,
		created_at: iso(nowMs),
		updated_at: iso(nowMs),
		_createdMs: nowMs,
		_seq: ++state.seq,
	};
	state.contacts.set(contact.contact_id, contact);
	state.phoneIndex.set(contact.phone_number, contact.contact_id);
	return contact;
}

function duplicateContact(phone, existingId) {
	return fail(400, 'DUPLICATE_CONTACT', `A contact with phone number ${phone} already exists`, `Existing contact_id: ${existingId}`);
}

function findContact(state, id) {
	const contact = state.contacts.get(id);
	return contact ? { contact } : { error: fail(404, 'CONTACT_NOT_FOUND', 'Contact not found', `No contact with id ${id}`) };
}

function segmentFilter(state, segmentId) {
	if (!segmentId) return { filter: () => true };
	const segment = state.segments.get(segmentId);
	if (!segment) return { error: fail(404, 'SEGMENT_NOT_FOUND', 'Segment not found', `No segment with id ${segmentId}`) };
	return { filter: (contact) => inSegment(contact, segment.criteria) };
}

function createContact(sandbox, request) {
	const bad = requireObject(request.body);
	if (bad) return bad;
	const valid = validateContactFields(request.body, { partial: false });
	if (valid.error) return valid.error;
	const state = sandbox.state;
	const phone = valid.value.phone_number;
	if (state.phoneIndex.has(phone)) return duplicateContact(phone, state.phoneIndex.get(phone));
	return ok(201, 'Contact created successfully', publicContact(insertContact(state, valid.value, request.now)));
}

function getContact(sandbox, request) {
	const found = findContact(sandbox.state, request.params[0]);
	if (found.error) return found.error;
	return ok(200, 'Contact retrieved successfully', publicContact(found.contact));
}

function updateContact(sandbox, request) {
	const state = sandbox.state;
	const found = findContact(state, request.params[0]);
	if (found.error) return found.error;
	const bad = requireObject(request.body);
	if (bad) return bad;
	const valid = validateContactFields(request.body, { partial: true });
	if (valid.error) return valid.error;
	const contact = found.contact;
	const changes = valid.value;
	if (changes.phone_number && changes.phone_number !== contact.phone_number) {
		const other = state.phoneIndex.get(changes.phone_number);
		if (other && other !== contact.contact_id) return duplicateContact(changes.phone_number, other);
		state.phoneIndex.delete(contact.phone_number);
		state.phoneIndex.set(changes.phone_number, contact.contact_id);
	}
	Object.assign(contact, changes);
	contact.updated_at = iso(request.now);
	return ok(200, 'Contact updated successfully', publicContact(contact));
}

function deleteContact(sandbox, request) {
	const state = sandbox.state;
	const found = findContact(state, request.params[0]);
	if (found.error) return found.error;
	state.contacts.delete(found.contact.contact_id);
	state.phoneIndex.delete(found.contact.phone_number);
	return ok(200, 'Contact deleted successfully', null);
}

function listContacts(sandbox, request) {
	const bySegment = segmentFilter(sandbox.state, request.query.get('segment_id'));
	if (bySegment.error) return bySegment.error;
	const search = request.query.get('search');
	const all = contactsNewestFirst(sandbox.state).filter((contact) => bySegment.filter(contact) && (!search || matchesQuery(contact, search)));
	const page = offsetPage(sandbox.config, request, all, { defaultLimit: 20 });
	if (page.error) return page.error;
	const data = listData(sandbox.config, 'contacts', page.items.map(publicContact), {
		...page,
		native: { pagination: { total: page.total, limit: page.limit, offset: page.offset, has_more: page.hasMore } },
	});
	return ok(200, 'Contacts retrieved successfully', data);
}

function searchContacts(sandbox, request) {
	const query = request.query.get('q');
	if (query === null) return fail(400, null, "Search query parameter 'q' is required", null);
	const bySegment = segmentFilter(sandbox.state, request.query.get('segment_id'));
	if (bySegment.error) return bySegment.error;
	const all = contactsNewestFirst(sandbox.state).filter((contact) => bySegment.filter(contact) && matchesQuery(contact, query));
	const page = offsetPage(sandbox.config, request, all, { defaultLimit: 20 });
	if (page.error) return page.error;
	const data = listData(sandbox.config, 'contacts', page.items.map(publicContact), { ...page, native: { count: page.total } }, { query });
	return ok(200, 'Contacts search completed successfully', data);
}

module.exports = {
	E164,
	requireObject,
	validateContactFields,
	inSegment,
	publicContact,
	newestFirst,
	contactsNewestFirst,
	insertContact,
	contactHandlers: { createContact, getContact, updateContact, deleteContact, listContacts, searchContacts },
};
