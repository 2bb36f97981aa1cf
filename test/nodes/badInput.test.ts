/**
 * Bad input is refused before any request ("Errors raised before any request").
 *
 * Each row runs the node through n8n's real engine (expressions `={{ ... }}` are evaluated by it)
 * with Continue On Fail on and off, and checks the whole error message, its errorCode, that it
 * names the item (n8n's itemIndex) and the field, and that no request reached the sandbox.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { useSandbox } from '../helpers/sandbox';

const sandbox = useSandbox();

const PHONE_HELP = 'Use numbers such as 0712 345 678, 255712345678 or +255712345678';
const SKIP_HELP = 'or set Options → Invalid Numbers to "Skip Them"';
const MESSAGE_HELP = 'Enter the text of the SMS.';
const DATE_HELP = 'Pick a date, or use ISO 8601 such as 2025-01-31T09:00:00Z.';
const LIMIT_HELP = 'Or turn on Return All.';
const TAGS_HELP = 'Example: customer, vip';
const COUNTRY_HELP = 'Use TZ for Tanzania, KE for Kenya, UG for Uganda.';
const CONTACT_PHONE_HELP = 'Use a number such as 0712 345 678, 255712345678 or +255712345678.';

function send(extra: IDataObject = {}): INodeParameters {
	return {
		resource: 'sms',
		operation: 'send',
		message: 'Habari! Your order is on its way.',
		recipients: '0712 345 678',
		senderId: 'MIFUMO',
		...extra,
	} as INodeParameters;
}
const op = (resource: string, operation: string, extra: IDataObject = {}): INodeParameters =>
	({ resource, operation, ...extra }) as INodeParameters;
const createContact = (extra: IDataObject = {}) => op('contact', 'create', { name: 'Asha', phoneNumber: '0712345678', ...extra });
const createSegment = (extra: IDataObject = {}) => op('segment', 'create', { name: 'VIP', ...extra });

interface Row {
	name: string;
	parameters: INodeParameters;
	message: string | RegExp;
	errorCode: string;
	/** The field the message names. */
	field: string;
}

