'use strict';
/** The /sms/ handlers: send, status, delivery reports, balance. */
const { iso, ok, fail, parseIsoDate, parseIntParam } = require('./answers');
const { listData, pageUrl } = require('./list-shapes');
const { E164, requireObject } = require('./contacts');
const { createMessage, startLifecycle, messagesNewestFirst } = require('./message-store');

/** The send's fields checked in the guide's order: {value} or {error}. */
function validateSend(config, body) {
	if (body.message === undefined || body.message === null || (typeof body.message === 'string' && !body.message.trim())) {
		return { error: fail(400, 'MISSING_MESSAGE', 'Message is required', "Field 'message' must be a non-empty string") };
	}
	if (typeof body.message !== 'string') return { error: fail(400, 'INVALID_PARAMETER', 'Message must be a string', "Field 'message' must be a string") };
	const length = Array.from(body.message).length;
	if (length > config.maxMessageLength) {
		return { error: fail(400, 'MESSAGE_TOO_LONG', `Message exceeds ${config.maxMessageLength} characters`, `Message length is ${length} characters; the maximum is ${config.maxMessageLength}`) };
	}
	if (body.recipients === undefined || body.recipients === null || (Array.isArray(body.recipients) && body.recipients.length === 0)) {
		return { error: fail(400, 'MISSING_RECIPIENTS', 'At least one recipient is required', "Field 'recipients' must be a non-empty array") };
	}
	if (!Array.isArray(body.recipients)) return { error: fail(400, 'INVALID_PARAMETER', 'Recipients must be a list of phone numbers', "Field 'recipients' must be an array") };
	for (const phone of body.recipients) {
		if (typeof phone !== 'string' || !E164.test(phone)) {
			return { error: fail(400, 'INVALID_PHONE', `Invalid phone number: ${typeof phone === 'string' ? phone : JSON.stringify(phone)}`, 'Phone numbers must be in E.164 format, e.g. +255712345678') };
		}
	}
	let senderId = 'MIFUMO';
	if (body.sender_id !== undefined && body.sender_id !== null) {
		if (typeof body.sender_id !== 'string' || !config.approvedSenderIds.includes(body.sender_id)) {
			return { error: fail(400, 'INVALID_SENDER_ID', `Sender ID not approved: ${body.sender_id}`, `Approved sender IDs: ${config.approvedSenderIds.join(', ')}`) };
		}
		senderId = body.sender_id;
	}
	let scheduleMs = null;
	if (body.schedule_time !== undefined && body.schedule_time !== null) {
		scheduleMs = parseIsoDate(body.schedule_time);
		if (Number.isNaN(scheduleMs)) {
			return { error: fail(400, 'INVALID_SCHEDULE_TIME', `Invalid schedule_time: ${body.schedule_time}`, 'Use an ISO 8601 date-time, e.g. 2024-01-01T10:00:00Z') };
		}
	}
	let webhookUrl = null;
	if (body.webhook_url !== undefined && body.webhook_url !== null) {
		let isHttpUrl = false;
		try {
			isHttpUrl = typeof body.webhook_url === 'string' && /^https?:$/.test(new URL(body.webhook_url).protocol);
		} catch {
			isHttpUrl = false;
		}
		if (!isHttpUrl) return { error: fail(400, 'INVALID_PARAMETER', `Invalid webhook_url: ${body.webhook_url}`, 'webhook_url must be an http(s) URL') };
		webhookUrl = body.webhook_url;
	}
	return { value: { message: body.message, recipients: body.recipients, senderId, scheduleMs, webhookUrl } };
}

