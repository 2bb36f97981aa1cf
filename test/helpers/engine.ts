/**
 * Runs the Mifumo SMS node, from the sources, through n8n-core's real engine (WorkflowExecute):
 * a small input node feeds items to the node under test, which talks real HTTP to a sandbox on
 * loopback. The harness itself is workflowEngine.js, which the bench loads with the built package.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { Mifumo } from '../../nodes/Mifumo/Mifumo.node';
import { mifumoApi } from './n8nContext';
import type { RunNodeResult } from './workflowEngine';
import { createEngine } from './workflowEngine';

const engine = createEngine({ nodeTypes: { 'n8n-nodes-mifumo.mifumo': new Mifumo() }, credentialType: mifumoApi });

export interface RunOptions {
	parameters: INodeParameters;
	/** JSON of the input items; one empty item by default. */
	items?: IDataObject[];
	credentials: { apiKey: string; baseUrl: string; webhookSecret?: string };
	continueOnFail?: boolean;
}

export type RunResult = Pick<RunNodeResult, 'items' | 'error' | 'run'>;

export async function runMifumo(options: RunOptions): Promise<RunResult> {
	const { items, error, run } = await engine.runNode({ type: 'n8n-nodes-mifumo.mifumo', ...options });
	return { items, error, run };
}
