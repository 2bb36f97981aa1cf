import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { MifumoClient } from '../transport';

/** One item in, the records for its output items out. The router pairs and collects them. */
export type OperationExecute = (
	this: IExecuteFunctions,
	itemIndex: number,
	client: MifumoClient,
) => Promise<IDataObject[]>;

/** How an operation wants its items run: sends are paced and may run several at once. */
export interface ExecutionSettings {
	concurrency: number;
	messagesPerMinute: number;
}

export interface OperationModule {
	description: INodeProperties[];
	execute: OperationExecute;
	executionSettings?: (this: IExecuteFunctions) => ExecutionSettings;
}
