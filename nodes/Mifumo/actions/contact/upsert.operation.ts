import type { IDataObject, IExecuteFunctions, INode } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import type { CountryCode } from 'libphonenumber-js/min';

import { toE164 } from '../../helpers/phone';
import { inputError, readCountry } from '../../helpers/validation';
import { encodeId, type MifumoClient } from '../../transport';
import { errorCodeOf, MifumoApiError } from '../../transport/errors';
import { paginate } from '../../transport/paginate';
import { CONTACT_PAGE_SIZE, contactIdOf, contactProperties, readContactBody, searchContacts } from './contactFields';
import { withRequestOptions } from '../options';

export const description = updateDisplayOptions({ show: { resource: ['contact'], operation: ['upsert'] } }, withRequestOptions(contactProperties));

/** Runs of up to this many items search per item; longer ones read the contact list once. */
const SEARCH_PER_ITEM_UP_TO = 20;

/** A record's number in E.164, read with the item's default country (a server may store 0712 345 678). */
function numberOf(record: IDataObject, country: CountryCode): string | undefined {
	return toE164(String(record.phone_number ?? record.phone ?? ''), country);
}

/**
 * Every contact of the account, read once for a run and kept up to date with the run's own creates
 * and updates: a later item with the same number finds what an earlier one wrote.
 */
class ContactDirectory {
	/** E.164 → records, per default country: a number without its country code reads differently per country. */
	private readonly byCountry = new Map<CountryCode, Map<string, IDataObject[]>>();

	constructor(private readonly records: IDataObject[]) {}

	matches(phone: string, country: CountryCode): IDataObject[] {
		return this.numbers(country).get(phone) ?? [];
	}

	/** What the server now holds after a create (no `previous`) or an update of `previous`. */
	remember(record: IDataObject, previous?: IDataObject): void {
		for (const [country, numbers] of this.byCountry) {
			if (previous) remove(numbers, numberOf(previous, country), previous);
			add(numbers, numberOf(record, country), record);
		}
		const at = previous ? this.records.indexOf(previous) : -1;
		if (at >= 0) this.records[at] = record;
		else this.records.push(record);
	}

	private numbers(country: CountryCode): Map<string, IDataObject[]> {
		let numbers = this.byCountry.get(country);
		if (!numbers) {
			numbers = new Map();
			for (const record of this.records) add(numbers, numberOf(record, country), record);
			this.byCountry.set(country, numbers);
		}
		return numbers;
	}
}

function add(numbers: Map<string, IDataObject[]>, phone: string | undefined, record: IDataObject): void {
	if (phone === undefined) return;
	const list = numbers.get(phone);
	if (list) list.push(record);
	else numbers.set(phone, [record]);
}

function remove(numbers: Map<string, IDataObject[]>, phone: string | undefined, record: IDataObject): void {
	const list = phone === undefined ? undefined : numbers.get(phone);
	if (list?.includes(record)) list.splice(list.indexOf(record), 1);
}

/**
 * One directory per execution: every item of an execution runs with the same n8n context, so the
 * context is the key, and the entry goes with it.
 */
const directories = new WeakMap<IExecuteFunctions, Promise<ContactDirectory>>();

function directoryFor(execution: IExecuteFunctions, client: MifumoClient): Promise<ContactDirectory> {
	const cached = directories.get(execution);
	if (cached) return cached;
	const directory = paginate(client, { path: '/contacts/', style: 'offset', maxPageSize: CONTACT_PAGE_SIZE }).then(
		(records) => new ContactDirectory(records),
	);
	// A failed read is kept too: every item meets that one failure instead of reading (and retrying) again.
	directories.set(execution, directory);
	return directory;
}

/** The run's contact list, or, when its one read failed, an error for this item that names that read. */
async function readDirectory(execution: IExecuteFunctions, client: MifumoClient): Promise<ContactDirectory> {
	try {
		return await directoryFor(execution, client);
	} catch (error) {
		throw listReadFailure(execution.getNode(), error as Error & { httpCode?: string | null });
	}
}

/** One error per item (each gets its own item index), all saying the same. */
function listReadFailure(node: INode, failure: Error & { httpCode?: string | null }): MifumoApiError {
	return new MifumoApiError(node, {
		errorCode: errorCodeOf(failure),
		httpStatus: Number(failure.httpCode) || undefined,
		message: `Upsert could not read the contact list (GET /contacts/), which it reads once for a run of more than ${SEARCH_PER_ITEM_UP_TO} items, so no contact of this run was created or updated. ${failure.message}`,
	});
}

/**
 * Whether the record already holds every value the item gives, as it would be sent: tags compared
 * as a set; a number stored in another format than E.164 is sent again (in E.164).
 */
function holdsEvery(record: IDataObject, body: IDataObject): boolean {
	return Object.entries(body).every(([field, value]) => {
		const held = field === 'phone_number' ? (record.phone_number ?? record.phone) : record[field];
		if (field === 'tags') return Array.isArray(held) && sameSet(held, value as string[]);
		return held === value;
	});
}

function sameSet(held: unknown[], given: string[]): boolean {
	const heldSet = new Set(held);
	const givenSet = new Set(given);
	return heldSet.size === givenSet.size && [...givenSet].every((tag) => heldSet.has(tag));
}

/**
 * CRM sync: find the contact by its normalized phone number; leave it alone when it already holds
 * every given value, update it when exactly one matches, create it when none does, and fail the
 * item when several do (which one to change is the user's call).
 * The output says which it did in `action` ("unchanged", "updated" or "created").
 */
export async function execute(this: IExecuteFunctions, itemIndex: number, client: MifumoClient): Promise<IDataObject[]> {
	const body = readContactBody(this, itemIndex);
	const phone = body.phone_number as string;
	const country = readCountry(this.getNode(), itemIndex, (this.getNodeParameter('options', itemIndex, {}) as IDataObject).defaultCountry);
	const directory = this.getInputData().length > SEARCH_PER_ITEM_UP_TO ? await readDirectory(this, client) : undefined;
	const matches = directory
		? directory.matches(phone, country)
		: // Search matches text; only records whose number normalizes to the same E.164 are the same person.
			(await searchContacts(client, phone, {})).filter((record) => numberOf(record, country) === phone);

	if (matches.length > 1) {
		const ids = matches.map(contactIdOf).join(', ');
		throw inputError(
			this.getNode(),
			itemIndex,
			`Phone Number ${phone} belongs to ${matches.length} contacts (${ids}), so Upsert cannot tell which to update. Merge or delete the duplicates in Mifumo, or use Update with a Contact ID.`,
			'DUPLICATE_CONTACTS',
		);
	}
	if (matches.length === 1) {
		const found = matches[0];
		if (holdsEvery(found, body)) return [{ ...found, action: 'unchanged' }];
		const contactId = contactIdOf(found);
		if (!contactId) {
			throw inputError(this.getNode(), itemIndex, `Mifumo returned the contact for ${phone} without an id, so it cannot be updated.`, 'INVALID_RESPONSE');
		}
		const updated = await client.put(`/contacts/${encodeId(contactId)}/update/`, body);
		// Also what was sent: an answer without the record must not leave the old values in the directory.
		directory?.remember({ ...found, ...body, ...updated }, found);
		return [{ ...updated, action: 'updated' }];
	}
	const created = await client.create('/contacts/create/', body);
	directory?.remember({ ...body, ...created });
	return [{ ...created, action: 'created' }];
}
