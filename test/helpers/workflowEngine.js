'use strict';
/**
 * Runs one node through n8n-core's real engine (WorkflowExecute): a small input node feeds items
 * to the node under test, which talks real HTTP to a sandbox on loopback. What n8n's server hands
 * its engine is reduced to what these nodes use: the credential (decrypted, authenticated through
 * the credential's own `authenticate` block) and the instance URLs.
 *
 * The caller hands in the node types and the credential type, so that one harness serves both:
 * the tests pass the sources (test/helpers/engine.ts, test/helpers/n8nContext.ts), the bench the
 * built package in dist/, i.e. what users run (bench/lib/engine.js). Plain JS with a .d.ts beside
 * it, so that the bench can load it without TypeScript.
 */
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

// n8n-core writes its instance settings under the user folder: keep them out of $HOME.
if (!process.env.N8N_USER_FOLDER) {
	const folder = mkdtempSync(join(tmpdir(), 'mifumo-n8n-'));
	process.env.N8N_USER_FOLDER = folder;
	process.on('exit', () => rmSync(folder, { recursive: true, force: true }));
}
// n8n logs every node error to the console; callers read errors from the run instead.
// (A test file may set N8N_LOG_LEVEL before loading this module to capture the logs.)
process.env.N8N_LOG_LEVEL ??= 'silent';

const { ExecutionLifecycleHooks, WorkflowExecute } = require('n8n-core');
const { ICredentialsHelper, NodeConnectionTypes, Workflow } = require('n8n-workflow');

/** Hands out the credential already decrypted, as n8n's CredentialsHelper.getDecrypted does. */
class TestCredentialsHelper extends ICredentialsHelper {
	constructor(credentialType, data) {
		super();
		this.credentialType = credentialType;
		this.data = data;
	}

	getParentTypes() {
		return [];
	}

	isCredentialUsableByNode() {
		return true;
	}

	/** Resolves the credential's generic `authenticate` block (`={{$credentials.x}}` templates). */
	async authenticate(credentials, _type, options) {
		const headers = this.credentialType.authenticate.properties.headers ?? {};
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
		throw new Error('not used by these nodes');
	}

	async getDecrypted(_additionalData, nodeCredentials, type) {
		if (type !== this.credentialType.name) throw new Error(`unexpected credential type ${type}`);
		if (!nodeCredentials?.name) throw new Error('the node has no credential set');
		return { ...this.data };
	}

	async updateCredentials() {}

	async updateCredentialsOauthTokenData() {}

	getCredentialsProperties() {
		return this.credentialType.properties;
	}
}

/** additionalData for an n8n served at `baseUrl` (every *BaseUrl must be a valid absolute URL). */
function additionalDataFor(baseUrl, credentialType, credentials, executionId) {
	return {
		credentialsHelper: new TestCredentialsHelper(credentialType, credentials),
		executionId,
		currentNodeExecutionIndex: 0,
		variables: {},
		restApiUrl: `${baseUrl}/rest`,
		instanceBaseUrl: `${baseUrl}/`,
		formBaseUrl: `${baseUrl}/form`,
		formWaitingBaseUrl: `${baseUrl}/form-waiting`,
		formTestBaseUrl: `${baseUrl}/form-test`,
		webhookBaseUrl: `${baseUrl}/webhook`,
		webhookWaitingBaseUrl: `${baseUrl}/webhook-waiting`,
		webhookTestBaseUrl: `${baseUrl}/webhook-test`,
		mcpBaseUrl: `${baseUrl}/mcp`,
		mcpTestBaseUrl: `${baseUrl}/mcp-test`,
		logAiEvent: () => {},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		executeWorkflow: async () => {
			throw new Error('not used');
		},
	};
}

