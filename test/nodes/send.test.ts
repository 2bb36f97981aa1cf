/** SMS → Send through n8n's engine against the sandbox: the exact request, the exact items. */
import { ADMIN_KEY, useSandbox } from '../helpers/sandbox';

const sandbox = useSandbox();

function send(overrides: Record<string, unknown> = {}) {
	return {
		resource: 'sms',
		operation: 'send',
		message: 'Habari! Oda yako #1024 imetumwa.',
		recipients: '0712 345 678',
		senderId: 'MIFUMO',
		additionalFields: {},
		options: {},
		...overrides,
	};
}

describe('sms.send', () => {
	test('normalizes mixed number formats, drops duplicates and sends one request with the exact body', async () => {
		const { items, error } = await sandbox.run(
			send({ recipients: '0712 345 678, 255713000111; +255 714 000 222\n0712345678' }),
		);
		expect(error).toBeUndefined();

		const requests = await sandbox.requests();
		expect(requests).toHaveLength(1);
		const [request] = requests;
		expect(request.method).toBe('POST');
		expect(request.path).toBe('/api/integration/v1/sms/send/');
		expect(request.query).toEqual({});
		expect(request.headers.authorization).toBe(`Bearer ${ADMIN_KEY}`);
		expect(request.headers['content-type']).toBe('application/json');
		expect(request.body).toEqual({
			message: 'Habari! Oda yako #1024 imetumwa.',
			recipients: ['+255712345678', '+255713000111', '+255714000222'],
			sender_id: 'MIFUMO',
		});

		const [message] = await sandbox.control.messages();
		expect(items).toEqual([
			{
				json: {
					message_id: message.message_id,
					recipients: ['+255712345678', '+255713000111', '+255714000222'],
					status: 'sent',
					cost: 30,
					currency: 'TZS',
					encoding: 'GSM-7',
					segments: 1,
					total_segments: 3,
				},
				pairedItem: { item: 0 },
			},
		]);
	});

	test('accepts the guide\'s own example number and a list from an expression', async () => {
		const { items, error } = await sandbox.run(send({ recipients: '={{ $json.phones }}' }), {
			items: [{ phones: ['+255123456789', '0754 111 222'] }],
		});
		expect(error).toBeUndefined();
		const [request] = await sandbox.requests();
		expect(request.body?.recipients).toEqual(['+255123456789', '+255754111222']);
		expect(items[0].json.recipients).toEqual(['+255123456789', '+255754111222']);
	});

	test('one request per input item, outputs in input order and paired with their item', async () => {
		const phones = ['0712000001', '0712000002', '0712000003'];
		const { items } = await sandbox.run(send({ recipients: '={{ $json.phone }}', message: '=Habari {{ $json.name }}' }), {
			items: phones.map((phone, index) => ({ phone, name: `Mteja ${index + 1}` })),
		});
		const requests = await sandbox.requests();
		expect(requests.map((request) => request.body)).toEqual(
			phones.map((phone, index) => ({
				message: `Habari Mteja ${index + 1}`,
				recipients: [`+255${phone.slice(1)}`],
				sender_id: 'MIFUMO',
			})),
		);
		expect(items.map((item) => [item.json.recipients, item.pairedItem])).toEqual(
			phones.map((phone, index) => [[`+255${phone.slice(1)}`], { item: index }]),
		);
	});

	test('sends schedule_time in UTC and webhook_url when given, and omits empty optional fields', async () => {
		const future = new Date(Date.now() + 3 * 3600_000);
		future.setUTCMilliseconds(0);
		const offsetText = toOffsetIso(future, 3); // as a date picker in Dar es Salaam (UTC+3) would give it
		await sandbox.run(
			send({
				senderId: 'INFO',
				additionalFields: { scheduleTime: offsetText, webhookUrl: 'https://n8n.example.com/webhook/abc/webhook' },
			}),
		);
		await sandbox.run(send({ additionalFields: { scheduleTime: '', webhookUrl: '' } }));
		const [scheduled, plain] = await sandbox.requests();
		expect(scheduled.body).toEqual({
			message: 'Habari! Oda yako #1024 imetumwa.',
			recipients: ['+255712345678'],
			sender_id: 'INFO',
			schedule_time: future.toISOString().replace('.000Z', 'Z'),
			webhook_url: 'https://n8n.example.com/webhook/abc/webhook',
		});
		expect(plain.body).toEqual({
			message: 'Habari! Oda yako #1024 imetumwa.',
			recipients: ['+255712345678'],
			sender_id: 'MIFUMO',
		});
	});

	test('a Luxon DateTime from an expression goes out as ISO 8601 UTC', async () => {
		await sandbox.run(send({ additionalFields: { scheduleTime: '={{ $now.plus({ hours: 2 }) }}' } }));
		const [request] = await sandbox.requests();
		const sent = request.body?.schedule_time as string;
		expect(sent).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
		expect(Math.abs(Date.parse(sent) - (Date.now() + 2 * 3600_000))).toBeLessThan(60_000);
	});

	test('an empty sender ID falls back to MIFUMO', async () => {
		await sandbox.run(send({ senderId: '  ' }));
		const [request] = await sandbox.requests();
		expect(request.body?.sender_id).toBe('MIFUMO');
	});

	test('Swahili and other non-ASCII text reaches Mifumo unchanged', async () => {
		const message = 'Karibu! Malipo yako ya TSh 25,000 yamepokelewa — asante 🙏';
		await sandbox.run(send({ message }));
		const [request] = await sandbox.requests();
		expect(request.body?.message).toBe(message);
	});

	test('invalidNumbers: skip sends to the valid numbers and lists the others', async () => {
		const { items } = await sandbox.run(
			send({ recipients: '0712 345 678, 12345, hello, +255 713 000 111', options: { invalidNumbers: 'skip' } }),
		);
		const [request] = await sandbox.requests();
		expect(request.body?.recipients).toEqual(['+255712345678', '+255713000111']);
		expect(items[0].json.skipped_recipients).toEqual(['12345', 'hello']);
		expect(items[0].json.recipients).toEqual(['+255712345678', '+255713000111']);
	});

	test('longMessages: split sends consecutive SMS split between words, one item per part, in order', async () => {
		const sentence = 'Habari mpendwa mteja, tunakukumbusha kulipa ankara yako ya mwezi huu kabla ya tarehe ishirini.';
		const message = `${sentence}\n${sentence} ${sentence}`; // 3 × 97 characters + separators
		const { items } = await sandbox.run(send({ message, options: { longMessages: 'split' } }));
		const requests = await sandbox.requests();
		const parts = requests.map((request) => request.body?.message as string);

		expect(parts.length).toBe(2);
		for (const part of parts) expect(Array.from(part).length).toBeLessThanOrEqual(160);
		// Split at word boundaries only: the parts joined by the whitespace they were split at give the text back.
		expect(message.startsWith(parts[0])).toBe(true);
		expect(message.endsWith(parts[1])).toBe(true);
		expect(message.slice(parts[0].length, message.length - parts[1].length).trim()).toBe('');
		expect(items.map((item) => [item.json.part, item.json.parts, item.pairedItem])).toEqual([
			[1, 2, { item: 0 }],
			[2, 2, { item: 0 }],
		]);
		const messages = await sandbox.control.messages();
		expect(items.map((item) => item.json.message_id)).toEqual(messages.map((message) => message.message_id));
	});

	test('a message over 160 characters fails before any request, naming its length', async () => {
		const { error } = await sandbox.run(send({ message: 'a'.repeat(161) }));
		expect(error?.message).toBe(
			'Message is 161 characters long; one SMS holds at most 160. Shorten it, or set Options → Long Messages to "Split Into Several SMS".',
		);
		expect(await sandbox.requests()).toEqual([]);
	});

	test('exactly 160 characters (emoji counted as one) is one SMS', async () => {
		const message = `${'x'.repeat(159)}🙂`;
		const { error } = await sandbox.run(send({ message }));
		expect(error).toBeUndefined();
		expect((await sandbox.requests())[0].body?.message).toBe(message);
	});

	test('recipientsPerRequest splits a long list into several requests, one item each', async () => {
		const numbers = ['0712000001', '0712000002', '0712000003', '0712000004', '0712000005'];
		const { items } = await sandbox.run(
			send({ recipients: numbers.join(','), options: { recipientsPerRequest: 2, messagesPerMinute: 0 } }),
		);
		const requests = await sandbox.requests();
		expect(requests.map((request) => request.body?.recipients)).toEqual([
			['+255712000001', '+255712000002'],
			['+255712000003', '+255712000004'],
			['+255712000005'],
		]);
		expect(items.map((item) => item.json.recipients)).toEqual(requests.map((request) => request.body?.recipients));
		expect(items.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
	});

	test('pacing spreads recipients evenly over the minute', async () => {
		// 600 a minute = one recipient every 100 ms (plus 2 % head-room): the i-th send may not
		// leave before i slots have passed since the run began, whatever the concurrency.
		const started = Date.now();
		await sandbox.run(send({ recipients: '={{ $json.phone }}', options: { messagesPerMinute: 600, concurrency: 4 } }), {
			items: [1, 2, 3, 4, 5, 6].map((n) => ({ phone: `071200000${n}` })),
		});
		const arrivals = (await sandbox.requests()).map((request) => (request as unknown as { at: number }).at);
		expect(arrivals).toHaveLength(6);
		arrivals.forEach((arrival, index) => expect(arrival - started).toBeGreaterThanOrEqual(index * 102));
	});

	test('when a later batch of the same item fails, the error says what was already sent', async () => {
		const firstRun = sandbox.run(
			send({ recipients: '0712000001,0712000002', options: { recipientsPerRequest: 1, messagesPerMinute: 30 } }),
		);
		// The second batch waits ~2 s for its pacing slot: fail it.
		await new Promise((resolve) => setTimeout(resolve, 300));
		await sandbox.control.addFault({ method: 'POST', path: '/sms/send/', status: 402, body: {
			success: false, message: 'Insufficient balance', data: null, error_code: 'INSUFFICIENT_BALANCE', details: null,
		}, times: 1 });
		const { error } = await firstRun;
		const [sent] = await sandbox.control.messages();
		expect(error?.message).toBe(
			`INSUFFICIENT_BALANCE: Insufficient balance. Top up your Mifumo account, then run the workflow again. This request was not processed. Before this failure, 1 of 2 SMS were already sent (${sent.message_id}); those must not be sent again.`,
		);
	});
});

function toOffsetIso(date: Date, offsetHours: number): string {
	const shifted = new Date(date.getTime() + offsetHours * 3600_000);
	return `${shifted.toISOString().slice(0, 19)}+0${offsetHours}:00`;
}
