/**
 * Send to Segment: one text to every active contact of a segment, with `{{name}}`,
 * `{{phone_number}}` and `{{email}}` filled per contact. Each distinct text goes out once, to
 * all its contacts, in requests of up to Recipients Per Request numbers.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { describeEntry, toE164 } from '../../helpers/phone';
import { inputError, requireId, requireText } from '../../helpers/validation';
import type { MifumoClient } from '../../transport';
import { paginate } from '../../transport/paginate';
import { CONTACT_PAGE_SIZE, contactIdOf } from '../contact/contactFields';
import { segmentIdProperty } from '../segment/segmentFields';
import type { ItemSlot } from '../types';
import { readSendSettings, sendAdditionalFields, sendOptions, senderIdProperty, type SendSettings } from './sendFields';
import { SendOnceClaim, outputNotes, settledIfThrows } from './sendOnce';
import { addCostHint, planSend, runSendPlan, type SendPlan } from './sendPlan';

/** `{{name}}`, `{{ email }}`: the contact fields a text may name. */
const PLACEHOLDER = /\{\{\s*(name|phone_number|email)\s*\}\}/g;

const properties: INodeProperties[] = [
	{ ...segmentIdProperty, description: 'The segment whose active contacts receive the SMS (segment_id from Segment → Get Many)' },
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		typeOptions: { rows: 4 },
		required: true,
		default: '',
		placeholder: 'Habari {{name}}! Ofa maalum leo.',
		description:
			'Text of the SMS. {{name}}, {{phone_number}} and {{email}} are filled from each contact. Type them with the field in Fixed mode: in an expression n8n would read them as its own {{ }}.',
	},
	senderIdProperty,
	sendAdditionalFields,
	sendOptions,
];

export const description = updateDisplayOptions({ show: { resource: ['sms'], operation: ['sendToSegment'] } }, properties);

export const sendsSms = true;

interface SkippedContact {
	id: string | undefined;
	reason: string;
}

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	client: MifumoClient,
	slot: ItemSlot,
): Promise<IDataObject[]> {
	const node = this.getNode();
	const segmentId = requireId(node, itemIndex, this.getNodeParameter('segmentId', itemIndex), 'Segment ID');
	const message = requireText(
		node,
		itemIndex,
		this.getNodeParameter('message', itemIndex, ''),
		'Message',
		'Enter the text of the SMS.',
		'message',
	);
	const settings = readSendSettings(this, itemIndex);

	const contacts = await paginate(client, {
		path: '/contacts/',
		qs: { segment_id: segmentId },
		style: 'offset',
		maxPageSize: CONTACT_PAGE_SIZE,
	});
	const { audiences, skipped, invalid } = readAudiences(contacts, message, settings);
	if (invalid.length && !settings.skipInvalidNumbers) {
		throw inputError(
			node,
			itemIndex,
			`Segment ${segmentId} has ${invalid.length === 1 ? 'a contact with an invalid phone number' : `${invalid.length} contacts with invalid phone numbers`}: ${invalid.map((contact) => `${contact.id} (${describeEntry(contact.phone)})`).join(', ')}. Correct them, or set Options → Invalid Numbers to "Skip Them". Nothing was sent.`,
			'INVALID_PHONE',
		);
	}
	if (audiences.size === 0) {
		throw inputError(
			node,
			itemIndex,
			`Segment ${segmentId} has no contact to send to (${contacts.length} read, ${skipped.length} skipped${skipped.length ? `: ${describeSkipped(skipped)}` : ''}). Check the segment's criteria and its contacts. Nothing was sent.`,
			'MISSING_RECIPIENTS',
		);
	}

	// Every text is planned (and checked) before the first request: a bad one sends nothing.
	const sendOnce = SendOnceClaim.open(this, settings.sendOnce, settings.dryRun);
	const planned = settledIfThrows(sendOnce, () =>
		[...audiences].map(([text, audience]) => {
			const numbers = [...audience.keys()];
			return { audience, plan: planSend(node, itemIndex, text, sendOnce ? sendOnce.keep(text, numbers) : numbers, [], settings) };
		}),
	);
	if (sendOnce && planned.every(({ plan }) => plan.requests.length === 0)) {
		return [{ ...sendOnce.skippedRecord(), ...(skipped.length ? { skipped_contacts: skipped as unknown as IDataObject[] } : {}) }];
	}
	const plan: SendPlan = {
		requests: planned.flatMap(({ plan }) => plan.requests),
		skipped: [],
		smsCount: planned.reduce((sum, { plan }) => sum + plan.smsCount, 0),
		waitForDeliveryMs: settings.waitForDeliveryMs,
		// The dearest text speaks for the send in the editor's hint.
		cost: planned.map(({ plan }) => plan.cost).reduce((dearest, cost) => (cost.segments > dearest.segments ? cost : dearest)),
		sendOnce,
	};
	addCostHint(this, plan);
	const contactIds = planned.flatMap(({ audience, plan }) =>
		plan.requests.map((request) => request.body.recipients.map((number) => audience.get(number))),
	);
	let records: IDataObject[];
	try {
		records = await runSendPlan(client, plan, slot);
	} finally {
		sendOnce?.settle();
	}
	return records.map((record, index) => ({
		...record,
		contacts: contactIds[index],
		...(index === 0 && skipped.length ? { skipped_contacts: skipped as unknown as IDataObject[] } : {}),
		...outputNotes(index === 0 ? sendOnce : undefined, settings),
	}));
}

/**
 * The segment's contacts by rendered text (number → contact id, in the server's order), and
 * those left out with the reason: inactive, invalid number, missing field, duplicate number.
 */
function readAudiences(
	contacts: IDataObject[],
	message: string,
	settings: SendSettings,
): { audiences: Map<string, Map<string, string | undefined>>; skipped: SkippedContact[]; invalid: Array<{ id?: string; phone: unknown }> } {
	const audiences = new Map<string, Map<string, string | undefined>>();
	const skipped: SkippedContact[] = [];
	const invalid: Array<{ id?: string; phone: unknown }> = [];
	const seen = new Set<string>();
	for (const contact of contacts) {
		const id = contactIdOf(contact);
		if (contact.is_active === false) {
			skipped.push({ id, reason: 'inactive' });
			continue;
		}
		const number = toE164(contact.phone_number, settings.country);
		if (!number) {
			skipped.push({ id, reason: 'invalid number' });
			invalid.push({ id, phone: contact.phone_number });
			continue;
		}
		const missing = missingField(message, contact);
		if (missing) {
			skipped.push({ id, reason: `missing ${missing}` });
			continue;
		}
		if (seen.has(number)) {
			skipped.push({ id, reason: 'duplicate number' });
			continue;
		}
		seen.add(number);
		const text = message.replace(PLACEHOLDER, (_, field: string) => String(contact[field]).trim());
		let audience = audiences.get(text);
		if (!audience) audiences.set(text, (audience = new Map()));
		audience.set(number, id);
	}
	return { audiences, skipped, invalid };
}

/** The first placeholder field the contact's record leaves empty. */
function missingField(message: string, contact: IDataObject): string | undefined {
	for (const [, field] of message.matchAll(PLACEHOLDER)) {
		const value = contact[field];
		if (value === undefined || value === null || String(value).trim() === '') return field;
	}
	return undefined;
}

function describeSkipped(skipped: SkippedContact[]): string {
	const counts = new Map<string, number>();
	for (const { reason } of skipped) counts.set(reason, (counts.get(reason) ?? 0) + 1);
	return [...counts].map(([reason, count]) => `${count} ${reason}`).join(', ');
}
