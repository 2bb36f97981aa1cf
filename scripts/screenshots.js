#!/usr/bin/env node
'use strict';
// `npm run screenshots` (= npm run build && node scripts/screenshots.js): the README's pictures,
// taken by a real browser in a real n8n.
//
//   1. packs the built package (dist/) and installs it, as a community node, into a temporary
//      n8n user folder; starts the Mifumo sandbox and n8n 2.41.1 (.n8n-local, installed on first
//      use) on free ports; imports the "Mifumo Sandbox" credential and two example workflows;
//      sets up the owner account (admin@example.com) through the REST API
//   2. opens the editor in headless Chromium (/usr/bin/chromium, driven by playwright-core, with
//      an empty profile), signs in through the sign-in form, and saves into docs/images/:
//        send-panel.png     the Send operation's parameters (two Options added and set)
//        operations.png     the nodes panel: Mifumo SMS and its actions
//        trigger-panel.png  the Mifumo SMS Trigger's parameters, Production URL shown
//        answer-page.png    the page behind Send and Wait's link, 320 px wide (example 09 asks;
//                           the link is read from the SMS the sandbox received)
//   3. stops Chromium, n8n and the sandbox and deletes the temporary folder, also on failure or
//      Ctrl-C. Nothing is saved in n8n: the option changes are made in the browser only.
//
// `node scripts/screenshots.js --examples <dir>` instead saves every example workflow's canvas
// (zoomed to fit, sticky note included) into <dir>, and prints which trigger the editor's
// Execute workflow button runs in each: for checking the examples' notes, not for the README.
//
// `node scripts/screenshots.js --answer-page` takes answer-page.png alone.
//
// Options (environment): MIFUMO_SCREENSHOTS_KEEP=1 keeps the temporary folder (n8n's log,
// database, and a failure.png of the page when a step fails); MIFUMO_PACKAGE_TGZ=<file> installs
// that package instead of packing dist/; CHROMIUM=<path> another Chromium binary.

const fs = require('fs');
const os = require('os');
const path = require('path');
const local = require('./n8n-local');

const EXAMPLES_OUT = process.argv.includes('--examples') ? path.resolve(process.argv[process.argv.indexOf('--examples') + 1] || 'example-screenshots') : null;
const OUT_DIR = EXAMPLES_OUT || path.join(local.ROOT, 'docs', 'images');
const EXAMPLES_DIR = path.join(local.ROOT, 'examples');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const OWNER = { email: 'admin@example.com', password: 'Mifumo-Sandbox-1', firstName: 'Mifumo', lastName: 'Admin' };
const CREDENTIAL_ID = 'MifumoSandbox001';
const SEND_WORKFLOW = { file: '02-swahili-broadcast.json', id: 'MifumoExample002', node: 'Send Swahili SMS' };
const TRIGGER_WORKFLOW = { file: '06-delivery-receipts-trigger.json', id: 'MifumoExample006', node: 'Mifumo SMS Trigger' };
const ASK_WORKFLOW = { file: '09-approve-large-order.json', id: 'MifumoExample009' };
const ANSWER_PAGE_ONLY = process.argv.includes('--answer-page');
// A small phone's screen: the page must read well at 320 px.
const PHONE_VIEWPORT = { width: 320, height: 420 };
const VIEWPORT = { width: 1440, height: 900 };
// The nodes panel lists 18 actions: a taller window shows all of them without scrolling.
const OPERATIONS_VIEWPORT = { width: 1440, height: 1240 };
// Flags for Chromium on a machine without network access (see .library/env/machines/node.md):
// without the background-networking ones it keeps trying to reach Google's hosts.
const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

const t0 = Date.now();
const since = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
function step(msg) {
	process.stdout.write(`▸ ${msg} (${since()})\n`);
}

// Everything started, for cleanup() (idempotent; also run on Ctrl-C and failures).
const state = { context: null, n8n: null, sandbox: null, tmp: null, cleaning: null, signal: null };

