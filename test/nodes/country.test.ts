/** Options → Default Country: a dropdown of every country, and the number it makes of a local one. */
import type { INodeProperties } from 'n8n-workflow';
import { getCountries } from 'libphonenumber-js/min';

import { Mifumo } from '../../nodes/Mifumo/Mifumo.node';
import { countryOptions } from '../../nodes/Mifumo/helpers/countries';
import { COUNTRY_NAMES } from '../../nodes/Mifumo/helpers/countryNames';
import { isCountryCode } from '../../nodes/Mifumo/helpers/phone';
import { useSandbox } from '../helpers/sandbox';

const sandbox = useSandbox();

describe('countryOptions', () => {
	const options = countryOptions();

	test('East Africa is there by name, with its calling codes', () => {
		expect(options).toContainEqual({ name: 'Tanzania (+255)', value: 'TZ' });
		expect(options).toContainEqual({ name: 'Kenya (+254)', value: 'KE' });
		expect(options).toContainEqual({ name: 'Uganda (+256)', value: 'UG' });
		expect(options).toContainEqual({ name: 'Rwanda (+250)', value: 'RW' });
	});

	test('one option per country the phone-number library knows, each a two-letter code it accepts', () => {
		const values = options.map((option) => option.value as string);
		expect(new Set(values).size).toBe(values.length);
		expect([...values].sort()).toEqual([...getCountries()].sort());
		for (const value of values) {
			expect(value).toMatch(/^[A-Z]{2}$/);
			expect(isCountryCode(value)).toBe(true);
		}
	});

	test('every name is a name, not the code it stands for, and the list is sorted by name', () => {
		for (const { name } of options) expect(name).toMatch(/^\D+ \(\+\d{1,4}\)$/);
		// Without a name for a code, Intl.DisplayNames gives the code back ("TZ (+255)").
		expect(options.filter(({ name, value }) => name.startsWith(`${value as string} `))).toEqual([]);
		const names = options.map((option) => option.name);
		expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en')));
	});

	test('the written-out names are the ones Intl.DisplayNames gives for every code', () => {
		const displayNames = new Intl.DisplayNames(['en'], { type: 'region' });
		expect(Object.keys(COUNTRY_NAMES).sort()).toEqual([...getCountries()].sort());
		for (const [code, name] of Object.entries(COUNTRY_NAMES)) expect([code, name]).toEqual([code, displayNames.of(code)]);
	});
});

describe('Default Country in the node', () => {
	/** Every defaultCountry property the node shows, wherever it sits (the Options of send and of the contact operations). */
	function defaultCountryProperties(properties: INodeProperties[]): INodeProperties[] {
		return properties.flatMap((property) => [
			...(property.name === 'defaultCountry' ? [property] : []),
			...(property.type === 'collection' ? defaultCountryProperties(property.options as INodeProperties[]) : []),
		]);
	}

	test('is a dropdown of the countries, defaulting to Tanzania, in every operation that reads numbers', () => {
		const properties = defaultCountryProperties(new Mifumo().description.properties);
		expect(properties.length).toBeGreaterThanOrEqual(2);
		for (const property of properties) {
			expect(property).toMatchObject({ type: 'options', default: 'TZ', options: countryOptions() });
		}
	});

	test('a workflow that picked Kenya sends a local number as Kenyan', async () => {
		const { items, error } = await sandbox.run({
			resource: 'sms',
			operation: 'send',
			message: 'Habari',
			recipients: '0712 345 678',
			senderId: 'MIFUMO',
			additionalFields: {},
			options: { defaultCountry: 'KE' },
		});
		expect(error).toBeUndefined();
		const requests = await sandbox.requests();
		expect(requests.map((request) => request.body)).toEqual([{ message: 'Habari', recipients: ['+254712345678'], sender_id: 'MIFUMO' }]);
		expect(items.map((item) => [item.json.recipients, item.pairedItem])).toEqual([[['+254712345678'], { item: 0 }]]);
	});

	test('an expression gives the country per item, as a code in either case', async () => {
		const { items, error } = await sandbox.run(
			{
				resource: 'sms',
				operation: 'send',
				message: 'Habari',
				recipients: '={{ $json.phone }}',
				senderId: 'MIFUMO',
				additionalFields: {},
				options: { defaultCountry: '={{ $json.country }}' },
			},
			{ items: [{ phone: '0712 345 678', country: 'KE' }, { phone: '0712 345 678', country: 'ug' }, { phone: '0712 345 678', country: 'TZ' }] },
		);
		expect(error).toBeUndefined();
		const requests = await sandbox.requests();
		expect(requests.map((request) => request.body?.recipients)).toEqual([['+254712345678'], ['+256712345678'], ['+255712345678']]);
		expect(items.map((item) => [item.json.recipients, item.pairedItem])).toEqual([
			[['+254712345678'], { item: 0 }],
			[['+256712345678'], { item: 1 }],
			[['+255712345678'], { item: 2 }],
		]);
	});
});
