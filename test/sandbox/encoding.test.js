'use strict';
/** What a send costs: encoding and parts as a gateway counts them, billed parts × recipients. */
const { countSegments } = require('../../sandbox');
const { useSandboxServer, api } = require('./helpers');

describe('countSegments', () => {
	test.each([
		['one character', 'a', 'GSM-7', 1],
		['160 septets fit one SMS', 'a'.repeat(160), 'GSM-7', 1],
		['161 septets: two parts', 'a'.repeat(161), 'GSM-7', 2],
		['306 septets: two parts of 153', 'a'.repeat(306), 'GSM-7', 2],
		['307 septets: three parts', 'a'.repeat(307), 'GSM-7', 3],
		['the basic table, Greek capitals included', '@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!"#¤%&\'()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà\n\r', 'GSM-7', 1],
		['80 extension characters: 160 septets', '€'.repeat(80), 'GSM-7', 1],
		['every extension character counts 2', '^{}\\[~]|€\f'.repeat(8), 'GSM-7', 1],
		['one septet more: two parts', '^{}\\[~]|€\f'.repeat(8) + 'a', 'GSM-7', 2],
		['81 extension characters: 162 septets', '€'.repeat(81), 'GSM-7', 2],
		['an escape pair is never cut: 152 + € moves € to part two', 'a'.repeat(152) + '€' + 'a'.repeat(153), 'GSM-7', 3],
		['152 + € + 152 fits two parts when not cut', 'a'.repeat(151) + '€' + 'a'.repeat(153), 'GSM-7', 2],
		['one Swahili-safe text is GSM-7', 'Habari yako? Karibu sana!', 'GSM-7', 1],
		['a character outside both tables: UCS-2', 'Bei ni 5,000/= ’sawa’', 'UCS-2', 1],
		['70 UCS-2 units fit one SMS', 'ы'.repeat(70), 'UCS-2', 1],
		['71 units: two parts', 'ы'.repeat(71), 'UCS-2', 2],
		['134 units: two parts of 67', 'ы'.repeat(134), 'UCS-2', 2],
		['135 units: three parts', 'ы'.repeat(135), 'UCS-2', 3],
		['35 emoji are 70 units', '😀'.repeat(35), 'UCS-2', 1],
		['a surrogate pair is never cut: 66 units + emoji moves it to part two', 'ы'.repeat(66) + '😀' + 'ы'.repeat(66), 'UCS-2', 3],
		['lowercase ç is not GSM (only Ç is)', 'ç', 'UCS-2', 1],
	])('%s', (_, text, encoding, segments) => {
		expect(countSegments(text)).toEqual({ encoding, segments });
	});
});

describe('the send answer and the bill', () => {
	const server = useSandboxServer({ maxMessageLength: 1000 });

	test('segments × recipients × costPerSms leave the balance; the answer says encoding and segments', async () => {
		const recipients = ['+255712345678', '+255712345679', '+255712345670'];
		const r = await api(server.sb, 'POST', '/sms/send/', { body: { message: 'ы'.repeat(71), recipients } });
		expect(r.body.data).toEqual({ message_id: expect.any(String), recipients, status: 'sent', cost: 60, currency: 'TZS', encoding: 'UCS-2', segments: 2 });
		expect((await server.ctl.getBalance()).balance).toBe(5000 - 60);
		expect(await server.ctl.messages()).toEqual([expect.objectContaining({ cost: 60, encoding: 'UCS-2', segments: 2 })]);
		expect((await server.ctl.stats()).smsAccepted).toBe(6);
	});

	test('the balance must cover every part', async () => {
		await server.ctl.setBalance(25);
		const r = await api(server.sb, 'POST', '/sms/send/', { body: { message: 'a'.repeat(307), recipients: ['+255712345678'] } });
		expect(r.status).toBe(402);
		expect(r.body.details).toBe('This message costs 30 TZS; the balance is 25 TZS');
	});
});
