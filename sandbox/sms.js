'use strict';
/** The /sms/ handlers: send, status, balance (delivery reports: delivery-reports.js). */
const { iso, ok, fail, parseIsoDate } = require('./answers');
const { E164, requireObject } = require('./contacts');
const { createMessage, startLifecycle } = require('./message-store');
const { countSegments } = require('./sms-encoding');
const { UUID, internalError } = require('./source-dialect');
const { deliveryReports } = require('./delivery-reports');

const SOURCE_DEFAULT_SENDER_ID = 'Taarifa-SMS';

function invalidPhone(config, phone) {
	const shown = typeof phone === 'string' ? phone : JSON.stringify(phone);
	if (config.dialect === 'source') return fail(400, 'INVALID_PHONE_FORMAT', `Invalid phone number format: ${shown}`, null);
	return fail(400, 'INVALID_PHONE', `Invalid phone number: ${shown}`, 'Phone numbers must be in E.164 format, e.g. +255712345678');
}

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
		if (typeof phone !== 'string' || !E164.test(phone)) return { error: invalidPhone(config, phone) };
	}
	let senderId = config.dialect === 'source' ? SOURCE_DEFAULT_SENDER_ID : 'MIFUMO';
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
	if (config.sendAnswers500) return internalError();
	const count = send.recipients.length;
	const limited = sandbox.rateLimiter.check('smsPerMinute', request.key, count, config, request.now);
	if (limited) return limited;
	const { encoding, segments } = countSegments(send.message);
	const cost = segments * count * config.costPerSms; // each part to each recipient is billed
	const state = sandbox.state;
	if (state.balance < cost) {
		return fail(402, 'INSUFFICIENT_BALANCE', 'Insufficient balance', `This message costs ${cost} ${config.currency}; the balance is ${state.balance} ${config.currency}`);
	}
	sandbox.rateLimiter.record('smsPerMinute', request.key, count, request.now);
	state.balance -= cost;
	state.balanceUpdatedMs = request.now;
	sandbox.recordAcceptedSend(segments * count, request.now);
	const scheduled = send.scheduleMs !== null && send.scheduleMs > request.now;
	const msg = createMessage(sandbox, {
		message: send.message,
		recipients: send.recipients,
		sender_id: send.senderId,
		schedule_time: send.scheduleMs !== null ? iso(send.scheduleMs) : null,
		webhook_url: send.webhookUrl,
		api_key: request.key,
		cost,
		encoding,
		segments,
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
		encoding,
		segments,
	});
}

function smsStatus(sandbox, request) {
	const id = request.params[0];
	const source = sandbox.config.dialect === 'source';
	if (source && !UUID.test(id)) return internalError(); // the source looks the id up as a UUID
	const msg = sandbox.state.messages.get(id);
	if (!msg) return fail(404, 'MESSAGE_NOT_FOUND', 'Message not found', `No message with id ${id}`);
	if (source) {
		return ok(200, 'Message status retrieved successfully', {
			message_id: msg.message_id,
			status: msg.status,
			sent_at: msg.sent_at,
			delivery_details: msg.recipientStatuses.map((r) => ({
				recipient: r.phone,
				status: r.status,
				delivered_at: r.delivery_time,
				error_message: r.status === 'failed' ? 'Delivery failed' : null,
			})),
		});
	}
	return ok(200, 'Message status retrieved successfully', {
		message_id: msg.message_id,
		status: msg.status,
		delivery_time: msg.delivery_time,
		recipients: msg.recipientStatuses.map((r) => ({ phone: r.phone, status: r.status, delivery_time: r.delivery_time })),
	});
}

function balance(sandbox) {
	const state = sandbox.state;
	const data = { balance: state.balance, currency: sandbox.config.currency, last_updated: iso(state.balanceUpdatedMs) };
	if (sandbox.config.dialect === 'source') return ok(200, 'Balance retrieved successfully', { account_id: state.accountId, ...data });
	return ok(200, 'Balance retrieved successfully', data);
}

module.exports = { smsHandlers: { sendSms, smsStatus, deliveryReports, balance } };
