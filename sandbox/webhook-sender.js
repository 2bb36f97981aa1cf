'use strict';
/**
 * Webhooks. Guide dialect: {message_id, status, recipients, metadata} to the send's webhook_url
 * with `Authorization: Bearer <sending key>`. Dashboard dialect: one POST per recipient change to
 * `dashboardWebhookUrl`, signed `X-Webhook-Signature: hex HMAC-SHA256(raw body, webhookSecret)`.
 * In the source dialect a message sends none.
 */
const http = require('node:http');
const https = require('node:https');
const crypto = require('node:crypto');
const { iso, tryJson } = require('./answers');

const USER_AGENT = 'Mifumo-Sandbox-Webhook/1.0';

const sign = (secret, rawBody) => crypto.createHmac('sha256', secret).update(rawBody).digest('hex');

/** overall: guide-dialect webhook with that status (null = none); changed: recipients for the dashboard dialect. */
function emitMessageWebhooks(sandbox, msg, overall, changed) {
	const config = sandbox.config;
	if (config.dialect === 'source') return; // Mifumo's own server sends none
	const queue = (delivery) => {
		msg._webhookChain = (msg._webhookChain || Promise.resolve()).then(() => postWebhook(sandbox, { ...delivery, messageId: msg.message_id }));
	};
	if (overall && msg.webhook_url) {
		const payload = {
			message_id: msg.message_id,
			status: overall,
			recipients: msg.recipientStatuses.map((r) => ({ phone: r.phone, status: r.status, delivery_time: r.delivery_time })),
			metadata: { sender_id: msg.sender_id, cost: msg.cost, currency: msg.currency },
		};
		const headers = { 'Content-Type': 'application/json', 'User-Agent': USER_AGENT };
		if (msg.api_key) headers.Authorization = `Bearer ${msg.api_key}`;
		queue({ url: msg.webhook_url, headers, rawBody: JSON.stringify(payload), dialect: 'guide', event: overall });
	}
	if (config.dashboardWebhookUrl) {
		const costPerRecipient = msg.recipients.length ? msg.cost / msg.recipients.length : 0;
		for (const r of changed) {
			const payload = {
				event: `message.${r.status}`,
				message_id: msg.message_id,
				recipient: r.phone,
				status: r.status,
				timestamp: iso(Date.now()),
				delivery_time: r.delivery_time,
				sender_id: msg.sender_id,
				cost: costPerRecipient,
				currency: msg.currency,
			};
			const rawBody = JSON.stringify(payload);
			const headers = { 'Content-Type': 'application/json', 'User-Agent': USER_AGENT };
			if (config.webhookSecret) headers['X-Webhook-Signature'] = sign(config.webhookSecret, rawBody);
			queue({ url: config.dashboardWebhookUrl, headers, rawBody, dialect: 'dashboard', event: payload.event });
		}
	}
}

/** POST a webhook and log it; never throws. Resolves {status, body, headers, error}. */
function postWebhook(sandbox, { url, headers, rawBody, dialect, messageId, event }) {
	const log = sandbox.state.webhookLog;
	const entry = {
		dialect: dialect || null,
		url,
		message_id: messageId || null,
		event: event || null,
		headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value])),
		body: tryJson(rawBody),
		rawBody,
		status: null,
		responseBody: null,
		error: null,
		at: Date.now(),
	};
	log.push(entry);
	if (log.length > sandbox.config.maxLogEntries) log.splice(0, log.length - sandbox.config.maxLogEntries);
	const failed = (error) => {
		entry.error = error;
		return { status: entry.status, body: entry.responseBody, error };
	};
	if (sandbox.closed) return Promise.resolve(failed('sandbox closed'));
	sandbox.stats.webhooksSent++;
	return new Promise((resolve) => {
		let target;
		try {
			target = new URL(url);
			if (!/^https?:$/.test(target.protocol)) throw new Error(`unsupported protocol ${target.protocol}`);
		} catch (e) {
			resolve(failed(`invalid URL: ${e.message}`));
			return;
		}
		let settled = false;
		const done = (result) => {
			if (!settled) {
				settled = true;
				resolve(result);
			}
		};
		const answered = (res) => {
			entry.status = res.statusCode;
			done({ status: res.statusCode, body: entry.responseBody, headers: res.headers, error: null });
		};
		let req;
		try {
			const options = { method: 'POST', headers: { ...headers, 'Content-Length': Buffer.byteLength(rawBody) }, agent: false, timeout: sandbox.config.webhookTimeoutMs || 5000 };
			req = (target.protocol === 'https:' ? https : http).request(target, options, (res) => {
				const chunks = [];
				res.on('data', (chunk) => chunks.push(chunk));
				res.on('error', () => {});
				res.on('end', () => {
					entry.responseBody = Buffer.concat(chunks).toString('utf8');
					answered(res);
				});
				res.on('close', () => answered(res));
			});
		} catch (e) {
			done(failed(e.message));
			return;
		}
		sandbox.webhookRequests.add(req);
		req.on('timeout', () => req.destroy(new Error('webhook timed out')));
		req.on('error', (e) => done(failed(e.message)));
		req.on('close', () => {
			sandbox.webhookRequests.delete(req);
			if (!settled) done(failed(entry.error || 'connection closed'));
		});
		req.end(rawBody);
	});
}

/** POST an arbitrary webhook now: {url, payload, dialect?, key?, secret?, headers?, rawBody?}. */
async function sendWebhook(sandbox, opts) {
	if (!opts.url) throw new Error('url is required');
	const dialect = opts.dialect || 'guide';
	if (!['guide', 'dashboard'].includes(dialect)) throw new Error("dialect must be 'guide' or 'dashboard'");
	const rawBody = typeof opts.rawBody === 'string' ? opts.rawBody : JSON.stringify(opts.payload === undefined ? {} : opts.payload);
	const headers = { 'Content-Type': 'application/json', 'User-Agent': USER_AGENT };
	if (dialect === 'guide') {
		const key = opts.key === undefined ? Object.keys(sandbox.config.apiKeys)[0] : opts.key;
		if (key !== null && key !== undefined) headers.Authorization = `Bearer ${key}`;
	} else {
		const secret = opts.secret === undefined ? sandbox.config.webhookSecret : opts.secret;
		if (secret) headers['X-Webhook-Signature'] = sign(secret, rawBody);
	}
	for (const [name, value] of Object.entries(opts.headers || {})) {
		for (const existing of Object.keys(headers)) if (existing.toLowerCase() === name.toLowerCase()) delete headers[existing];
		if (value !== null && value !== undefined) headers[name] = String(value);
	}
	const result = await postWebhook(sandbox, { url: opts.url, headers, rawBody, dialect, messageId: tryJson(rawBody)?.message_id, event: 'manual' });
	return { status: result.status, body: result.body, error: result.error || null };
}

module.exports = { emitMessageWebhooks, sendWebhook };
