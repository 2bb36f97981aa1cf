'use strict';
/**
 * Runs a node through n8n-core's real engine (WorkflowExecute), as test/helpers/engine.ts does:
 * a small input node feeds items to the node under test, which talks real HTTP to the sandbox.
 * The node under test is the BUILT package (dist/), i.e. what users run.
 */
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

if (!process.env.N8N_USER_FOLDER) {
	const folder = mkdtempSync(join(tmpdir(), 'mifumo-bench-n8n-'));
	process.env.N8N_USER_FOLDER = folder;
	process.on('exit', () => rmSync(folder, { recursive: true, force: true }));
}
process.env.N8N_LOG_LEVEL ??= 'silent';

const { ExecutionLifecycleHooks, WorkflowExecute } = require('n8n-core');
const { ICredentialsHelper, NodeConnectionTypes, Workflow } = require('n8n-workflow');

const ROOT = join(__dirname, '..', '..');
const { MifumoApi } = require(join(ROOT, 'dist/credentials/MifumoApi.credentials.js'));
const { Mifumo } = require(join(ROOT, 'dist/nodes/Mifumo/Mifumo.node.js'));
const { BaselineSend } = require('./baseline.node');

/** Emits the items given in its `items` parameter. */
class BenchInput {
	constructor() {
		this.description = {
			displayName: 'Bench Input',
			name: 'benchInput',
			group: ['input'],
			version: 1,
			description: 'Emits fixed items',
			defaults: { name: 'Bench Input' },
			inputs: [],
			outputs: [NodeConnectionTypes.Main],
			properties: [{ displayName: 'Items', name: 'items', type: 'json', default: '[]' }],
		};
	}

	async execute() {
		const items = JSON.parse(this.getNodeParameter('items', 0));
		return [items.map((json) => ({ json }))];
	}
}

const nodeTypeInstances = {
	'n8n-nodes-mifumo.mifumo': new Mifumo(),
	'bench.baselineSend': new BaselineSend(),
	'bench.benchInput': new BenchInput(),
};

/** Registers n8n's own HTTP Request node when n8n-nodes-base is found; returns its type name or undefined. */
function registerHttpRequestNode(modulePath) {
	const { HttpRequest } = require(modulePath);
	const versioned = new HttpRequest();
	nodeTypeInstances['n8n-nodes-base.httpRequest'] = versioned;
	return 'n8n-nodes-base.httpRequest';
}

function resolveType(name, version) {
	const type = nodeTypeInstances[name];
	if (type && typeof type.getNodeType === 'function') return type.getNodeType(version);
	return type;
}

const nodeTypes = {
	getByName: (name) => resolveType(name),
	getByNameAndVersion: (name, version) => resolveType(name, version),
	getKnownTypes: () => ({}),
};

const mifumoApi = new MifumoApi();

/** Resolves the credential's own generic `authenticate` block (`={{$credentials.x}}` templates). */
class BenchCredentialsHelper extends ICredentialsHelper {
	constructor(data) {
		super();
		this.data = data;
	}
	getParentTypes() {
		return [];
	}
	isCredentialUsableByNode() {
		return true;
	}
	async authenticate(credentials, _type, options) {
		const headers = mifumoApi.authenticate.properties.headers ?? {};
		const resolved = Object.fromEntries(
			Object.entries(headers).map(([name, template]) => [
				name,
				template.replace(/^=/, '').replace(/\{\{\s*\$credentials\.(\w+)\s*\}\}/g, (_, key) => String(credentials[key] ?? '')),
			]),
		);
		return { ...options, headers: { ...options.headers, ...resolved } };
	}
	async preAuthentication() {
		return undefined;
	}
	async runPreAuthentication() {
		return undefined;
	}
	async getCredentials() {
		throw new Error('not used by the engine');
	}
	async getDecrypted() {
		return { ...this.data };
	}
	async updateCredentials() {}
	async updateCredentialsOauthTokenData() {}
	getCredentialsProperties() {
		return mifumoApi.properties;
	}
}

/** What n8n's server hands the engine: the credential (through its own authenticate block) and valid instance URLs. */
function additionalDataFor(credentials, executionId) {
	const baseUrl = 'http://localhost:5678/';
	return {
		credentialsHelper: new BenchCredentialsHelper(credentials),
		executionId,
		currentNodeExecutionIndex: 0,
		variables: {},
		restApiUrl: baseUrl,
		instanceBaseUrl: baseUrl,
		formBaseUrl: baseUrl,
		formWaitingBaseUrl: baseUrl,
		formTestBaseUrl: baseUrl,
		webhookBaseUrl: baseUrl,
		webhookWaitingBaseUrl: baseUrl,
		webhookTestBaseUrl: baseUrl,
		mcpBaseUrl: baseUrl,
		mcpTestBaseUrl: baseUrl,
		logAiEvent: () => {},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		executeWorkflow: async () => {
			throw new Error('not used');
		},
	};
}

let executionCounter = 0;

/**
 * @param {{type: string, typeVersion?: number, parameters: object, items?: object[],
 *          credentials: {apiKey: string, baseUrl: string}}} options
 * @returns {Promise<{items: object[], error?: object, ms: number, cpuMs: number}>} ms: wall time; cpuMs: CPU time of this process (user + system) during the run
 */
async function runNode(options) {
	const executionId = String(++executionCounter);
	const nodes = [
		{
			id: 'input',
			name: 'Input',
			type: 'bench.benchInput',
			typeVersion: 1,
			position: [0, 0],
			parameters: { items: JSON.stringify(options.items ?? [{}]) },
		},
		{
			id: 'target',
			name: 'Target',
			type: options.type,
			typeVersion: options.typeVersion ?? 1,
			position: [200, 0],
			parameters: options.parameters,
			credentials: { mifumoApi: { id: '1', name: 'Mifumo Sandbox' } },
		},
	];
	const connections = { Input: { main: [[{ node: 'Target', type: NodeConnectionTypes.Main, index: 0 }]] } };
	const workflow = new Workflow({ id: 'bench', nodes, connections, active: false, nodeTypes });
	const mode = 'manual';
	const hooks = new ExecutionLifecycleHooks(mode, executionId, {
		id: 'bench',
		name: 'bench',
		nodes,
		connections,
		active: false,
		activeVersionId: null,
		isArchived: false,
		createdAt: new Date(),
		updatedAt: new Date(),
	});
	const additionalData = { ...additionalDataFor(options.credentials, executionId), hooks };

	const cpuBefore = process.cpuUsage();
	const started = process.hrtime.bigint();
	const run = await new WorkflowExecute(additionalData, mode).run({ workflow, startNode: workflow.getNode('Input') });
	const ms = Number(process.hrtime.bigint() - started) / 1e6;
	const cpu = process.cpuUsage(cpuBefore);
	const cpuMs = (cpu.user + cpu.system) / 1000;
	const taskData = run.data.resultData.runData.Target?.[0];
	const output = taskData?.data?.main?.[0] ?? [];
	return { items: output.map(({ json }) => json), error: taskData?.error, ms, cpuMs };
}

module.exports = { runNode, registerHttpRequestNode, additionalDataFor, ROOT };
