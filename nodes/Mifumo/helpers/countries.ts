import type { INodePropertyOptions } from 'n8n-workflow';
import { getCountryCallingCode, type CountryCode } from 'libphonenumber-js/min';

import { COUNTRY_NAMES } from './countryNames';

/** Every country the phone-number library knows, as dropdown options: "Tanzania (+255)" → TZ, in the table's (name) order. */
export function countryOptions(): INodePropertyOptions[] {
	return Object.entries(COUNTRY_NAMES).map(([code, name]) => ({
		name: `${name} (+${getCountryCallingCode(code as CountryCode)})`,
		value: code,
	}));
}
