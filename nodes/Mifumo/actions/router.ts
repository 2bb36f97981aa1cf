/**
 * The one per-item loop: every operation handles one item; this loop pairs each output item
 * with its input, keeps input order, honours Continue On Fail and names the item in every error.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { MifumoClient } from '../transport';
import { errorCodeOf } from '../transport/errors';
import { RequestScheduler } from '../transport/scheduler';
import * as contact from './contact';
import * as segment from './segment';
import * as sms from './sms';
import type { ExecutionSettings, OperationModule } from './types';

const resources: Record<string, Record<string, OperationModule | unknown>> = { sms, contact, segment };

const SEQUENTIAL: ExecutionSettings = { concurrency: 1, messagesPerMinute: 0 };

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operationName = this.getNodeParameter('operation', 0) as string;
	const operation = resources[resource]?.[operationName] as OperationModule | undefined;
	if (!operation || typeof operation.execute !== 'function') {
		throw new NodeOperationError(this.getNode(), `The operation "${operationName}" of "${resource}" is not supported`);
	}

	const settings = operation.executionSettings?.call(this) ?? SEQUENTIAL;
	const client = new MifumoClient(this, new RequestScheduler(settings.messagesPerMinute));
	const continueOnFail = this.continueOnFail();
	const results: INodeExecutionData[][] = new Array(items.length);
	let failure: unknown;

	await runInPool(items.length, settings.concurrency, () => failure !== undefined, async (itemIndex) => {
		try {
			const records = await operation.execute.call(this, itemIndex, client);
			// An array in `data` is a list: one output item per element.
			results[itemIndex] = records
				.flatMap((record) => (Array.isArray(record) ? (record as IDataObject[]) : [record]))
				.map((json) => ({ json, pairedItem: { item: itemIndex } }));
		} catch (error) {
			const named = nameItem(this, error, itemIndex);
			if (continueOnFail) {
				results[itemIndex] = [
					{ json: { error: named.message, errorCode: errorCodeOf(named) } as IDataObject, pairedItem: { item: itemIndex } },
				];
			} else if (failure === undefined) {
				failure = named;
			}
		}
	});

	if (failure !== undefined) throw failure;
	return [results.flat()];
}

/** Runs `task` for indexes 0..count-1 with at most `concurrency` at once; starts no new task once `stop()` says so. */
async function runInPool(
	count: number,
	concurrency: number,
	stop: () => boolean,
	task: (index: number) => Promise<void>,
): Promise<void> {
	let next = 0;
	const worker = async () => {
		while (next < count && !stop()) {
			await task(next++);
		}
	};
	await Promise.all(Array.from({ length: Math.min(Math.max(1, concurrency), count) }, worker));
}

/** Every error names its item: n8n's own errors get the index, and the message says it too. */
function nameItem(context: IExecuteFunctions, error: unknown, itemIndex: number): Error & { errorCode?: string } {
	const nodeError =
		error instanceof Error
			? (error as Error & { errorCode?: string; context?: IDataObject })
			: new NodeOperationError(context.getNode(), String(error));
	if (!nodeError.message.includes(`[item ${itemIndex}]`)) nodeError.message = `${nodeError.message} [item ${itemIndex}]`;
	if (nodeError.context && typeof nodeError.context === 'object') nodeError.context.itemIndex = itemIndex;
	return nodeError;
}
