'use strict';
/** Runs one case in a fresh process (fresh heap, cold caches) and hands its result to the parent. */
const [caseName, url, mode] = process.argv.slice(2);

(async () => {
	const run = require(`../cases/${caseName}`);
	const result = await run({ url, quick: mode === 'quick' });
	process.send({ ok: true, result }, () => process.exit(0));
})().catch((error) => {
	process.send({ ok: false, error: error && error.stack ? error.stack : String(error) }, () => process.exit(1));
});
