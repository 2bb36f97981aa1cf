/**
 * Runs the Mifumo SMS node, from the sources, through n8n-core's real engine (WorkflowExecute):
 * a small input node feeds items to the node under test, which talks real HTTP to a sandbox on
 * loopback. The harness itself is workflowEngine.js, which the bench loads with the built package.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { Mifumo } from '../../nodes/Mifumo/Mifumo.node';
import { mifumoApi } from './n8nContext';
import type { RunNodeOptions, RunNodeResult } from './workflowEngine';
import { createEngine } from './workflowEngine';

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

const engine = createEngine({
	nodeTypes: { 'n8n-nodes-mifumo.mifumo': new Mifumo(), 'n8n-nodes-mifumo.mifumoTool': asAiTool(new Mifumo()) },
	credentialType: mifumoApi,
});

export interface RunOptions {
	parameters: INodeParameters;
	/** JSON of the input items; one empty item by default. */
	items?: IDataObject[];
	credentials: { apiKey: string; baseUrl: string; webhookSecret?: string };
	continueOnFail?: boolean;
	/** Run the node as an AI agent's tool, its mifumoTool variant: see RunNodeOptions.asTool. */
	asTool?: RunNodeOptions['asTool'];
	mode?: RunNodeOptions['mode'];
	staticData?: RunNodeOptions['staticData'];
	timezone?: RunNodeOptions['timezone'];
}

export type RunResult = Pick<RunNodeResult, 'items' | 'error' | 'run' | 'savedStaticData'>;

export async function runMifumo(options: RunOptions): Promise<RunResult> {
	const type = options.asTool ? 'n8n-nodes-mifumo.mifumoTool' : 'n8n-nodes-mifumo.mifumo';
	const { items, error, run, savedStaticData } = await engine.runNode({ type, ...options });
	return { items, error, run, savedStaticData };
}
