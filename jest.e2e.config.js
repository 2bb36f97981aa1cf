/**
 * End-to-end tests: a real n8n 2.41.1 (Node 24, installed into .n8n-local/ on first use) loads
 * the packed package and runs the example workflows against the Mifumo sandbox.
 * `npm run test:e2e`. The first run installs n8n (a few minutes); later runs reuse it.
 */
module.exports = {
	testEnvironment: 'node',
	rootDir: __dirname,
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.e2e.test.js'],
	globalSetup: '<rootDir>/test/e2e/global-setup.js',
	globalTeardown: '<rootDir>/test/e2e/global-teardown.js',
	testTimeout: 120000,
	maxWorkers: 1,
	// n8n runs in the jest process's own process groups; a stuck handle must not hang CI
	forceExit: true,
};
