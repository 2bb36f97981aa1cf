/**
 * sms.sendToSegment: every page of the segment's contacts is read, inactive, invalid, duplicate
 * and incomplete contacts are left out (and listed once), and each rendered text goes out once.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { errorItem, expectRequest, useSandbox, type LoggedRequest } from '../helpers/sandbox';

const sandbox = useSandbox({ rateLimits: { smsPerMinute: null, callsPerHour: null, contactOpsPerHour: null } });

const SEGMENT = 'seg-vip';
const phoneOf = (index: number) => `+255${712_000_000 + index * 7}`;

/**
 * 120 contacts in the segment (tag vip), c0..c119, seeded oldest first so the server lists them
 * c119 first: c7, c30 and c77 are inactive, c50 has a number no country has, c5 stores c10's
 * number in another form (the server lists c10 first, so c5 is the duplicate). Names alternate
 * Asha / Juma. Three contacts outside the segment.
 */
const INACTIVE = new Set([7, 30, 77]);
function seedSpec() {
	const contacts: IDataObject[] = Array.from({ length: 120 }, (_, index) => ({
		contact_id: `c${index}`,
		name: index % 2 ? 'Juma' : 'Asha',
		phone_number: index === 50 ? '+25571234' : index === 5 ? `+2550${phoneOf(10).slice(4)}` : phoneOf(index),
		tags: ['vip'],
		is_active: !INACTIVE.has(index),
	}));
	for (let index = 0; index < 3; index++) contacts.push({ contact_id: `other${index}`, name: 'Other', phone_number: phoneOf(500 + index), tags: ['other'] });
	return { contacts, segments: [{ segment_id: SEGMENT, name: 'VIP', criteria: { tags: ['vip'] } }] };
}

/** The contacts that receive the SMS, in the server's order (newest first). */
const SENT_TO = Array.from({ length: 120 }, (_, index) => 119 - index).filter(
	(index) => !INACTIVE.has(index) && index !== 50 && index !== 5,
);
const SKIPPED = [
	{ id: 'c77', reason: 'inactive' },
	{ id: 'c50', reason: 'invalid number' },
	{ id: 'c30', reason: 'inactive' },
	{ id: 'c7', reason: 'inactive' },
	{ id: 'c5', reason: 'duplicate number' },
];

function parameters(message: string, options: IDataObject = { invalidNumbers: 'skip' }): INodeParameters {
	return { resource: 'sms', operation: 'sendToSegment', segmentId: SEGMENT, message, senderId: 'MIFUMO', options: { messagesPerMinute: 0, ...options } } as INodeParameters;
}

function expectPageReads(requests: LoggedRequest[]) {
	expect(requests).toHaveLength(3);
	requests.forEach((request, page) =>
		expectRequest(request, {
			method: 'GET',
			path: '/contacts/',
			query: { segment_id: SEGMENT, limit: '50', offset: String(page * 50) },
		}),
	);
}

const sendBody = (message: string, indexes: number[]) => ({ message, recipients: indexes.map(phoneOf), sender_id: 'MIFUMO' });

