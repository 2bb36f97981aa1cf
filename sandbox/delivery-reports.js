'use strict';
/**
 * GET /sms/delivery-reports/: one record per recipient, newest send first, with its CURRENT status
 * and `updated_at` (its last status change). start_date/end_date filter on the send time, or on
 * `updated_at` with `reportDateField: 'updated_at'`.
 */
const { iso, ok, fail, parseIsoDate, parseIntParam } = require('./answers');
const { listData, pageUrl } = require('./list-shapes');
const { messagesNewestFirst } = require('./message-store');
const { internalError } = require('./source-dialect');

function guideReport(msg, r) {
	return { message_id: msg.message_id, phone: r.phone, status: r.status, sender_id: msg.sender_id, message: msg.message, sent_at: msg.sent_at, delivery_time: r.delivery_time, updated_at: iso(r.updatedMs) };
}

function sourceReport(msg, r) {
	return {
		message_id: msg.message_id,
		recipient: r.phone,
		status: r.status,
		sender_id: msg.sender_id,
		message: msg.message,
		created_at: msg.created_at,
		sent_at: msg.sent_at,
		delivered_at: r.delivery_time,
		error_message: r.status === 'failed' ? 'Delivery failed' : null,
		updated_at: iso(r.updatedMs),
	};
}

/** {startMs, endMs} (null = open) or {error}. */
function dateRange(query) {
	let startMs = null;
	let endMs = null;
	if (query.get('start_date')) {
		startMs = parseIsoDate(query.get('start_date'));
		if (Number.isNaN(startMs)) return { error: fail(400, 'INVALID_DATE', `Invalid start_date: ${query.get('start_date')}`, 'Use ISO 8601, e.g. 2024-01-01T00:00:00Z') };
	}
	if (query.get('end_date')) {
		endMs = parseIsoDate(query.get('end_date'), true);
		if (Number.isNaN(endMs)) return { error: fail(400, 'INVALID_DATE', `Invalid end_date: ${query.get('end_date')}`, 'Use ISO 8601, e.g. 2024-01-31T23:59:59Z') };
	}
	return { startMs, endMs };
}

/** {page, perPage} or {error}; the source answers 500 where the guide answers 400. */
function paging(config, query) {
	const pageParam = parseIntParam(query.get('page'), 'page', 1, { min: 1 });
	const perPageParam = parseIntParam(query.get('per_page'), 'per_page', 50, { min: 1 });
	const bad = pageParam.error || perPageParam.error;
	if (bad) return { error: config.dialect === 'source' ? internalError() : bad };
	return { page: config.ignorePaging ? 1 : pageParam.value, perPage: Math.min(perPageParam.value, config.maxPerPage || Infinity) };
}

function deliveryReports(sandbox, request) {
	const config = sandbox.config;
	const query = request.query;
	const range = dateRange(query);
	if (range.error) return range.error;
	const paged = paging(config, query);
	if (paged.error) return paged.error;
	const { page, perPage } = paged;
	const { startMs, endMs } = range;
	const status = query.get('status') || null;
	const byUpdate = config.reportDateField === 'updated_at';
	const inRange = (ms) => (startMs === null || ms >= startMs) && (endMs === null || ms <= endMs);
	const toReport = config.dialect === 'source' ? sourceReport : guideReport;
	const all = [];
	for (const msg of messagesNewestFirst(sandbox.state)) {
		if (!byUpdate && !inRange(msg.sent_at ? Date.parse(msg.sent_at) : msg._createdMs)) continue;
		for (const r of msg.recipientStatuses) {
			if (status && r.status !== status) continue;
			if (byUpdate && !inRange(r.updatedMs)) continue;
			all.push([msg, r]);
		}
	}
	const total = all.length;
	const pages = Math.max(1, Math.ceil(total / perPage));
	const reports = all.slice((page - 1) * perPage, page * perPage).map(([msg, r]) => toReport(msg, r));
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

module.exports = { deliveryReports };
