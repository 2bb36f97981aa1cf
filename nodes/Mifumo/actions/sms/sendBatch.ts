/**
 * Options → Combine Items: items that send the same text the same way share requests, up to
 * Recipients Per Request numbers each, so 5,000 items of one text cost 50 calls, not 5,000.
 * Every item still gets its own output items, paired with it, narrowed to its own numbers.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { MifumoClient } from '../../transport';
import type { ItemOutcome } from '../types';
import { countSms, describeProgress, sendPlannedRequest, type PlannedRequest, type SendPlan } from './sendPlan';
import { waitForDeliveries, type AcceptedSend } from './waitForDelivery';

/** One item, checked and planned on its own, as Send would send it. */
export interface PlannedItem {
	itemIndex: number;
	plan: SendPlan;
	recipientsPerRequest: number;
	/** False: the item goes out in requests of its own. */
	combine: boolean;
	client: MifumoClient;
}

/** The numbers one item has in a combined request. */
interface ItemShare {
	item: PlannedItem;
	recipients: string[];
}

interface CombinedRequest {
	/** The first carried item's request: text, sender ID, schedule, webhook, part. */
	template: PlannedRequest;
	numbers: Set<string>;
	shares: Map<number, ItemShare>;
}

/**
 * Plans every item first (`planItem` throws for bad input: that item fails alone, before any
 * request), then sends the combined requests one after another.
 */
export async function sendCombined(
	context: IExecuteFunctions,
	itemCount: number,
	planItem: (itemIndex: number) => PlannedItem,
): Promise<ItemOutcome[]> {
	const continueOnFail = context.continueOnFail();
	const outcomes: ItemOutcome[] = new Array(itemCount).fill(undefined);
	const planned: PlannedItem[] = [];
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		try {
			planned.push(planItem(itemIndex));
		} catch (error) {
			outcomes[itemIndex] = error as Error;
			if (!continueOnFail) return outcomes;
		}
	}

	const requests = combine(planned);
	const requestsLeft = new Map<number, number>();
	for (const request of requests) {
		for (const itemIndex of request.shares.keys()) requestsLeft.set(itemIndex, (requestsLeft.get(itemIndex) ?? 0) + 1);
	}
	const records = new Map<number, AcceptedSend[]>(planned.map((item) => [item.itemIndex, []]));
	const sent: IDataObject[] = [];
	/** One of the item's requests is done (sent, or left with none of its numbers): after its last, the item's outcome is set. */
	const requestDone = (item: PlannedItem) => {
		const left = requestsLeft.get(item.itemIndex)! - 1;
		requestsLeft.set(item.itemIndex, left);
		if (left > 0) return;
		const sends = records.get(item.itemIndex)!;
		outcomes[item.itemIndex] = sends.length || !item.plan.sendOnce ? sends.map((send) => send.record) : [item.plan.sendOnce.skippedRecord()];
	};

	for (const request of requests) {
		// An item a failed request carried has failed: its later parts and chunks are not sent.
		const carried = [...request.shares.values()].filter((share) => !(outcomes[share.item.itemIndex] instanceof Error));
		const shares: ItemShare[] = [];
		for (const share of carried) {
			// Queue mode: numbers another worker's execution sent or is sending are left out here.
			const sendOnce = share.item.plan.sendOnce;
			if (sendOnce) share.recipients = await sendOnce.sharedRecipients(share.recipients);
			if (share.recipients.length) shares.push(share);
			else requestDone(share.item);
		}
		if (shares.length === 0) continue;
		const body = { ...request.template.body, recipients: shares.flatMap((share) => share.recipients) };
		try {
			const record = await sendPlannedRequest(shares[0].item.client, { ...request.template, body }, []);
			const acceptedAtMs = Date.now();
			sent.push(record);
			for (const share of shares) {
				await share.item.plan.sendOnce?.accepted(share.recipients, record.message_id);
				records.get(share.item.itemIndex)!.push({ record: narrowed(record, share), acceptedAtMs, scheduleTime: body.schedule_time });
				requestDone(share.item);
			}
		} catch (error) {
			for (const share of shares) {
				await share.item.plan.sendOnce?.failed(share.recipients, error);
				outcomes[share.item.itemIndex] = itemFailure(error, records.get(share.item.itemIndex)!.map((send) => send.record), share.item.plan.smsCount, sent);
			}
			if (!continueOnFail) {
				// The run stops here: an item only partly sent is not done.
				return outcomes.map((outcome) => (Array.isArray(outcome) || outcome instanceof Error ? outcome : undefined));
			}
		}
	}
	// Items with Wait For Delivery (each sent on its own) follow their SMS once everything is sent.
	await Promise.all(
		planned
			.filter((item) => item.plan.waitForDeliveryMs > 0 && Array.isArray(outcomes[item.itemIndex]) && records.get(item.itemIndex)!.length)
			.map(async (item) => {
				outcomes[item.itemIndex] = await waitForDeliveries(item.client, records.get(item.itemIndex)!, item.plan.waitForDeliveryMs);
			}),
	);
	return outcomes;
}

