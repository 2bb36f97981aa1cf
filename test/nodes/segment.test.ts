/**
 * segment.create / get / update / delete / getMany through n8n's engine against the sandbox:
 * the exact requests that reached the server and the exact items that came out.
 */
import type { IDataObject } from 'n8n-workflow';

import { API, READ_KEY, errorItem, expectRequest, useSandbox, type SandboxControl } from '../helpers/sandbox';

const sb = useSandbox();

type Control = SandboxControl & {
	clearRequests(): Promise<unknown>;
	segments(): Promise<IDataObject[]>;
};
const control = () => sb.control as Control;

const VIP = { segment_id: 's-vip', name: 'VIP', description: 'Best customers', criteria: { tags: ['vip'], is_active: true } };
const NEW = { segment_id: 's-new', name: 'New', criteria: { created_after: '2024-01-01' } };

async function seedSegments() {
	await sb.control.seed({
		contacts: [
			{ contact_id: 'c-1', name: 'Asha', phone_number: '+255712345678', tags: ['vip'] },
			{ contact_id: 'c-2', name: 'Baraka', phone_number: '+255713000111' },
		],
		segments: [VIP, NEW],
	});
}

async function storedSegment(id: string): Promise<IDataObject | undefined> {
	return (await control().segments()).find((segment) => segment.segment_id === id);
}

const NOT_FOUND = (id: string) =>
	`SEGMENT_NOT_FOUND: Segment not found – No segment with id ${id}. Check the segment ID: it comes from the output of Create or Get Many (segment_id).`;

const READ_ONLY =
	'INSUFFICIENT_PERMISSIONS: Your API key does not have permission to perform this action – This action requires a \'write\' or \'admin\' key; this key has \'read\' permission. This API key may not do this (a "read" key cannot send or change data). Use a key with "write" or "admin" permission.';

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('segment.create', () => {
	it('POSTs /contacts/segments/create/ with name, description and criteria (tags list, is_active, created_after as a UTC day), per item', async () => {
		const result = await sb.run(
			{
				resource: 'segment',
				operation: 'create',
				name: '={{ $json.name }}',
				additionalFields: { description: '={{ $json.description }}' },
				criteria: { tags: '={{ $json.tags }}', isActive: true, createdAfter: '={{ $json.after }}' },
			},
			{
				items: [
					{ name: ' Gold ', description: 'Top spenders', tags: 'vip, gold', after: '2024-03-01T22:30:00-05:00' },
					{ name: 'Wateja', description: 'Customers', tags: ['customer'], after: '2024-03-05' },
				],
			},
		);
		expect(result.error).toBeUndefined();
		const requests = await sb.requests();
		expect(requests).toHaveLength(2);
		expectRequest(requests[0], {
			method: 'POST',
			path: '/contacts/segments/create/',
			body: { name: 'Gold', description: 'Top spenders', criteria: { tags: ['vip', 'gold'], is_active: true, created_after: '2024-03-02' } },
		});
		expectRequest(requests[1], {
			method: 'POST',
			path: '/contacts/segments/create/',
			body: { name: 'Wateja', description: 'Customers', criteria: { tags: ['customer'], is_active: true, created_after: '2024-03-05' } },
		});
		expect(result.items).toHaveLength(2);
		for (const [index, item] of result.items.entries()) {
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json).toEqual(await storedSegment(String(item.json.segment_id)));
		}
	});

	it('omits description and criteria fields left empty (never "" or null)', async () => {
		for (const [additionalFields, criteria] of [
			[{}, {}],
			[{ description: '' }, { tags: '', createdAfter: '' }],
		]) {
			await sb.control.reset({ deliveryDelayMs: null });
			const result = await sb.run({ resource: 'segment', operation: 'create', name: 'All', additionalFields, criteria });
			expect(result.error).toBeUndefined();
			const requests = await sb.requests();
			expect(requests).toHaveLength(1);
			expectRequest(requests[0], { method: 'POST', path: '/contacts/segments/create/', body: { name: 'All', criteria: {} } });
			expect(result.items).toEqual([{ json: await storedSegment(String(result.items[0].json.segment_id)), pairedItem: { item: 0 } }]);
		}
	});

	it('createdAfter from Luxon DateTime (a zone ahead of UTC, and $now.minus) is sent as the UTC day YYYY-MM-DD', async () => {
		const before = Date.now();
		const result = await sb.run(
			{
				resource: 'segment',
				operation: 'create',
				name: '={{ $json.name }}',
				criteria: { createdAfter: '={{ $json.name === "zoned" ? DateTime.fromISO($json.when, { zone: "Africa/Dar_es_Salaam" }) : $now.minus({days: 1}) }}' },
			},
			{ items: [{ name: 'zoned', when: '2024-03-02T01:30:00' }, { name: 'yesterday' }] },
		);
		const after = Date.now();
		expect(result.error).toBeUndefined();
		const [zoned, yesterday] = (await sb.requests()).map((r) => (r.body as IDataObject).criteria as IDataObject);
		expect(zoned).toEqual({ created_after: '2024-03-01' });
		expect(yesterday.created_after).toMatch(/^\d{4}-\d{2}-\d{2}$/);
		expect([utcDay(before - 86_400_000), utcDay(after - 86_400_000)]).toContain(yesterday.created_after);
	});

	it('a Created After that cannot be read fails before any request', async () => {
		const result = await sb.run(
			{ resource: 'segment', operation: 'create', name: 'X', criteria: { createdAfter: 'soon' } },
			{ continueOnFail: true },
		);
		expect(await sb.requests()).toEqual([]);
		expect(result.items).toEqual([
			errorItem(
				'Created After is not a date that can be read: "soon". Pick a date, or use ISO 8601 such as 2025-01-31T09:00:00Z.',
				'INVALID_PARAMETER',
			),
		]);
	});

	it('403 with a read key: the whole message; Continue On Fail', async () => {
		const credentials = { apiKey: READ_KEY, baseUrl: sb.url };
		const failed = await sb.run({ resource: 'segment', operation: 'create', name: 'X' }, { credentials });
		expect(failed.error?.message).toBe(READ_ONLY);
		expect(failed.error?.errorCode).toBe('INSUFFICIENT_PERMISSIONS');
		const result = await sb.run({ resource: 'segment', operation: 'create', name: 'X' }, { credentials, continueOnFail: true, items: [{}, {}] });
		expect(result.items).toEqual([
			errorItem(READ_ONLY, 'INSUFFICIENT_PERMISSIONS', 0),
			errorItem(READ_ONLY, 'INSUFFICIENT_PERMISSIONS', 1),
		]);
		expect(await control().segments()).toEqual([]);
	});

	it('401 with a wrong key: the whole message, the key nowhere in it', async () => {
		const key = 'sk-wrong-segment-key';
		const result = await sb.run({ resource: 'segment', operation: 'create', name: 'X' }, { credentials: { apiKey: key, baseUrl: sb.url } });
		expect(result.error?.message).toBe(
			'INVALID_API_KEY: Invalid API key – The provided API key is invalid or expired. Check the API key in the Mifumo SMS API credential (Mifumo dashboard → API Keys).',
		);
		expect(JSON.stringify(result.error)).not.toContain(key);
	});
});

