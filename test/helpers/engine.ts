/**
 * Runs the Mifumo SMS node through n8n-core's real engine (WorkflowExecute): a small input node
 * feeds items to the node under test, which talks real HTTP to a sandbox on loopback.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type {
	EngineRequest,
	EngineResponse,
	IConnections,
	IDataObject,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	INodeTypeDescription,
	INodeTypes,
	IRun,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { NodeConnectionTypes, Workflow } from 'n8n-workflow';

import { Mifumo } from '../../nodes/Mifumo/Mifumo.node';
import { additionalDataFor } from './n8nContext';

// n8n-core writes its instance settings under the user folder: keep them out of $HOME.
process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'mifumo-n8n-'));
// n8n logs every node error to the console; tests read errors from the run instead.
// (A test file may set N8N_LOG_LEVEL before importing this module to capture the logs.)
process.env.N8N_LOG_LEVEL ??= 'silent';

/** Emits the items given in its `items` parameter: the input of the node under test. */
class TestInput implements INodeType {
	description: INodeTypeDescription = {
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

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const raw = this.getNodeParameter('items', 0) as string;
		const items = JSON.parse(raw) as IDataObject[];
		return [items.map((json) => ({ json }))];
	}
}

/** The node under test, by name. */
const TOOL_NODE = 'Mifumo SMS';

/**
 * An AI agent as n8n 2.x runs one: it asks the engine to run its tool (an EngineRequest for the
 * node on its ai_tool input), then passes its input on.
 */
class TestAgent implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Test Agent',
		name: 'testAgent',
		group: ['transform'],
		version: 1,
		description: 'Calls its one tool once per input item',
		defaults: { name: 'Test Agent' },
		inputs: [NodeConnectionTypes.Main, NodeConnectionTypes.AiTool],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async execute(this: IExecuteFunctions, response?: EngineResponse): Promise<INodeExecutionData[][] | EngineRequest> {
		// The engine hands every node an empty response until the node's own request is answered.
		if (!response?.actionResponses.length) {
			return {
				actions: this.getInputData().map((_, itemIndex) => ({
					actionType: 'ExecutionNodeAction' as const,
					nodeName: TOOL_NODE,
					input: {},
					type: NodeConnectionTypes.AiTool,
					id: `call-${itemIndex}`,
					metadata: { itemIndex },
				})),
				metadata: {},
			};
		}
		// What the tool returned is read from the tool's own run data, as n8n's editor shows it.
		return [this.getInputData()];
	}
}


/** The variant n8n makes of a usableAsTool node (n8n's convertNodeToAiTool): type name + "Tool", an ai_tool output. */
function asAiTool(node: Mifumo): Mifumo {
	node.description = {
		...node.description,
		name: `${node.description.name}Tool`,
		displayName: `${node.description.displayName} Tool`,
		inputs: [],
		outputs: [NodeConnectionTypes.AiTool],
		usableAsTool: undefined,
	};
	return node;
}

const nodeTypeInstances: Record<string, INodeType> = {
	'n8n-nodes-mifumo.mifumo': new Mifumo(),
	'n8n-nodes-mifumo.mifumoTool': asAiTool(new Mifumo()),
	'test.testInput': new TestInput(),
	'test.testAgent': new TestAgent(),
};

const nodeTypes: INodeTypes = {
	getByName: (name) => nodeTypeInstances[name],
	getByNameAndVersion: (name) => nodeTypeInstances[name],
	getKnownTypes: () => ({}),
};

export interface RunOptions {
	parameters: INodeParameters;
	/** JSON of the input items; one empty item by default. */
	items?: IDataObject[];
	credentials: { apiKey: string; baseUrl: string; webhookSecret?: string };
	continueOnFail?: boolean;
	/** Run the node as an AI agent's tool: its mifumoTool variant, called by an agent through the engine. */
	asTool?: boolean;
}

export interface RunResult {
	/** The node's output items (main output 0, or its ai_tool output when run as a tool), json and pairing. */
	items: Array<{ json: IDataObject; pairedItem: unknown }>;
	/** The error n8n recorded for the node, if the node failed. */
	error?: { message: string; description?: string | null; errorCode?: string; context?: IDataObject; node?: unknown };
	run: IRun;
}

let executionCounter = 0;

export async function runMifumo(options: RunOptions): Promise<RunResult> {
	const executionId = String(++executionCounter);
	const mifumo: INode = {
		id: 'mifumo',
		name: TOOL_NODE,
		type: options.asTool ? 'n8n-nodes-mifumo.mifumoTool' : 'n8n-nodes-mifumo.mifumo',
		typeVersion: 1,
		position: [200, 0],
		parameters: options.parameters,
		credentials: { mifumoApi: { id: '1', name: 'Mifumo Sandbox' } },
		...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
	};
	const input: INode = {
		id: 'input',
		name: 'Input',
		type: 'test.testInput',
		typeVersion: 1,
		position: [0, 0],
		parameters: { items: JSON.stringify(options.items ?? [{}]) },
	};
	const agent: INode = { id: 'agent', name: 'Agent', type: 'test.testAgent', typeVersion: 1, position: [200, 200], parameters: {} };
	const nodes: INode[] = options.asTool ? [input, agent, mifumo] : [input, mifumo];
	const connections: IConnections = options.asTool
		? {
				Input: { main: [[{ node: 'Agent', type: NodeConnectionTypes.Main, index: 0 }]] },
				[TOOL_NODE]: { ai_tool: [[{ node: 'Agent', type: NodeConnectionTypes.AiTool, index: 0 }]] },
			}
		: { Input: { main: [[{ node: TOOL_NODE, type: NodeConnectionTypes.Main, index: 0 }]] } };
	const workflow = new Workflow({ id: 'test', nodes, connections, active: false, nodeTypes });
	const mode: WorkflowExecuteMode = 'manual';
	const hooks = new ExecutionLifecycleHooks(mode, executionId, {
		id: 'test',
		name: 'test',
		nodes,
		connections,
		active: false,
		activeVersionId: null,
		isArchived: false,
		createdAt: new Date(),
		updatedAt: new Date(),
	} as never);
	const additionalData = additionalDataFor('http://localhost:5678', options.credentials, executionId);
	additionalData.hooks = hooks;

	const run = await new WorkflowExecute(additionalData, mode).run({
		workflow,
		startNode: workflow.getNode('Input')!,
	});
	const taskData = run.data.resultData.runData[TOOL_NODE]?.[0];
	const outputType = options.asTool ? NodeConnectionTypes.AiTool : NodeConnectionTypes.Main;
	const output = (taskData?.data?.[outputType]?.[0] ?? []) as Array<{ json: IDataObject; pairedItem: unknown }>;
	const error = taskData?.error as RunResult['error'];
	return { items: output.map(({ json, pairedItem }) => ({ json, pairedItem })), error, run };
}
