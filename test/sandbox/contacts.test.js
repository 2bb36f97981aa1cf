'use strict';
const { useSandboxServer, api, KEYS } = require('./helpers');

const server = useSandboxServer();

const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TS = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
const create = (body) => api(server.sb, 'POST', '/contacts/create/', { body });

describe('contacts CRUD', () => {
	test('create -> 201 with the full record', async () => {
		const r = await create({ name: 'John Doe', phone_number: '+255123456789', email: 'john@example.com', tags: ['customer', 'vip'], is_active: true });
		expect(r.status).toBe(201);
		expect(r.body).toEqual({
			success: true,
			message: 'Contact created successfully',
			data: { contact_id: expect.stringMatching(UUID4), name: 'John Doe', phone_number: '+255123456789', email: 'john@example.com', tags: ['customer', 'vip'], is_active: true, created_at: TS, updated_at: TS },
			error_code: null,
			details: null,
		});
	});

	test('defaults: email null, tags [], is_active true', async () => {
		const r = await create({ name: 'Jane', phone_number: '+255712345678' });
		expect(r.body.data).toMatchObject({ email: null, tags: [], is_active: true });
	});

	test.each([
		[{ phone_number: '+255712345678' }, 'INVALID_PARAMETER'],
		[{ name: '  ', phone_number: '+255712345678' }, 'INVALID_PARAMETER'],
		[{ name: 'A' }, 'INVALID_PARAMETER'],
		[{ name: 'A', phone_number: '0712345678' }, 'INVALID_PHONE'],
		[{ name: 'A', phone_number: 255712345678 }, 'INVALID_PHONE'],
		[{ name: 'A', phone_number: '+255712345678', email: 'not-an-email' }, 'INVALID_EMAIL'],
		[{ name: 'A', phone_number: '+255712345678', tags: 'vip' }, 'INVALID_PARAMETER'],
		[{ name: 'A', phone_number: '+255712345678', tags: ['vip', 3] }, 'INVALID_PARAMETER'],
		[{ name: 'A', phone_number: '+255712345678', is_active: 'yes' }, 'INVALID_PARAMETER'],
	])('create %j -> 400 %s', async (body, code) => {
		const r = await create(body);
		expect(r.status).toBe(400);
		expect(r.body).toMatchObject({ success: false, data: null, error_code: code });
		expect(await server.ctl.contacts()).toEqual([]);
	});

	test('duplicate phone -> 400 DUPLICATE_CONTACT', async () => {
		await create({ name: 'A', phone_number: '+255712345678' });
		const r = await create({ name: 'B', phone_number: '+255712345678' });
		expect(r.status).toBe(400);
		expect(r.body.error_code).toBe('DUPLICATE_CONTACT');
	});

	test('get, partial update, delete; unknown id -> 404 CONTACT_NOT_FOUND', async () => {
		const c = (await create({ name: 'A', phone_number: '+255712345678', tags: ['x'] })).body.data;
		const g = await api(server.sb, 'GET', `/contacts/${c.contact_id}/`, { key: KEYS.read });
		expect(g.status).toBe(200);
		expect(g.body).toEqual({ success: true, message: 'Contact retrieved successfully', data: c, error_code: null, details: null });
		const u = await api(server.sb, 'PUT', `/contacts/${c.contact_id}/update/`, { body: { email: 'a@b.co', is_active: false } });
		expect(u.status).toBe(200);
		expect(u.body.message).toBe('Contact updated successfully');
		expect(u.body.data).toEqual({ ...c, email: 'a@b.co', is_active: false, updated_at: TS });
		const d = await api(server.sb, 'DELETE', `/contacts/${c.contact_id}/delete/`);
		expect(d.status).toBe(200);
		expect(d.body).toEqual({ success: true, message: 'Contact deleted successfully', data: null, error_code: null, details: null });
		for (const [m, p] of [
			['GET', `/contacts/${c.contact_id}/`],
			['PUT', `/contacts/${c.contact_id}/update/`],
			['DELETE', `/contacts/${c.contact_id}/delete/`],
		]) {
			const r = await api(server.sb, m, p, { body: m === 'PUT' ? { name: 'x' } : undefined });
			expect(r.status).toBe(404);
			expect(r.body).toMatchObject({ success: false, data: null, error_code: 'CONTACT_NOT_FOUND' });
		}
		// the phone is free again
		expect((await create({ name: 'A2', phone_number: '+255712345678' })).status).toBe(201);
	});

	test('update validates and refuses another contact\'s phone', async () => {
		const a = (await create({ name: 'A', phone_number: '+255712345678' })).body.data;
		await create({ name: 'B', phone_number: '+255712345679' });
		expect((await api(server.sb, 'PUT', `/contacts/${a.contact_id}/update/`, { body: { phone_number: '+255712345679' } })).body.error_code).toBe('DUPLICATE_CONTACT');
		expect((await api(server.sb, 'PUT', `/contacts/${a.contact_id}/update/`, { body: { phone_number: 'bad' } })).body.error_code).toBe('INVALID_PHONE');
		expect((await api(server.sb, 'PUT', `/contacts/${a.contact_id}/update/`, { body: { name: '' } })).body.error_code).toBe('INVALID_PARAMETER');
		const ok = await api(server.sb, 'PUT', `/contacts/${a.contact_id}/update/`, { body: { phone_number: '+255712345670', tags: ['new'] } });
		expect(ok.body.data).toMatchObject({ name: 'A', phone_number: '+255712345670', tags: ['new'] });
	});

	test('read key cannot update or delete', async () => {
		const a = (await create({ name: 'A', phone_number: '+255712345678' })).body.data;
		expect((await api(server.sb, 'PUT', `/contacts/${a.contact_id}/update/`, { key: KEYS.read, body: { name: 'x' } })).status).toBe(403);
		expect((await api(server.sb, 'DELETE', `/contacts/${a.contact_id}/delete/`, { key: KEYS.read })).status).toBe(403);
	});

	test('wrong methods -> 405', async () => {
		expect((await api(server.sb, 'GET', '/contacts/create/')).status).toBe(405);
		expect((await api(server.sb, 'POST', '/contacts/')).status).toBe(405);
		expect((await api(server.sb, 'POST', '/contacts/search/')).status).toBe(405);
	});
});