function cleanup() {
	if (state.cleaning) return state.cleaning;
	state.cleaning = (async () => {
		try {
			if (state.context) {
				let timer;
				await Promise.race([state.context.close(), new Promise((r) => (timer = setTimeout(r, 10000)))]);
				clearTimeout(timer);
			}
		} catch {}
		try {
			if (state.n8n) await state.n8n.stop(5000);
		} catch {}
		try {
			if (state.sandbox) await state.sandbox.close();
		} catch {}
		local.killAll(); // whatever n8n-local started that is still running (CLI imports, task runner)
		if (state.tmp) {
			if (process.env.MIFUMO_SCREENSHOTS_KEEP === '1') process.stdout.write(`kept ${state.tmp}\n`);
			else fs.rmSync(state.tmp, { recursive: true, force: true });
		}
	})();
	return state.cleaning;
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
	process.once(sig, () => {
		state.signal = sig;
		process.stderr.write(`\n${sig}: stopping Chromium, n8n and the sandbox …\n`);
		cleanup().finally(() => process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1)));
	});
}

function readExample(file) {
	return JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'));
}

// ---------------------------------------------------------------------------------------------
// browser helpers

/**
 * Closes what n8n may lay over the editor on a first login (survey, "what's new", banners, toasts)
 * and fails on an error toast: a picture must show the UI, not a problem.
 */
async function clearOverlays(page) {
	for (const toast of await page.locator('.el-notification:visible, .el-message:visible').all()) {
		const isError = await toast.evaluate((el) => /error/i.test(el.className) || !!el.querySelector('[class*="error"]'));
		if (isError) throw new Error(`n8n shows an error: ${(await toast.innerText()).replace(/\s+/g, ' ').slice(0, 300)}`);
	}
	for (const sel of ['.el-notification:visible .el-notification__closeBtn', '.el-message:visible .el-message__closeBtn']) {
		for (const btn of await page.locator(sel).all()) await btn.click({ timeout: 2000 }).catch(() => {});
	}
	for (const sel of ['[data-test-id="nps-survey-modal"]:visible', '[data-test-id="whats-new-modal"]:visible']) {
		const modal = page.locator(sel);
		if (await modal.count()) {
			const close = modal.locator('button[aria-label="Close this dialog"], .el-dialog__headerbtn, .el-drawer__close-btn');
			if (await close.count()) await close.first().click({ timeout: 2000 }).catch(() => {});
			else await page.keyboard.press('Escape');
		}
	}
	for (const btn of await page.locator('[data-test-id="banner-stack"] [data-test-id="banner-close-button"]:visible, [data-test-id="banner-stack"] button[aria-label="Close"]:visible').all()) {
		await btn.click({ timeout: 2000 }).catch(() => {});
	}
}

/**
 * Waits until every text is visible on the page, then saves a PNG into docs/images. `park`: where
 * the pointer rests (default: the NDV's empty output panel).
 */
async function shoot(page, name, mustShow, { park = { x: 1200, y: 300 } } = {}) {
	for (const text of mustShow) {
		await page.getByText(text, { exact: true }).filter({ visible: true }).first().waitFor({ timeout: 15000 });
	}
	await clearOverlays(page);
	await page.mouse.move(park.x, park.y); // park the pointer where hovering shows nothing (no tooltip)
	await page.evaluate(() => document.activeElement && document.activeElement.blur && document.activeElement.blur()); // no focus ring
	await page.waitForTimeout(600); // transitions (dropdowns, panels) settle
	await clearOverlays(page);
	const file = path.join(OUT_DIR, name);
	await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
	const kb = Math.round(fs.statSync(file).size / 1024);
	step(`saved ${path.relative(process.cwd(), file)} (${kb} KB)`);
	return { file, kb };
}

async function signIn(page, baseUrl) {
	await page.goto(`${baseUrl}/signin`);
	// 2.x names the field emailOrLdapLoginId, 1.x email
	await page.locator('#emailOrLdapLoginId, input[name="emailOrLdapLoginId"], input[name="email"], input[type="email"]').first().fill(OWNER.email);
	await page.locator('#password, input[name="password"]').first().fill(OWNER.password);
	await page.locator('[data-test-id="form-submit-button"]').click();
	await page.waitForURL((u) => !u.pathname.startsWith('/signin'), { timeout: 30000 });
	await clearOverlays(page);
}

