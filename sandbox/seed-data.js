'use strict';
/**
 * Preloaded records: {contacts?: n|[...], segments?: [...], messages?: n|{count, ...}|[...]}.
 * Generated messages: {count, recipients=1, status? | statuses? (cycled), intervalMs=1000,
 * endAt=now (the newest is sent intervalMs before it), changeAfterMs=5000 (send -> last status change), sender_id, message}.
 */
const { iso, parseIsoDate } = require('./answers');
const { validateContactFields, insertContact } = require('./contacts');
const { validateSegment, insertSegment } = require('./segments');
const { createMessage, setSeededOutcome } = require('./message-store');
const { countSegments } = require('./sms-encoding');

function seedContacts(sandbox, spec, now, seeded) {
	const state = sandbox.state;
	const list = typeof spec === 'number' ? Array.from({ length: spec }, () => ({})) : spec;
	if (!Array.isArray(list)) throw new Error('contacts must be a number or an array');
	const base = state.contacts.size;
	list.forEach((given, i) => {
		const fields = { name: `Contact ${base + i + 1}`, phone_number: '+2557' + String(10_000_000 + base + i).slice(-8), ...given };
		const valid = validateContactFields(fields, { partial: false });
		if (valid.error) throw new Error(`contact ${i}: ${valid.error.envelope.message}`);
		if (state.phoneIndex.has(valid.value.phone_number)) throw new Error(`contact ${i}: duplicate phone ${valid.value.phone_number}`);
		const createdMs = given.created_at ? parseIsoDate(given.created_at) : now - (list.length - i);
		const contact = insertContact(state, { ...valid.value, contact_id: given.contact_id || given.id }, Number.isNaN(createdMs) ? now : createdMs);
		seeded.contact_ids.push(contact.contact_id);
		seeded.contacts++;
	});
}

function seedSegments(sandbox, spec, now, seeded) {
	if (!Array.isArray(spec)) throw new Error('segments must be an array');
	spec.forEach((given, i) => {
		const valid = validateSegment({ name: `Segment ${i + 1}`, ...given }, false);
		if (valid.error) throw new Error(`segment ${i}: ${valid.error.envelope.message}`);
		const segment = insertSegment(sandbox.state, { ...valid.value, segment_id: given.segment_id || given.id }, now);
		seeded.segment_ids.push(segment.segment_id);
		seeded.segments++;
	});
}

/** One message spec per generated message, sent `intervalMs` apart before `endAt`. */
function generatedMessages(spec, now) {
	const { count = 0, recipients = 1, status, statuses, sender_id = 'MIFUMO', message = 'Seeded message', intervalMs = 1000, changeAfterMs = 5000 } = spec;
	const endMs = spec.endAt ? parseIsoDate(spec.endAt) : now;
	if (Number.isNaN(endMs)) throw new Error(`messages.endAt is not an ISO date: ${spec.endAt}`);
	if (statuses !== undefined && (!Array.isArray(statuses) || !statuses.length)) throw new Error('messages.statuses must be a non-empty array');
	let phoneNumber = 0;
	return Array.from({ length: count }, (_, i) => ({
		message: `${message} ${i + 1}`,
		sender_id,
		status: statuses ? statuses[i % statuses.length] : status,
		recipients: Array.from({ length: recipients }, () => '+2556' + String(10_000_000 + phoneNumber++).slice(-8)),
		sentMs: endMs - (count - i) * intervalMs,
		changeAfterMs,
	}));
}

function seedMessages(sandbox, spec, now, seeded) {
	const given = typeof spec === 'number' ? { count: spec } : spec;
	const list = Array.isArray(given) ? given : generatedMessages(given, now);
	for (const m of list) {
		const recipients = m.recipients || ['+255700000001'];
		const text = m.message || 'Seeded message';
		const parsedSentMs = m.sentMs ?? (m.sent_at ? parseIsoDate(m.sent_at) : now);
		const sentMs = Number.isNaN(parsedSentMs) ? now : parsedSentMs;
		const { encoding, segments } = countSegments(text);
		const msg = createMessage(sandbox, {
			message_id: m.message_id,
			message: text,
			recipients,
			sender_id: m.sender_id || 'MIFUMO',
			webhook_url: m.webhook_url,
			api_key: m.api_key,
			cost: segments * recipients.length * sandbox.config.costPerSms,
			encoding,
			segments,
			createdMs: sentMs,
			status: m.status === 'scheduled' ? 'scheduled' : 'sent',
		});
		if (m.status !== 'sent' && m.status !== 'scheduled') {
			const changedMs = m.delivery_time ? parseIsoDate(m.delivery_time) : sentMs + (m.changeAfterMs ?? 5000);
			setSeededOutcome(sandbox, msg, m.status, iso(changedMs), changedMs);
		}
		seeded.message_ids.push(msg.message_id);
		seeded.messages++;
	}
}

function seed(sandbox, spec = {}) {
	const seeded = { contacts: 0, segments: 0, messages: 0, contact_ids: [], segment_ids: [], message_ids: [] };
	const now = Date.now();
	if (spec.contacts !== undefined) seedContacts(sandbox, spec.contacts, now, seeded);
	if (spec.segments !== undefined) seedSegments(sandbox, spec.segments, now, seeded);
	if (spec.messages !== undefined) seedMessages(sandbox, spec.messages, now, seeded);
	return seeded;
}

module.exports = { seed };
