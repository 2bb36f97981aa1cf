'use strict';
// Starts, once for the whole e2e run: the Mifumo sandbox (in this process) and a real n8n
// (own temp user folder, free ports) with the packed package, the "Mifumo Sandbox" credential
// and every example workflow imported. Tests read the state from process.env.MIFUMO_E2E.

const fs = require('fs');
const os = require('os');
const path = require('path');
const local = require('../../scripts/n8n-local');
const { CREDENTIAL_ID, OWNER, PUBLISHED, exampleWorkflows } = require('./lib/constants');

function log(msg) {
	process.stderr.write(`[e2e] ${msg}\n`);
}

module.exports = async function globalSetup() {
	const t0 = Date.now();
	const since = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
	const state = (globalThis.__MIFUMO_E2E__ = { n8n: null, sandbox: null, tmp: null });
	// Ctrl-C or a CI timeout (SIGTERM) skips jest's teardown: end n8n's process groups anyway.
	for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
		process.once(sig, () => {
			local.killAll();
			if (state.tmp && process.env.MIFUMO_E2E_KEEP !== '1') fs.rmSync(state.tmp, { recursive: true, force: true });
			process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
		});
	}
	try {
		log(`ensuring n8n ${local.N8N_VERSION} is installed (a few minutes the first time) …`);
		await local.ensureN8n({ log: (m) => log(`  ${m}`) });

		const tmp = (state.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mifumo-e2e-')));
		let tgz;
		if (process.env.MIFUMO_PACKAGE_TGZ) {
			tgz = path.resolve(process.env.MIFUMO_PACKAGE_TGZ); // a package packed elsewhere (e.g. a CI artifact)
			log(`using ${tgz} (MIFUMO_PACKAGE_TGZ)`);
		} else {
			log(`building and packing the package (${since()}) …`);
			tgz = await local.buildAndPack({ destDir: path.join(tmp, 'pack'), build: process.env.MIFUMO_E2E_SKIP_BUILD !== '1' });
		}

		const userFolder = path.join(tmp, 'user');
		log(`installing ${path.basename(tgz)} into ${userFolder}/.n8n/nodes (${since()}) …`);
		await local.installPackage(userFolder, tgz);

		const [n8nPort, brokerPort, sandboxPort] = [await local.freePort(), await local.freePort(), await local.freePort()];
		const { startSandbox } = require('../../sandbox');
		const sandbox = (state.sandbox = await startSandbox({ port: sandboxPort, host: '127.0.0.1', deliveryDelayMs: 1500 }));
		const sandboxUrl = sandbox.url.replace(/\/$/, '');

		const env = local.n8nEnv({ userFolder, port: n8nPort, brokerPort, logLevel: 'info' });
		log(`importing the credential and ${exampleWorkflows(n8nPort).length} example workflows (${since()}) …`);
		await local.importCredentials(env, [
			{ id: CREDENTIAL_ID, name: 'Mifumo Sandbox', type: 'mifumoApi', data: { apiKey: 'sandbox-admin-key', baseUrl: sandboxUrl } },
		]);
		await local.importWorkflows(env, exampleWorkflows(n8nPort));
		for (const id of PUBLISHED) await local.publishWorkflow(env, id);

		log(`starting n8n on port ${n8nPort} (${since()}) …`);
		const n8n = (state.n8n = await local.startN8n({ env, logFile: path.join(tmp, 'n8n.log') }));
		const rest = new local.RestClient(n8n.url);
		await rest.ensureOwner(OWNER);

		process.env.MIFUMO_E2E = JSON.stringify({ tmp, userFolder, n8nPort, brokerPort, n8nUrl: n8n.url, sandboxUrl, logFile: n8n.logFile });
		log(`ready in ${since()}: n8n ${n8n.url}, sandbox ${sandboxUrl}, log ${n8n.logFile}`);
	} catch (err) {
		log(`setup failed: ${err.message}`);
		await require('./global-teardown')();
		throw err;
	}
};
