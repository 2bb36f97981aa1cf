import { readListPage } from '../../nodes/Mifumo/transport/paginate';

const records = [{ contact_id: 'a' }, { contact_id: 'b' }];

describe('readListPage reads every list shape of the contract', () => {
	test.each([
		['bare array', records, { records }],
		['delivery reports', { reports: records, pagination: { page: 1, per_page: 2, total: 5, pages: 3 } }, { records, total: 5, pages: 3 }],
		['contacts', { contacts: records, pagination: { total: 9, limit: 2, offset: 0, has_more: true } }, { records, total: 9, hasMore: true }],
		['contact search', { contacts: records, query: 'x', count: 7 }, { records, total: 7 }],
		['search count = page length is not a total', { contacts: records, query: 'x', count: 2 }, { records }],
		['segments', { segments: records }, { records }],
		['results + next', { results: records, count: 4, next: null }, { records, total: 4, hasMore: false }],
		['items + has_next', { items: records, has_next: true }, { records, hasMore: true }],
		['data + total_pages', { data: records, total_pages: 2 }, { records, pages: 2 }],
		['no list at all', { message: 'x' }, { records: [] }],
	])('%s', (_name, data, expected) => {
		expect(readListPage(data)).toEqual(expected);
	});
});
