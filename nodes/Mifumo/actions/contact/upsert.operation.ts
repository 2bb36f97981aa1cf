import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { toE164 } from '../../helpers/phone';
import { inputError, readCountry } from '../../helpers/validation';
import { encodeId, type MifumoClient } from '../../transport';
import { contactIdOf, contactProperties, readContactBody, searchContacts } from './contactFields';

export const description = updateDisplayOptions({ show: { resource: ['contact'], operation: ['upsert'] } }, contactProperties);

/**
 * CRM sync: find the contact by its normalized phone number; update it when exactly one matches,
 * create it when none does, and fail the item when several do (which one to change is the user's call).
 * The output says which it did in `action` ("created" or "updated").
 */
export async function execute(this: IExecuteFunctions, itemIndex: number, client: MifumoClient): Promise<IDataObject[]> {
	const body = readContactBody(this, itemIndex);
	const phone = body.phone_number as string;
	const country = readCountry(this.getNode(), itemIndex, (this.getNodeParameter('options', itemIndex, {}) as IDataObject).defaultCountry);
	// Search matches text; only records whose number normalizes to the same E.164 are the same person.
	const matches = (await searchContacts(client, phone, {})).filter(
		(record) => toE164(String(record.phone_number ?? record.phone ?? ''), country) === phone,
	);

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
		const contactId = contactIdOf(matches[0]);
		if (!contactId) {
			throw inputError(this.getNode(), itemIndex, `Mifumo returned the contact for ${phone} without an id, so it cannot be updated.`, 'INVALID_RESPONSE');
		}
		const updated = await client.request<IDataObject>({
			method: 'PUT',
			path: `/contacts/${encodeId(contactId)}/update/`,
			body,
		});
		return [{ ...updated, action: 'updated' }];
	}
	const created = await client.request<IDataObject>({ method: 'POST', path: '/contacts/create/', body });
	return [{ ...created, action: 'created' }];
}