const rows: Row[] = [
	// ------------------------------------------------------------------ sms.send: recipients
	{
		name: 'send: a local number too short (0712)',
		parameters: send({ recipients: '0712' }),
		message: `Recipients has an invalid phone number: "0712". ${PHONE_HELP}, ${SKIP_HELP}. Nothing was sent.`,
		errorCode: 'INVALID_PHONE',
		field: 'Recipients',
	},
	{
		name: 'send: letters in a number',
		parameters: send({ recipients: '07I2 345 678' }),
		message: `Recipients has an invalid phone number: "07I2 345 678". ${PHONE_HELP}, ${SKIP_HELP}. Nothing was sent.`,
		errorCode: 'INVALID_PHONE',
		field: 'Recipients',
	},
	{
		name: 'send: a word among valid numbers (one invalid fails the whole item)',
		parameters: send({ recipients: '0712345678, hello; 0713000111' }),
		message: `Recipients has an invalid phone number: "hello". ${PHONE_HELP}, ${SKIP_HELP}. Nothing was sent.`,
		errorCode: 'INVALID_PHONE',
		field: 'Recipients',
	},
	{
		name: 'send: two invalid numbers are both named',
		parameters: send({ recipients: '0712, +255712345678\n12345' }),
		message: `Recipients has 2 invalid phone numbers: "0712", "12345". ${PHONE_HELP}, ${SKIP_HELP}. Nothing was sent.`,
		errorCode: 'INVALID_PHONE',
		field: 'Recipients',
	},
	{
		name: 'send: null entry in a list from an expression',
		parameters: send({ recipients: '={{ ["0712345678", null] }}' }),
		message: `Recipients has an invalid phone number: null. ${PHONE_HELP}, ${SKIP_HELP}. Nothing was sent.`,
		errorCode: 'INVALID_PHONE',
		field: 'Recipients',
	},
	{
		name: 'send: number entry in a list from an expression',
		parameters: send({ recipients: '={{ ["0712345678", 712345679] }}' }),
		message: `Recipients has an invalid phone number: 712345679. ${PHONE_HELP}, ${SKIP_HELP}. Nothing was sent.`,
		errorCode: 'INVALID_PHONE',
		field: 'Recipients',
	},
	{
		name: 'send: object entry in a list from an expression',
		parameters: send({ recipients: '={{ ["0712345678", { phone: "0712345679" }] }}' }),
		message: `Recipients has an invalid phone number: {"phone":"0712345679"}. ${PHONE_HELP}, ${SKIP_HELP}. Nothing was sent.`,
		errorCode: 'INVALID_PHONE',
		field: 'Recipients',
	},
	{
		name: 'send: an expression returning a number instead of text or a list',
		parameters: send({ recipients: '={{ 255712345678 }}' }),
		message: `Recipients has an invalid phone number: 255712345678. ${PHONE_HELP}, ${SKIP_HELP}. Nothing was sent.`,
		errorCode: 'INVALID_PHONE',
		field: 'Recipients',
	},
	{
		name: 'send: empty recipients (mapped from an earlier node)',
		parameters: send({ recipients: '={{ "" }}' }),
		message: 'Recipients is empty: its expression {{ "" }} gave no phone number. Enter at least one phone number, e.g. 0712 345 678.',
		errorCode: 'MISSING_RECIPIENTS',
		field: 'Recipients',
	},
	{
		name: 'send: only separators',
		parameters: send({ recipients: ' , ;\n ' }),
		message: 'Recipients is empty. Enter at least one phone number, e.g. 0712 345 678.',
		errorCode: 'MISSING_RECIPIENTS',
		field: 'Recipients',
	},
	{
		name: 'send: an expression returning an empty list',
		parameters: send({ recipients: '={{ [] }}' }),
		message: 'Recipients is empty: its expression {{ [] }} gave no phone number. Enter at least one phone number, e.g. 0712 345 678.',
		errorCode: 'MISSING_RECIPIENTS',
		field: 'Recipients',
	},
	{
		name: 'send: recipients from an expression that gives nothing names the expression and its field',
		parameters: send({ recipients: '={{ $json.customer.phone }}' }),
		message:
			"Recipients is empty: its expression {{ $json.customer.phone }} gave no phone number (this item's customer.phone is empty or missing). Enter at least one phone number, e.g. 0712 345 678.",
		errorCode: 'MISSING_RECIPIENTS',
		field: 'Recipients',
	},
	{
		name: 'send: all invalid with Invalid Numbers = skip (nothing left to send)',
		parameters: send({ recipients: '0712, abc', options: { invalidNumbers: 'skip' } }),
		message: `Recipients has 2 invalid phone numbers: "0712", "abc". ${PHONE_HELP}. Nothing was sent.`,
		errorCode: 'INVALID_PHONE',
		field: 'Recipients',
	},
	{
		name: 'send: Default Country XX',
		parameters: send({ options: { defaultCountry: 'XX' } }),
		message: `Default Country "XX" is not a known country code. ${COUNTRY_HELP}`,
		errorCode: 'INVALID_PARAMETER',
		field: 'Default Country',
	},

	// ------------------------------------------------------------------ sms.send: message
	{
		name: 'send: empty message',
		parameters: send({ message: '={{ "" }}' }),
		message: `Message is empty. ${MESSAGE_HELP}`,
		errorCode: 'INVALID_PARAMETER',
		field: 'Message',
	},
	{
		name: 'send: whitespace-only message',
		parameters: send({ message: '  \n\t ' }),
		message: `Message is empty. ${MESSAGE_HELP}`,
		errorCode: 'INVALID_PARAMETER',
		field: 'Message',
	},
	{
		name: 'send: 161-character message',
		parameters: send({ message: 'a'.repeat(161) }),
		message:
			'Message is 161 characters long; one SMS holds at most 160. Shorten it, or set Options → Long Messages to "Split Into Several SMS".',
		errorCode: 'MESSAGE_TOO_LONG',
		field: 'Message',
	},
	{
		name: 'send: 161 characters counted as characters (emoji), not UTF-16 units',
		parameters: send({ message: '🙂'.repeat(161) }),
		message:
			'Message is 161 characters long; one SMS holds at most 160. Shorten it, or set Options → Long Messages to "Split Into Several SMS".',
		errorCode: 'MESSAGE_TOO_LONG',
		field: 'Message',
	},
	{
		name: 'send: message from an expression that gives nothing names the expression and its field',
		parameters: send({ message: '={{ $json.body.message }}' }),
		message: `Message is empty: its expression {{ $json.body.message }} gave nothing (this item has no body.message). ${MESSAGE_HELP}`,
		errorCode: 'INVALID_PARAMETER',
		field: 'Message',
	},
	{
		name: 'send: message from an expression returning an object',
		parameters: send({ message: '={{ { text: "hi" } }}' }),
		message: `Message must be text, not an object. ${MESSAGE_HELP}`,
		errorCode: 'INVALID_PARAMETER',
		field: 'Message',
	},
	{
		name: 'send: message from an expression returning a list',
		parameters: send({ message: '={{ ["hi", "there"] }}' }),
		message: `Message must be text, not a list. ${MESSAGE_HELP}`,
		errorCode: 'INVALID_PARAMETER',
		field: 'Message',
	},
	{
		name: 'send: message from an expression returning a boolean',
		parameters: send({ message: '={{ true }}' }),
		message: `Message must be text, not boolean true. ${MESSAGE_HELP}`,
		errorCode: 'INVALID_PARAMETER',
		field: 'Message',
	},

	// ------------------------------------------------------------------ sms.send: sender, schedule, webhook, options
	{
		name: 'send: a 15-character Sender ID',
		parameters: send({ senderId: 'MIFUMOSMSALERTS' }),
		message:
			'Sender ID "MIFUMOSMSALERTS" is 15 characters long; a sender ID has 3 to 11 characters. Use an approved sender ID such as MIFUMO. Nothing was sent.',
		errorCode: 'INVALID_SENDER_ID',
		field: 'Sender ID',
	},
	{
		name: 'send: a 2-character Sender ID (from an expression, trimmed)',
		parameters: send({ senderId: '={{ " AB " }}' }),
		message: 'Sender ID "AB" is 2 characters long; a sender ID has 3 to 11 characters. Use an approved sender ID such as MIFUMO. Nothing was sent.',
		errorCode: 'INVALID_SENDER_ID',
		field: 'Sender ID',
	},
	{
		// A Sender ID that is not text must not be replaced by MIFUMO silently: the SMS would go out under another name.
		name: 'regression: send: Sender ID from an expression returning an object',
		parameters: send({ senderId: '={{ { name: "SHOP" } }}' }),
		message: /^Sender ID .+/,
		errorCode: 'INVALID_PARAMETER',
		field: 'Sender ID',
	},
	{
		name: 'send: Schedule Time unreadable',
		parameters: send({ additionalFields: { scheduleTime: 'next tuesday-ish' } }),
		message: `Schedule Time is not a date that can be read: "next tuesday-ish". ${DATE_HELP}`,
		errorCode: 'INVALID_PARAMETER',
		field: 'Schedule Time',
	},
	{
		name: 'send: Schedule Time from an expression returning an object',
		parameters: send({ additionalFields: { scheduleTime: '={{ { when: "soon" } }}' } }),
		message: `Schedule Time is not a date that can be read: {"when":"soon"}. ${DATE_HELP}`,
		errorCode: 'INVALID_PARAMETER',
		field: 'Schedule Time',
	},
	{
		name: 'send: Schedule Time years in the past',
		parameters: send({ additionalFields: { scheduleTime: '2020-01-01T00:00:00Z' } }),
		message: 'Schedule Time 2020-01-01T00:00:00Z is in the past. Pick a future time, or remove Schedule Time to send now.',
		errorCode: 'INVALID_PARAMETER',
		field: 'Schedule Time',
	},
	{
		name: 'send: Schedule Time 5 minutes ago (a Luxon DateTime from $now)',
		parameters: send({ additionalFields: { scheduleTime: '={{ $now.minus({ minutes: 5 }) }}' } }),
		message:
			/^Schedule Time \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ is in the past\. Pick a future time, or remove Schedule Time to send now\.$/,
		errorCode: 'INVALID_PARAMETER',
		field: 'Schedule Time',
	},
	{
		name: 'send: Webhook URL that is not a URL',
		parameters: send({ additionalFields: { webhookUrl: 'my webhook' } }),
		message: 'Webhook URL "my webhook" is not an http(s) URL. Paste the Production URL of a Mifumo SMS Trigger.',
		errorCode: 'INVALID_PARAMETER',
		field: 'Webhook URL',
	},
	{
		name: 'send: Webhook URL with another scheme',
		parameters: send({ additionalFields: { webhookUrl: 'ftp://example.com/hook' } }),
		message: 'Webhook URL "ftp://example.com/hook" is not an http(s) URL. Paste the Production URL of a Mifumo SMS Trigger.',
		errorCode: 'INVALID_PARAMETER',
		field: 'Webhook URL',
	},
	{
		name: 'send: Options → Timeout 0',
		parameters: send({ options: { timeout: 0 } }),
		message: 'Options → Timeout must be a whole number of at least 1, not 0.',
		errorCode: 'INVALID_PARAMETER',
		field: 'Timeout',
	},
	{
		name: 'send: Options → Timeout "abc"',
		parameters: send({ options: { timeout: 'abc' } }),
		message: 'Options → Timeout must be a whole number of at least 1, not "abc".',
		errorCode: 'INVALID_PARAMETER',
		field: 'Timeout',
	},
	{
		name: 'send: Options → Recipients Per Request 0',
		parameters: send({ options: { recipientsPerRequest: 0 } }),
		message: 'Options → Recipients Per Request must be a whole number of at least 1, not 0.',
		errorCode: 'INVALID_PARAMETER',
		field: 'Recipients Per Request',
	},
	{
		name: 'send: Options → Max Segments -1',
		parameters: send({ options: { maxSegments: -1 } }),
		message: 'Options → Max Segments must be a whole number of at least 0, not -1. Use 0 for no limit.',
		errorCode: 'INVALID_PARAMETER',
		field: 'Max Segments',
	},
	{
		name: 'send: Options → Max Segments from an expression returning text',
		parameters: send({ options: { maxSegments: '={{ "three" }}' } }),
		message: 'Options → Max Segments must be a whole number of at least 0, not "three". Use 0 for no limit.',
		errorCode: 'INVALID_PARAMETER',
		field: 'Max Segments',
	},
	{
		name: 'send: Options → Max Recipients -3',
		parameters: send({ options: { maxRecipients: -3 } }),
		message: 'Options → Max Recipients must be a whole number of at least 0, not -3. Use 0 for no limit.',
		errorCode: 'INVALID_PARAMETER',
		field: 'Max Recipients',
	},
	{
		name: 'send: Options → Max Recipients 2.5',
		parameters: send({ options: { maxRecipients: 2.5 } }),
		message: 'Options → Max Recipients must be a whole number of at least 0, not 2.5. Use 0 for no limit.',
		errorCode: 'INVALID_PARAMETER',
		field: 'Max Recipients',
	},
	{
		name: 'send: Options → Dry Run from an expression returning "yes"',
		parameters: send({ options: { dryRun: '={{ "yes" }}' } }),
		message: 'Options → Dry Run must be true or false, not "yes".',
		errorCode: 'INVALID_PARAMETER',
		field: 'Dry Run',
	},
	{
		name: 'send: Options → Dry Run from an expression returning 1',
		parameters: send({ options: { dryRun: '={{ 1 }}' } }),
		message: 'Options → Dry Run must be true or false, not 1.',
		errorCode: 'INVALID_PARAMETER',
		field: 'Dry Run',
	},
	{
		name: 'send: Options → Replace Typography from an expression returning "on"',
		parameters: send({ options: { replaceTypography: '={{ "on" }}' } }),
		message: 'Options → Replace Typography must be true or false, not "on".',
		errorCode: 'INVALID_PARAMETER',
		field: 'Replace Typography',
	},
	{
		// The spaces Replace Typography makes are the ones the Message check already trims: nothing is left to send.
		name: 'send: a message of non-breaking and thin spaces under Replace Typography',
		parameters: send({ message: '={{ "\u00a0\u2009" }}', options: { replaceTypography: true } }),
		message: `Message is empty. ${MESSAGE_HELP}`,
		errorCode: 'INVALID_PARAMETER',
		field: 'Message',
	},
	{
		name: 'send: Options → Max Rate Limit Wait -5',
		parameters: send({ options: { maxRateLimitWait: -5 } }),
		message: 'Options → Max Rate Limit Wait must be a whole number of at least 0, not -5.',
		errorCode: 'INVALID_PARAMETER',
		field: 'Max Rate Limit Wait',
	},
	{
		// A run-wide setting, read once, is still each item's error: Continue On Fail outputs {error, errorCode}.
		name: 'regression: send: Options → Concurrency 0',
		parameters: send({ options: { concurrency: 0 } }),
		message: 'Options → Concurrency must be a whole number of at least 1, not 0.',
		errorCode: 'INVALID_PARAMETER',
		field: 'Concurrency',
	},
	{
		name: 'regression: send: Options → Messages Per Minute -1',
		parameters: send({ options: { messagesPerMinute: -1 } }),
		message: 'Options → Messages Per Minute must be a whole number of at least 0, not -1.',
		errorCode: 'INVALID_PARAMETER',
		field: 'Messages Per Minute',
	},

	// ------------------------------------------------------------------ sms.getStatus / getDeliveryReports
	{
		name: 'getStatus: empty Message ID',
		parameters: op('sms', 'getStatus', { messageId: '={{ $json.message_id ?? "" }}' }),
		message: 'Message ID is empty. Map the Message ID from an earlier node, e.g. {{ $json.message_id }}.',
		errorCode: 'INVALID_PARAMETER',
		field: 'Message ID',
	},
	{
		name: 'getStatus: whitespace Message ID',
		parameters: op('sms', 'getStatus', { messageId: '   ' }),
		message: 'Message ID is empty. Map the Message ID from an earlier node, e.g. {{ $json.message_id }}.',
		errorCode: 'INVALID_PARAMETER',
		field: 'Message ID',
	},
	{
		name: 'getStatus: Message ID from an expression returning null',
		parameters: op('sms', 'getStatus', { messageId: '={{ null }}' }),
		message: 'Message ID must be text, not null. Map the Message ID from an earlier node, e.g. {{ $json.message_id }}.',
		errorCode: 'INVALID_PARAMETER',
		field: 'Message ID',
	},
	{
		name: 'getDeliveryReports: Limit 0',
		parameters: op('sms', 'getDeliveryReports', { returnAll: false, limit: 0 }),
		message: `Limit must be a whole number of at least 1, not 0. ${LIMIT_HELP}`,
		errorCode: 'INVALID_PARAMETER',
		field: 'Limit',
	},
	{
		name: 'getDeliveryReports: Start Date unreadable',
		parameters: op('sms', 'getDeliveryReports', { filters: { startDate: 'yesterday' } }),
		message: `Start Date is not a date that can be read: "yesterday". ${DATE_HELP}`,
		errorCode: 'INVALID_PARAMETER',
		field: 'Start Date',
	},
	{
		name: 'getDeliveryReports: End Date from an expression returning a boolean',
		parameters: op('sms', 'getDeliveryReports', { filters: { endDate: '={{ false }}' } }),
		message: `End Date is not a date that can be read: false. ${DATE_HELP}`,
		errorCode: 'INVALID_PARAMETER',
		field: 'End Date',
	},
	{
		name: 'getDeliveryReports: Status filter not one of the three',
		parameters: op('sms', 'getDeliveryReports', { filters: { status: 'read' } }),
		message: 'Status filter "read" is not one of sent, delivered, failed.',
		errorCode: 'INVALID_PARAMETER',
		field: 'Status',
	},

	// ------------------------------------------------------------------ contact
	{
		name: 'contact.create: empty name',
		parameters: createContact({ name: '={{ "" }}' }),
		message: "Name is empty. Enter the contact's name.",
		errorCode: 'INVALID_PARAMETER',
		field: 'Name',
	},
	{
		name: 'contact.create: invalid phone number',
		parameters: createContact({ phoneNumber: '0712' }),
		message: `Phone Number "0712" is not a valid phone number. ${CONTACT_PHONE_HELP}`,
		errorCode: 'INVALID_PHONE',
		field: 'Phone Number',
	},
	{
		name: 'contact.create: empty phone number',
		parameters: createContact({ phoneNumber: '={{ "" }}' }),
		message: 'Phone Number is empty. Enter a number such as 0712 345 678.',
		errorCode: 'INVALID_PARAMETER',
		field: 'Phone Number',
	},
	{
		name: 'contact.create: invalid email',
		parameters: createContact({ additionalFields: { email: 'asha@' } }),
		message: 'Email "asha@" is not an email address. Example: john@example.com',
		errorCode: 'INVALID_PARAMETER',
		field: 'Email',
	},
	{
		name: 'contact.create: tags as an object',
		parameters: createContact({ additionalFields: { tags: '={{ { vip: true } }}' } }),
		message: `Tags must be a comma-separated text or a list of texts, not an object. ${TAGS_HELP}`,
		errorCode: 'INVALID_PARAMETER',
		field: 'Tags',
	},
	{
		name: 'contact.create: tags as a list with a number',
		parameters: createContact({ additionalFields: { tags: '={{ ["vip", 7] }}' } }),
		message: `Tags must be a comma-separated text or a list of texts, not a list holding 7. ${TAGS_HELP}`,
		errorCode: 'INVALID_PARAMETER',
		field: 'Tags',
	},
	{
		name: 'contact.create: Is Active "yes"',
		parameters: createContact({ additionalFields: { isActive: '={{ "yes" }}' } }),
		message: 'Is Active must be true or false, not "yes".',
		errorCode: 'INVALID_PARAMETER',
		field: 'Is Active',
	},
	{
		name: 'contact.create: Default Country XX',
		parameters: createContact({ options: { defaultCountry: 'XX' } }),
		message: `Default Country "XX" is not a known country code. ${COUNTRY_HELP}`,
		errorCode: 'INVALID_PARAMETER',
		field: 'Default Country',
	},
	{
		name: 'contact.upsert: invalid phone number (refused before the search)',
		parameters: op('contact', 'upsert', { name: 'Asha', phoneNumber: 'call me' }),
		message: `Phone Number "call me" is not a valid phone number. ${CONTACT_PHONE_HELP}`,
		errorCode: 'INVALID_PHONE',
		field: 'Phone Number',
	},
	{
		name: 'contact.get: empty Contact ID',
		parameters: op('contact', 'get', { contactId: '={{ "" }}' }),
		message: 'Contact ID is empty. Map the Contact ID from an earlier node, e.g. {{ $json.contact_id }}.',
		errorCode: 'INVALID_PARAMETER',
		field: 'Contact ID',
	},
	{
		name: 'contact.delete: Contact ID from an expression returning null',
		parameters: op('contact', 'delete', { contactId: '={{ null }}' }),
		message: 'Contact ID must be text, not null. Map the Contact ID from an earlier node, e.g. {{ $json.contact_id }}.',
		errorCode: 'INVALID_PARAMETER',
		field: 'Contact ID',
	},
	{
		name: 'contact.update: empty Contact ID',
		parameters: op('contact', 'update', { contactId: '={{ "  " }}', updateFields: { name: 'Asha' } }),
		message: 'Contact ID is empty. Map the Contact ID from an earlier node, e.g. {{ $json.contact_id }}.',
		errorCode: 'INVALID_PARAMETER',
		field: 'Contact ID',
	},
	{
		name: 'contact.update: nothing to update',
		parameters: op('contact', 'update', { contactId: 'c_1', updateFields: {} }),
		message: 'Update Fields is empty. Add at least one field to change.',
		errorCode: 'INVALID_PARAMETER',
		field: 'Update Fields',
	},
	{
		name: 'contact.update: invalid phone number',
		parameters: op('contact', 'update', { contactId: 'c_1', updateFields: { phoneNumber: '+1 555' } }),
		message: `Phone Number "+1 555" is not a valid phone number. ${CONTACT_PHONE_HELP}`,
		errorCode: 'INVALID_PHONE',
		field: 'Phone Number',
	},
	{
		// An optional field left empty is omitted (contract), so nothing is left to update.
		name: 'contact.update: only an empty name given',
		parameters: op('contact', 'update', { contactId: 'c_1', updateFields: { name: ' ' } }),
		message: 'Update Fields is empty. Add at least one field to change.',
		errorCode: 'INVALID_PARAMETER',
		field: 'Update Fields',
	},
	{
		name: 'contact.getMany: Limit -1',
		parameters: op('contact', 'getMany', { returnAll: false, limit: -1 }),
		message: `Limit must be a whole number of at least 1, not -1. ${LIMIT_HELP}`,
		errorCode: 'INVALID_PARAMETER',
		field: 'Limit',
	},
	{
		name: 'contact.search: Limit "abc"',
		parameters: op('contact', 'search', { query: 'Asha', returnAll: false, limit: 'abc' }),
		message: `Limit must be a whole number of at least 1, not "abc". ${LIMIT_HELP}`,
		errorCode: 'INVALID_PARAMETER',
		field: 'Limit',
	},

	// ------------------------------------------------------------------ segment
	{
		name: 'segment.create: empty name',
		parameters: createSegment({ name: '={{ "" }}' }),
		message: 'Name is empty. Enter a name for the segment.',
		errorCode: 'INVALID_PARAMETER',
		field: 'Name',
	},
	{
		name: 'segment.create: criteria Created After unreadable',
		parameters: createSegment({ criteria: { createdAfter: 'last spring' } }),
		message: `Created After is not a date that can be read: "last spring". ${DATE_HELP}`,
		errorCode: 'INVALID_PARAMETER',
		field: 'Created After',
	},
	{
		name: 'segment.create: criteria tags as an object',
		parameters: createSegment({ criteria: { tags: '={{ { vip: 1 } }}' } }),
		message: `Tags must be a comma-separated text or a list of texts, not an object. ${TAGS_HELP}`,
		errorCode: 'INVALID_PARAMETER',
		field: 'Tags',
	},
	{
		name: 'segment.get: empty Segment ID',
		parameters: op('segment', 'get', { segmentId: '={{ "" }}' }),
		message: 'Segment ID is empty. Map the Segment ID from an earlier node, e.g. {{ $json.segment_id }}.',
		errorCode: 'INVALID_PARAMETER',
		field: 'Segment ID',
	},
	{
		name: 'segment.update: Segment ID from an expression returning null',
		parameters: op('segment', 'update', { segmentId: '={{ null }}', updateFields: { name: 'VIP' } }),
		message: 'Segment ID must be text, not null. Map the Segment ID from an earlier node, e.g. {{ $json.segment_id }}.',
		errorCode: 'INVALID_PARAMETER',
		field: 'Segment ID',
	},
	{
		name: 'segment.update: nothing to update',
		parameters: op('segment', 'update', { segmentId: 's_1', updateFields: {} }),
		message: 'Update Fields is empty. Add at least one field to change.',
		errorCode: 'INVALID_PARAMETER',
		field: 'Update Fields',
	},
	{
		name: 'segment.update: Created After unreadable',
		parameters: op('segment', 'update', { segmentId: 's_1', updateFields: { createdAfter: '31/02/2025' } }),
		message: `Created After is not a date that can be read: "31/02/2025". ${DATE_HELP}`,
		errorCode: 'INVALID_PARAMETER',
		field: 'Created After',
	},
	{
		name: 'segment.delete: empty Segment ID',
		parameters: op('segment', 'delete', { segmentId: '={{ "" }}' }),
		message: 'Segment ID is empty. Map the Segment ID from an earlier node, e.g. {{ $json.segment_id }}.',
		errorCode: 'INVALID_PARAMETER',
		field: 'Segment ID',
	},
	{
		name: 'segment.getMany: Limit 0',
		parameters: op('segment', 'getMany', { returnAll: false, limit: 0 }),
		message: `Limit must be a whole number of at least 1, not 0. ${LIMIT_HELP}`,
		errorCode: 'INVALID_PARAMETER',
		field: 'Limit',
	},
];

