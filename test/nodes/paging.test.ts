/**
 * Paging of the list operations through n8n's engine against the sandbox: delivery reports
 * (page/per_page, per_page ≤ 100), contacts getMany and search (limit/offset, limit ≤ 50, offset
 * moved by the records received), in every list shape the contract names, with and without paging
 * hints, and against a server that ignores the paging parameters. The requests are counted from the
 * sandbox's log; the records are compared with what the server holds.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { ADMIN_KEY, useSandbox, type SandboxControl } from '../helpers/sandbox';

const sb = useSandbox();
const API = '/api/integration/v1';

type Control = SandboxControl & {
	clearRequests(): Promise<unknown>;
	contacts(): Promise<IDataObject[]>;
	segments(): Promise<IDataObject[]>;
};
const control = () => sb.control as Control;

type Shape = 'native' | 'array' | 'results' | 'items' | 'data';
const SHAPES: Shape[] = ['native', 'array', 'results', 'items', 'data'];
const SHAPES_AND_HINTS: Array<[Shape, boolean]> = SHAPES.flatMap((shape) => [
	[shape, true],
	[shape, false],
]);

interface Endpoint {
	name: string;
	parameters: INodeParameters;
	path: string;
	style: 'page' | 'offset';
	/** Seeds `count` records and returns them in the server's order (fetched before any shape change). */
	seed(count: number): Promise<IDataObject[]>;
	/** The query of the request for one page: [page, per_page] or [limit, offset]. */
	query(a: number, b: number): Record<string, string>;
}

const reports: Endpoint = {
	name: 'sms.getDeliveryReports',
	parameters: { resource: 'sms', operation: 'getDeliveryReports' },
	path: '/sms/delivery-reports/',
	style: 'page',
	async seed(count) {
		await sb.control.seed({ messages: { count, recipients: 1, status: 'delivered' } });
		const all: IDataObject[] = [];
		for (let page = 1; ; page++) {
			const response = await fetch(`${sb.url}${API}/sms/delivery-reports/?page=${page}&per_page=100`, {
				headers: { Authorization: `Bearer ${ADMIN_KEY}` },
			});
			const { data } = (await response.json()) as { data: { reports: IDataObject[] } };
			all.push(...data.reports);
			if (data.reports.length < 100) break;
		}
		expect(all).toHaveLength(count);
		await control().clearRequests();
		return all;
	},
	query: (page, perPage) => ({ page: String(page), per_page: String(perPage) }),
};

const contacts: Endpoint = {
	name: 'contact.getMany',
	parameters: { resource: 'contact', operation: 'getMany' },
	path: '/contacts/',
	style: 'offset',
	async seed(count) {
		await sb.control.seed({ contacts: count });
		const all = await control().contacts();
		expect(all).toHaveLength(count);
		return all;
	},
	query: (limit, offset) => ({ limit: String(limit), offset: String(offset) }),
};

const search: Endpoint = {
	...contacts,
	name: 'contact.search',
	parameters: { resource: 'contact', operation: 'search', query: 'Contact' },
	path: '/contacts/search/',
	query: (limit, offset) => ({ q: 'Contact', limit: String(limit), offset: String(offset) }),
};

const ENDPOINTS = [reports, contacts, search];

/** Runs the list operation; returns the records, their pairing and the queries that reached the server. */
async function runList(endpoint: Endpoint, parameters: INodeParameters, items?: IDataObject[]) {
	const result = await sb.run({ ...endpoint.parameters, ...parameters }, items ? { items } : {});
	expect(result.error).toBeUndefined();
	const requests = await sb.requests();
	for (const request of requests) {
		expect(request.method).toBe('GET');
		expect(request.path).toBe(`${API}${endpoint.path}`);
		expect(request.headers.authorization).toBe(`Bearer ${ADMIN_KEY}`);
	}
	return {
		records: result.items.map((item) => item.json),
		pairing: result.items.map((item) => item.pairedItem),
		queries: requests.map((request) => request.query),
	};
}

