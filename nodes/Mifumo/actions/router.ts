/**
 * The one per-item loop: every operation handles one item; this loop runs items in a pool,
 * pairs each output item with its input, keeps input order, honours Continue On Fail and
 * gives every error its item index. An operation that combines items into shared requests
 * (`executeBatch`) gets them all at once and gives back one outcome per item, handled the same way.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { MifumoClient, type SharedConnection } from '../transport';
import { errorCodeOf } from '../transport/errors';
import * as contact from './contact';
import { readRequestPolicy, readRunSettings, type RunSettings } from './options';
import * as segment from './segment';
import * as sms from './sms';
import type { ItemSlot, OperationModule } from './types';

type Resources = {
	sms: Record<sms.Operation, OperationModule>;
	contact: Record<contact.Operation, OperationModule>;
	segment: Record<segment.Operation, OperationModule>;
};

const resources: Resources = { sms: sms.operations, contact: contact.operations, segment: segment.operations };

const ONE_AT_A_TIME: RunSettings = { concurrency: 1, messagesPerMinute: 0 };

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as keyof Resources;
	const operationName = this.getNodeParameter('operation', 0) as string;
	const operation = (resources[resource] as Record<string, OperationModule> | undefined)?.[operationName];
	if (!operation) {
		throw new NodeOperationError(this.getNode(), `The operation "${operationName}" of "${resource}" is not supported`);
	}

	const continueOnFail = this.continueOnFail();
	const results: INodeExecutionData[][] = new Array(items.length);
	let failure: Error | undefined;
	let done = 0;
	const fail = (error: unknown, itemIndex: number) => {
		const itemError = withItemIndex(this, error, itemIndex);
		if (continueOnFail) {
			results[itemIndex] = [
				{ json: { error: itemError.message, errorCode: errorCodeOf(itemError) } as IDataObject, pairedItem: { item: itemIndex } },
			];
		} else failure ??= withRunProgress(itemError, done, items.length);
	};

	let settings = ONE_AT_A_TIME;
	if (operation.sendsSms) {
		try {
			settings = readRunSettings(this);
		} catch (error) {
			// A bad run-wide setting fails every item, each with its own index.
			items.forEach((_, itemIndex) => fail(error, itemIndex));
			if (failure) throw failure;
			return [results.flat()];
		}
	}
	const connection: SharedConnection = {};
	const clientFor = (itemIndex: number) =>
		new MifumoClient(this, settings.messagesPerMinute, readRequestPolicy(this, itemIndex), connection);
	const output = (records: IDataObject[], itemIndex: number) => {
		// An array in `data` is a list: one output item per element.
		results[itemIndex] = this.helpers.constructExecutionMetaData(
			this.helpers.returnJsonArray(records.flat() as IDataObject[]),
			{ itemData: { item: itemIndex } },
		);
	};

	const batch = await operation.executeBatch?.call(this, clientFor);
	if (batch) {
		done = batch.filter(Array.isArray).length;
		batch.forEach((outcome, itemIndex) => {
			if (outcome instanceof Error) fail(outcome, itemIndex);
			else if (outcome) output(outcome, itemIndex);
		});
	} else {
		await runInPool(items.length, settings.concurrency, () => failure !== undefined, async (itemIndex, slot) => {
			try {
				output(await operation.execute.call(this, itemIndex, clientFor(itemIndex), slot), itemIndex);
				done++;
			} catch (error) {
				fail(error, itemIndex);
			}
		});
	}

	if (failure) throw failure;
	return [results.flat()];
}

/**
 * Runs `task` for indexes 0..count-1, in order, with at most `concurrency` holding a slot at once;
 * starts no new task once `stop()` says so. A task may give its slot back early (`slot.release()`).
 */
async function runInPool(
	count: number,
	concurrency: number,
	stop: () => boolean,
	task: (index: number, slot: ItemSlot) => Promise<void>,
): Promise<void> {
	let next = 0;
	let free = Math.max(1, concurrency);
	const running = new Set<Promise<void>>();
	let wake: (() => void) | undefined;
	while (next < count && !stop()) {
		if (free === 0) {
			await new Promise<void>((resolve) => (wake = resolve));
			continue;
		}
		free--;
		let released = false;
		const slot: ItemSlot = {
			release() {
				if (released) return;
				released = true;
				free++;
				wake?.();
				wake = undefined;
			},
		};
		const run: Promise<void> = task(next++, slot).finally(() => {
			slot.release();
			running.delete(run);
		});
		running.add(run);
	}
	await Promise.all(running);
}

/** n8n shows the item of an error from its context; the message stays the server's or ours. */
function withItemIndex(context: IExecuteFunctions, error: unknown, itemIndex: number): Error & { errorCode?: string } {
	const itemError = (error instanceof Error ? error : new NodeOperationError(context.getNode(), String(error))) as Error & {
		errorCode?: string;
		context?: IDataObject;
	};
	if (itemError.context && typeof itemError.context === 'object') itemError.context.itemIndex = itemIndex;
	return itemError;
}

/** A run stopped by a rate limit says how far it got, so nothing stops silently. */
function withRunProgress(error: Error & { errorCode?: string }, done: number, total: number): Error {
	if (error.errorCode === 'RATE_LIMIT_EXCEEDED' && total > 1) {
		error.message = `${error.message} ${done} of ${total} items were done before the run stopped.`;
	}
	return error;
}
