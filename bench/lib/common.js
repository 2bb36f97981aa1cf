'use strict';
/** Shared helpers of the benchmark cases: sandbox control, statistics, sandbox-side checks. */
const { SandboxClient } = require('../../sandbox/client');

const API_KEY = 'sandbox-admin-key';

/** Sandbox state for a measurement: no rate limits, no delivery timers, an endless balance. */
const BASE_CONFIG = {
	deliveryDelayMs: null,
	balance: 1e12,
	costPerSms: 0,
	rateLimits: null,
	latencyMs: 0,
};

function control(url) {
	return new SandboxClient(url);
}

async function reset(ctl, overrides = {}) {
	await ctl.reset({ ...BASE_CONFIG, ...overrides });
	if (global.gc) global.gc();
}

function median(values) {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `count` distinct Tanzanian mobile numbers in E.164 (+2557xxxxxxxx). */
function e164Numbers(count, offset = 0) {
	return Array.from({ length: count }, (_, i) => `+2557${String(10_000_000 + offset + i).slice(-8)}`);
}

/**
 * Compares what the sandbox accepted with the numbers that should each have received the SMS
 * once: duplicates (a number that got it more than once) and lost (a number that never got it).
 */
async function deliveryCheck(ctl, expected) {
	const messages = await ctl.messages();
	const counts = new Map();
	for (const message of messages) {
		for (const phone of message.recipients) counts.set(phone, (counts.get(phone) ?? 0) + 1);
	}
	let duplicates = 0;
	for (const n of counts.values()) if (n > 1) duplicates += n - 1;
	let lost = 0;
	for (const phone of expected) if (!counts.has(phone)) lost++;
	return { duplicates, lost, accepted: [...counts.values()].reduce((a, b) => a + b, 0) };
}

/** Runs fn, sampling the process's memory every few ms; returns fn's result and the peaks. */
async function withMemoryPeaks(fn) {
	const peak = { rss: 0, heapUsed: 0 };
	const sample = () => {
		const m = process.memoryUsage();
		if (m.rss > peak.rss) peak.rss = m.rss;
		if (m.heapUsed > peak.heapUsed) peak.heapUsed = m.heapUsed;
	};
	sample();
	const timer = setInterval(sample, 5);
	try {
		const result = await fn();
		sample();
		return { result, peak };
	} finally {
		clearInterval(timer);
	}
}

function mb(bytes) {
	return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function pct(x) {
	return `${(x * 100).toFixed(1)} %`;
}

function ms(x) {
	return x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : x >= 100 ? `${Math.round(x)} ms` : `${x.toFixed(1)} ms`;
}

function assertRun(label, run, expectedItems) {
	if (run.error) throw new Error(`${label}: the node failed: ${run.error.message}`);
	if (expectedItems !== undefined && run.items.length !== expectedItems) {
		throw new Error(`${label}: expected ${expectedItems} output items, got ${run.items.length}`);
	}
}

/** The Mifumo node sending "Benchmark message" to each item's `phone`, pacing off unless `options` say otherwise. */
function sendNode(options = {}) {
	return {
		type: 'n8n-nodes-mifumo.mifumo',
		parameters: {
			resource: 'sms',
			operation: 'send',
			message: 'Benchmark message',
			recipients: '={{ $json.phone }}',
			options: { messagesPerMinute: 0, ...options },
		},
	};
}

module.exports = { sendNode, API_KEY, BASE_CONFIG, control, reset, median, e164Numbers, deliveryCheck, withMemoryPeaks, mb, pct, ms, assertRun };
