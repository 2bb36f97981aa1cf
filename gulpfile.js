/**
 * Build: bundle each node and the credential with esbuild (libphonenumber-js goes inside, so the
 * package ships no runtime dependency), then copy the icons and codex files beside them.
 * n8n loads dist/ as is.
 */
const { series, src, dest } = require('gulp');
const { rm } = require('node:fs/promises');
const esbuild = require('esbuild');

const entryPoints = [
	'credentials/MifumoApi.credentials.ts',
	'nodes/Mifumo/Mifumo.node.ts',
	'nodes/MifumoTrigger/MifumoTrigger.node.ts',
	'nodes/MifumoReportsTrigger/MifumoReportsTrigger.node.ts',
];

async function clean() {
	await rm('dist', { recursive: true, force: true });
}

async function bundle() {
	await esbuild.build({
		entryPoints,
		outdir: 'dist',
		outbase: '.',
		bundle: true,
		platform: 'node',
		target: 'node20',
		format: 'cjs',
		// n8n provides these at run time; everything else is bundled.
		external: ['n8n-workflow', 'n8n-core'],
		sourcemap: false,
		minifySyntax: true,
		logLevel: 'warning',
	});
}

function copyAssets() {
	return src(['nodes/**/*.svg', 'nodes/**/*.node.json', 'credentials/**/*.svg'], { base: '.', encoding: false }).pipe(
		dest('dist'),
	);
}

exports.clean = clean;
exports.build = series(clean, bundle, copyAssets);
exports.default = exports.build;