function sendSms(sandbox, request) {
	const bad = requireObject(request.body);
	if (bad) return bad;
	const config = sandbox.config;
	const valid = validateSend(config, request.body);
	if (valid.error) return valid.error;
	const send = valid.value;
	const count = send.recipients.length;
	const limited = sandbox.rateLimiter.check('smsPerMinute', request.key, count, config, request.now);
	if (limited) return limited;
	const cost = count * config.costPerSms;
	const state = sandbox.state;
	if (state.balance < cost) {
		return fail(402, 'INSUFFICIENT_BALANCE', 'Insufficient balance', `This message costs ${cost} ${config.currency}; the balance is ${state.balance} ${config.currency}`);
	}
	sandbox.rateLimiter.record('smsPerMinute', request.key, count, request.now);
	state.balance -= cost;
	state.balanceUpdatedMs = request.now;
	const scheduled = send.scheduleMs !== null && send.scheduleMs > request.now;
	const msg = createMessage(sandbox, {
		message: send.message,
		recipients: send.recipients,
		sender_id: send.senderId,
		schedule_time: send.scheduleMs !== null ? iso(send.scheduleMs) : null,
		webhook_url: send.webhookUrl,
		api_key: request.key,
		cost,
		createdMs: request.now,
		status: scheduled ? 'scheduled' : 'sent',
	});
	startLifecycle(sandbox, msg, send.scheduleMs, request.now);
	return ok(200, scheduled ? 'SMS scheduled successfully' : 'SMS sent successfully', {
		message_id: msg.message_id,
		recipients: [...msg.recipients],
		status: msg.status,
		cost,
		currency: config.currency,
	});
}

function smsStatus(sandbox, request) {
	const msg = sandbox.state.messages.get(request.params[0]);
	if (!msg) return fail(404, 'MESSAGE_NOT_FOUND', 'Message not found', `No message with id ${request.params[0]}`);
	return ok(200, 'Message status retrieved successfully', {
		message_id: msg.message_id,
		status: msg.status,
		delivery_time: msg.delivery_time,
		recipients: msg.recipientStatuses.map((r) => ({ phone: r.phone, status: r.status, delivery_time: r.delivery_time })),
	});
}

function deliveryReports(sandbox, request) {
	const query = request.query;
	let startMs = null;
	let endMs = null;
	if (query.get('start_date')) {
		startMs = parseIsoDate(query.get('start_date'));
		if (Number.isNaN(startMs)) return fail(400, 'INVALID_DATE', `Invalid start_date: ${query.get('start_date')}`, 'Use ISO 8601, e.g. 2024-01-01T00:00:00Z');
	}
	if (query.get('end_date')) {
		endMs = parseIsoDate(query.get('end_date'), true);
		if (Number.isNaN(endMs)) return fail(400, 'INVALID_DATE', `Invalid end_date: ${query.get('end_date')}`, 'Use ISO 8601, e.g. 2024-01-31T23:59:59Z');
	}
	const status = query.get('status') || null;
	const pageParam = parseIntParam(query.get('page'), 'page', 1, { min: 1 });
	if (pageParam.error) return pageParam.error;
	const perPageParam = parseIntParam(query.get('per_page'), 'per_page', 50, { min: 1 });
	if (perPageParam.error) return perPageParam.error;
	const config = sandbox.config;
	const perPage = Math.min(perPageParam.value, config.maxPerPage || Infinity);
	const page = config.ignorePaging ? 1 : pageParam.value;
	const all = [];
	for (const msg of messagesNewestFirst(sandbox.state)) {
		const sentMs = msg.sent_at ? Date.parse(msg.sent_at) : msg._createdMs;
		if (startMs !== null && sentMs < startMs) continue;
		if (endMs !== null && sentMs > endMs) continue;
		for (const r of msg.recipientStatuses) {
			if (status && r.status !== status) continue;
			all.push({ message_id: msg.message_id, phone: r.phone, status: r.status, sender_id: msg.sender_id, message: msg.message, sent_at: msg.sent_at, delivery_time: r.delivery_time });
		}
	}
	const total = all.length;
	const pages = Math.max(1, Math.ceil(total / perPage));
	const reports = all.slice((page - 1) * perPage, page * perPage);
	const hasMore = page < pages;
	const data = listData(config, 'reports', reports, {
		total,
		hasMore,
		page,
		pages,
		next: hasMore ? pageUrl(request.url, { page: page + 1, per_page: perPage }) : null,
		previous: page > 1 ? pageUrl(request.url, { page: page - 1, per_page: perPage }) : null,
		native: { pagination: { page, per_page: perPage, total, pages } },
	});
	return ok(200, 'Delivery reports retrieved successfully', data);
}

function balance(sandbox) {
	const state = sandbox.state;
	return ok(200, 'Balance retrieved successfully', { balance: state.balance, currency: sandbox.config.currency, last_updated: iso(state.balanceUpdatedMs) });
}

module.exports = { smsHandlers: { sendSms, smsStatus, deliveryReports, balance } };