function expectedMessage(row: Row): unknown {
	return typeof row.message === 'string' ? row.message : expect.stringMatching(row.message);
}

describe('bad input: refused with a whole message, a code, the item and the field; nothing sent', () => {
	test('the table covers at least 40 cases across all resources', () => {
		expect(rows.length).toBeGreaterThanOrEqual(40);
		const operations = new Set(rows.map((row) => `${row.parameters.resource as string}.${row.parameters.operation as string}`));
		expect(operations.size).toBeGreaterThanOrEqual(15);
	});

	const cases = rows.flatMap((row) => [true, false].map((continueOnFail) => [row.name, continueOnFail, row] as const));

	test.each(cases)('%s (Continue On Fail: %s)', async (_name, continueOnFail, row) => {
		const result = await sandbox.run(row.parameters, { continueOnFail });
		const message = expectedMessage(row);

		if (continueOnFail) {
			expect(result.items).toEqual([{ json: { error: message, errorCode: row.errorCode }, pairedItem: { item: 0 } }]);
		} else {
			expect(result.items).toEqual([]);
			expect(result.error?.message).toEqual(message);
			expect(result.error?.errorCode).toBe(row.errorCode);
			// n8n shows the item from the error's context.
			expect(result.error?.context?.itemIndex).toBe(0);
		}
		const text = String(continueOnFail ? result.items[0]?.json.error : result.error?.message);
		expect(text).toContain(row.field);

		expect(await sandbox.requests()).toEqual([]);
		expect(await sandbox.control.messages()).toEqual([]);
	});
});