/**
 * Groups the items' requests by everything but their numbers, then packs each group's numbers
 * into as few requests as fit, in input order. A number two items both carry goes into two
 * different requests: each item's SMS is sent, never twice in one request.
 */
function combine(items: PlannedItem[]): CombinedRequest[] {
	const groups = new Map<string, { requests: CombinedRequest[]; firstOpen: number; size: number }>();
	const ordered: CombinedRequest[][] = [];
	for (const item of items) {
		for (const request of item.plan.requests) {
			const { recipients, ...rest } = request.body;
			const key = JSON.stringify([
				Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)),
				request.part,
				request.parts,
				// A dry-run item and a real one never share a request: each is sent (or not) as it says.
				request.dryRun,
				item.recipientsPerRequest,
				item.combine ? undefined : item.itemIndex,
			]);
			let group = groups.get(key);
			if (!group) {
				group = { requests: [], firstOpen: 0, size: item.recipientsPerRequest };
				groups.set(key, group);
				ordered.push(group.requests);
			}
			for (const number of recipients) {
				let index = group.firstOpen;
				while (index < group.requests.length) {
					const candidate = group.requests[index];
					if (candidate.numbers.size < group.size && !candidate.numbers.has(number)) break;
					index++;
				}
				if (index === group.requests.length) group.requests.push({ template: request, numbers: new Set(), shares: new Map() });
				const target = group.requests[index];
				target.numbers.add(number);
				const share = target.shares.get(item.itemIndex) ?? { item, recipients: [] };
				share.recipients.push(number);
				target.shares.set(item.itemIndex, share);
				while (group.firstOpen < group.requests.length && group.requests[group.firstOpen].numbers.size >= group.size) {
					group.firstOpen++;
				}
			}
		}
	}
	return ordered.flat();
}

/**
 * A failed request's error as one item it carried reads it: what was sent for this item, and
 * apart, what the run had sent in all. Each item gets its own copy (its own message and index).
 */
function itemFailure(error: unknown, ownSent: IDataObject[], ownTotal: number, runSent: IDataObject[]): Error {
	if (!(error instanceof Error)) return new Error(String(error));
	const failure = Object.assign(Object.create(Object.getPrototypeOf(error) as object) as Error, error);
	const context = (error as { context?: IDataObject }).context;
	if (context) (failure as { context?: IDataObject }).context = { ...context };
	if (runSent.length === 0) return failure;
	const own = ownSent.length
		? `${describeProgress(ownSent, ownTotal, 'were', ' of this item')}.`
		: `None of this item's ${ownTotal} SMS had been sent.`;
	failure.message = `${error.message} ${own} In all, the run had sent ${countSms(runSent)} SMS in ${runSent.length} ${runSent.length === 1 ? 'request' : 'requests'} before it (Combine Items).`;
	return failure;
}

/**
 * The request's answer as the item's own: its numbers, its skipped entries, its share of the parts
 * and of the cost (each recipient costs the same in one request); the request's own cost stays apart.
 */
function narrowed(record: IDataObject, share: ItemShare): IDataObject {
	const own: IDataObject = { ...record, recipients: share.recipients };
	if (typeof record.segments === 'number' && 'total_segments' in record) {
		own.total_segments = record.segments * share.recipients.length;
	}
	const carried = Array.isArray(record.recipients) ? record.recipients.length : 0;
	if (typeof record.cost === 'number' && carried > 0 && carried !== share.recipients.length) {
		own.cost = Math.round(((record.cost * share.recipients.length) / carried) * 1e6) / 1e6;
		own.request_cost = record.cost;
		own.request_recipients = carried;
	}
	if (share.item.plan.skipped.length) own.skipped_recipients = share.item.plan.skipped;
	return own;
}