/** [page or limit, per_page or offset] pairs → the queries the server must have seen. */
const expectedQueries = (endpoint: Endpoint, pairs: Array<[number, number]>) => pairs.map(([a, b]) => endpoint.query(a, b));

const pages = (count: number, perPage = 100): Array<[number, number]> => Array.from({ length: count }, (_, i) => [i + 1, perPage]);
const offsets = (...steps: Array<[number, number]>) => steps;

describe.each(ENDPOINTS)('$name', (endpoint) => {
	describe.each(SHAPES_AND_HINTS)('list shape %s, paging hints %s', (listShape, paginationHints) => {
		it('Return All over 230 records: every record once, in order, with the fewest requests', async () => {
			const all = await endpoint.seed(230);
			await sb.control.configure({ listShape, paginationHints });
			const { records, pairing, queries } = await runList(endpoint, { returnAll: true });
			expect(records).toEqual(all);
			expect(new Set(records.map((r) => JSON.stringify(r))).size).toBe(230);
			expect(pairing.every((p) => JSON.stringify(p) === '{"item":0}')).toBe(true);
			expect(queries).toEqual(
				endpoint.style === 'page'
					? expectedQueries(endpoint, pages(3))
					: expectedQueries(endpoint, offsets([50, 0], [50, 50], [50, 100], [50, 150], [50, 200])),
			);
		});

		it('Return All over exactly two full pages: stops on the hints, or on the empty page without them', async () => {
			const count = endpoint.style === 'page' ? 200 : 100;
			const all = await endpoint.seed(count);
			await sb.control.configure({ listShape, paginationHints });
			const { records, queries } = await runList(endpoint, { returnAll: true });
			expect(records).toEqual(all);
			// The array shape carries no hints; `paginationHints: false` strips them from the others.
			const hinted = paginationHints && listShape !== 'array';
			expect(queries).toEqual(
				endpoint.style === 'page'
					? expectedQueries(endpoint, pages(hinted ? 2 : 3))
					: expectedQueries(endpoint, hinted ? offsets([50, 0], [50, 50]) : offsets([50, 0], [50, 50], [50, 100])),
			);
		});

		it('a server that ignores the paging parameters: paging ends on the repeated page, no duplicates', async () => {
			const all = await endpoint.seed(230);
			await sb.control.configure({ listShape, paginationHints, ignorePaging: true });
			const { records, queries } = await runList(endpoint, { returnAll: true });
			const firstPage = endpoint.style === 'page' ? 100 : 50;
			expect(records).toEqual(all.slice(0, firstPage));
			expect(queries).toEqual(
				endpoint.style === 'page' ? expectedQueries(endpoint, pages(2)) : expectedQueries(endpoint, offsets([50, 0], [50, 50])),
			);

			await control().clearRequests();
			const limited = await runList(endpoint, { returnAll: false, limit: 120 });
			expect(limited.records).toEqual(all.slice(0, firstPage));
			expect(limited.queries).toHaveLength(2);
		});
	});

	describe.each(SHAPES.map((shape) => [shape]))('list shape %s', (listShape) => {
		it('a limit smaller than a page: exactly that many records, one request asking for that many', async () => {
			const all = await endpoint.seed(230);
			await sb.control.configure({ listShape });
			const { records, queries } = await runList(endpoint, { returnAll: false, limit: 30 });
			expect(records).toEqual(all.slice(0, 30));
			expect(queries).toEqual(endpoint.style === 'page' ? expectedQueries(endpoint, [[1, 30]]) : expectedQueries(endpoint, [[30, 0]]));
		});

		it('a limit spanning pages: exactly that many records, no request beyond the last one needed', async () => {
			const all = await endpoint.seed(230);
			await sb.control.configure({ listShape });
			const { records, queries } = await runList(endpoint, { returnAll: false, limit: 120 });
			expect(records).toEqual(all.slice(0, 120));
			expect(queries).toEqual(
				endpoint.style === 'page'
					? expectedQueries(endpoint, pages(2))
					: expectedQueries(endpoint, offsets([50, 0], [50, 50], [20, 100])),
			);
		});
	});

	it('a limit above the total returns every record and stops at the end of the list', async () => {
		const all = await endpoint.seed(230);
		const { records, queries } = await runList(endpoint, { returnAll: false, limit: 500 });
		expect(records).toEqual(all);
		expect(queries).toEqual(
			endpoint.style === 'page'
				? expectedQueries(endpoint, pages(3))
				: expectedQueries(endpoint, offsets([50, 0], [50, 50], [50, 100], [50, 150], [50, 200])),
		);
	});

	it('each input item pages on its own; its records are paired with it', async () => {
		const all = await endpoint.seed(60);
		const { records, pairing, queries } = await runList(endpoint, { returnAll: true }, [{}, {}]);
		expect(records).toEqual([...all, ...all]);
		expect(pairing).toEqual([...all.map(() => ({ item: 0 })), ...all.map(() => ({ item: 1 }))]);
		expect(queries).toHaveLength(endpoint.style === 'page' ? 2 : 4);
	});
});

