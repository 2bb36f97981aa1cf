import type { INodePropertyOptions } from 'n8n-workflow';
import { getCountries, getCountryCallingCode } from 'libphonenumber-js/min';

/** Every country the phone-number library knows, as dropdown options: "Tanzania (+255)" → TZ, sorted by name. */
export function countryOptions(): INodePropertyOptions[] {
	const names = new Intl.DisplayNames(['en'], { type: 'region' });
	return getCountries()
		.map((code) => ({ name: `${names.of(code) ?? code} (+${getCountryCallingCode(code)})`, value: code }))
		.sort((a, b) => a.name.localeCompare(b.name, 'en'));
}