describe('sms.sendToSegment', () => {
	beforeEach(async () => {
		await sandbox.control.seed(seedSpec());
		await sandbox.control.clearRequests();
	});

	test('one text: 3 pages read, 115 contacts in requests of 100 and 15, skipped contacts listed once', async () => {
		const result = await sandbox.run(parameters('Ofa maalum kwa wateja wetu!'));

		expect(result.error).toBeUndefined();
		const requests = await sandbox.requests();
		expectPageReads(requests.slice(0, 3));
		expect(requests).toHaveLength(5);
		expectRequest(requests[3], { method: 'POST', path: '/sms/send/', body: sendBody('Ofa maalum kwa wateja wetu!', SENT_TO.slice(0, 100)) });
		expectRequest(requests[4], { method: 'POST', path: '/sms/send/', body: sendBody('Ofa maalum kwa wateja wetu!', SENT_TO.slice(100)) });

		expect(result.items).toHaveLength(2);
		expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }]);
		expect(result.items[0].json).toEqual(
			expect.objectContaining({
				recipients: SENT_TO.slice(0, 100).map(phoneOf),
				contacts: SENT_TO.slice(0, 100).map((index) => `c${index}`),
				skipped_contacts: SKIPPED,
				status: expect.any(String),
				message_id: expect.any(String),
			}),
		);
		expect(result.items[1].json.contacts).toEqual(SENT_TO.slice(100).map((index) => `c${index}`));
		expect(result.items[1].json).not.toHaveProperty('skipped_contacts');
	});

	test('{{ name }} typed in a fixed field is filled per contact: each distinct text once, to all its contacts', async () => {
		const result = await sandbox.run(parameters('Habari {{ name }}! Ofa ni yako.'));

		expect(result.error).toBeUndefined();
		const requests = await sandbox.requests();
		expectPageReads(requests.slice(0, 3));
		// c119 (Juma) is listed first, so Juma's text goes first.
		const juma = SENT_TO.filter((index) => index % 2);
		const asha = SENT_TO.filter((index) => index % 2 === 0);
		expect(requests).toHaveLength(5);
		expectRequest(requests[3], { method: 'POST', path: '/sms/send/', body: sendBody('Habari Juma! Ofa ni yako.', juma) });
		expectRequest(requests[4], { method: 'POST', path: '/sms/send/', body: sendBody('Habari Asha! Ofa ni yako.', asha) });
		expect(result.items.map((item) => item.json.contacts)).toEqual([juma.map((index) => `c${index}`), asha.map((index) => `c${index}`)]);
		expect(result.items[0].json.skipped_contacts).toEqual(SKIPPED);
	});

	test('a contact without the field a placeholder needs is skipped with that reason; {{phone_number}} is the stored number', async () => {
		await sandbox.control.reset({ deliveryDelayMs: null, rateLimits: { smsPerMinute: null, callsPerHour: null, contactOpsPerHour: null } });
		await sandbox.control.seed({
			contacts: [
				{ contact_id: 'a', name: 'Asha', phone_number: phoneOf(1), email: 'asha@example.com', tags: ['few'] },
				{ contact_id: 'b', name: 'Baraka', phone_number: phoneOf(2), tags: ['few'] },
				{ contact_id: 'c', name: 'Chausiku', phone_number: phoneOf(3), email: 'chausiku@example.com', tags: ['few'] },
			],
			segments: [{ segment_id: 'seg-few', name: 'Few', criteria: { tags: ['few'] } }],
		});
		await sandbox.control.clearRequests();
		const result = await sandbox.run({ ...parameters('Risiti yako: {{email}} ({{phone_number}})'), segmentId: 'seg-few' } as INodeParameters);

		expect(result.error).toBeUndefined();
		const requests = await sandbox.requests();
		expect(requests).toHaveLength(3);
		expectRequest(requests[0], { method: 'GET', path: '/contacts/', query: { segment_id: 'seg-few', limit: '50', offset: '0' } });
		expectRequest(requests[1], { method: 'POST', path: '/sms/send/', body: sendBody(`Risiti yako: chausiku@example.com (${phoneOf(3)})`, [3]) });
		expectRequest(requests[2], { method: 'POST', path: '/sms/send/', body: sendBody(`Risiti yako: asha@example.com (${phoneOf(1)})`, [1]) });
		expect(result.items.map((item) => [item.json.contacts, item.json.skipped_contacts])).toEqual([
			[['c'], [{ id: 'b', reason: 'missing email' }]],
			[['a'], undefined],
		]);
	});

	test('Invalid Numbers left unset skips the contact with a bad number (listed in skipped_contacts) and sends to the rest', async () => {
		const result = await sandbox.run(parameters('Ofa maalum kwa wateja wetu!', {}));

		expect(result.error).toBeUndefined();
		const requests = await sandbox.requests();
		expect(requests).toHaveLength(5);
		expectRequest(requests[3], { method: 'POST', path: '/sms/send/', body: sendBody('Ofa maalum kwa wateja wetu!', SENT_TO.slice(0, 100)) });
		expectRequest(requests[4], { method: 'POST', path: '/sms/send/', body: sendBody('Ofa maalum kwa wateja wetu!', SENT_TO.slice(100)) });
		expect(result.items[0].json.skipped_contacts).toEqual(SKIPPED);
	});

	test('Invalid Numbers → Fail the Item: the contact is named and nothing is sent', async () => {
		const result = await sandbox.run(parameters('Ofa!', { invalidNumbers: 'error' }), { continueOnFail: true });

		expect(result.items).toEqual([
			errorItem(
				`Segment ${SEGMENT} has a contact with an invalid phone number: c50 ("+25571234"). Correct them, or set Options → Invalid Numbers to "Skip Them". Nothing was sent.`,
				'INVALID_PHONE',
			),
		]);
		const requests = await sandbox.requests();
		expectPageReads(requests);
	});

	test('a segment with no contact to send to fails and says why', async () => {
		const result = await sandbox.run({ ...parameters('Ofa!'), segmentId: 'seg-empty' } as INodeParameters, { continueOnFail: true });
		expect(result.items[0].json.errorCode).toBe('SEGMENT_NOT_FOUND');

		await sandbox.control.seed({ segments: [{ segment_id: 'seg-none', name: 'None', criteria: { tags: ['nobody'] } }] });
		const empty = await sandbox.run({ ...parameters('Ofa!'), segmentId: 'seg-none' } as INodeParameters, { continueOnFail: true });
		expect(empty.items).toEqual([
			errorItem(
				'Segment seg-none has no contact to send to (0 read, 0 skipped). Check the segment\'s criteria and its contacts. Nothing was sent.',
				'MISSING_RECIPIENTS',
			),
		]);
	});

	test('Dry Run: the contacts are read, nothing is sent, and each request that would go out is priced', async () => {
		const text = 'Habari {{ name }}, ng’ombe wako yuko tayari.';
		const result = await sandbox.run(parameters(text, { invalidNumbers: 'skip', dryRun: true }));

		expect(result.error).toBeUndefined();
		const requests = await sandbox.requests();
		expectPageReads(requests);
		const juma = SENT_TO.filter((index) => index % 2);
		expect(result.items.map((item) => item.json)).toEqual([
			{
				dry_run: true,
				message: 'Habari Juma, ng’ombe wako yuko tayari.',
				recipients: juma.map(phoneOf),
				sender_id: 'MIFUMO',
				encoding: 'UCS-2',
				segments: 1,
				total_segments: juma.length,
				contacts: juma.map((index) => `c${index}`),
				skipped_contacts: SKIPPED,
			},
			expect.objectContaining({ dry_run: true, message: 'Habari Asha, ng’ombe wako yuko tayari.', encoding: 'UCS-2' }),
		]);
		expect(await sandbox.control.messages()).toEqual([]);
	});
});

