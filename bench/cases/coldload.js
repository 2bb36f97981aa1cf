'use strict';
/** Case 5: time to require the built node in a fresh process; size of dist/. */
const { execFileSync } = require('node:child_process');
const { readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const { median, ms } = require('../lib/common');

const ROOT = join(__dirname, '..', '..');
const NODE_FILE = join(ROOT, 'dist/nodes/Mifumo/Mifumo.node.js');

function probe(preloadWorkflow) {
	const script = `
		${preloadWorkflow ? "require('n8n-workflow');" : ''}
		const t = process.hrtime.bigint();
		const { Mifumo } = require(${JSON.stringify(NODE_FILE)});
		new Mifumo();
		process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));
	`;
	return Number(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' }));
}

function sizeOf(path) {
	const s = statSync(path);
	if (!s.isDirectory()) return s.size;
	return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
}

module.exports = async function coldload({ quick }) {
	const runs = quick ? 7 : 11;
	const own = [];
	const withWorkflow = [];
	for (let i = 0; i < runs; i++) {
		own.push(probe(true));
		if (i < (quick ? 3 : 5)) withWorkflow.push(probe(false));
	}
	const loadMs = median(own);
	const dist = sizeOf(join(ROOT, 'dist'));
	const nodeFile = sizeOf(NODE_FILE);
	return {
		raw: { runs, own, withWorkflow, dist, nodeFile },
		rows: [
			{
				figure: `Cold load of Mifumo.node.js (median of ${runs})`,
				value: ms(loadMs),
				goal: '≤ 50 ms',
				met: loadMs <= 50,
				explain: 'require() of the built node plus `new Mifumo()` in a fresh node process where n8n-workflow is already loaded (as in n8n).',
			},
			{
				figure: 'Same, n8n-workflow not yet loaded',
				value: ms(median(withWorkflow)),
				explain: 'The same, also paying for loading n8n-workflow (n8n has it loaded already; shown for scale).',
			},
			{
				figure: 'Size of dist/',
				value: `${(dist / 1024).toFixed(0)} KiB (Mifumo.node.js ${(nodeFile / 1024).toFixed(0)} KiB, libphonenumber-js bundled)`,
				explain: 'Bytes on disk of everything the package ships under dist/.',
			},
		],
	};
};