describe('segment.get', () => {
	beforeEach(seedSegments);

	it('GETs /contacts/segments/{id}/ per item and outputs the segment as the server sent it, paired', async () => {
		const expected = [await sb.serverData('/contacts/segments/s-vip/'), await sb.serverData('/contacts/segments/s-new/')];
		const result = await sb.run(
			{ resource: 'segment', operation: 'get', segmentId: '={{ $json.id }}' },
			{ items: [{ id: 's-vip' }, { id: 's-new' }] },
		);
		expect(result.error).toBeUndefined();
		const requests = await sb.requests();
		expect(requests).toHaveLength(2);
		expectRequest(requests[0], { method: 'GET', path: '/contacts/segments/s-vip/' });
		expectRequest(requests[1], { method: 'GET', path: '/contacts/segments/s-new/' });
		expect(result.items).toEqual([
			{ json: expected[0], pairedItem: { item: 0 } },
			{ json: expected[1], pairedItem: { item: 1 } },
		]);
		expect(result.items[0].json.contact_count).toBe(1);
	});

	it('404 SEGMENT_NOT_FOUND: the whole message; Continue On Fail pairs it and goes on', async () => {
		const failed = await sb.run({ resource: 'segment', operation: 'get', segmentId: 's-missing' });
		expect(failed.error?.message).toBe(NOT_FOUND('s-missing'));
		expect(failed.error?.errorCode).toBe('SEGMENT_NOT_FOUND');
		const result = await sb.run(
			{ resource: 'segment', operation: 'get', segmentId: '={{ $json.id }}' },
			{ items: [{ id: 's-missing' }, { id: 's-vip' }], continueOnFail: true },
		);
		expect(result.items).toEqual([errorItem(NOT_FOUND('s-missing'), 'SEGMENT_NOT_FOUND', 0), { json: await storedSegment('s-vip'), pairedItem: { item: 1 } }]);
	});

	it('URL-encodes the id: ../../sms/send never reaches /sms/send', async () => {
		const result = await sb.run({ resource: 'segment', operation: 'get', segmentId: '../../sms/send' }, { continueOnFail: true });
		const requests = await sb.requests();
		expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET ${API}/contacts/segments/..%2F..%2Fsms%2Fsend/`]);
		expect(result.items).toEqual([errorItem(NOT_FOUND('../../sms/send'), 'SEGMENT_NOT_FOUND')]);
	});

	it('regression: an id of "." or ".." is refused before any request (a URL would resolve it to /contacts/segments/ or /contacts/)', async () => {
		const result = await sb.run(
			{ resource: 'segment', operation: 'get', segmentId: '={{ $json.id }}' },
			{ items: [{ id: '.' }, { id: '..' }], continueOnFail: true },
		);
		// Today: GET /contacts/segments/ (the segment list comes out as "the segment") and GET /contacts/ (the contact list).
		expect((await sb.requests()).map((r) => `${r.method} ${r.path}`)).toEqual([]);
		expect(result.items.map((item) => item.json.errorCode)).toEqual(['INVALID_PARAMETER', 'INVALID_PARAMETER']);
	});
});

describe('segment.update', () => {
	beforeEach(seedSegments);

	it('PUTs only the name when only the name is given', async () => {
		const result = await sb.run({ resource: 'segment', operation: 'update', segmentId: 's-vip', updateFields: { name: 'VIP+' } });
		expect(result.error).toBeUndefined();
		const requests = await sb.requests();
		expect(requests).toHaveLength(1);
		expectRequest(requests[0], { method: 'PUT', path: '/contacts/segments/s-vip/update/', body: { name: 'VIP+' } });
		const stored = await storedSegment('s-vip');
		expect(stored).toMatchObject({ name: 'VIP+', description: VIP.description, criteria: VIP.criteria });
		expect(result.items).toEqual([{ json: stored, pairedItem: { item: 0 } }]);
	});

	it('puts tags, isActive and createdAfter into criteria; description beside them; per item', async () => {
		const result = await sb.run(
			{
				resource: 'segment',
				operation: 'update',
				segmentId: '={{ $json.id }}',
				updateFields: { tags: '={{ $json.tags }}', isActive: false, createdAfter: '={{ $json.after }}', description: '={{ $json.description }}' },
			},
			{
				items: [
					{ id: 's-vip', tags: 'gold , vip', after: '2024-06-01T01:00:00+03:00', description: 'Changed' },
					{ id: 's-new', tags: ['new'], after: '2024-06-02', description: '' },
				],
			},
		);
		expect(result.error).toBeUndefined();
		const requests = await sb.requests();
		expect(requests).toHaveLength(2);
		expectRequest(requests[0], {
			method: 'PUT',
			path: '/contacts/segments/s-vip/update/',
			body: { description: 'Changed', criteria: { tags: ['gold', 'vip'], is_active: false, created_after: '2024-05-31' } },
		});
		expectRequest(requests[1], {
			method: 'PUT',
			path: '/contacts/segments/s-new/update/',
			body: { criteria: { tags: ['new'], is_active: false, created_after: '2024-06-02' } },
		});
		expect(result.items).toEqual([
			{ json: await storedSegment('s-vip'), pairedItem: { item: 0 } },
			{ json: await storedSegment('s-new'), pairedItem: { item: 1 } },
		]);
	});

	it('regression: a Name added to Update Fields but left empty is omitted like the other empty fields (never sent, never an error)', async () => {
		const result = await sb.run({ resource: 'segment', operation: 'update', segmentId: 's-vip', updateFields: { name: '', description: 'D' } });
		expect(result.error?.message).toBeUndefined();
		const requests = await sb.requests();
		expect(requests).toHaveLength(1);
		expectRequest(requests[0], { method: 'PUT', path: '/contacts/segments/s-vip/update/', body: { description: 'D' } });
	});

	it('empty Update Fields fail before any request', async () => {
		const result = await sb.run(
			{ resource: 'segment', operation: 'update', segmentId: 's-vip', updateFields: { description: '', tags: '' } },
			{ continueOnFail: true },
		);
		expect(await sb.requests()).toEqual([]);
		expect(result.items).toEqual([errorItem('Update Fields is empty. Add at least one field to change.', 'INVALID_PARAMETER')]);
	});

	it('404 SEGMENT_NOT_FOUND (id URL-encoded) under Continue On Fail', async () => {
		const result = await sb.run(
			{ resource: 'segment', operation: 'update', segmentId: 'a/b', updateFields: { name: 'N' } },
			{ continueOnFail: true },
		);
		expect((await sb.requests()).map((r) => `${r.method} ${r.path}`)).toEqual([`PUT ${API}/contacts/segments/a%2Fb/update/`]);
		expect(result.items).toEqual([errorItem(NOT_FOUND('a/b'), 'SEGMENT_NOT_FOUND')]);
	});
});

describe('segment.delete', () => {
	beforeEach(seedSegments);

	it('DELETEs /contacts/segments/{id}/delete/ (no body) and outputs {id, deleted: true} per item', async () => {
		const result = await sb.run(
			{ resource: 'segment', operation: 'delete', segmentId: '={{ $json.id }}' },
			{ items: [{ id: 's-vip' }, { id: 's-new' }] },
		);
		expect(result.error).toBeUndefined();
		const requests = await sb.requests();
		expect(requests).toHaveLength(2);
		expectRequest(requests[0], { method: 'DELETE', path: '/contacts/segments/s-vip/delete/' });
		expectRequest(requests[1], { method: 'DELETE', path: '/contacts/segments/s-new/delete/' });
		expect(result.items).toEqual([
			{ json: { id: 's-vip', deleted: true }, pairedItem: { item: 0 } },
			{ json: { id: 's-new', deleted: true }, pairedItem: { item: 1 } },
		]);
		expect(await control().segments()).toEqual([]);
	});

	it('404 SEGMENT_NOT_FOUND: the whole message; Continue On Fail', async () => {
		const failed = await sb.run({ resource: 'segment', operation: 'delete', segmentId: 's-missing' });
		expect(failed.error?.message).toBe(NOT_FOUND('s-missing'));
		const result = await sb.run(
			{ resource: 'segment', operation: 'delete', segmentId: '={{ $json.id }}' },
			{ items: [{ id: 's-vip' }, { id: 's-missing' }], continueOnFail: true },
		);
		expect(result.items).toEqual([
			{ json: { id: 's-vip', deleted: true }, pairedItem: { item: 0 } },
			errorItem(NOT_FOUND('s-missing'), 'SEGMENT_NOT_FOUND', 1),
		]);
		expect((await control().segments()).map((s) => s.segment_id)).toEqual(['s-new']);
	});
});

describe('segment.getMany', () => {
	beforeEach(async () => {
		await sb.control.seed({ segments: [VIP, NEW, { segment_id: 's-3', name: 'Third' }, { segment_id: 's-4', name: 'Fourth' }] });
	});

	it('GETs /contacts/segments/ and outputs every segment with Return All', async () => {
		const expected = ((await sb.serverData('/contacts/segments/')) as { segments: IDataObject[] }).segments;
		expect(expected).toHaveLength(4);
		const result = await sb.run({ resource: 'segment', operation: 'getMany', returnAll: true });
		expect(result.error).toBeUndefined();
		const requests = await sb.requests();
		expect(requests).toHaveLength(1);
		expectRequest(requests[0], { method: 'GET', path: '/contacts/segments/' });
		expect(result.items).toEqual(expected.map((json) => ({ json, pairedItem: { item: 0 } })));
	});

	it('returns at most Limit segments (one request)', async () => {
		const expected = ((await sb.serverData('/contacts/segments/')) as { segments: IDataObject[] }).segments;
		const result = await sb.run({ resource: 'segment', operation: 'getMany', limit: 3 });
		expect(result.items).toEqual(expected.slice(0, 3).map((json) => ({ json, pairedItem: { item: 0 } })));
		expect(await sb.requests()).toHaveLength(1);
	});

	it('the default limit is 50 and a limit below 1 fails before any request', async () => {
		const all = await sb.run({ resource: 'segment', operation: 'getMany' });
		expect(all.items).toHaveLength(4);
		await control().clearRequests();
		const result = await sb.run({ resource: 'segment', operation: 'getMany', limit: 0 }, { continueOnFail: true });
		expect(await sb.requests()).toEqual([]);
		expect(result.items).toEqual([
			errorItem('Limit must be a whole number of at least 1, not 0. Or turn on Return All.', 'INVALID_PARAMETER'),
		]);
	});
});
