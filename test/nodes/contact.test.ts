/**
 * contact.create / get / update / delete / getMany / search / upsert through n8n's engine against
 * the sandbox: the exact requests that reached the server and the exact items that came out.
 */
import type { IDataObject } from 'n8n-workflow';

import { HINTS } from '../../nodes/Mifumo/transport/errors';
import { API, READ_KEY, errorItem, expectRequest, useSandbox, type SandboxControl } from '../helpers/sandbox';

const sb = useSandbox();

type Control = SandboxControl & {
	clearRequests(): Promise<unknown>;
	contacts(): Promise<IDataObject[]>;
};
const control = () => sb.control as Control;

const ASHA = { contact_id: 'c-asha', name: 'Asha Mwakyusa', phone_number: '+255712345678', email: 'asha@example.com', tags: ['vip'] };
const BARAKA = { contact_id: 'c-baraka', name: 'Baraka Juma', phone_number: '+255713000111', tags: ['customer'], is_active: false };
const CHIKU = { contact_id: 'c-chiku', name: 'Chiku Ally', phone_number: '+255754000222' };

async function seedContacts() {
	await sb.control.seed({ contacts: [ASHA, BARAKA, CHIKU] });
}

async function storedContact(id: string): Promise<IDataObject | undefined> {
	return (await control().contacts()).find((contact) => contact.contact_id === id);
}

const NOT_FOUND = (id: string) =>
	`CONTACT_NOT_FOUND: Contact not found – No contact with id ${id}. Check the contact ID: it comes from the output of Create or Get Many (contact_id).`;

const READ_ONLY =
	'INSUFFICIENT_PERMISSIONS: Your API key does not have permission to perform this action – This action requires a \'write\' or \'admin\' key; this key has \'read\' permission. This API key may not do this (a "read" key cannot send or change data). Use a key with "write" or "admin" permission.';

const WRONG_KEY =
	'INVALID_API_KEY: Invalid API key – The provided API key is invalid or expired. Check the API key in the Mifumo SMS API credential (Mifumo dashboard → API Keys).';

describe('contact.create', () => {
	it('POSTs /contacts/create/ with every field (trimmed name, E.164 phone, tags list, is_active) and outputs the created contact, paired', async () => {
		const result = await sb.run(
			{
				resource: 'contact',
				operation: 'create',
				name: '={{ $json.name }}',
				phoneNumber: '={{ $json.phone }}',
				additionalFields: { email: '={{ $json.email }}', tags: '={{ $json.tags }}', isActive: false },
			},
			{
				items: [
					{ name: '  Asha Mwakyusa ', phone: '0712 345 678', email: 'asha@example.com', tags: 'vip, customer ,' },
					{ name: 'Baraka', phone: '+255 713 000 111', email: 'baraka@example.com', tags: ['a', 'b'] },
				],
			},
		);
		expect(result.error).toBeUndefined();
		const requests = await sb.requests();
		expect(requests).toHaveLength(2);
		expectRequest(requests[0], {
			method: 'POST',
			path: '/contacts/create/',
			body: { name: 'Asha Mwakyusa', phone_number: '+255712345678', email: 'asha@example.com', tags: ['vip', 'customer'], is_active: false },
		});
		expectRequest(requests[1], {
			method: 'POST',
			path: '/contacts/create/',
			body: { name: 'Baraka', phone_number: '+255713000111', email: 'baraka@example.com', tags: ['a', 'b'], is_active: false },
		});
		expect(result.items).toHaveLength(2);
		for (const [index, item] of result.items.entries()) {
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json).toEqual(await storedContact(String(item.json.contact_id)));
		}
		expect(result.items.map((item) => item.json.phone_number)).toEqual(['+255712345678', '+255713000111']);
	});

	it('sends only name and phone_number when the optional fields are left empty (never "" or null)', async () => {
		for (const additionalFields of [{}, { email: '', tags: '' }]) {
			await sb.control.reset({ deliveryDelayMs: null });
			const result = await sb.run({ resource: 'contact', operation: 'create', name: 'Chiku', phoneNumber: '255754000222', additionalFields });
			expect(result.error).toBeUndefined();
			const requests = await sb.requests();
			expect(requests).toHaveLength(1);
			expectRequest(requests[0], { method: 'POST', path: '/contacts/create/', body: { name: 'Chiku', phone_number: '+255754000222' } });
			expect(result.items).toEqual([{ json: await storedContact(String(result.items[0].json.contact_id)), pairedItem: { item: 0 } }]);
		}
	});

	it('reads numbers without a country code with Options → Default Country', async () => {
		const result = await sb.run({ resource: 'contact', operation: 'create', name: 'Wanjiru', phoneNumber: '0712 345 678', options: { defaultCountry: 'KE' } });
		expect(result.error).toBeUndefined();
		expectRequest((await sb.requests())[0], { method: 'POST', path: '/contacts/create/', body: { name: 'Wanjiru', phone_number: '+254712345678' } });
	});

	it('an invalid phone number fails before any request with INVALID_PHONE naming the value', async () => {
		const result = await sb.run(
			{ resource: 'contact', operation: 'create', name: 'X', phoneNumber: '={{ $json.phone }}' },
			{ items: [{ phone: '12ab' }, { phone: '0712345678' }], continueOnFail: true },
		);
		const requests = await sb.requests();
		expect(requests).toHaveLength(1);
		expect(JSON.parse(requests[0].rawBody)).toEqual({ name: 'X', phone_number: '+255712345678' });
		expect(result.items[0]).toEqual(
			errorItem(
				'Phone Number "12ab" is not a valid phone number. Use a number such as 0712 345 678, 255712345678 or +255712345678.',
				'INVALID_PHONE',
			),
		);
		expect(result.items[1].pairedItem).toEqual({ item: 1 });
		expect(result.items[1].json.phone_number).toBe('+255712345678');
	});

	it('403 with a read key: the whole message; Continue On Fail pairs an {error, errorCode} item with each input', async () => {
		const credentials = { apiKey: READ_KEY, baseUrl: sb.url };
		const failed = await sb.run({ resource: 'contact', operation: 'create', name: 'A', phoneNumber: '0712345678' }, { credentials });
		expect(failed.error?.message).toBe(READ_ONLY);
		expect(failed.error?.errorCode).toBe('INSUFFICIENT_PERMISSIONS');
		expect(failed.items).toEqual([]);

		const result = await sb.run(
			{ resource: 'contact', operation: 'create', name: 'A', phoneNumber: '={{ $json.phone }}' },
			{ credentials, items: [{ phone: '0712345678' }, { phone: '0713000111' }], continueOnFail: true },
		);
		expect(result.items).toEqual([
			errorItem(READ_ONLY, 'INSUFFICIENT_PERMISSIONS', 0),
			errorItem(READ_ONLY, 'INSUFFICIENT_PERMISSIONS', 1),
		]);
		expect(await control().contacts()).toEqual([]);
		// A create is not repeated: one request per item and run.
		expect((await sb.requests()).map((r) => r.status)).toEqual([403, 403, 403]);
	});

	it('401 with a wrong key: the whole message, the key nowhere in it', async () => {
		const key = 'sk-not-a-mifumo-key-42';
		const result = await sb.run(
			{ resource: 'contact', operation: 'create', name: 'A', phoneNumber: '0712345678' },
			{ credentials: { apiKey: key, baseUrl: sb.url } },
		);
		expect(result.error?.message).toBe(WRONG_KEY);
		expect(result.error?.errorCode).toBe('INVALID_API_KEY');
		expect(JSON.stringify(result.error)).not.toContain(key);
	});

	it("the server's DUPLICATE_CONTACT is shown with its message and details", async () => {
		await seedContacts();
		const result = await sb.run({ resource: 'contact', operation: 'create', name: 'A', phoneNumber: '0712345678' }, { continueOnFail: true });
		expect(result.items).toEqual([
			errorItem(
				'DUPLICATE_CONTACT: A contact with phone number +255712345678 already exists – Existing contact_id: c-asha',
				'DUPLICATE_CONTACT',
			),
		]);
	});
});

