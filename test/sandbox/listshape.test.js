'use strict';
const { useSandboxServer, api } = require('./helpers');

const server = useSandboxServer({}, null);

const data = async (path) => {
	const r = await api(server.sb, 'GET', path);
	expect(r.status).toBe(200);
	expect(r.body.success).toBe(true);
	return r.body.data;
};

describe('seeding', () => {
	beforeEach(() => server.ctl.reset());

	test('seed counts and arrays', async () => {
		const r = await server.ctl.seed({ contacts: 5, segments: [{ name: 'Active', criteria: { is_active: true } }], messages: { count: 3, recipients: 2 } });
		expect(r).toMatchObject({ contacts: 5, segments: 1, messages: 3 });
		expect(r.contact_ids).toHaveLength(5);
		expect(r.message_ids).toHaveLength(3);
		expect((await server.ctl.contacts())[0]).toMatchObject({ name: 'Contact 5', phone_number: expect.stringMatching(/^\+2557\d{8}$/) });
		expect((await server.ctl.segments())[0]).toMatchObject({ name: 'Active', contact_count: 5 });
		const reps = await data('/sms/delivery-reports/');
		expect(reps.pagination.total).toBe(6);
		expect(reps.reports.every((x) => x.status === 'delivered')).toBe(true);
		expect((await server.ctl.getBalance()).balance).toBe(5000); // seeding costs nothing
		const st = await api(server.sb, 'GET', `/sms/status/${r.message_ids[0]}/`);
		expect(st.body.data.status).toBe('delivered');
	});

	test('10,000 delivery reports seed fast and page correctly', async () => {
		const t = Date.now();
		await server.ctl.seed({ messages: 10000 });
		expect(Date.now() - t).toBeLessThan(3000);
		const last = await data('/sms/delivery-reports/?per_page=100&page=100');
		expect(last.reports).toHaveLength(100);
		expect(last.pagination).toEqual({ page: 100, per_page: 100, total: 10000, pages: 100 });
		const failed = await data('/sms/delivery-reports/?status=failed&per_page=100');
		expect(failed.pagination.total).toBe(10); // numbers ending in 999
	});

	test('seeded message with explicit fields and status', async () => {
		const r = await server.ctl.seed({ messages: [{ message_id: 'msg_fixed', message: 'x', recipients: ['+255712345678'], status: 'sent', sender_id: 'INFO' }] });
		expect(r.message_ids).toEqual(['msg_fixed']);
		const st = await api(server.sb, 'GET', '/sms/status/msg_fixed/');
		expect(st.body.data).toEqual({ message_id: 'msg_fixed', status: 'sent', delivery_time: null, recipients: [{ phone: '+255712345678', status: 'sent', delivery_time: null }] });
	});

	test('invalid seed -> 400', async () => {
		await expect(server.ctl.seed({ contacts: [{ name: 'x', phone_number: 'bad' }] })).rejects.toMatchObject({ status: 400 });
	});
});