describe('contact lists', () => {
	beforeEach(async () => {
		await server.ctl.seed({
			contacts: [
				{ name: 'Asha Mwangi', phone_number: '+255712345678', email: 'asha@example.com', tags: ['vip'] },
				{ name: 'Baraka Juma', phone_number: '+255754000111', tags: ['customer'], is_active: false },
				{ name: 'Chausiku Ali', phone_number: '+255688999000', email: 'CHAU@Example.org', tags: ['vip', 'customer'] },
			],
		});
	});

	test('GET /contacts/ native shape, newest first', async () => {
		const r = await api(server.sb, 'GET', '/contacts/', { key: KEYS.read });
		expect(r.status).toBe(200);
		expect(r.body.message).toBe('Contacts retrieved successfully');
		expect(r.body.data.contacts.map((c) => c.name)).toEqual(['Chausiku Ali', 'Baraka Juma', 'Asha Mwangi']);
		expect(r.body.data.pagination).toEqual({ total: 3, limit: 20, offset: 0, has_more: false });
		expect(Object.keys(r.body.data.contacts[0]).sort()).toEqual(['contact_id', 'created_at', 'email', 'is_active', 'name', 'phone_number', 'tags', 'updated_at']);
	});

	test('limit/offset paging; limit capped at 100', async () => {
		const p = await api(server.sb, 'GET', '/contacts/?limit=2&offset=1');
		expect(p.body.data.contacts.map((c) => c.name)).toEqual(['Baraka Juma', 'Asha Mwangi']);
		expect(p.body.data.pagination).toEqual({ total: 3, limit: 2, offset: 1, has_more: false });
		const q = await api(server.sb, 'GET', '/contacts/?limit=2');
		expect(q.body.data.pagination.has_more).toBe(true);
		await server.ctl.seed({ contacts: 200 });
		const big = await api(server.sb, 'GET', '/contacts/?limit=1000');
		expect(big.body.data.contacts).toHaveLength(100);
		expect(big.body.data.pagination).toEqual({ total: 203, limit: 100, offset: 0, has_more: true });
		expect((await api(server.sb, 'GET', '/contacts/?limit=abc')).status).toBe(400);
		expect((await api(server.sb, 'GET', '/contacts/?offset=-1')).status).toBe(400);
	});

	test('search param on the list', async () => {
		const r = await api(server.sb, 'GET', '/contacts/?search=juma');
		expect(r.body.data.contacts.map((c) => c.name)).toEqual(['Baraka Juma']);
	});

	test('GET /contacts/search/: name, phone (digits only too), email, case-insensitive', async () => {
		const s = async (q) => (await api(server.sb, 'GET', `/contacts/search/?q=${encodeURIComponent(q)}`)).body;
		const byName = await s('ASHA');
		expect(byName).toEqual({
			success: true,
			message: 'Contacts search completed successfully',
			data: { contacts: [expect.objectContaining({ name: 'Asha Mwangi' })], query: 'ASHA', count: 1 },
			error_code: null,
			details: null,
		});
		expect((await s('+255712345678')).data.contacts.map((c) => c.name)).toEqual(['Asha Mwangi']);
		expect((await s('255712345678')).data.contacts.map((c) => c.name)).toEqual(['Asha Mwangi']);
		expect((await s('0754 000 111')).data.contacts.map((c) => c.name)).toEqual(['Baraka Juma']);
		expect((await s('example.ORG')).data.contacts.map((c) => c.name)).toEqual(['Chausiku Ali']);
		expect((await s('zzz')).data).toEqual({ contacts: [], query: 'zzz', count: 0 });
		// an unencoded '+' arrives as a space and still matches
		const raw = await api(server.sb, 'GET', '/contacts/search/?q=+255712345678');
		expect(raw.body.data.contacts.map((c) => c.name)).toEqual(['Asha Mwangi']);
	});

	test('empty q matches all; missing q -> 400', async () => {
		const all = await api(server.sb, 'GET', '/contacts/search/?q=&limit=2');
		expect(all.body.data.contacts).toHaveLength(2);
		expect(all.body.data.count).toBe(3);
		expect(all.body.data.query).toBe('');
		const off = await api(server.sb, 'GET', '/contacts/search/?q=&limit=2&offset=2');
		expect(off.body.data.contacts.map((c) => c.name)).toEqual(['Asha Mwangi']);
		const missing = await api(server.sb, 'GET', '/contacts/search/');
		expect(missing.status).toBe(400);
		expect(missing.body).toEqual({ success: false, message: "Search query parameter 'q' is required", data: null, error_code: null, details: null });
	});
});