describe('a server that caps the page size silently', () => {
	it.each([['native'], ['results'], ['items'], ['data']] as Array<[Shape]>)(
		'contacts (shape %s): offset moves on by the records received, limit stays ≤ 50',
		async (listShape) => {
			const all = await contacts.seed(230);
			await sb.control.configure({ listShape, maxLimit: 20 });
			const { records, queries } = await runList(contacts, { returnAll: true });
			expect(records).toEqual(all);
			expect(queries).toEqual(expectedQueries(contacts, Array.from({ length: 12 }, (_, i): [number, number] => [50, i * 20])));

			await control().clearRequests();
			const limited = await runList(contacts, { returnAll: false, limit: 45 });
			expect(limited.records).toEqual(all.slice(0, 45));
			expect(limited.queries).toEqual(expectedQueries(contacts, offsets([45, 0], [25, 20], [5, 40])));
		},
	);

	it('contact search: offset moves on by the records received', async () => {
		const all = await search.seed(70);
		await sb.control.configure({ maxLimit: 30 });
		const { records, queries } = await runList(search, { returnAll: true });
		expect(records).toEqual(all);
		expect(queries).toEqual(expectedQueries(search, offsets([50, 0], [50, 30], [50, 60])));
	});

	it('delivery reports (native hints): per_page stays 100, pages follow the server\'s page count', async () => {
		const all = await reports.seed(230);
		await sb.control.configure({ maxPerPage: 40 });
		const { records, queries } = await runList(reports, { returnAll: true });
		expect(records).toEqual(all);
		expect(queries).toEqual(expectedQueries(reports, pages(6)));
	});
});

describe('segment.getMany', () => {
	it.each(SHAPES_AND_HINTS)('list shape %s, hints %s: limit and Return All over one request', async (listShape, paginationHints) => {
		await sb.control.seed({ segments: Array.from({ length: 5 }, (_, i) => ({ name: `Segment ${i + 1}` })) });
		const response = await fetch(`${sb.url}${API}/contacts/segments/`, { headers: { Authorization: `Bearer ${ADMIN_KEY}` } });
		const all = ((await response.json()) as { data: { segments: IDataObject[] } }).data.segments;
		expect(all).toHaveLength(5);
		await control().clearRequests();
		await sb.control.configure({ listShape, paginationHints });

		const limited = await sb.run({ resource: 'segment', operation: 'getMany', limit: 3 });
		expect(limited.items).toEqual(all.slice(0, 3).map((json) => ({ json, pairedItem: { item: 0 } })));
		const everything = await sb.run({ resource: 'segment', operation: 'getMany', returnAll: true });
		expect(everything.items.map((item) => item.json)).toEqual(all);
		const requests = await sb.requests();
		expect(requests.map((r) => [r.method, r.path, r.query])).toEqual([
			['GET', `${API}/contacts/segments/`, {}],
			['GET', `${API}/contacts/segments/`, {}],
		]);
	});
});