describe('contact.get', () => {
	beforeEach(seedContacts);

	it('GETs /contacts/{id}/ per item and outputs the contact as the server sent it, paired', async () => {
		const expected = [await sb.serverData('/contacts/c-asha/'), await sb.serverData('/contacts/c-chiku/')];
		const result = await sb.run(
			{ resource: 'contact', operation: 'get', contactId: '={{ $json.id }}' },
			{ items: [{ id: 'c-asha' }, { id: 'c-chiku' }] },
		);
		expect(result.error).toBeUndefined();
		const requests = await sb.requests();
		expect(requests).toHaveLength(2);
		expectRequest(requests[0], { method: 'GET', path: '/contacts/c-asha/' });
		expectRequest(requests[1], { method: 'GET', path: '/contacts/c-chiku/' });
		expect(result.items).toEqual([
			{ json: expected[0], pairedItem: { item: 0 } },
			{ json: expected[1], pairedItem: { item: 1 } },
		]);
		expect(result.items[0].json).toEqual(await storedContact('c-asha'));
	});

	it('404 CONTACT_NOT_FOUND: the whole message; Continue On Fail pairs it and goes on', async () => {
		const failed = await sb.run({ resource: 'contact', operation: 'get', contactId: 'c-missing' });
		expect(failed.error?.message).toBe(NOT_FOUND('c-missing'));
		expect(failed.error?.errorCode).toBe('CONTACT_NOT_FOUND');

		const result = await sb.run(
			{ resource: 'contact', operation: 'get', contactId: '={{ $json.id }}' },
			{ items: [{ id: 'c-asha' }, { id: 'c-missing' }], continueOnFail: true },
		);
		expect(result.items).toEqual([
			{ json: await storedContact('c-asha'), pairedItem: { item: 0 } },
			errorItem(NOT_FOUND('c-missing'), 'CONTACT_NOT_FOUND', 1),
		]);
	});

	it('URL-encodes the id: ../sms/send requests /contacts/..%2Fsms%2Fsend/ and never reaches /sms/send', async () => {
		const result = await sb.run({ resource: 'contact', operation: 'get', contactId: '../sms/send' }, { continueOnFail: true });
		const requests = await sb.requests();
		expect(requests).toHaveLength(1);
		expectRequest(requests[0], { method: 'GET', path: '/contacts/..%2Fsms%2Fsend/' });
		expect(requests.some((r) => r.path.includes('/sms/send'))).toBe(false);
		expect(result.items).toEqual([errorItem(NOT_FOUND('../sms/send'), 'CONTACT_NOT_FOUND')]);
	});

	it('regression: an id of "." or ".." is refused before any request (a URL would resolve it to another endpoint, e.g. /contacts/)', async () => {
		const result = await sb.run(
			{ resource: 'contact', operation: 'get', contactId: '={{ $json.id }}' },
			{ items: [{ id: '.' }, { id: '..' }], continueOnFail: true },
		);
		const requests = await sb.requests();
		// Today: GET /api/integration/v1/contacts/ (the contact list comes out as "the contact") and GET /api/integration/v1/.
		expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([]);
		expect(result.items.map((item) => item.json.errorCode)).toEqual(['INVALID_PARAMETER', 'INVALID_PARAMETER']);
	});
});