async function openWorkflow(page, baseUrl, id) {
	await page.goto(`${baseUrl}/workflow/${id}`);
	await page.locator('[data-test-id="canvas-node"]').first().waitFor({ timeout: 60000 });
	await clearOverlays(page);
}

async function openNode(page, nodeName) {
	await page.locator('[data-test-id="canvas-node"]', { hasText: nodeName }).first().dblclick();
	await page.locator('[data-test-id="tab-params"]').waitFor({ timeout: 30000 });
}

/** Picks an item of the visible Element-Plus dropdown. */
async function pickDropdownItem(page, text) {
	await page.locator('.el-select-dropdown__item:visible, .el-dropdown-menu__item:visible', { hasText: text }).first().click();
}

/** The Send operation: Options → Invalid Numbers = Skip Them, Long Messages = Split Into Several SMS. */
async function sendPanel(page, baseUrl) {
	await openWorkflow(page, baseUrl, SEND_WORKFLOW.id);
	await openNode(page, SEND_WORKFLOW.node);
	await page.locator('[data-test-id="parameter-input-message"]').waitFor();
	for (const [option, value] of [
		['Invalid Numbers', 'Skip Them'],
		['Long Messages', 'Split Into Several SMS'],
	]) {
		await page.locator('[data-test-id="collection-parameter-add"]').last().click();
		await pickDropdownItem(page, option);
		const name = option === 'Invalid Numbers' ? 'invalidNumbers' : 'longMessages';
		const input = page.locator(`[data-test-id="parameter-input-${name}"]`);
		await input.waitFor();
		await input.click();
		await pickDropdownItem(page, value);
		await page.waitForTimeout(300);
	}
	// The panel scrolled to the new options; show from the Operation down.
	await page.locator('label[for="operation"]').first().evaluate((label) => {
		let box = label.parentElement;
		while (box && !(box.scrollHeight > box.clientHeight + 1 && /auto|scroll/.test(getComputedStyle(box).overflowY))) box = box.parentElement;
		if (box) box.scrollTop += label.getBoundingClientRect().top - box.getBoundingClientRect().top - 12;
	});
	for (const [name, value] of [
		['invalidNumbers', 'Skip Them'],
		['longMessages', 'Split Into Several SMS'],
	]) {
		const shown = await page.locator(`[data-test-id="parameter-input-${name}"] input`).first().inputValue();
		if (shown !== value) throw new Error(`Options → ${name} shows "${shown}", expected "${value}"`);
	}
	return shoot(page, 'send-panel.png', ['Message', 'Recipients', 'Sender ID', 'Additional Fields', 'Invalid Numbers', 'Long Messages']);
}

/** The nodes panel: search "Mifumo", open Mifumo SMS: its actions by resource. */
async function operations(page, baseUrl) {
	await page.setViewportSize(OPERATIONS_VIEWPORT);
	await openWorkflow(page, baseUrl, SEND_WORKFLOW.id);
	await page.locator('[data-test-id="node-creator-plus-button"]').click();
	await page.locator('[data-test-id="node-creator-search-bar"]').first().waitFor();
	await page.keyboard.type('Mifumo');
	await page.locator('[data-test-id="item-iterator-item"]', { hasText: 'Mifumo SMS' }).first().click();
	const shot = await shoot(page, 'operations.png', ['Send an SMS', 'Get many contacts', 'Create a segment', 'Get delivery reports'], {
		park: { x: 250, y: 200 }, // the empty canvas: over the panel, "Via npm" would show its tooltip
	});
	await page.keyboard.press('Escape');
	await page.setViewportSize(VIEWPORT);
	return shot;
}

