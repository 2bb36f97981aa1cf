'use strict';
/**
 * Sent messages (state.messages) and their delivery lifecycle: sent (or scheduled) -> after
 * `deliveryDelayMs` (or a per-message delay) each recipient becomes delivered, or failed for
 * numbers ending in 999 and numbers in `failNumbers`. Each recipient keeps the time of its last
 * status change (`updated_at`), which delivery reports carry.
 */
const crypto = require('node:crypto');
const { MAX_TIMER_MS } = require('./config');
const { iso } = require('./answers');
const { emitMessageWebhooks } = require('./webhook-sender');

const FINAL_STATUSES = ['delivered', 'failed'];
const PENDING_STATUSES = ['queued', 'sent', 'scheduled'];
const isFinal = (status) => FINAL_STATUSES.includes(status);

const naturalOutcome = (config, phone) => (String(phone).endsWith('999') || (config.failNumbers || []).includes(phone) ? 'failed' : 'delivered');

function overallStatus(msg) {
	const recipients = msg.recipientStatuses;
	if (recipients.every((r) => r.status === recipients[0].status)) return recipients[0].status;
	return recipients.every((r) => isFinal(r.status)) ? 'delivered' : 'sent'; // some delivered, or some still pending
}

function lastDeliveryTime(msg) {
	const recipients = msg.recipientStatuses;
	if (!recipients.every((r) => isFinal(r.status))) return null;
	const times = recipients.map((r) => r.delivery_time).filter(Boolean).sort();
	return times.length ? times[times.length - 1] : null;
}

/** The guide's `msg_…` ids; Mifumo's own server uses UUIDs. */
function newMessageId(config) {
	if (config.dialect === 'source') return crypto.randomUUID();
	return 'msg_' + Date.now().toString(36) + crypto.randomUUID().slice(-10); // randomUUID draws from a cache: seeding 50,000 stays fast
}

/** Store a message. fields: {message_id?, message, recipients, sender_id, schedule_time?, webhook_url?, api_key?, cost, encoding, segments, createdMs, status} */
function createMessage(sandbox, fields) {
	const state = sandbox.state;
	const msg = {
		message_id: fields.message_id || newMessageId(sandbox.config),
		message: fields.message,
		recipients: [...fields.recipients],
		sender_id: fields.sender_id,
		schedule_time: fields.schedule_time || null,
		webhook_url: fields.webhook_url || null,
		api_key: fields.api_key || null,
		cost: fields.cost,
		currency: sandbox.config.currency,
		status: fields.status,
		created_at: iso(fields.createdMs),
		sent_at: fields.status === 'scheduled' ? null : iso(fields.createdMs),
		delivery_time: null,
		encoding: fields.encoding,
		segments: fields.segments,
		recipientStatuses: fields.recipients.map((phone) => ({ phone, status: fields.status, delivery_time: null, updatedMs: fields.createdMs })),
		_createdMs: fields.createdMs,
		_seq: ++state.seq,
		_webhookChain: null, // a message's webhooks go out in order
	};
	state.messages.set(msg.message_id, msg);
	state.messagesNewestFirst = null;
	return msg;
}

function markSent(sandbox, msg) {
	if (msg.status !== 'scheduled' || sandbox.state.messages.get(msg.message_id) !== msg) return;
	msg.status = 'sent';
	const nowMs = Date.now();
	msg.sent_at = iso(nowMs);
	for (const r of msg.recipientStatuses) {
		if (r.status !== 'scheduled') continue;
		r.status = 'sent';
		r.updatedMs = nowMs;
	}
	afterSent(sandbox, msg);
}

function afterSent(sandbox, msg) {
	emitMessageWebhooks(sandbox, msg, 'sent', msg.recipientStatuses);
	const delayMs = sandbox.config.deliveryDelayMs;
	if (delayMs !== null && delayMs !== undefined && delayMs !== false) scheduleAdvance(sandbox, msg, Number(delayMs));
}