describe('list-shape knobs', () => {
	let seeded;
	beforeAll(async () => {
		await server.ctl.reset();
		seeded = await server.ctl.seed({ contacts: 5, segments: [{ name: 'S1' }, { name: 'S2' }], messages: 5 });
	});
	afterAll(() => server.ctl.reset());

	test('native (default)', async () => {
		await server.ctl.configure({ listShape: 'native', paginationHints: true, ignorePaging: false });
		expect(Object.keys(await data('/sms/delivery-reports/?per_page=2'))).toEqual(['reports', 'pagination']);
		expect(Object.keys(await data('/contacts/?limit=2'))).toEqual(['contacts', 'pagination']);
		expect(Object.keys(await data('/contacts/search/?q=&limit=2'))).toEqual(['contacts', 'query', 'count']);
		expect(Object.keys(await data('/contacts/segments/'))).toEqual(['segments']);
	});

	test('array: data is the bare list', async () => {
		await server.ctl.configure({ listShape: 'array' });
		const r = await data('/sms/delivery-reports/?per_page=2&page=2');
		expect(Array.isArray(r)).toBe(true);
		expect(r).toHaveLength(2);
		expect(await data('/contacts/?limit=3')).toHaveLength(3);
		expect(await data('/contacts/search/?q=Contact')).toHaveLength(5);
		expect(await data('/contacts/segments/')).toHaveLength(2);
	});

	test('results: DRF-like {count, next, previous, results}', async () => {
		await server.ctl.configure({ listShape: 'results' });
		const p1 = await data('/contacts/?limit=2');
		expect(p1).toEqual({ results: expect.any(Array), count: 5, next: `${server.sb.url}/api/integration/v1/contacts/?limit=2&offset=2`, previous: null });
		const p3 = await data('/contacts/?limit=2&offset=4');
		expect(p3.results).toHaveLength(1);
		expect(p3.next).toBeNull();
		const rp = await data('/sms/delivery-reports/?per_page=2');
		expect(rp.next).toBe(`${server.sb.url}/api/integration/v1/sms/delivery-reports/?per_page=2&page=2`);
		const s = await data('/contacts/search/?q=');
		expect(s).toMatchObject({ query: '', count: 5, next: null });
	});

	test('items: {items, total, has_next}', async () => {
		await server.ctl.configure({ listShape: 'items' });
		expect(await data('/contacts/?limit=4')).toEqual({ items: expect.any(Array), total: 5, has_next: true });
		expect(await data('/sms/delivery-reports/?per_page=5')).toEqual({ items: expect.any(Array), total: 5, has_next: false });
	});

	test('data: {data, total, page, total_pages}', async () => {
		await server.ctl.configure({ listShape: 'data' });
		const r = await data('/sms/delivery-reports/?per_page=2&page=3');
		expect(r).toEqual({ data: expect.any(Array), total: 5, page: 3, total_pages: 3 });
		expect(r.data).toHaveLength(1);
		const c = await data('/contacts/?limit=2&offset=2');
		expect(c).toMatchObject({ total: 5, page: 2, total_pages: 3 });
	});

	test('paginationHints: false drops pagination/count/has_more', async () => {
		await server.ctl.configure({ listShape: 'native', paginationHints: false });
		expect(Object.keys(await data('/sms/delivery-reports/'))).toEqual(['reports']);
		expect(Object.keys(await data('/contacts/'))).toEqual(['contacts']);
		expect(await data('/contacts/search/?q=zzz')).toEqual({ contacts: [], query: 'zzz' });
		await server.ctl.configure({ listShape: 'results' });
		expect(Object.keys(await data('/contacts/'))).toEqual(['results']);
		await server.ctl.configure({ paginationHints: true });
	});

	test('ignorePaging: always the first page (page size still honoured)', async () => {
		await server.ctl.configure({ listShape: 'native', ignorePaging: true });
		const a = await data('/contacts/?limit=2&offset=0');
		const b = await data('/contacts/?limit=2&offset=2');
		expect(b.contacts).toEqual(a.contacts);
		expect(b.contacts).toHaveLength(2);
		const r1 = await data('/sms/delivery-reports/?per_page=2&page=1');
		const r2 = await data('/sms/delivery-reports/?per_page=2&page=2');
		expect(r2.reports).toEqual(r1.reports);
		await server.ctl.configure({ ignorePaging: false });
		const c = await data('/contacts/?limit=2&offset=2');
		expect(c.contacts).not.toEqual(a.contacts);
		expect(seeded.contacts).toBe(5);
	});

	test('segments list honours limit/offset when given', async () => {
		await server.ctl.configure({ listShape: 'native', paginationHints: true, ignorePaging: false });
		const r = await data('/contacts/segments/?limit=1&offset=1');
		expect(r.segments.map((s) => s.name)).toEqual(['S1']);
	});
});