describe('contact.update', () => {
	beforeEach(seedContacts);

	it('PUTs only the field given and outputs the updated contact', async () => {
		const result = await sb.run({ resource: 'contact', operation: 'update', contactId: 'c-asha', updateFields: { email: 'asha@mifumo.co.tz' } });
		expect(result.error).toBeUndefined();
		const requests = await sb.requests();
		expect(requests).toHaveLength(1);
		expectRequest(requests[0], { method: 'PUT', path: '/contacts/c-asha/update/', body: { email: 'asha@mifumo.co.tz' } });
		const stored = await storedContact('c-asha');
		expect(stored?.email).toBe('asha@mifumo.co.tz');
		expect(stored?.name).toBe(ASHA.name);
		expect(result.items).toEqual([{ json: stored, pairedItem: { item: 0 } }]);
	});

	it('PUTs every field in wire form (E.164 phone from another format, tags list, is_active), per item', async () => {
		const result = await sb.run(
			{
				resource: 'contact',
				operation: 'update',
				contactId: '={{ $json.id }}',
				updateFields: { name: '={{ $json.name }}', phoneNumber: '={{ $json.phone }}', tags: '={{ $json.tags }}', isActive: false, email: '' },
			},
			{
				items: [
					{ id: 'c-asha', name: ' Asha M. ', phone: '255 712 345 670', tags: 'gold, vip' },
					{ id: 'c-chiku', name: 'Chiku', phone: '0754-000-223', tags: ['x'] },
				],
			},
		);
		expect(result.error).toBeUndefined();
		const requests = await sb.requests();
		expect(requests).toHaveLength(2);
		expectRequest(requests[0], {
			method: 'PUT',
			path: '/contacts/c-asha/update/',
			body: { name: 'Asha M.', phone_number: '+255712345670', tags: ['gold', 'vip'], is_active: false },
		});
		expectRequest(requests[1], {
			method: 'PUT',
			path: '/contacts/c-chiku/update/',
			body: { name: 'Chiku', phone_number: '+255754000223', tags: ['x'], is_active: false },
		});
		expect(result.items).toEqual([
			{ json: await storedContact('c-asha'), pairedItem: { item: 0 } },
			{ json: await storedContact('c-chiku'), pairedItem: { item: 1 } },
		]);
	});

	it('regression: a Name added to Update Fields but left empty is omitted like the other empty fields (never sent, never an error)', async () => {
		const result = await sb.run({ resource: 'contact', operation: 'update', contactId: 'c-asha', updateFields: { name: '', email: 'a@b.co' } });
		expect(result.error?.message).toBeUndefined();
		const requests = await sb.requests();
		expect(requests).toHaveLength(1);
		expectRequest(requests[0], { method: 'PUT', path: '/contacts/c-asha/update/', body: { email: 'a@b.co' } });
	});

	it('empty Update Fields fail before any request', async () => {
		const result = await sb.run(
			{ resource: 'contact', operation: 'update', contactId: 'c-asha', updateFields: { email: '', phoneNumber: '' } },
			{ continueOnFail: true },
		);
		expect(await sb.requests()).toEqual([]);
		expect(result.items).toEqual([errorItem('Update Fields is empty. Add at least one field to change.', 'INVALID_PARAMETER')]);
	});

	it('404 CONTACT_NOT_FOUND (the id URL-encoded) and Continue On Fail', async () => {
		const result = await sb.run(
			{ resource: 'contact', operation: 'update', contactId: '={{ $json.id }}', updateFields: { name: 'N' } },
			{ items: [{ id: '../sms/send' }, { id: 'c-asha' }], continueOnFail: true },
		);
		const requests = await sb.requests();
		expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
			`PUT ${API}/contacts/..%2Fsms%2Fsend/update/`,
			`PUT ${API}/contacts/c-asha/update/`,
		]);
		expect(result.items).toEqual([
			errorItem(NOT_FOUND('../sms/send'), 'CONTACT_NOT_FOUND', 0),
			{ json: await storedContact('c-asha'), pairedItem: { item: 1 } },
		]);
	});

	it('403 with a read key: the whole message', async () => {
		const result = await sb.run(
			{ resource: 'contact', operation: 'update', contactId: 'c-asha', updateFields: { name: 'N' } },
			{ credentials: { apiKey: READ_KEY, baseUrl: sb.url } },
		);
		expect(result.error?.message).toBe(READ_ONLY);
	});
});