/** Replace the message's pending delivery with one `delayMs` from now (null: none, until advanced). */
function scheduleAdvance(sandbox, msg, delayMs, status, phones) {
	if (msg._deliveryTimer) sandbox.clearTimer(msg._deliveryTimer);
	msg._deliveryTimer = null;
	if (delayMs === null) return;
	msg._deliveryTimer = sandbox.setTimer(() => {
		msg._deliveryTimer = null;
		advance(sandbox, msg.message_id, status, phones);
	}, delayMs);
}

/** advance() `delayMs` from now instead of now (null: cancel the pending delivery). Null when unknown. */
function advanceAfter(sandbox, messageId, delayMs, status, phones) {
	const msg = sandbox.state.messages.get(messageId);
	if (!msg) return null;
	scheduleAdvance(sandbox, msg, delayMs, status, phones);
	return messageView(msg);
}

/** Send now, or when its schedule_time comes. */
function startLifecycle(sandbox, msg, scheduleMs, nowMs) {
	if (msg.status !== 'scheduled') afterSent(sandbox, msg);
	else if (scheduleMs - nowMs <= MAX_TIMER_MS) sandbox.setTimer(() => markSent(sandbox, msg), scheduleMs - nowMs);
}

/**
 * Move recipients to a status now. status omitted = natural outcome (999 convention);
 * phones omitted = every recipient (without status: every recipient not yet final).
 * Returns the message view, or null when unknown.
 */
function advance(sandbox, messageId, status, phones) {
	const msg = sandbox.state.messages.get(messageId);
	if (!msg) return null;
	const nowMs = Date.now();
	const changed = [];
	const before = overallStatus(msg);
	for (const r of msg.recipientStatuses) {
		if (phones && !phones.includes(r.phone)) continue;
		if (!status && !phones && isFinal(r.status)) continue;
		const next = status || naturalOutcome(sandbox.config, r.phone);
		if (r.status === next) continue;
		r.status = next;
		r.delivery_time = PENDING_STATUSES.includes(next) ? null : iso(nowMs);
		r.updatedMs = nowMs;
		changed.push(r);
	}
	if (!msg.sent_at && changed.length) msg.sent_at = iso(nowMs);
	msg.status = overallStatus(msg);
	msg.delivery_time = lastDeliveryTime(msg);
	if (changed.length) emitMessageWebhooks(sandbox, msg, msg.status !== before ? msg.status : null, changed);
	return messageView(msg);
}

/** Set every recipient's status as seeded, changed at `changedMs` (no webhooks, no timers). */
function setSeededOutcome(sandbox, msg, status, deliveryTime, changedMs) {
	for (const r of msg.recipientStatuses) {
		r.status = status || naturalOutcome(sandbox.config, r.phone);
		r.delivery_time = PENDING_STATUSES.includes(r.status) ? null : deliveryTime;
		r.updatedMs = changedMs;
	}
	msg.status = overallStatus(msg);
	msg.delivery_time = lastDeliveryTime(msg);
}

/** What the control plane shows of a message. */
function messageView(msg) {
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
		encoding: msg.encoding,
		segments: msg.segments,
		recipient_statuses: msg.recipientStatuses.map((r) => ({ phone: r.phone, status: r.status, delivery_time: r.delivery_time, updated_at: iso(r.updatedMs) })),
	};
}

/** Cached until the next message is stored: a report reader pages through 50,000 of them. */
function messagesNewestFirst(state) {
	if (!state.messagesNewestFirst) {
		state.messagesNewestFirst = [...state.messages.values()].sort((a, b) => b._createdMs - a._createdMs || b._seq - a._seq);
	}
	return state.messagesNewestFirst;
}

module.exports = { createMessage, startLifecycle, advance, advanceAfter, setSeededOutcome, messageView, messagesNewestFirst };