describe('segments', () => {
	test('create / get / list / update / delete with live contact_count', async () => {
		await server.ctl.seed({
			contacts: [
				{ name: 'A', phone_number: '+255700000001', tags: ['vip'] },
				{ name: 'B', phone_number: '+255700000002', tags: ['premium'], is_active: false },
				{ name: 'C', phone_number: '+255700000003', tags: ['other'] },
			],
		});
		const r = await api(server.sb, 'POST', '/contacts/segments/create/', { body: { name: 'VIP Customers', description: 'High-value customers', criteria: { tags: ['vip', 'premium'], is_active: true, created_after: '2024-01-01' } } });
		expect(r.status).toBe(201);
		expect(r.body).toEqual({
			success: true,
			message: 'Segment created successfully',
			data: {
				segment_id: expect.stringMatching(UUID4),
				name: 'VIP Customers',
				description: 'High-value customers',
				criteria: { tags: ['vip', 'premium'], is_active: true, created_after: '2024-01-01' },
				contact_count: 1,
				created_at: TS,
				updated_at: TS,
			},
			error_code: null,
			details: null,
		});
		const id = r.body.data.segment_id;
		const g = await api(server.sb, 'GET', `/contacts/segments/${id}/`, { key: KEYS.read });
		expect(g.body.data).toEqual(r.body.data);
		const list = await api(server.sb, 'GET', '/contacts/segments/', { key: KEYS.read });
		expect(list.body).toEqual({ success: true, message: 'Segments retrieved successfully', data: { segments: [r.body.data] }, error_code: null, details: null });

		// criteria merge: is_active removed, tags kept
		const u = await api(server.sb, 'PUT', `/contacts/segments/${id}/update/`, { body: { name: 'VIPs', criteria: { is_active: null } } });
		expect(u.status).toBe(200);
		expect(u.body.data).toMatchObject({ name: 'VIPs', description: 'High-value customers', criteria: { tags: ['vip', 'premium'], created_after: '2024-01-01' }, contact_count: 2 });

		// segment_id filters contacts and search
		const inSeg = await api(server.sb, 'GET', `/contacts/?segment_id=${id}`);
		expect(inSeg.body.data.contacts.map((c) => c.name)).toEqual(['B', 'A']);
		const srch = await api(server.sb, 'GET', `/contacts/search/?q=&segment_id=${id}`);
		expect(srch.body.data.count).toBe(2);
		const future = await api(server.sb, 'PUT', `/contacts/segments/${id}/update/`, { body: { criteria: { created_after: '2999-01-01' } } });
		expect(future.body.data.contact_count).toBe(0);

		const d = await api(server.sb, 'DELETE', `/contacts/segments/${id}/delete/`);
		expect(d.body).toEqual({ success: true, message: 'Segment deleted successfully', data: null, error_code: null, details: null });
		for (const [m, p] of [
			['GET', `/contacts/segments/${id}/`],
			['PUT', `/contacts/segments/${id}/update/`],
			['DELETE', `/contacts/segments/${id}/delete/`],
			['GET', `/contacts/?segment_id=${id}`],
			['GET', `/contacts/search/?q=&segment_id=${id}`],
		]) {
			const x = await api(server.sb, m, p, { body: m === 'PUT' ? { name: 'x' } : undefined });
			expect(x.status).toBe(404);
			expect(x.body.error_code).toBe('SEGMENT_NOT_FOUND');
		}
	});

	test.each([
		[{ criteria: {} }, 'INVALID_PARAMETER'],
		[{ name: 'S', criteria: 'vip' }, 'INVALID_PARAMETER'],
		[{ name: 'S', criteria: { tags: 'vip' } }, 'INVALID_PARAMETER'],
		[{ name: 'S', criteria: { is_active: 'yes' } }, 'INVALID_PARAMETER'],
		[{ name: 'S', criteria: { created_after: 'last year' } }, 'INVALID_DATE'],
	])('segment create %j -> 400 %s', async (body, code) => {
		const r = await api(server.sb, 'POST', '/contacts/segments/create/', { body });
		expect(r.status).toBe(400);
		expect(r.body.error_code).toBe(code);
	});

	test('segment without criteria matches everyone', async () => {
		await server.ctl.seed({ contacts: 3 });
		const r = await api(server.sb, 'POST', '/contacts/segments/create/', { body: { name: 'All' } });
		expect(r.body.data).toMatchObject({ description: '', criteria: {}, contact_count: 3 });
	});
});
