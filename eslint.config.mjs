// Lint with the rules n8n applies to community packages: what `n8n-node lint` runs and what the
// n8n Cloud verification scanner (@n8n/scan-community-package) runs, without @n8n/node-cli.
// The community-nodes rules that check package.json walk a TSESTree ObjectExpression, so JSON
// files go through the TypeScript parser too.
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import tsParser from '@typescript-eslint/parser';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';

const shippedJson = ['package.json', 'nodes/**/*.json', 'credentials/**/*.json'];

export default [
	{
		ignores: [
			'dist/**',
			'node_modules/**',
			'test/**',
			'scripts/**',
			'coverage/**',
			'.n8n-local/**',
			// Build and test tooling: never published, and the scanner does not lint it either.
			'gulpfile.js',
			'*.config.js',
		],
	},
	{
		// The scanner lints with inline config disabled: an eslint-disable comment hides nothing there.
		linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'off' },
	},
	{
		files: ['**/*.ts', ...shippedJson],
		languageOptions: {
			parser: tsParser,
			parserOptions: { extraFileExtensions: ['.json'] },
		},
	},
	n8nCommunityNodesPlugin.configs.recommended,
	{
		// The scanner adds this on top of the recommended config.
		rules: { 'no-console': 'error' },
	},
	{ plugins: { 'n8n-nodes-base': n8nNodesBase } },
	{
		files: ['package.json'],
		rules: { ...n8nNodesBase.configs.community.rules },
	},
	{
		files: ['credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// Expects n8n's own docs slugs; a community credential links to its own README instead.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			// Superseded by @n8n/community-nodes/credential-password-field, which is more accurate.
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// Inputs/outputs use the NodeConnectionTypes enum (required by node-connection-type-literal), not "main".
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			// Mifumo caps page sizes (100 reports, 50 contacts), so a maxValue on limits is correct.
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
];