describe('a required field left empty in the editor', () => {
	// n8n itself refuses to run a node whose required parameter is empty: nothing reaches Mifumo.
	test.each([
		['Message', send({ message: '' })],
		['Recipients', send({ recipients: '' })],
		['Message ID', op('sms', 'getStatus', { messageId: '' })],
		['Contact ID', op('contact', 'delete', { contactId: '' })],
		['Segment ID', op('segment', 'delete', { segmentId: '' })],
	])('%s', async (field, parameters) => {
		await expect(sandbox.run(parameters)).rejects.toThrow(`Parameter "${field}" is required.`);
		expect(await sandbox.requests()).toEqual([]);
	});
});

describe('Continue On Fail with good and bad items mixed', () => {
	test('every input item is accounted for, in order and paired; only the good items reached the server', async () => {
		const items = [
			{ to: '0712000101', text: 'Hello A' }, // good
			{ to: '0712', text: 'Hello B' }, // invalid number
			{ to: '0712000103', text: '' }, // empty message
			{ to: '+255 712 000 104', text: 'Hello D' }, // good
			{ to: null, text: 'Hello E' }, // no recipients
			{ to: '0712000106', text: 'x'.repeat(200) }, // too long
			{ to: ['0712000107', '255712000108'], text: 'Hello G' }, // good, a list
			{ to: ['0712000109', 42], text: 'Hello H' }, // a number in the list
		];
		const result = await sandbox.run(
			send({ recipients: '={{ $json.to }}', message: '={{ $json.text }}', options: { concurrency: 4, messagesPerMinute: 0 } }),
			{ continueOnFail: true, items },
		);

		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.pairedItem)).toEqual(items.map((_, index) => ({ item: index })));
		const outputs = result.items.map((item) => item.json);
		expect(outputs[0]).toMatchObject({ recipients: ['+255712000101'], status: 'sent' });
		expect(outputs[1]).toEqual({
			error: `Recipients has an invalid phone number: "0712". ${PHONE_HELP}, ${SKIP_HELP}. Nothing was sent.`,
			errorCode: 'INVALID_PHONE',
		});
		expect(outputs[2]).toEqual({ error: `Message is empty. ${MESSAGE_HELP}`, errorCode: 'INVALID_PARAMETER' });
		expect(outputs[3]).toMatchObject({ recipients: ['+255712000104'], status: 'sent' });
		expect(outputs[4]).toEqual({
			error:
				"Recipients is empty: its expression {{ $json.to }} gave no phone number (this item's to is empty or missing). Enter at least one phone number, e.g. 0712 345 678.",
			errorCode: 'MISSING_RECIPIENTS',
		});
		expect(outputs[5]).toEqual({
			error:
				'Message is 200 characters long; one SMS holds at most 160. Shorten it, or set Options → Long Messages to "Split Into Several SMS".',
			errorCode: 'MESSAGE_TOO_LONG',
		});
		expect(outputs[6]).toMatchObject({ recipients: ['+255712000107', '+255712000108'], status: 'sent' });
		expect(outputs[7]).toEqual({
			error: `Recipients has an invalid phone number: 42. ${PHONE_HELP}, ${SKIP_HELP}. Nothing was sent.`,
			errorCode: 'INVALID_PHONE',
		});

		// Only the good items' requests, each once, with their own text.
		const requests = await sandbox.requests();
		expect(requests.map((request) => request.body).sort((a, b) => String(a?.message).localeCompare(String(b?.message)))).toEqual([
			{ message: 'Hello A', recipients: ['+255712000101'], sender_id: 'MIFUMO' },
			{ message: 'Hello D', recipients: ['+255712000104'], sender_id: 'MIFUMO' },
			{ message: 'Hello G', recipients: ['+255712000107', '+255712000108'], sender_id: 'MIFUMO' },
		]);
		expect((await sandbox.control.messages()).map((message) => message.message_id).sort()).toEqual(
			[outputs[0], outputs[3], outputs[6]].map((output) => output.message_id).sort(),
		);
	});

	test('with Invalid Numbers = skip the valid ones go out once and the rest are listed', async () => {
		const result = await sandbox.run(
			send({ recipients: '={{ ["0712000201", null, "0712", "0712000201", "+255712000202"] }}', options: { invalidNumbers: 'skip' } }),
			{ continueOnFail: false },
		);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		expect(result.items[0].json).toMatchObject({
			recipients: ['+255712000201', '+255712000202'],
			skipped_recipients: [null, '0712'],
		});
		const requests = await sandbox.requests();
		expect(requests).toHaveLength(1);
		expect(requests[0].body?.recipients).toEqual(['+255712000201', '+255712000202']);
	});
});
