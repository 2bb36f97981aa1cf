'use strict';
/** Two node variants on the same items, interleaved, for a ratio measured in one run. */
const { runNode } = require('./engine');
const { reset, median, deliveryCheck, assertRun } = require('./common');

/**
 * One warm-up run each, then `runs` rounds alternating the order, so that drift on the machine hits
 * both alike. Returns wall and CPU times per variant, and duplicates / lost counted at the sandbox
 * after the last round of each.
 */
async function compareInterleaved({ ctl, variants, items, credentials, runs, phones }) {
	const [first, second] = Object.keys(variants);
	const times = { [first]: [], [second]: [] };
	const cpu = { [first]: [], [second]: [] };
	const checks = [];
	for (let round = -1; round < runs; round++) {
		for (const name of round % 2 ? [first, second] : [second, first]) {
			await reset(ctl);
			const run = await runNode({ ...variants[name], items, credentials });
			assertRun(name, run, items.length);
			if (round >= 0) {
				times[name].push(run.ms);
				cpu[name].push(run.cpuMs);
			}
			if (round === runs - 1) checks.push(await deliveryCheck(ctl, phones));
		}
	}
	return {
		times,
		cpu,
		wall: { [first]: median(times[first]), [second]: median(times[second]) },
		duplicates: checks.reduce((sum, check) => sum + check.duplicates, 0),
		lost: checks.reduce((sum, check) => sum + check.lost, 0),
	};
}

module.exports = { compareInterleaved };