/** The trigger: Webhook URLs opened on the Production URL, the notice, Trigger On. */
async function triggerPanel(page, baseUrl) {
	await openWorkflow(page, baseUrl, TRIGGER_WORKFLOW.id);
	await openNode(page, TRIGGER_WORKFLOW.node);
	await page.getByText('Webhook URLs', { exact: true }).click();
	await page.getByText('Production URL', { exact: true }).click();
	await page.getByText('/webhook/', { exact: false }).first().waitFor();
	return shoot(page, 'trigger-panel.png', ['Trigger On', 'Sent', 'Delivered', 'Failed', 'Production URL']);
}

/**
 * The page behind the link of Send and Wait's SMS, as a phone opens it. Example 09 runs from the
 * command line (`n8n execute`), which makes the link: WEBHOOK_URL there is this n8n's own address,
 * so that the signed link is one this n8n accepts.
 */
async function answerPage(context, env, baseUrl) {
	const run = await local.executeWorkflow({ ...env, WEBHOOK_URL: `${baseUrl}/` }, ASK_WORKFLOW.id);
	const { SandboxClient } = require(path.join(local.ROOT, 'sandbox', 'client'));
	const sent = await new SandboxClient(state.sandbox.url).messages();
	const link = sent.map((message) => /\n(https?:\/\/\S+)$/.exec(message.message)?.[1]).find(Boolean);
	if (!link) throw new Error(`example 09 sent no SMS with a link:\n${run.stdout.slice(-2000)}\n${run.stderr.slice(-2000)}`);
	const page = await context.newPage();
	await page.setViewportSize(PHONE_VIEWPORT);
	await page.goto(link);
	const shot = await shoot(page, 'answer-page.png', ['Approve', 'Decline'], { park: { x: 2, y: PHONE_VIEWPORT.height - 2 } });
	await page.close();
	return shot;
}

/** Every example's canvas, zoomed to fit; logs the trigger the Execute workflow button would run. */
async function exampleCanvases(page, baseUrl, examples) {
	const shots = [];
	for (const { file, workflow } of examples) {
		await openWorkflow(page, baseUrl, workflow.id);
		await page.locator('[data-test-id="zoom-to-fit"]').click();
		const button = page.locator('[data-test-id="execute-workflow-button"]').first();
		const label = (await button.count()) ? (await button.innerText()).replace(/\s+/g, ' ').trim() : '(no Execute workflow button)';
		step(`${file}: the button reads "${label}"`);
		shots.push(await shoot(page, file.replace(/\.json$/, '.png'), [], { park: { x: 5, y: 450 } }));
	}
	return shots;
}

// ---------------------------------------------------------------------------------------------

