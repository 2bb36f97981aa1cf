// Lint with the rules n8n applies to community packages: what `n8n-node lint` runs and what the
// n8n Cloud verification scanner (@n8n/scan-community-package) runs, without @n8n/node-cli.
// The community-nodes rules that check package.json walk a TSESTree ObjectExpression, so JSON
// files go through the TypeScript parser too.
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import tsParser from '@typescript-eslint/parser';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';

/** An eslint-disable comment must list the rules it turns off and say why after ` -- `. */
const disableNeedsReason = {
	meta: {
		type: 'suggestion',
		schema: [],
		messages: { missing: 'eslint-disable needs rule names and a reason: `eslint-disable-next-line <rule> -- <why>`' },
	},
	create(context) {
		return {
			Program() {
				for (const comment of context.sourceCode.getAllComments()) {
					const text = comment.value.trim();
					if (!/^eslint-disable(-next-line|-line)?(\s|$)/.test(text)) continue;
					const [directive, reason = ''] = text.split(/\s--\s/);
					const rules = directive.replace(/^eslint-disable(-next-line|-line)?/, '').trim();
					if (!rules || !reason.trim()) context.report({ loc: comment.loc, messageId: 'missing' });
				}
			},
		};
	},
};

const shippedJson = ['package.json', 'nodes/**/*.json', 'credentials/**/*.json'];

export default [
	{
		ignores: [
			'dist/**',
			'node_modules/**',
			'test/**',
			'sandbox/**',
			'scripts/**',
			'bench/**',
			'coverage/**',
			'.n8n-local/**',
			// Build and test tooling: never published, and the scanner does not lint it either.
			'gulpfile.js',
			'*.config.js',
		],
	},
	{
		// n8n's scanner ignores inline config, so every eslint-disable here is a verification blocker:
		// each must name its rules and give a reason (`-- why`), and stale ones fail.
		// `npx eslint . --no-inline-config` shows what the scanner sees.
		linterOptions: { reportUnusedDisableDirectives: 'error' },
		plugins: { project: { rules: { 'disable-needs-reason': disableNeedsReason } } },
		rules: { 'project/disable-needs-reason': 'error' },
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
