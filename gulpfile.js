/**
 * Build: bundle each node and the credential with esbuild (libphonenumber-js goes inside, so the
 * package ships no runtime dependency), then copy the icons and codex files beside them.
 * What queue mode keeps in n8n's Redis (the pace, the send-once record) and the Redis client (ioredis)
 * are a bundle of their own, which the nodes require only in queue mode: a single n8n process never reads it.
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

/** Where the queue-mode bundle (pace and send-once record in n8n's Redis) is built, and how every node bundle (all in dist/nodes/<Node>/) reaches it. */
const CLUSTER_ENTRY = 'nodes/Mifumo/transport/cluster.ts';
const CLUSTER_FROM_NODES = '../Mifumo/transport/cluster.js';

/** The lazy require('./cluster') of pace.ts and sendOnce.ts stays a require of the separate bundle. */
const clusterApart = {
	name: 'cluster-apart',
	setup(build) {
		// Only the package's own requires: ioredis has a require('./cluster') of its own.
		build.onResolve({ filter: /(^\.|\/transport)\/cluster$/ }, (args) =>
			args.importer.includes('node_modules') ? undefined : { path: CLUSTER_FROM_NODES, external: true },
		);
	},
};

async function clean() {
	await rm('dist', { recursive: true, force: true });
}

async function bundle() {
	await esbuild.build({
		entryPoints: [...entryPoints, CLUSTER_ENTRY],
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
		plugins: [clusterApart],
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
