#!/usr/bin/env node
'use strict';
/**
 * Where the time goes: runs one scenario under the V8 CPU profiler and prints self time by
 * package and by function. The .cpuprofile is kept (open it in Chrome DevTools or speedscope).
 *
 *   node bench/profile.js send [items=1000] [concurrency=1]   # Send, one recipient per item
 *   node bench/profile.js baseline [items=1000]               # the minimal node of case 1
 *   node bench/profile.js http [items=1000]                   # n8n's HTTP Request node (needs .n8n-local)
 *   node bench/profile.js bulk [recipients=10000]              # one item, mixed-format recipients
 *   node bench/profile.js normalise [recipients=10000]         # normalizePhoneNumbers alone
 */
const { spawn } = require('node:child_process');
const { mkdtempSync, readdirSync, readFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, relative } = require('node:path');

const ROOT = join(__dirname, '..');

async function scenario(name, size, concurrency) {
	const { mixedFormats, loadPhoneHelpers } = require('./lib/phones');
	if (name === 'normalise') {
		const { normalizePhoneNumbers } = loadPhoneHelpers();
		const list = mixedFormats(size);
		for (let i = 0; i < 20; i++) normalizePhoneNumbers(list, 'TZ');
		return;
	}
	const { startSandboxProcess } = require('./lib/sandbox-spawn');
	const { runNode } = require('./lib/engine');
	const { sendNode, API_KEY, control, reset, e164Numbers } = require('./lib/common');
	const sandbox = await startSandboxProcess();
	const ctl = control(sandbox.url);
	const credentials = { apiKey: API_KEY, baseUrl: sandbox.url };
	try {
		for (let round = 0; round < 3; round++) {
			await reset(ctl);
			if (name === 'bulk') {
				await runNode({
					type: 'n8n-nodes-mifumo.mifumo',
					parameters: { resource: 'sms', operation: 'send', message: 'Bulk', recipients: '={{ $json.recipients }}', options: { messagesPerMinute: 0 } },
					items: [{ recipients: mixedFormats(size) }],
					credentials,
				});
			} else {
				const items = e164Numbers(size).map((phone) => ({ phone }));
				if (name === 'http') {
					const { findHttpRequestNode, httpRequestNode } = require('./lib/n8n-local');
					require('./lib/engine').registerHttpRequestNode(findHttpRequestNode());
					await runNode({ ...httpRequestNode(sandbox.url), items, credentials });
					continue;
				}
				const run =
					name === 'baseline'
						? { type: 'bench.baselineSend', parameters: { message: 'Benchmark message', recipients: '={{ $json.phone }}' } }
						: sendNode({ concurrency });
				await runNode({ ...run, items, credentials });
			}
		}
	} finally {
		sandbox.stop();
	}
}

function packageOf(url) {
	if (!url) return '(native / GC / idle)';
	const path = url.replace(/^file:\/\//, '');
	if (path.includes('/dist/nodes/Mifumo/')) return 'dist/nodes/Mifumo (the node, libphonenumber-js inside)';
	if (path.includes('mifumo-bench-phone-')) return 'nodes/Mifumo/helpers/phone.ts (+ libphonenumber-js)';
	const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
	if (m) return m[1];
	if (path.startsWith('node:') || !path.startsWith('/')) return `node internals`;
	return relative(ROOT, path);
}

function report(file) {
	const profile = JSON.parse(readFileSync(file, 'utf8'));
	const self = new Map();
	const dt = profile.timeDeltas;
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	for (let i = 0; i < profile.samples.length; i++) {
		const id = profile.samples[i];
		self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0));
	}
	const total = [...self.values()].reduce((a, b) => a + b, 0);
	const packages = new Map();
	const functions = new Map();
	for (const [id, us] of self) {
		const { callFrame } = byId.get(id);
		const name = callFrame.functionName || '(anonymous)';
		if (['(idle)', '(program)', '(garbage collector)'].includes(name)) {
			packages.set(name, (packages.get(name) ?? 0) + us);
			continue;
		}
		const pkg = packageOf(callFrame.url);
		packages.set(pkg, (packages.get(pkg) ?? 0) + us);
		const key = `${name}  ${pkg === 'node internals' ? callFrame.url : pkg}:${callFrame.lineNumber + 1}`;
		functions.set(key, (functions.get(key) ?? 0) + us);
	}
	const show = (title, map, n) => {
		console.log(`\n${title}`);
		for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) {
			console.log(`${(us / 1000).toFixed(0).padStart(7)} ms ${((us / total) * 100).toFixed(1).padStart(5)} %  ${k}`);
		}
	};
	console.log(`Profile ${file}: ${(total / 1000).toFixed(0)} ms sampled`);
	show('Self time by package', packages, 15);
	show('Self time by function', functions, 30);
}

async function main() {
	const [name = 'send', size, concurrency] = process.argv.slice(2);
	if (process.env.MIFUMO_BENCH_PROFILE_CHILD) {
		const defaults = { send: 1000, baseline: 1000, http: 1000, bulk: 10_000, normalise: 10_000 };
		await scenario(name, Number(size ?? defaults[name]), Number(concurrency ?? 1));
		return;
	}
	const dir = mkdtempSync(join(tmpdir(), 'mifumo-bench-prof-'));
	const child = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, __filename, ...process.argv.slice(2)], {
		cwd: ROOT,
		stdio: 'inherit',
		env: { ...process.env, MIFUMO_BENCH_PROFILE_CHILD: '1' },
	});
	const code = await new Promise((resolve) => child.on('exit', resolve));
	if (code !== 0) process.exit(code ?? 1);
	const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
	report(join(dir, file));
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
