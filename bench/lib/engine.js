'use strict';
/**
 * Runs a node through n8n-core's real engine with the test harness (test/helpers/workflowEngine.js):
 * a small input node feeds items to the node under test, which talks real HTTP to the sandbox.
 * The Mifumo node under test is the BUILT package (dist/), i.e. what users run.
 */
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..');
const { createEngine, additionalDataFor: engineAdditionalData } = require(join(ROOT, 'test/helpers/workflowEngine'));
const { MifumoApi } = require(join(ROOT, 'dist/credentials/MifumoApi.credentials.js'));
const { Mifumo } = require(join(ROOT, 'dist/nodes/Mifumo/Mifumo.node.js'));
const { BaselineSend } = require('./baseline.node');

const mifumoApi = new MifumoApi();
const engine = createEngine({
	nodeTypes: { 'n8n-nodes-mifumo.mifumo': new Mifumo(), 'bench.baselineSend': new BaselineSend() },
	credentialType: mifumoApi,
});

/** What n8n hands a node outside a workflow run (the reports trigger's poll): the credential and instance URLs. */
function additionalDataFor(credentials, executionId) {
	return engineAdditionalData('http://localhost:5678/', mifumoApi, credentials, executionId);
}

/** Registers n8n's own HTTP Request node (from n8n-nodes-base at modulePath); returns its type name. */
function registerHttpRequestNode(modulePath) {
	const { HttpRequest } = require(modulePath);
	engine.register('n8n-nodes-base.httpRequest', new HttpRequest());
	return 'n8n-nodes-base.httpRequest';
}

/**
 * @param {{type: string, typeVersion?: number, parameters: object, items?: object[],
 *          credentials: {apiKey: string, baseUrl: string}}} options
 * @returns {Promise<{items: object[], error?: object, ms: number, cpuMs: number}>} ms: wall time; cpuMs: CPU time of this process (user + system) during the run
 */
async function runNode(options) {
	const { items, error, ms, cpuMs } = await engine.runNode(options);
	return { items: items.map(({ json }) => json), error, ms, cpuMs };
}

module.exports = { runNode, registerHttpRequestNode, additionalDataFor, ROOT };