describe('contact.delete', () => {
	beforeEach(seedContacts);

	it('DELETEs /contacts/{id}/delete/ (no body) and outputs {id, deleted: true} per item', async () => {
		const result = await sb.run(
			{ resource: 'contact', operation: 'delete', contactId: '={{ $json.id }}' },
			{ items: [{ id: 'c-asha' }, { id: 'c-chiku' }] },
		);
		expect(result.error).toBeUndefined();
		const requests = await sb.requests();
		expect(requests).toHaveLength(2);
		expectRequest(requests[0], { method: 'DELETE', path: '/contacts/c-asha/delete/' });
		expectRequest(requests[1], { method: 'DELETE', path: '/contacts/c-chiku/delete/' });
		expect(result.items).toEqual([
			{ json: { id: 'c-asha', deleted: true }, pairedItem: { item: 0 } },
			{ json: { id: 'c-chiku', deleted: true }, pairedItem: { item: 1 } },
		]);
		expect((await control().contacts()).map((c) => c.contact_id)).toEqual(['c-baraka']);
	});

	it('404 CONTACT_NOT_FOUND: the whole message; Continue On Fail', async () => {
		const failed = await sb.run({ resource: 'contact', operation: 'delete', contactId: 'c-missing' });
		expect(failed.error?.message).toBe(NOT_FOUND('c-missing'));
		const result = await sb.run(
			{ resource: 'contact', operation: 'delete', contactId: '={{ $json.id }}' },
			{ items: [{ id: 'c-missing' }, { id: 'c-asha' }], continueOnFail: true },
		);
		expect(result.items).toEqual([
			errorItem(NOT_FOUND('c-missing'), 'CONTACT_NOT_FOUND', 0),
			{ json: { id: 'c-asha', deleted: true }, pairedItem: { item: 1 } },
		]);
	});

	it('URL-encodes the id (../sms/send never reaches /sms/send) and outputs the id as given', async () => {
		const result = await sb.run({ resource: 'contact', operation: 'delete', contactId: '../sms/send' }, { continueOnFail: true });
		const requests = await sb.requests();
		expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([`DELETE ${API}/contacts/..%2Fsms%2Fsend/delete/`]);
		expect(result.items).toEqual([errorItem(NOT_FOUND('../sms/send'), 'CONTACT_NOT_FOUND')]);
		expect(await control().contacts()).toHaveLength(3);
	});
});

describe('contact.getMany', () => {
	beforeEach(seedContacts);

	it('GETs /contacts/ with limit, offset, search and segment_id and outputs one item per contact', async () => {
		const { segment_ids: [segmentId] } = (await sb.control.seed({ segments: [{ name: 'VIP', criteria: { tags: ['vip', 'customer'] } }] })) as {
			segment_ids: string[];
		};
		const query = { limit: '50', offset: '0', search: 'a', segment_id: segmentId };
		const expected = ((await sb.serverData('/contacts/', query)) as { contacts: IDataObject[] }).contacts;
		expect(expected.map((c) => c.contact_id).sort()).toEqual(['c-asha', 'c-baraka']);
		const result = await sb.run({ resource: 'contact', operation: 'getMany', filters: { search: ' a ', segmentId } });
		expect(result.error).toBeUndefined();
		const requests = await sb.requests();
		expect(requests).toHaveLength(1);
		expectRequest(requests[0], { method: 'GET', path: '/contacts/', query });
		expect(result.items).toEqual(expected.map((json) => ({ json, pairedItem: { item: 0 } })));
	});

	it('empty filters are omitted; each input item gets its own list, paired', async () => {
		const expected = ((await sb.serverData('/contacts/', { limit: '2', offset: '0' })) as { contacts: IDataObject[] }).contacts;
		const result = await sb.run(
			{ resource: 'contact', operation: 'getMany', limit: 2, filters: { search: '', segmentId: '' } },
			{ items: [{}, {}] },
		);
		const requests = await sb.requests();
		expect(requests).toHaveLength(2);
		for (const request of requests) expectRequest(request, { method: 'GET', path: '/contacts/', query: { limit: '2', offset: '0' } });
		expect(result.items).toEqual([
			...expected.map((json) => ({ json, pairedItem: { item: 0 } })),
			...expected.map((json) => ({ json, pairedItem: { item: 1 } })),
		]);
	});

	it('an unknown segment: SEGMENT_NOT_FOUND with the whole message', async () => {
		const result = await sb.run({ resource: 'contact', operation: 'getMany', filters: { segmentId: 's-missing' } }, { continueOnFail: true });
		expect(result.items).toEqual([
			errorItem(
				'SEGMENT_NOT_FOUND: Segment not found – No segment with id s-missing. Check the segment ID: it comes from the output of Create or Get Many (segment_id).',
				'SEGMENT_NOT_FOUND',
			),
		]);
	});

	it('a limit below 1 fails before any request', async () => {
		const result = await sb.run({ resource: 'contact', operation: 'getMany', limit: 0 }, { continueOnFail: true });
		expect(await sb.requests()).toEqual([]);
		expect(result.items).toEqual([
			errorItem('Limit must be a whole number of at least 1, not 0. Or turn on Return All.', 'INVALID_PARAMETER'),
		]);
	});
});