describe('sms.sendToSegment: per-contact texts, limits and what a dry run says', () => {
	/** Contacts a..e in segment seg-few, listed by the server newest first (e, d, c, b, a). */
	async function seedFew(names: string[]) {
		await sandbox.control.seed({
			contacts: names.map((name, index) => ({ contact_id: String.fromCharCode(97 + index), name, phone_number: phoneOf(index + 1), tags: ['few'] })),
			segments: [{ segment_id: 'seg-few', name: 'Few', criteria: { tags: ['few'] } }],
		});
		await sandbox.control.clearRequests();
	}
	const few = (message: string, options: IDataObject = {}) => ({ ...parameters(message, options), segmentId: 'seg-few' }) as INodeParameters;

	test('Max Recipients counts every number across the rendered texts: 15 contacts, {{name}}, limit 5 → nothing sent', async () => {
		await seedFew(Array.from({ length: 15 }, (_, index) => `Mteja${index}`));
		const result = await sandbox.run(few('Habari {{name}}', { maxRecipients: 5 }), { continueOnFail: true });

		expect(result.items).toEqual([
			errorItem(
				'Recipients has 15 numbers (after removing duplicates); Options → Max Recipients allows at most 5. Send to fewer numbers, or raise Max Recipients (0: no limit). Nothing was sent.',
				'TOO_MANY_RECIPIENTS',
			),
		]);
		expect(await sandbox.control.messages()).toEqual([]);
	});

	test("as an AI agent's tool, the limit of 10 holds for a personalised text too", async () => {
		await seedFew(Array.from({ length: 15 }, (_, index) => `Mteja${index}`));
		const result = await sandbox.run(few('Habari {{name}}'), { asTool: true });

		expect(result.error?.errorCode).toBe('TOO_MANY_RECIPIENTS');
		expect(result.items[0].json.error).toContain("Recipients has 15 numbers (after removing duplicates); as an AI agent's tool, this node sends to at most 10");
		expect(await sandbox.control.messages()).toEqual([]);
	});

	test('a contact whose rendered text is too long is skipped by id with the reason; the rest are sent', async () => {
		const longName = `Bibi ${'Mwanaisha '.repeat(16)}Abdallah`;
		await seedFew(['Asha', longName, 'Juma']);
		const result = await sandbox.run(few('Habari {{name}}'));

		expect(result.error).toBeUndefined();
		const requests = (await sandbox.requests()).filter((request) => request.method === 'POST');
		expect(requests.map((request) => request.body)).toEqual([sendBody('Habari Juma', [3]), sendBody('Habari Asha', [1])]);
		const rendered = `Habari ${longName}`;
		expect(result.items.map((item) => item.json.contacts)).toEqual([['c'], ['a']]);
		expect(result.items[0].json.skipped_contacts).toEqual([
			{
				id: 'b',
				reason: 'message too long',
				details: `Message is ${rendered.length} characters long; one SMS holds at most 160. Shorten it, or set Options → Long Messages to "Split Into Several SMS".`,
			},
		]);
	});

	test('over Max Segments for one contact only: that contact is skipped, the others go out', async () => {
		await seedFew(['Asha', 'Zuhura 😀']);
		const result = await sandbox.run(few('Habari {{name}}, karibu tena dukani kwetu leo kwa ofa maalum ya wiki hii: punguzo la asilimia ishirini.', { maxSegments: 1, longMessages: 'split' }));

		expect(result.error).toBeUndefined();
		const posts = (await sandbox.requests()).filter((request) => request.method === 'POST');
		expect(posts).toHaveLength(1);
		expect(posts[0].body).toEqual(expect.objectContaining({ recipients: [phoneOf(1)] }));
		expect(result.items[0].json.skipped_contacts).toEqual([
			expect.objectContaining({ id: 'b', reason: 'message too long', details: expect.stringContaining('Options → Max Segments allows 1') }),
		]);
	});

	test("Replace Typography: O’Brien and O'Brien render to one text and go out in one request", async () => {
		await seedFew(["O'Brien", 'O’Brien']);
		const result = await sandbox.run(few('Habari {{name}}', { replaceTypography: true }));

		expect(result.error).toBeUndefined();
		const posts = (await sandbox.requests()).filter((request) => request.method === 'POST');
		expect(posts.map((request) => request.body)).toEqual([sendBody("Habari O'Brien", [2, 1])]);
		expect(result.items).toHaveLength(1);
		expect(result.items[0].json.contacts).toEqual(['b', 'a']);
	});

	test('Dry Run with Wait For Delivery: nothing is sent and nothing claims it was (no delivery_status)', async () => {
		await seedFew(['Asha', 'Juma']);
		const result = await sandbox.run(few('Habari {{name}}', { dryRun: true, waitForDelivery: 5 }));

		expect(result.error).toBeUndefined();
		expect(await sandbox.control.messages()).toEqual([]);
		expect(result.items).toHaveLength(2);
		for (const item of result.items) {
			expect(item.json.dry_run).toBe(true);
			expect(item.json).not.toHaveProperty('delivery_status');
			expect(item.json).not.toHaveProperty('delivery_report');
			expect(item.json).not.toHaveProperty('delivery_error');
		}
	});
});