async function main() {
	if (!fs.existsSync(CHROMIUM)) {
		throw new local.UserError(`Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM=<path>.`);
	}
	let chromium;
	try {
		({ chromium } = require('playwright-core'));
	} catch {
		throw new local.UserError('playwright-core is not installed: run npm ci.');
	}
	if (!process.env.MIFUMO_PACKAGE_TGZ && !fs.existsSync(path.join(local.ROOT, 'dist', 'nodes', 'Mifumo', 'Mifumo.node.js'))) {
		throw new local.UserError('dist/ is missing: run npm run build first (npm run screenshots does).');
	}

	step(`checking n8n ${local.N8N_VERSION} (the first run installs it: ${local.paths().line.cost}) …`);
	await local.ensureN8n({ log: (m) => process.stdout.write(`  ${m}\n`) });

	const tmp = (state.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mifumo-screenshots-')));
	let tgz;
	if (process.env.MIFUMO_PACKAGE_TGZ) {
		tgz = path.resolve(process.env.MIFUMO_PACKAGE_TGZ);
	} else {
		step('packing dist/ …');
		tgz = await local.buildAndPack({ destDir: path.join(tmp, 'pack'), build: false });
	}
	const userFolder = path.join(tmp, 'user');
	step(`installing ${path.basename(tgz)} as a community node …`);
	await local.installPackage(userFolder, tgz);

	const [n8nPort, brokerPort, sandboxPort] = [await local.freePort(), await local.freePort(), await local.freePort()];
	const { startSandbox } = require(path.join(local.ROOT, 'sandbox'));
	// A question with its link is longer than the guide's 160 characters (one SMS of several parts).
	state.sandbox = await startSandbox({ port: sandboxPort, host: '127.0.0.1', maxMessageLength: 1000 });
	const sandboxUrl = state.sandbox.url.replace(/\/$/, '');

	// WEBHOOK_URL: the trigger's Production URL reads as on a default install (localhost:5678),
	// not this run's random port. It changes nothing else here: no webhook is called.
	const env = local.n8nEnv({ userFolder, port: n8nPort, brokerPort, logLevel: 'warn', extra: { WEBHOOK_URL: 'http://localhost:5678/' } });
	const examples = (EXAMPLES_OUT ? fs.readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json')).sort() : [SEND_WORKFLOW.file, TRIGGER_WORKFLOW.file, ASK_WORKFLOW.file]).map((file) => ({
		file,
		workflow: readExample(file),
	}));
	step(`importing the "Mifumo Sandbox" credential and ${examples.length} example workflows …`);
	await local.importCredentials(env, [
		{ id: CREDENTIAL_ID, name: 'Mifumo Sandbox', type: 'mifumoApi', data: { apiKey: 'sandbox-admin-key', baseUrl: sandboxUrl } },
	]);
	await local.importWorkflows(env, examples.map((e) => e.workflow));

	step(`starting n8n on port ${n8nPort} …`);
	state.n8n = await local.startN8n({ env, logFile: path.join(tmp, 'n8n.log') });
	await new local.RestClient(state.n8n.url).ensureOwner(OWNER);
	// The browser uses "localhost", the host n8n was configured with (N8N_HOST).
	const baseUrl = `http://localhost:${n8nPort}`;

	step('starting headless Chromium …');
	state.context = await chromium.launchPersistentContext(path.join(tmp, 'chromium-profile'), {
		executablePath: CHROMIUM,
		headless: true,
		args: CHROMIUM_ARGS,
		viewport: VIEWPORT,
		deviceScaleFactor: 1,
		locale: 'en-US',
		timezoneId: 'Africa/Dar_es_Salaam',
		colorScheme: 'light',
		// Ctrl-C is handled here (cleanup() closes the browser first, then n8n and the sandbox).
		handleSIGINT: false,
		handleSIGTERM: false,
		handleSIGHUP: false,
	});
	state.context.setDefaultTimeout(30000);
	const page = state.context.pages()[0] || (await state.context.newPage());

	fs.mkdirSync(OUT_DIR, { recursive: true });
	const shots = [];
	try {
		step(`signing in as ${OWNER.email} …`);
		await signIn(page, baseUrl);
		if (EXAMPLES_OUT) {
			shots.push(...(await exampleCanvases(page, baseUrl, examples)));
		} else if (ANSWER_PAGE_ONLY) {
			shots.push(await answerPage(state.context, env, baseUrl));
		} else {
			step('signed in; opening "Mifumo: Swahili message to a list of numbers" …');
			shots.push(await sendPanel(page, baseUrl));
			shots.push(await operations(page, baseUrl));
			shots.push(await triggerPanel(page, baseUrl));
			shots.push(await answerPage(state.context, env, baseUrl));
		}
	} catch (err) {
		if (state.signal) return new Promise(() => {}); // the signal handler cleans up and exits
		const where = path.join(tmp, 'failure.png');
		await page.screenshot({ path: where }).catch(() => {});
		process.env.MIFUMO_SCREENSHOTS_KEEP = '1'; // keep the log and failure.png to look at
		throw err;
	}

	const big = shots.filter((s) => s.kb > 300);
	process.stdout.write(`\n${shots.length} screenshots in ${path.relative(process.cwd(), OUT_DIR) || '.'}/ (${since()})${big.length ? `; over 300 KB: ${big.map((s) => path.basename(s.file)).join(', ')}` : ''}\n`);
}

main()
	.then(async () => {
		step('stopping Chromium, n8n and the sandbox …');
		await cleanup();
		step('done');
	})
	.catch(async (err) => {
		const msg = err instanceof local.UserError ? err.message : err && err.stack ? err.stack : String(err);
		process.stderr.write(`npm run screenshots: ${msg}\n`);
		await cleanup();
		process.exit(1);
	});
