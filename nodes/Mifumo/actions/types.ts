import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { MifumoClient } from '../transport';

/** An item's place in the router's pool of concurrent items. */
export interface ItemSlot {
	/** Let another item start now: this one only waits from here on (e.g. for a delivery report). */
	release(): void;
}

/** One item in, the records for its output items out. The router pairs and collects them. */
export type OperationExecute = (
	this: IExecuteFunctions,
	itemIndex: number,
	client: MifumoClient,
	slot: ItemSlot,
) => Promise<IDataObject[]>;

/** What a batch gives each item: its records, the error that failed it, or nothing (the run stopped first). */
export type ItemOutcome = IDataObject[] | Error | undefined;

/**
 * All items at once, for an operation that may combine items into shared requests: one outcome
 * per item, or undefined when combining does not apply and the per-item loop runs instead.
 */
export type OperationExecuteBatch = (
	this: IExecuteFunctions,
	clientFor: (itemIndex: number) => MifumoClient,
) => Promise<ItemOutcome[] | undefined>;

export interface OperationModule {
	description: INodeProperties[];
	execute: OperationExecute;
	executeBatch?: OperationExecuteBatch;
	/** Sends are paced and may run several items at once; other operations run one item at a time. */
	sendsSms?: boolean;
}
