import { DateTime } from 'luxon';

import { readDate, toUtcDay, toUtcIso } from '../../nodes/Mifumo/helpers/dates';

describe('dates', () => {
	test.each([
		['2024-01-01T13:00:00+03:00', '2024-01-01T10:00:00Z'],
		['2024-01-01T10:00:00Z', '2024-01-01T10:00:00Z'],
		['2024-01-01T10:00:00.123Z', '2024-01-01T10:00:00Z'],
		['2024-01-01', '2024-01-01T00:00:00Z'],
	])('%s → %s', (input, expected) => {
		expect(toUtcIso(readDate(input)!)).toBe(expected);
	});

	test('a Luxon DateTime in any zone', () => {
		const date = DateTime.fromISO('2024-06-30T23:30:00', { zone: 'Africa/Dar_es_Salaam' });
		expect(toUtcIso(readDate(date)!)).toBe('2024-06-30T20:30:00Z');
		expect(toUtcDay(readDate(date)!)).toBe('2024-06-30');
	});

	test.each([['tomorrow'], [''], ['2024-13-45'], [{}], [null], [true]])('%j is not a date', (input) => {
		expect(readDate(input)).toBeUndefined();
	});
});
