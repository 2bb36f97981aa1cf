/**
 * Send to Segment: one text to every active contact of a segment, with `{{name}}`,
 * `{{phone_number}}` and `{{email}}` filled per contact. Each distinct text goes out once, to
 * all its contacts, in requests of up to Recipients Per Request numbers.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { replaceTypography } from '../../helpers/encoding';
import { describeEntry, toE164 } from '../../helpers/phone';
import { inputError, requireId, requireText } from '../../helpers/validation';
import type { MifumoClient } from '../../transport';
import { errorCodeOf } from '../../transport/errors';
import { paginate } from '../../transport/paginate';
import { CONTACT_PAGE_SIZE, contactIdOf } from '../contact/contactFields';
import { segmentIdProperty } from '../segment/segmentFields';
import type { ItemSlot } from '../types';
import { readSendSettings, sendAdditionalFields, sendOptions, senderIdProperty, type SendDefaults, type SendSettings } from './sendFields';
import { SendOnceClaim, outputNotes, settledIfThrows } from './sendOnce';
import { addCostHint, checkRecipientCount, mergePlans, planSend, runSendPlan, type SendPlan } from './sendPlan';

/** A contact record with a bad number is data the workflow does not control per send: skipped, not fatal. */
const SEGMENT_DEFAULTS: SendDefaults = { invalidNumbers: 'skip' };

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
	{
		...sendOptions,
		options: (sendOptions.options as INodeProperties[]).map((option) =>
			option.name === 'invalidNumbers' ? { ...option, default: SEGMENT_DEFAULTS.invalidNumbers } : option,
		),
	},
];

export const description = updateDisplayOptions({ show: { resource: ['sms'], operation: ['sendToSegment'] } }, properties);

export const sendsSms = true;

interface SkippedContact {
	id: string | undefined;
	reason: string;
	/** Why a rendered text could not go out, as the error of a Send would say it. */
	details?: string;
}

/** One rendered text (as the first contact's record filled it) and its contacts: number → contact id. */
interface Audience {
	text: string;
	contacts: Map<string, string | undefined>;
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
	const settings = readSendSettings(this, itemIndex, SEGMENT_DEFAULTS);

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

	// Every text is planned (and checked) before the first request. A text that a contact's record
	// made too long skips that text's contacts; the user's own text, unfilled, fails the item.
	const personalised = message.search(PLACEHOLDER) !== -1;
	const sendOnce = SendOnceClaim.open(this, settings.sendOnce, settings.dryRun);
	const planned = settledIfThrows(sendOnce, () => {
		const plans: Array<{ audience: Audience; numbers: string[]; plan: SendPlan }> = [];
		const planText = (audience: Audience) => {
			const all = [...audience.contacts.keys()];
			const numbers = sendOnce ? sendOnce.keep(audience.text, all) : all;
			// Max Recipients counts the item's numbers across all its texts, below.
			plans.push({ audience, numbers, plan: planSend(node, itemIndex, audience.text, numbers, [], { ...settings, maxRecipients: 0 }) });
		};
		for (const audience of audiences.values()) {
			if (!personalised) {
				planText(audience);
				continue;
			}
			try {
				planText(audience);
			} catch (error) {
				// Only a per-text rule fails a filled-in text (its length, its parts).
				const details = (error as Error).message;
				const reason = errorCodeOf(error) === 'MESSAGE_TOO_LONG' ? 'message too long' : 'invalid text';
				for (const id of audience.contacts.values()) skipped.push({ id, reason, details });
			}
		}
		if (plans.length === 0) {
			throw inputError(
				node,
				itemIndex,
				`Segment ${segmentId} has no contact to send to (${contacts.length} read, ${skipped.length} skipped${skipped.length ? `: ${describeSkipped(skipped)}` : ''}). Check the segment's criteria and its contacts. Nothing was sent.`,
				'MISSING_RECIPIENTS',
			);
		}
		checkRecipientCount(node, itemIndex, plans.reduce((sum, { numbers }) => sum + numbers.length, 0), settings);
		return plans;
	});
	if (sendOnce && planned.every(({ plan }) => plan.requests.length === 0)) {
		sendOnce.settleLocal();
		return [{ ...sendOnce.skippedRecord(), ...(skipped.length ? { skipped_contacts: skipped as unknown as IDataObject[] } : {}) }];
	}
	const plan = mergePlans(planned.map(({ plan }) => plan));
	plan.sendOnce = sendOnce;
	addCostHint(this, plan);
	let records: IDataObject[];
	try {
		records = await runSendPlan(client, plan, slot);
	} finally {
		await sendOnce?.settle();
	}
	// After the run: in queue mode a request may have lost numbers another worker had sent, or gone.
	const contactIds = planned.flatMap(({ audience, plan }) =>
		plan.requests.filter((request) => request.body.recipients.length).map((request) => request.body.recipients.map((number) => audience.contacts.get(number))),
	);
	return records.map((record, index) => ({
		...record,
		// Queue mode: no contacts when every number had been sent by another worker (the item's one record says skipped).
		...(contactIds[index] ? { contacts: contactIds[index] } : {}),
		...(index === 0 && skipped.length ? { skipped_contacts: skipped as unknown as IDataObject[] } : {}),
		...outputNotes(index === 0 ? sendOnce : undefined, settings),
	}));
}

/**
 * The segment's contacts by the text they receive (after Replace Typography, so that O’Brien and
 * O'Brien share one request), in the server's order, and those left out with the reason:
 * inactive, invalid number, missing field, duplicate number.
 */
function readAudiences(
	contacts: IDataObject[],
	message: string,
	settings: SendSettings,
): { audiences: Map<string, Audience>; skipped: SkippedContact[]; invalid: Array<{ id?: string; phone: unknown }> } {
	const audiences = new Map<string, Audience>();
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
		const sent = settings.replaceTypography ? replaceTypography(text) : text;
		let audience = audiences.get(sent);
		if (!audience) audiences.set(sent, (audience = { text, contacts: new Map() }));
		audience.contacts.set(number, id);
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