describe('contact.search', () => {
	beforeEach(seedContacts);

	it('always sends q: empty when no query is given (default limit 20)', async () => {
		const expected = ((await sb.serverData('/contacts/search/', { q: '', limit: '20', offset: '0' })) as { contacts: IDataObject[] }).contacts;
		expect(expected).toHaveLength(3);
		const result = await sb.run({ resource: 'contact', operation: 'search' });
		expect(result.error).toBeUndefined();
		const requests = await sb.requests();
		expect(requests).toHaveLength(1);
		expectRequest(requests[0], { method: 'GET', path: '/contacts/search/', query: { q: '', limit: '20', offset: '0' } });
		expect(result.items).toEqual(expected.map((json) => ({ json, pairedItem: { item: 0 } })));
	});

	it('sends q (a + kept as +) and segment_id; outputs the matches per item, paired', async () => {
		const { segment_ids: [segmentId] } = (await sb.control.seed({ segments: [{ name: 'VIP', criteria: { tags: ['vip'] } }] })) as {
			segment_ids: string[];
		};
		const result = await sb.run(
			{ resource: 'contact', operation: 'search', query: '={{ $json.q }}', filters: { segmentId: '={{ $json.segment }}' } },
			{ items: [{ q: '+255712345678', segment: segmentId }, { q: 'Baraka', segment: '' }] },
		);
		expect(result.error).toBeUndefined();
		const requests = await sb.requests();
		expect(requests).toHaveLength(2);
		expectRequest(requests[0], {
			method: 'GET',
			path: '/contacts/search/',
			query: { q: '+255712345678', segment_id: segmentId, limit: '20', offset: '0' },
		});
		expectRequest(requests[1], { method: 'GET', path: '/contacts/search/', query: { q: 'Baraka', limit: '20', offset: '0' } });
		expect(result.items).toEqual([
			{ json: await storedContact('c-asha'), pairedItem: { item: 0 } },
			{ json: await storedContact('c-baraka'), pairedItem: { item: 1 } },
		]);
	});

	it('no match outputs no item for that input', async () => {
		const result = await sb.run({ resource: 'contact', operation: 'search', query: 'nobody-by-this-name' });
		expect(result.error).toBeUndefined();
		expect(result.items).toEqual([]);
	});
});

