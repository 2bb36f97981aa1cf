#!/usr/bin/env node
'use strict';
/**
 * npm run sandbox -- [--port 8001] [--host 127.0.0.1] [--keys key:perm,key:perm] ...
 * Every flag also reads MIFUMO_SANDBOX_<FLAG> (e.g. MIFUMO_SANDBOX_PORT, MIFUMO_SANDBOX_KEYS).
 */
const { startSandbox, DEFAULT_API_KEYS } = require('./index');

const FLAGS = {
	port: 'int',
	host: 'string',
	dialect: 'dialect',
	'jwt-auth': 'bool',
	'send-answers-500': 'bool',
	keys: 'keys',
	'sms-per-minute': 'limit',
	'calls-per-hour': 'limit',
	'contact-ops-per-hour': 'limit',
	'delivery-delay-ms': 'nullableInt',
	'webhook-secret': 'string',
	'dashboard-webhook-url': 'string',
	'sender-ids': 'list',
	balance: 'number',
	'cost-per-sms': 'number',
	'latency-ms': 'int',
	quiet: 'bool',
};

const HELP = `Usage: node sandbox/cli.js [options]

  --port N                   port (default 8001; 0 = any free port)       MIFUMO_SANDBOX_PORT
  --host H                   host (default 127.0.0.1)                     MIFUMO_SANDBOX_HOST
  --dialect guide|source     answer as the vendor's guide (default) or as Mifumo's own server
  --jwt-auth                 as Mifumo's server ships: refuse every Bearer API key (401 token_not_valid)
  --send-answers-500         as Mifumo's server ships: answer a valid send 500, send nothing
  --keys k:perm,k:perm       API keys (perm: read | write | admin)        MIFUMO_SANDBOX_KEYS
  --sms-per-minute N         SMS rate limit (0 = unlimited, default 100)
  --calls-per-hour N         API call rate limit (default 1000)
  --contact-ops-per-hour N   contact operations rate limit (default 500)
  --delivery-delay-ms N      sent -> delivered delay (default 1000; "manual" = only via control plane)
  --webhook-secret S         sign dashboard-dialect webhooks with HMAC-SHA256
  --dashboard-webhook-url U  also POST every status change there (dashboard dialect)
  --sender-ids A,B,C         approved sender IDs
  --balance N                starting balance (default 5000)
  --cost-per-sms N           cost per recipient (default 10)
  --latency-ms N             delay every API answer
  --quiet                    no per-request log lines
Every option can also be given as MIFUMO_SANDBOX_<NAME> (e.g. MIFUMO_SANDBOX_SMS_PER_MINUTE).`;

class UsageError extends Error {}

function convert(name, type, raw) {
	const bad = () => new UsageError(`invalid value for --${name}: ${raw}`);
	switch (type) {
		case 'int': {
			if (!/^\d+$/.test(raw)) throw bad();
			return Number(raw);
		}
		case 'number': {
			const n = Number(raw);
			if (raw === '' || !Number.isFinite(n)) throw bad();
			return n;
		}
		case 'limit': {
			if (/^(null|none|off|unlimited)$/i.test(raw)) return null;
			if (!/^\d+$/.test(raw)) throw bad();
			return Number(raw) || null;
		}
		case 'nullableInt': {
			if (/^(null|none|manual|off)$/i.test(raw)) return null;
			if (!/^\d+$/.test(raw)) throw bad();
			return Number(raw);
		}
		case 'keys': {
			const keys = {};
			for (const part of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
				const i = part.lastIndexOf(':');
				const key = i > 0 ? part.slice(0, i) : part;
				const perm = i > 0 ? part.slice(i + 1) : 'admin';
				if (!['read', 'write', 'admin'].includes(perm)) throw new UsageError(`invalid permission "${perm}" for key ${key} (read | write | admin)`);
				keys[key] = perm;
			}
			if (!Object.keys(keys).length) throw bad();
			return keys;
		}
		case 'dialect':
			if (!['guide', 'source'].includes(raw)) throw new UsageError(`invalid value for --dialect: ${raw} (guide | source)`);
			return raw;
		case 'list':
			return raw.split(',').map((s) => s.trim()).filter(Boolean);
		case 'bool':
			return !/^(0|false|no|off)$/i.test(raw);
		default:
			return raw;
	}
}

