import type { IDataObject } from 'n8n-workflow';

import type { MifumoClient } from './index';
import { isObject } from './answer';
import type { ListPage } from './types';

/** Where list endpoints put their records: Mifumo's own keys first, then common ones. */
const LIST_KEYS = ['reports', 'contacts', 'segments', 'results', 'items', 'data'];

/** Reads any list shape of the contract: a bare array, or an object with the list and paging hints. */
export function readListPage(data: unknown): ListPage {
	if (Array.isArray(data)) return { records: data as IDataObject[] };
	if (!data || typeof data !== 'object') return { records: [] };
	const object = data as IDataObject;
	const key = LIST_KEYS.find((name) => Array.isArray(object[name]));
	const records = key ? (object[key] as IDataObject[]) : [];
	const hints = { ...object, ...(isObject(object.pagination) ? (object.pagination as IDataObject) : {}) } as IDataObject;

	const page: ListPage = { records };
	const hasMore = firstBoolean(hints.has_more, hints.has_next);
	if (hasMore !== undefined) page.hasMore = hasMore;
	else if ('next' in hints) page.hasMore = hints.next !== null && hints.next !== '' && hints.next !== false;
	const pages = firstNumber(hints.pages, hints.total_pages);
	if (pages !== undefined) page.pages = pages;
	const total = firstNumber(hints.total);
	// `count` is the total on some servers and the page length on others: only a count larger
	// than the page can be the total.
	const count = firstNumber(hints.count);
	if (total !== undefined) page.total = total;
	else if (count !== undefined && count > records.length) page.total = count;
	return page;
}

export interface PagingPlan {
	path: string;
	qs?: IDataObject;
	/** `page`: page & per_page; `offset`: limit & offset (moved on by the records received). */
	style: 'page' | 'offset';
	/** Largest page the server honours; the node never asks for more. */
	maxPageSize: number;
	/** undefined = return all */
	limit?: number;
}

/** Fetches pages until the list ends, the limit is reached, or the server repeats itself. */
export async function paginate(client: MifumoClient, plan: PagingPlan): Promise<IDataObject[]> {
	const collected: IDataObject[] = [];
	let previousPage: string | undefined;
	for (let pageNumber = 1, offset = 0; ; pageNumber++) {
		const wanted = plan.limit === undefined ? plan.maxPageSize : Math.min(plan.maxPageSize, plan.limit - collected.length);
		// Page numbers only line up when every page has the same size.
		const pageSize = plan.style === 'page' ? Math.min(plan.maxPageSize, plan.limit ?? plan.maxPageSize) : wanted;
		const qs: IDataObject =
			plan.style === 'page'
				? { ...plan.qs, page: pageNumber, per_page: pageSize }
				: { ...plan.qs, limit: pageSize, offset };
		const page = readListPage(await client.get(plan.path, qs));

		const fingerprint = JSON.stringify(page.records);
		if (page.records.length === 0 || fingerprint === previousPage) break;
		previousPage = fingerprint;
		collected.push(...page.records);
		offset += page.records.length;

		if (plan.limit !== undefined && collected.length >= plan.limit) return collected.slice(0, plan.limit);
		if (isLastPage(page, plan.style === 'page' ? pageNumber : undefined, offset, pageSize)) break;
	}
	return collected;
}

function isLastPage(page: ListPage, pageNumber: number | undefined, received: number, requested: number): boolean {
	if (page.hasMore !== undefined) return !page.hasMore;
	if (page.pages !== undefined && pageNumber !== undefined) return pageNumber >= page.pages;
	if (page.total !== undefined) return received >= page.total;
	return page.records.length < requested;
}

function firstBoolean(...values: unknown[]): boolean | undefined {
	return values.find((value): value is boolean => typeof value === 'boolean');
}

function firstNumber(...values: unknown[]): number | undefined {
	for (const value of values) {
		if (typeof value === 'number' && Number.isFinite(value)) return value;
	}
	return undefined;
}
