/**
 * Queue-mode end-to-end tests: PostgreSQL + Redis (Debian packages, loopback, temp data), a real
 * n8n 2.41.1 main + 2 workers + webhook processor with the packed package, and the sandbox.
 * `npm run test:e2e:queue` (root, or postgresql + redis-server already installed).
 */
module.exports = {
	testEnvironment: 'node',
	rootDir: __dirname,
	roots: ['<rootDir>/test/e2e-queue'],
	testMatch: ['**/*.e2e.js'], // not *.test.js: the unit-test config (jest.config.js) must not pick it up
	globalSetup: '<rootDir>/test/e2e-queue/global-setup.js',
	globalTeardown: '<rootDir>/test/e2e-queue/global-teardown.js',
	testTimeout: 180000,
	maxWorkers: 1,
	// the stack runs in process groups of its own; a stuck handle must not hang CI
	forceExit: true,
};