function parseArgs(argv, env) {
	const values = {};
	for (const [name, type] of Object.entries(FLAGS)) {
		const envName = 'MIFUMO_SANDBOX_' + name.toUpperCase().replace(/-/g, '_');
		if (env[envName] !== undefined && env[envName] !== '') values[name] = convert(name, type, env[envName]);
	}
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '--help' || a === '-h') return { help: true };
		const m = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(a);
		if (!m || !(m[1] in FLAGS)) throw new UsageError(`unknown option: ${a} (see --help)`);
		const type = FLAGS[m[1]];
		let raw = m[2];
		if (raw === undefined) {
			if (type === 'bool') raw = 'true';
			else {
				raw = argv[++i];
				if (raw === undefined) throw new UsageError(`--${m[1]} needs a value`);
			}
		}
		values[m[1]] = convert(m[1], type, raw);
	}
	const opts = { port: 8001, host: '127.0.0.1', log: true };
	if ('port' in values) opts.port = values.port;
	if ('host' in values) opts.host = values.host;
	if ('keys' in values) opts.apiKeys = values.keys;
	if ('dialect' in values) opts.dialect = values.dialect;
	if ('jwt-auth' in values) opts.jwtAuth = values['jwt-auth'];
	if ('send-answers-500' in values) opts.sendAnswers500 = values['send-answers-500'];
	const rl = {};
	if ('sms-per-minute' in values) rl.smsPerMinute = values['sms-per-minute'];
	if ('calls-per-hour' in values) rl.callsPerHour = values['calls-per-hour'];
	if ('contact-ops-per-hour' in values) rl.contactOpsPerHour = values['contact-ops-per-hour'];
	if (Object.keys(rl).length) opts.rateLimits = rl;
	if ('delivery-delay-ms' in values) opts.deliveryDelayMs = values['delivery-delay-ms'];
	if ('webhook-secret' in values) opts.webhookSecret = values['webhook-secret'];
	if ('dashboard-webhook-url' in values) opts.dashboardWebhookUrl = values['dashboard-webhook-url'];
	if ('sender-ids' in values) opts.approvedSenderIds = values['sender-ids'];
	if ('balance' in values) opts.balance = values.balance;
	if ('cost-per-sms' in values) opts.costPerSms = values['cost-per-sms'];
	if ('latency-ms' in values) opts.latencyMs = values['latency-ms'];
	if (values.quiet) opts.log = false;
	return { opts };
}

async function main() {
	let parsed;
	try {
		parsed = parseArgs(process.argv.slice(2), process.env);
	} catch (e) {
		console.error(`mifumo sandbox: ${e.message}`);
		process.exit(2);
	}
	if (parsed.help) {
		console.log(HELP);
		return;
	}
	const { opts } = parsed;
	let sandbox;
	try {
		sandbox = await startSandbox(opts);
	} catch (e) {
		if (e && e.code === 'EADDRINUSE') console.error(`mifumo sandbox: port ${opts.port} on ${opts.host} is already in use`);
		else if (e && e.code === 'EACCES') console.error(`mifumo sandbox: no permission to listen on ${opts.host}:${opts.port}`);
		else console.error(`mifumo sandbox: cannot start: ${e && e.message ? e.message : e}`);
		process.exit(1);
	}
	const keys = opts.apiKeys || DEFAULT_API_KEYS;
	console.log(`Mifumo sandbox listening on ${sandbox.url}`);
	console.log(`API keys: ${Object.entries(keys).map(([k, p]) => `${k} (${p})`).join(', ')}`);
	console.log('ready');
	let stopping = false;
	const stop = (sig) => {
		if (stopping) return;
		stopping = true;
		console.log(`${sig} received, shutting down`);
		const force = setTimeout(() => process.exit(0), 2000);
		force.unref();
		sandbox.close().then(
			() => process.exit(0),
			() => process.exit(0),
		);
	};
	process.on('SIGINT', () => stop('SIGINT'));
	process.on('SIGTERM', () => stop('SIGTERM'));
}

if (require.main === module) main();

module.exports = { parseArgs };
