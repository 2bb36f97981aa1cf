/**
 * Runs the Mifumo SMS Reports Trigger the way an active n8n workflow does: n8n-core's
 * PollTriggerExecutor calls poll() on a PollContext of a real Workflow, whose static data lives
 * on across polls (and, through `restart`, across a save to JSON and a load, as n8n's database does).
 */
import 'reflect-metadata';

import { Container } from '@n8n/di';
import { PollContext, PollTriggerExecutor } from 'n8n-core';
import type {
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	INodeTypes,
	WorkflowActivateMode,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { MifumoReportsTrigger } from '../../nodes/MifumoReportsTrigger/MifumoReportsTrigger.node';
import '../helpers/engine';
import { additionalDataFor } from '../helpers/n8nContext';

const TRIGGER_TYPE = 'n8n-nodes-mifumo.mifumoReportsTrigger';

const nodeTypeInstances: Record<string, INodeType> = { [TRIGGER_TYPE]: new MifumoReportsTrigger() };
const nodeTypes: INodeTypes = {
	getByName: (name) => nodeTypeInstances[name],
	getByNameAndVersion: (name) => nodeTypeInstances[name],
	getKnownTypes: () => ({}),
};

export interface PollOutcome {
	/** The items of the execution the poll started; null when it started none. */
	items: INodeExecutionData[] | null;
	/** The error n8n would show on the trigger. */
	error?: Error & { errorCode?: string; description?: string | null };
}

export interface PollingTrigger {
	/** One scheduled poll (n8n's cron tick): what it emitted, or the error it reported. */
	poll(): Promise<PollOutcome>;
	/** The poll n8n runs at activation: an error is thrown, as n8n refuses to activate. */
	activate(): Promise<PollOutcome>;
	/** "Fetch Test Event" in the editor: a poll in manual mode. */
	fetchTestEvent(): Promise<PollOutcome>;
	/** The node's static data as n8n would store it. */
	staticData(): IDataObject;
	/** A new Workflow object loaded from the stored static data (n8n restarted, or re-activated). */
	restart(): void;
	workflow: Workflow;
}

export function pollingTrigger(options: {
	parameters: INodeParameters;
	credentials: { apiKey: string; baseUrl: string };
}): PollingTrigger {
	const node: INode = {
		id: 'reports-trigger',
		name: 'Mifumo SMS Reports Trigger',
		type: TRIGGER_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: { pollTimes: { item: [{ mode: 'everyMinute' }] }, ...options.parameters },
		credentials: { mifumoApi: { id: '1', name: 'Mifumo Sandbox' } },
	};
	const newWorkflow = (staticData?: IDataObject) =>
		new Workflow({ id: 'reports', name: 'reports', nodes: [node], connections: {}, active: true, nodeTypes, staticData });
	const executor = Container.get(PollTriggerExecutor);

	const harness: PollingTrigger = {
		workflow: newWorkflow(),
		async poll() {
			return await run('trigger', 'activate', false);
		},
		async activate() {
			return await run('trigger', 'activate', true);
		},
		async fetchTestEvent() {
			return await run('manual', 'manual', true);
		},
		staticData() {
			return JSON.parse(JSON.stringify(harness.workflow.staticData)) as IDataObject;
		},
		restart() {
			harness.workflow = newWorkflow(harness.staticData());
		},
	};

	async function run(mode: WorkflowExecuteMode, activation: WorkflowActivateMode, testing: boolean): Promise<PollOutcome> {
		const outcome: PollOutcome = { items: null };
		const context = new PollContext(
			harness.workflow,
			harness.workflow.getNode(node.name)!,
			additionalDataFor('http://localhost:5678', options.credentials),
			mode,
			activation,
			(data) => {
				outcome.items = data[0];
			},
			(error) => {
				outcome.error = error as PollOutcome['error'];
			},
		);
		await executor.create(harness.workflow, harness.workflow.getNode(node.name)!, context, () => true)(testing);
		return outcome;
	}

	return harness;
}