describe('each paging hint alone ends the paging (no request beyond the last page)', () => {
	const envelope = (data: unknown) => ({ success: true, message: 'ok', data, error_code: null, details: null });
	const records = (prefix: string, from: number, count: number) =>
		Array.from({ length: count }, (_, i) => ({ id: `${prefix}-${from + i}`, n: from + i }));

	// [hint name, hints on the first page, hints on the last page]
	const offsetHints: Array<[string, IDataObject, IDataObject]> = [
		['has_more', { has_more: true }, { has_more: false }],
		['has_next', { has_next: true }, { has_next: false }],
		['next', { next: 'http://x/?offset=50' }, { next: null }],
		['total', { total: 100 }, { total: 100 }],
		['count (larger than a page: the total)', { count: 100 }, { count: 100 }],
		['pagination.has_more', { pagination: { has_more: true } }, { pagination: { has_more: false } }],
	];
	const pageHints: Array<[string, IDataObject, IDataObject]> = [
		['pages', { pagination: { pages: 2 } }, { pagination: { pages: 2 } }],
		['total_pages', { total_pages: 2 }, { total_pages: 2 }],
		['has_more', { has_more: true }, { has_more: false }],
		['next', { next: 'http://x/?page=2' }, { next: null }],
		['total', { total: 200 }, { total: 200 }],
	];

	it.each(offsetHints)('contacts, %s: two full pages, two requests', async (_name, first, last) => {
		await sb.control.addFault({ method: 'GET', path: '/contacts/', status: 200, body: envelope({ contacts: records('c', 0, 50), ...first }) });
		await sb.control.addFault({ method: 'GET', path: '/contacts/', status: 200, body: envelope({ contacts: records('c', 50, 50), ...last }) });
		const { records: out, queries } = await runList(contacts, { returnAll: true });
		expect(out).toEqual(records('c', 0, 100));
		expect(queries).toEqual(expectedQueries(contacts, offsets([50, 0], [50, 50])));
	});

	it.each(pageHints)('delivery reports, %s: two full pages, two requests', async (_name, first, last) => {
		const path = '/sms/delivery-reports/';
		await sb.control.addFault({ method: 'GET', path, status: 200, body: envelope({ reports: records('r', 0, 100), ...first }) });
		await sb.control.addFault({ method: 'GET', path, status: 200, body: envelope({ reports: records('r', 100, 100), ...last }) });
		const { records: out, queries } = await runList(reports, { returnAll: true });
		expect(out).toEqual(records('r', 0, 200));
		expect(queries).toEqual(expectedQueries(reports, pages(2)));
	});

	it('has_more: true on a short (capped) page keeps paging, offset moved by the records received', async () => {
		await sb.control.addFault({ method: 'GET', path: '/contacts/', status: 200, body: envelope({ contacts: records('c', 0, 20), has_more: true }) });
		await sb.control.addFault({ method: 'GET', path: '/contacts/', status: 200, body: envelope({ contacts: records('c', 20, 20), has_more: false }) });
		const { records: out, queries } = await runList(contacts, { returnAll: true });
		expect(out).toEqual(records('c', 0, 40));
		expect(queries).toEqual(expectedQueries(contacts, offsets([50, 0], [50, 20])));
	});

	it('a short page without hints ends the paging (one request)', async () => {
		await sb.control.addFault({ method: 'GET', path: '/contacts/', status: 200, body: envelope(records('c', 0, 49)) });
		const { records: out, queries } = await runList(contacts, { returnAll: true });
		expect(out).toEqual(records('c', 0, 49));
		expect(queries).toHaveLength(1);
	});
});
