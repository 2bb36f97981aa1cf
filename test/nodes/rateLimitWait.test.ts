/**
 * A CRM sync (contact.create over many items) against the contact-operations limit, scaled in
 * time (10 per 2 s instead of 500 an hour): the node waits the limit out while Max Rate Limit
 * Wait allows, and otherwise stops saying how many items were done.
 */
import type { INodeParameters } from 'n8n-workflow';

import { useSandbox } from '../helpers/sandbox';

const OPS_PER_WINDOW = 10;
const WINDOW_MS = 2000;

const sandbox = useSandbox({
	rateLimits: { smsPerMinute: null, callsPerHour: null, contactOpsPerHour: OPS_PER_WINDOW },
	rateWindowMs: { contactOpsPerHour: WINDOW_MS },
});

const phoneOf = (index: number) => `+255${712_000_000 + index * 7}`;
const items = Array.from({ length: 25 }, (_, index) => ({ name: `Mteja ${index}`, phone: phoneOf(index) }));

function createEach(maxRateLimitWait: number): INodeParameters {
	return {
		resource: 'contact',
		operation: 'create',
		name: '={{ $json.name }}',
		phoneNumber: '={{ $json.phone }}',
		options: { maxRateLimitWait },
	} as INodeParameters;
}

const CREATE_PATH = '/api/integration/v1/contacts/create/';

describe('contact operations wait out the rate limit', () => {
	test('Max Rate Limit Wait 10 s: every 429 is waited out, 25 contacts created once each, in order', async () => {
		const result = await sandbox.run(createEach(10), { items });

		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => [item.json.phone_number, item.pairedItem])).toEqual(
			items.map((item, index) => [item.phone, { item: index }]),
		);
		const creates = (await sandbox.requests()).filter((request) => request.path === CREATE_PATH);
		expect(creates.filter((request) => request.status === 429).length).toBeGreaterThanOrEqual(2);
		expect(creates.filter((request) => request.status === 201)).toHaveLength(25);
		const contacts = await sandbox.control.contacts();
		expect(contacts.map((contact) => contact.phone_number).sort()).toEqual(items.map((item) => item.phone).sort());
	}, 30_000);

	test('Max Rate Limit Wait 1 s, shorter than the wait asked for: the run stops with RATE_LIMIT_EXCEEDED and says how far it got', async () => {
		const result = await sandbox.run(createEach(1), { items });

		expect(result.error?.message).toBe(
			`RATE_LIMIT_EXCEEDED: Mifumo asked to wait 2 s (Retry-After) before its rate limit lets this request through, longer than Options → Max Rate Limit Wait (1 s) allows. This request was not processed; nothing was sent. Mifumo allows 1,000 API calls an hour and 500 contact operations an hour by default. To wait it out, raise Options → Max Rate Limit Wait to at least 2 s; or spread the work over more time. 10 of 25 items were done before the run stopped.`,
		);
		const creates = (await sandbox.requests()).filter((request) => request.path === CREATE_PATH);
		expect(creates.map((request) => request.status)).toEqual([...Array(10).fill(201), 429]);
		expect(await sandbox.control.contacts()).toHaveLength(10);
	});
});
