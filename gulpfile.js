/**
 * Build: bundle each node and the credential with esbuild (libphonenumber-js goes inside, so the
 * package ships no runtime dependency), then copy the icons and codex files beside them.
 * The queue-mode pace and its Redis client (ioredis) are a bundle of their own, which the nodes
 * require only in queue mode: a single n8n process never reads it.
 * n8n loads dist/ as is.
 */
const { series, src, dest } = require('gulp');
const { rm } = require('node:fs/promises');
const path = require('node:path');
const esbuild = require('esbuild');

const entryPoints = [
	'credentials/MifumoApi.credentials.ts',
	'nodes/Mifumo/Mifumo.node.ts',
	'nodes/MifumoTrigger/MifumoTrigger.node.ts',
	'nodes/MifumoReportsTrigger/MifumoReportsTrigger.node.ts',
];

/** Where the queue-mode pace is built, and how every node bundle (all in dist/nodes/<Node>/) reaches it. */
const CLUSTER_PACE_ENTRY = 'nodes/Mifumo/transport/clusterPace.ts';
const CLUSTER_PACE_FROM_NODES = '../Mifumo/transport/clusterPace.js';

/** pace.ts's lazy require('./clusterPace') stays a require of the separate bundle. */
const clusterPaceApart = {
	name: 'cluster-pace-apart',
	setup(build) {
		build.onResolve({ filter: /^\.\/clusterPace$/ }, (args) =>
			args.importer.endsWith(path.join('transport', 'pace.ts')) ? { path: CLUSTER_PACE_FROM_NODES, external: true } : undefined,
		);
	},
};

async function clean() {
	await rm('dist', { recursive: true, force: true });
}

async function bundle() {
	await esbuild.build({
		entryPoints: [...entryPoints, CLUSTER_PACE_ENTRY],
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
		plugins: [clusterPaceApart],
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
