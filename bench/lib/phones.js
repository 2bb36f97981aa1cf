'use strict';
/** Mixed-format phone lists, and the node's own sources (its phone helpers) bundled the way the build bundles them. */
const { mkdirSync, mkdtempSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const esbuild = require('esbuild');

const { e164Numbers } = require('./common');

const ROOT = join(__dirname, '..', '..');

/** A source file of the node (path from the repository root) with its imports inside, bundled as dist/ bundles it. */
function loadNodeSource(path) {
	// Inside the repository (.tmp/ is ignored by git), so that the bundle's require('n8n-workflow') finds node_modules.
	mkdirSync(join(ROOT, '.tmp'), { recursive: true });
	const dir = mkdtempSync(join(ROOT, '.tmp', 'bench-source-'));
	process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
	const outfile = join(dir, 'source.js');
	esbuild.buildSync({
		entryPoints: [join(ROOT, path)],
		outfile,
		bundle: true,
		platform: 'node',
		target: 'node20',
		format: 'cjs',
		external: ['n8n-workflow', 'n8n-core'],
		minifySyntax: true,
		logLevel: 'warning',
	});
	return require(outfile);
}

/** nodes/Mifumo/helpers/phone.ts with libphonenumber-js/min inside, as in dist/. */
function loadPhoneHelpers() {
	return loadNodeSource('nodes/Mifumo/helpers/phone.ts');
}

/** `count` distinct numbers as 0712 345 678 / 255713345678 / +255 714 345 678, rotating; e164Numbers(count) in E.164. */
function mixedFormats(count) {
	return e164Numbers(count).map((e164, i) => {
		const national = e164.slice(4); // 7xxxxxxxx
		const [a, b, c] = [national.slice(0, 3), national.slice(3, 6), national.slice(6)];
		switch (i % 3) {
			case 0:
				return `0${a} ${b} ${c}`;
			case 1:
				return `255${national}`;
			default:
				return `+255 ${a} ${b} ${c}`;
		}
	});
}

module.exports = { loadNodeSource, loadPhoneHelpers, mixedFormats };