/** Emits the items given in its `items` parameter: the input of the node under test. */
class TestInput {
	constructor() {
		this.description = {
			displayName: 'Test Input',
			name: 'testInput',
			group: ['input'],
			version: 1,
			description: 'Emits fixed items',
			defaults: { name: 'Test Input' },
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

const INPUT_TYPE = 'test.testInput';

/**
 * An AI agent, calling the tool on its ai_tool input once per input item, either way n8n has:
 * `engineRequest` (n8n 2.x agents) asks the engine to run the tool, then passes its input on;
 * `supplyData` (n8n 1.x agents) takes the tool from getInputConnectionData and invokes it, and
 * outputs what the tool answered the model (`answer`), or its error (`error`).
 */
class TestAgent {
	constructor() {
		this.description = {
			displayName: 'Test Agent',
			name: 'testAgent',
			group: ['transform'],
			version: 1,
			description: 'Calls its one tool once per input item',
			defaults: { name: 'Test Agent' },
			inputs: [NodeConnectionTypes.Main, NodeConnectionTypes.AiTool],
			outputs: [NodeConnectionTypes.Main],
			properties: [{ displayName: 'Path', name: 'path', type: 'string', default: 'engineRequest' }],
		};
	}

	async execute(response) {
		if (this.getNodeParameter('path', 0) === 'supplyData') {
			const connected = await this.getInputConnectionData(NodeConnectionTypes.AiTool, 0);
			const [tool] = Array.isArray(connected) ? connected : [connected];
			const answers = [];
			for (const _ of this.getInputData()) {
				try {
					answers.push({ json: { answer: await tool.invoke({}) } });
				} catch (error) {
					// An agent hands a tool's failure to the model as text, and goes on.
					answers.push({ json: { error: error.message } });
				}
			}
			return [answers];
		}
		// The engine hands every node an empty response until the node's own request is answered.
		if (response?.actionResponses?.length) return [this.getInputData()];
		const [tool] = this.getParentNodes(this.getNode().name, { connectionType: NodeConnectionTypes.AiTool, depth: 1 });
		return {
			actions: this.getInputData().map((_, itemIndex) => ({
				actionType: 'ExecutionNodeAction',
				nodeName: tool.name,
				input: {},
				type: NodeConnectionTypes.AiTool,
				id: `call-${itemIndex}`,
				metadata: { itemIndex },
			})),
			metadata: {},
		};
	}
}

const AGENT_TYPE = 'test.testAgent';

/**
 * An engine for the given node types ({ typeName: instance }, versioned types too) and credential
 * type; `register(name, instance)` adds one later. `runNode` runs Input → the node once.
 */
function createEngine({ nodeTypes: given, credentialType, baseUrl = 'http://localhost:5678' }) {
	const instances = { ...given, [INPUT_TYPE]: new TestInput(), [AGENT_TYPE]: new TestAgent() };
	const resolve = (name, version) => {
		const type = instances[name];
		return type && typeof type.getNodeType === 'function' ? type.getNodeType(version) : type;
	};
	const nodeTypes = {
		getByName: (name) => resolve(name),
		getByNameAndVersion: (name, version) => resolve(name, version),
		getKnownTypes: () => ({}),
	};
	let executionCounter = 0;

	async function runNode({
		type,
		typeVersion = 1,
		name = 'Mifumo SMS',
		parameters,
		items,
		credentials,
		continueOnFail,
		asTool,
		mode = 'manual',
		staticData,
		timezone,
	}) {
		const executionId = String(++executionCounter);
		const nodes = [
			{ id: 'input', name: 'Input', type: INPUT_TYPE, typeVersion: 1, position: [0, 0], parameters: { items: JSON.stringify(items ?? [{}]) } },
			{
				id: 'target',
				name,
				type,
				typeVersion,
				position: [200, 0],
				parameters,
				credentials: { mifumoApi: { id: '1', name: 'Mifumo Sandbox' } },
				...(continueOnFail ? { onError: 'continueRegularOutput' } : {}),
			},
		];
		// As a tool, the node hangs off an agent's ai_tool input and the agent has it run.
		if (asTool) {
			const path = asTool === 'supplyData' ? 'supplyData' : 'engineRequest';
			nodes.push({ id: 'agent', name: 'Agent', type: AGENT_TYPE, typeVersion: 1, position: [200, 200], parameters: { path } });
		}
		const connections = asTool
			? {
					Input: { main: [[{ node: 'Agent', type: NodeConnectionTypes.Main, index: 0 }]] },
					[name]: { ai_tool: [[{ node: 'Agent', type: NodeConnectionTypes.AiTool, index: 0 }]] },
				}
			: { Input: { main: [[{ node: name, type: NodeConnectionTypes.Main, index: 0 }]] } };
		const settings = timezone ? { timezone } : undefined;
		const workflow = new Workflow({ id: 'test', nodes, connections, active: false, nodeTypes, staticData, settings });
		const additionalData = additionalDataFor(baseUrl, credentialType, credentials, executionId);
		additionalData.hooks = new ExecutionLifecycleHooks(mode, executionId, {
			id: 'test',
			name: 'test',
			nodes,
			connections,
			active: false,
			activeVersionId: null,
			isArchived: false,
			createdAt: new Date(),
			updatedAt: new Date(),
		});

		const cpuBefore = process.cpuUsage();
		const started = process.hrtime.bigint();
		const run = await new WorkflowExecute(additionalData, mode).run({ workflow, startNode: workflow.getNode('Input') });
		const ms = Number(process.hrtime.bigint() - started) / 1e6;
		const cpu = process.cpuUsage(cpuBefore);
		const taskData = run.data.resultData.runData[name]?.[0];
		const output = taskData?.data?.[asTool ? NodeConnectionTypes.AiTool : NodeConnectionTypes.Main]?.[0] ?? [];
		return {
			items: output.map(({ json, pairedItem }) => ({ json, pairedItem })),
			error: taskData?.error,
			run,
			// What n8n would save for a run that is not manual: the static data, only when it changed.
			savedStaticData: workflow.staticData.__dataChanged === true ? JSON.parse(JSON.stringify(workflow.staticData)) : undefined,
			ms,
			cpuMs: (cpu.user + cpu.system) / 1000,
		};
	}

	return {
		runNode,
		register(name, instance) {
			instances[name] = instance;
		},
	};
}

module.exports = { createEngine, additionalDataFor };