describe('contact.upsert', () => {
	const upsert = (phoneNumber: string, extra: IDataObject = {}) => ({
		resource: 'contact',
		operation: 'upsert',
		name: 'Asha Upserted',
		phoneNumber,
		...extra,
	});
	const searchRequest = { method: 'GET', path: '/contacts/search/', query: { q: '+255712345678', limit: '50', offset: '0' } };

	it('creates the contact when none matches (action: created), after a search by its E.164 number', async () => {
		const result = await sb.run(upsert('0712 345 678', { additionalFields: { email: 'asha@example.com', tags: 'vip' } }));
		expect(result.error).toBeUndefined();
		const requests = await sb.requests();
		expect(requests).toHaveLength(2);
		expectRequest(requests[0], searchRequest);
		expectRequest(requests[1], {
			method: 'POST',
			path: '/contacts/create/',
			body: { name: 'Asha Upserted', phone_number: '+255712345678', email: 'asha@example.com', tags: ['vip'] },
		});
		const stored = await control().contacts();
		expect(stored).toHaveLength(1);
		expect(result.items).toEqual([{ json: { ...stored[0], action: 'created' }, pairedItem: { item: 0 } }]);
	});

	it('updates the one contact whose number matches when typed in another format (action: updated, PUT to that contact)', async () => {
		await seedContacts();
		const result = await sb.run(upsert('={{ $json.phone }}'), { items: [{ phone: '255 712 345 678' }] });
		expect(result.error).toBeUndefined();
		const requests = await sb.requests();
		expect(requests).toHaveLength(2);
		expectRequest(requests[0], searchRequest);
		expectRequest(requests[1], { method: 'PUT', path: '/contacts/c-asha/update/', body: { name: 'Asha Upserted', phone_number: '+255712345678' } });
		const stored = await storedContact('c-asha');
		expect(stored?.name).toBe('Asha Upserted');
		expect(await control().contacts()).toHaveLength(3);
		expect(result.items).toEqual([{ json: { ...stored, action: 'updated' }, pairedItem: { item: 0 } }]);
	});

	it('updates the contact when the server stores its number in another format (255…, 0…), reading its id', async () => {
		await seedContacts();
		const record = { ...(await storedContact('c-asha')), phone_number: '0712 345 678' };
		await sb.control.addFault({
			method: 'GET',
			path: '/contacts/search/',
			status: 200,
			body: { success: true, message: 'ok', data: { contacts: [record], query: '+255712345678', count: 1 }, error_code: null, details: null },
		});
		const result = await sb.run(upsert('+255712345678'));
		expect(result.error).toBeUndefined();
		const requests = await sb.requests();
		expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET ${API}/contacts/search/`, `PUT ${API}/contacts/c-asha/update/`]);
		expect(result.items).toEqual([{ json: { ...(await storedContact('c-asha')), action: 'updated' }, pairedItem: { item: 0 } }]);
	});

	it('reads the id of a record that carries it as `id` (not contact_id)', async () => {
		await seedContacts();
		const { contact_id: _drop, ...rest } = (await storedContact('c-asha')) as IDataObject;
		await sb.control.addFault({
			method: 'GET',
			path: '/contacts/search/',
			status: 200,
			body: { success: true, message: 'ok', data: [{ ...rest, id: 'c-asha' }], error_code: null, details: null },
		});
		const result = await sb.run(upsert('0712345678'));
		expect(result.error).toBeUndefined();
		expect((await sb.requests()).map((r) => `${r.method} ${r.path}`)).toEqual([`GET ${API}/contacts/search/`, `PUT ${API}/contacts/c-asha/update/`]);
		expect(result.items[0].json.action).toBe('updated');
	});

	it('a search hit whose number only contains the digits is another person: creates', async () => {
		await sb.control.seed({ contacts: [{ contact_id: 'c-longer', name: 'Other', phone_number: '+2557123456780' }] });
		const hits = ((await sb.serverData('/contacts/search/', { q: '+255712345678' })) as { contacts: IDataObject[] }).contacts;
		expect(hits.map((c) => c.contact_id)).toEqual(['c-longer']);
		const result = await sb.run(upsert('0712345678'));
		expect(result.error).toBeUndefined();
		expect((await sb.requests()).map((r) => `${r.method} ${r.path}`)).toEqual([`GET ${API}/contacts/search/`, `POST ${API}/contacts/create/`]);
		expect(result.items[0].json.action).toBe('created');
		expect(await storedContact('c-longer')).toMatchObject({ name: 'Other', phone_number: '+2557123456780' });
	});

	it('fails with DUPLICATE_CONTACTS when two contacts match (in any format), and changes nothing', async () => {
		// The sandbox refuses to seed two contacts with one number, as Mifumo does: a server that has them anyway
		// (stored in two formats) is simulated by its search answer.
		await seedContacts();
		await expect(sb.control.seed({ contacts: [{ name: 'Twin', phone_number: '+255712345678' }] })).rejects.toThrow(/duplicate phone/);
		const asha = await storedContact('c-asha');
		const twin = { ...asha, contact_id: 'c-twin', name: 'Asha (twin)', phone_number: '255712345678' };
		await sb.control.addFault({
			method: 'GET',
			path: '/contacts/search/',
			times: 2,
			status: 200,
			body: { success: true, message: 'ok', data: { contacts: [asha, twin], query: '+255712345678', count: 2 }, error_code: null, details: null },
		});
		const message =
			'Phone Number +255712345678 belongs to 2 contacts (c-asha, c-twin), so Upsert cannot tell which to update. Merge or delete the duplicates in Mifumo, or use Update with a Contact ID.';
		const failed = await sb.run(upsert('0712 345 678'));
		expect(failed.error?.message).toBe(message);
		expect(failed.error?.errorCode).toBe('DUPLICATE_CONTACTS');
		const result = await sb.run(upsert('0712 345 678'), { continueOnFail: true });
		expect(result.items).toEqual([errorItem(message, 'DUPLICATE_CONTACTS')]);
		const requests = await sb.requests();
		expect(requests).toHaveLength(2);
		for (const request of requests) expectRequest(request, searchRequest);
		expect(await storedContact('c-asha')).toEqual(asha);
	});

	it('two items with one number: the first creates, the second updates the contact the first created', async () => {
		const result = await sb.run(upsert('={{ $json.phone }}', { name: '={{ $json.name }}' }), {
			items: [
				{ phone: '0712345678', name: 'First' },
				{ phone: '+255 712 345 678', name: 'Second' },
			],
		});
		expect(result.error).toBeUndefined();
		const stored = await control().contacts();
		expect(stored).toHaveLength(1);
		const id = String(stored[0].contact_id);
		expect((await sb.requests()).map((r) => `${r.method} ${r.path}`)).toEqual([
			`GET ${API}/contacts/search/`,
			`POST ${API}/contacts/create/`,
			`GET ${API}/contacts/search/`,
			`PUT ${API}/contacts/${id}/update/`,
		]);
		expect(result.items.map((item) => [item.json.action, item.json.name, item.pairedItem])).toEqual([
			['created', 'First', { item: 0 }],
			['updated', 'Second', { item: 1 }],
		]);
		expect(result.items[1].json).toEqual({ ...stored[0], action: 'updated' });
	});

	it('leaves a contact that already holds every given value alone: no PUT, the record as found with action "unchanged"', async () => {
		await seedContacts();
		const asha = await storedContact('c-asha');
		const result = await sb.run(
			upsert('0712 345 678', { name: ASHA.name, additionalFields: { email: ASHA.email, tags: 'vip', isActive: true } }),
		);
		expect(result.error).toBeUndefined();
		const requests = await sb.requests();
		expect(requests).toHaveLength(1);
		expectRequest(requests[0], searchRequest);
		expect(result.items).toEqual([{ json: { ...asha, action: 'unchanged' }, pairedItem: { item: 0 } }]);
		expect(await storedContact('c-asha')).toEqual(asha);
	});

	it('compares tags as a set (order and repeats ignored); any other difference (a tag, Is Active, email) is an update', async () => {
		await sb.control.seed({ contacts: [{ contact_id: 'c-tags', name: 'Tagged', phone_number: '+255712345678', tags: ['vip', 'customer'] }] });
		const tagged = await storedContact('c-tags');
		const same = await sb.run(upsert('+255712345678', { name: 'Tagged', additionalFields: { tags: 'customer, vip, vip' } }));
		expect(same.items).toEqual([{ json: { ...tagged, action: 'unchanged' }, pairedItem: { item: 0 } }]);
		expect((await sb.requests()).map((r) => r.method)).toEqual(['GET']);

		for (const additionalFields of [{ tags: 'vip' }, { tags: 'vip, customer, new' }, { isActive: false }, { email: 'tagged@example.com' }]) {
			await control().clearRequests();
			const changed = await sb.run(upsert('+255712345678', { name: 'Tagged', additionalFields }));
			expect(changed.error).toBeUndefined();
			expect(changed.items[0].json.action).toBe('updated');
			const requests = await sb.requests();
			expect(requests.map((r) => r.method)).toEqual(['GET', 'PUT']);
			expect(JSON.parse(requests[1].rawBody)).toMatchObject({ name: 'Tagged', phone_number: '+255712345678' });
		}
	});

	describe('runs of more than 20 items read the contact list once instead of searching per item', () => {
		// Seeded contact k is "Contact k+1" at +2557100000kk (no email, no tags, active).
		const seeded = (k: number) => ({ phone: `0${710000000 + k}`, name: `Contact ${k + 1}` });
		const listPage = (offset: number) => ({ method: 'GET', path: '/contacts/', query: { limit: '50', offset: String(offset) } });
		const itemsUpsert = upsert('={{ $json.phone }}', { name: '={{ $json.name }}' });

		it('25 items against 110 contacts: 3 pages of 50, no search; only what changed is sent; a number created by one item is updated by a later one', async () => {
			const { contact_ids: ids } = (await sb.control.seed({ contacts: 110 })) as { contact_ids: string[] };
			const before = await control().contacts();
			const items = [
				...Array.from({ length: 20 }, (_, k) => seeded(k)),
				{ ...seeded(20), name: 'Renamed 21' },
				{ phone: '+255 710 000 021', name: 'Renamed 22' },
				{ phone: '0799 000 001', name: 'New' },
				{ phone: '255799000001', name: 'New, renamed' },
				{ phone: '+255799000001', name: 'New, renamed' },
			];
			const result = await sb.run(itemsUpsert, { items });
			expect(result.error).toBeUndefined();

			const created = (await control().contacts()).find((c) => c.phone_number === '+255799000001')!;
			const requests = await sb.requests();
			expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
				`GET ${API}/contacts/`,
				`GET ${API}/contacts/`,
				`GET ${API}/contacts/`,
				`PUT ${API}/contacts/${ids[20]}/update/`,
				`PUT ${API}/contacts/${ids[21]}/update/`,
				`POST ${API}/contacts/create/`,
				`PUT ${API}/contacts/${created.contact_id}/update/`,
			]);
			[0, 50, 100].forEach((offset, page) => expectRequest(requests[page], listPage(offset)));
			expectRequest(requests[3], { method: 'PUT', path: `/contacts/${ids[20]}/update/`, body: { name: 'Renamed 21', phone_number: '+255710000020' } });
			expectRequest(requests[5], { method: 'POST', path: '/contacts/create/', body: { name: 'New', phone_number: '+255799000001' } });
			expectRequest(requests[6], {
				method: 'PUT',
				path: `/contacts/${created.contact_id}/update/`,
				body: { name: 'New, renamed', phone_number: '+255799000001' },
			});

			expect(result.items.map((item) => [item.json.action, item.pairedItem])).toEqual([
				...Array.from({ length: 20 }, (_, k) => ['unchanged', { item: k }]),
				['updated', { item: 20 }],
				['updated', { item: 21 }],
				['created', { item: 22 }],
				['updated', { item: 23 }],
				['unchanged', { item: 24 }],
			]);
			for (let k = 0; k < 20; k++) {
				expect(result.items[k].json).toEqual({ ...before.find((c) => c.contact_id === ids[k]), action: 'unchanged' });
			}
			expect(result.items[21].json).toEqual({ ...(await storedContact(ids[21])), action: 'updated' });
			expect(result.items[24].json).toEqual({ ...created, action: 'unchanged' });
			expect(await control().contacts()).toHaveLength(111);
		});

		it('each execution reads the list afresh (once), and sees what the previous one wrote', async () => {
			await sb.control.seed({ contacts: 20 });
			const items = [...Array.from({ length: 20 }, (_, k) => seeded(k)), { phone: '0799 000 002', name: 'Newcomer' }];
			const first = await sb.run(itemsUpsert, { items });
			expect(first.items.map((item) => item.json.action)).toEqual([...Array(20).fill('unchanged'), 'created']);
			const firstRequests = await sb.requests();
			expect(firstRequests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET ${API}/contacts/`, `POST ${API}/contacts/create/`]);

			await control().clearRequests();
			const second = await sb.run(itemsUpsert, { items });
			expect(second.items.map((item) => item.json.action)).toEqual(Array(21).fill('unchanged'));
			const requests = await sb.requests();
			expect(requests).toHaveLength(1);
			expectRequest(requests[0], listPage(0));
		});

		it('a run of exactly 20 items still searches per item', async () => {
			await sb.control.seed({ contacts: 20 });
			const result = await sb.run(itemsUpsert, { items: Array.from({ length: 20 }, (_, k) => seeded(k)) });
			expect(result.items.map((item) => item.json.action)).toEqual(Array(20).fill('unchanged'));
			const requests = await sb.requests();
			expect(requests).toHaveLength(20);
			requests.forEach((request, k) =>
				expectRequest(request, { method: 'GET', path: '/contacts/search/', query: { q: `+${255710000000 + k}`, limit: '50', offset: '0' } }),
			);
		});

		it('a list read that keeps failing is read once for the run (4 tries), and every item fails with that one error, naming the list read', async () => {
			await sb.control.seed({ contacts: 21 });
			await sb.control.addFault({ method: 'GET', path: '/contacts/', status: 503, times: -1 });
			const items = [...Array.from({ length: 21 }, (_, k) => seeded(k)), { phone: '0799 000 003', name: 'Newcomer' }];
			const result = await sb.run(itemsUpsert, { items, continueOnFail: true });

			const requests = await sb.requests();
			expect(requests.map((r) => `${r.status} ${r.method} ${r.path}`)).toEqual(Array(4).fill(`503 GET ${API}/contacts/`));
			requests.forEach((request) => expectRequest(request, listPage(0)));
			const error = `Upsert could not read the contact list (GET /contacts/), which it reads once for a run of more than 20 items, so no contact of this run was created or updated. INTERNAL_ERROR: Injected fault (HTTP 503) – Injected by the sandbox control plane. ${HINTS.INTERNAL_ERROR} Tried 4 times.`;
			expect(result.items).toEqual(items.map((_, k) => errorItem(error, 'INTERNAL_ERROR', k)));
			expect(await control().contacts()).toHaveLength(21);
		}, 30_000);

		it('without Continue On Fail the run stops at the failed list read, with the same error', async () => {
			await sb.control.seed({ contacts: 21 });
			await sb.control.addFault({
				method: 'GET',
				path: '/contacts/',
				status: 400,
				body: { success: false, message: 'Offset out of range', error_code: 'INVALID_PARAMETER', details: null, data: null },
			});
			const result = await sb.run(itemsUpsert, { items: Array.from({ length: 21 }, (_, k) => seeded(k)) });
			expect(result.error?.message).toBe(
				'Upsert could not read the contact list (GET /contacts/), which it reads once for a run of more than 20 items, so no contact of this run was created or updated. INVALID_PARAMETER: Offset out of range',
			);
			const requests = await sb.requests();
			expect(requests.map((r) => `${r.status} ${r.method} ${r.path}`)).toEqual([`400 GET ${API}/contacts/`]);
		});

		it('several contacts with the number (in any format) fail that item with DUPLICATE_CONTACTS, as the search does; the others go on', async () => {
			await seedContacts();
			const asha = await storedContact('c-asha');
			const twin = { ...asha, contact_id: 'c-twin', name: 'Asha (twin)', phone_number: '0712 345 678' };
			await sb.control.addFault({
				method: 'GET',
				path: '/contacts/',
				status: 200,
				body: {
					success: true,
					message: 'ok',
					data: { contacts: [asha, twin], pagination: { total: 2, limit: 50, offset: 0, has_more: false } },
					error_code: null,
					details: null,
				},
			});
			const items = [{ phone: '+255712345678', name: 'Asha' }, ...Array.from({ length: 20 }, (_, k) => ({ phone: `0799 000 1${String(k).padStart(2, '0')}`, name: `New ${k}` }))];
			const result = await sb.run(itemsUpsert, { items, continueOnFail: true });
			expect(result.items[0]).toEqual(
				errorItem(
					'Phone Number +255712345678 belongs to 2 contacts (c-asha, c-twin), so Upsert cannot tell which to update. Merge or delete the duplicates in Mifumo, or use Update with a Contact ID.',
					'DUPLICATE_CONTACTS',
				),
			);
			expect(result.items.slice(1).map((item) => [item.json.action, item.pairedItem])).toEqual(
				Array.from({ length: 20 }, (_, k) => ['created', { item: k + 1 }]),
			);
			const requests = await sb.requests();
			expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET ${API}/contacts/`, ...Array(20).fill(`POST ${API}/contacts/create/`)]);
			expect(await storedContact('c-asha')).toEqual(asha);
		});
	});

	it('an invalid phone number fails before the search', async () => {
		const result = await sb.run(upsert('not a number'), { continueOnFail: true });
		expect(await sb.requests()).toEqual([]);
		expect(result.items[0].json.errorCode).toBe('INVALID_PHONE');
	});
});
