'use strict';
// Stops everything global-setup started, even after failures. MIFUMO_E2E_KEEP=1 keeps the temp
// folder (n8n's database and log) for inspection.

const fs = require('fs');
const local = require('../../scripts/n8n-local');

module.exports = async function globalTeardown() {
	const state = globalThis.__MIFUMO_E2E__ || {};
	try {
		if (state.n8n) await state.n8n.stop(10000);
	} catch {}
	try {
		if (state.sandbox) await state.sandbox.close();
	} catch {}
	local.killAll();
	if (state.tmp && process.env.MIFUMO_E2E_KEEP !== '1') {
		fs.rmSync(state.tmp, { recursive: true, force: true });
	} else if (state.tmp) {
		process.stderr.write(`[e2e] kept ${state.tmp}\n`);
	}
	globalThis.__MIFUMO_E2E__ = null;
};
