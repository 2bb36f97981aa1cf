/**
 * What a send costs, through n8n's engine against the sandbox: encoding, segments and
 * total_segments on every item, Replace Typography, Max Segments, Max Recipients (also as an AI
 * agent's tool), Dry Run, and split parts of one SMS each. The sandbox counts parts on its own
 * (sandbox/sms-encoding.js) and bills them, so every figure is checked against the server's.
 */
import type { IDataObject } from 'n8n-workflow';

import { API, errorItem, useSandbox } from '../helpers/sandbox';

const sandbox = useSandbox({
	rateLimits: { smsPerMinute: null, callsPerHour: null, contactOpsPerHour: null },
	balance: 100_000_000,
});

/** The sandbox's price of one SMS part to one recipient. */
const COST_PER_SMS = 10;

/** 150 characters of Swahili with one typographic apostrophe, at position 21. */
const SWAHILI =
	'Habari Mama Asha, ng’ombe wako amepatiwa chanjo leo. Tafadhali lipa TZS 15,000 kupitia M-Pesa kabla ya Ijumaa. Asante sana, Ofisi ya Mifugo ya Kibaha.';
const SWAHILI_PLAIN = SWAHILI.replace('’', "'");

function send(overrides: IDataObject = {}, options: IDataObject = {}) {
	return {
		resource: 'sms',
		operation: 'send',
		message: '={{ $json.text }}',
		recipients: '0712 345 678',
		senderId: 'MIFUMO',
		additionalFields: {},
		options: { messagesPerMinute: 0, ...options },
		...overrides,
	};
}

const numbers = (count: number) => Array.from({ length: count }, (_, index) => `0712${String(index).padStart(6, '0')}`);

/** The sandbox's own count of each message, by message_id. */
async function serverCounts(): Promise<Map<string, { encoding: string; segments: number; message: string }>> {
	return new Map((await sandbox.control.messages()).map((message) => [message.message_id, message]));
}

describe('encoding and segments at every boundary', () => {
	const a = (count: number) => 'a'.repeat(count);
	const euro = (count: number) => '€'.repeat(count);
	const rows: Array<{ name: string; text: string; encoding: 'GSM-7' | 'UCS-2'; segments: number }> = [
		{ name: '160 GSM-7 septets: one SMS', text: a(160), encoding: 'GSM-7', segments: 1 },
		{ name: '160 septets with an extension character (158 + €)', text: a(158) + '€', encoding: 'GSM-7', segments: 1 },
		{ name: '161 septets in 160 characters (159 + €): two parts', text: a(159) + '€', encoding: 'GSM-7', segments: 2 },
		{ name: '306 septets, every escape pair whole in its part (a + 152 €): two parts', text: 'a' + euro(152), encoding: 'GSM-7', segments: 2 },
		{ name: '306 septets, an escape pair at the part boundary (aa + 152 €): three parts', text: 'aa' + euro(152), encoding: 'GSM-7', segments: 3 },
		{ name: '307 septets (a + 153 €): three parts', text: 'a' + euro(153), encoding: 'GSM-7', segments: 3 },
		{ name: 'GSM letters outside ASCII stay GSM-7 (ñ ö ü à É Δ)', text: 'ñöüàÉΔ', encoding: 'GSM-7', segments: 1 },
		{ name: '70 UCS-2 units: one SMS', text: '’' + a(69), encoding: 'UCS-2', segments: 1 },
		{ name: '71 UCS-2 units: two parts', text: '’' + a(70), encoding: 'UCS-2', segments: 2 },
		{ name: '134 UCS-2 units: two parts', text: '’' + a(133), encoding: 'UCS-2', segments: 2 },
		{ name: '135 UCS-2 units: three parts', text: '’' + a(134), encoding: 'UCS-2', segments: 3 },
		{ name: 'an emoji outside the BMP ending part 1 exactly (65 + 😀 + 67): two parts', text: '’' + a(64) + '😀' + a(67), encoding: 'UCS-2', segments: 2 },
		{ name: 'an emoji outside the BMP across the part boundary moves whole (66 + 😀 + 66): three parts', text: '’' + a(65) + '😀' + a(66), encoding: 'UCS-2', segments: 3 },
		{ name: 'one emoji makes 35 emoji UCS-2: 70 units, one SMS', text: '😀'.repeat(35), encoding: 'UCS-2', segments: 1 },
		{ name: 'Swahili without ’: GSM-7, one SMS', text: SWAHILI_PLAIN, encoding: 'GSM-7', segments: 1 },
		{ name: 'Swahili with ’: UCS-2, three parts', text: SWAHILI, encoding: 'UCS-2', segments: 3 },
	];

	test('each text, sent to two numbers, has the exact encoding, segments and total_segments, and the sandbox agrees', async () => {
		const { items, error } = await sandbox.run(send({ recipients: '0712 345 678, 0713 000 111' }), {
			items: rows.map(({ text }) => ({ text })),
		});
		expect(error).toBeUndefined();
		const counts = await serverCounts();
		expect(items.map(({ json }) => ({ encoding: json.encoding, segments: json.segments, total_segments: json.total_segments })))
			.toEqual(rows.map(({ encoding, segments }) => ({ encoding, segments, total_segments: segments * 2 })));
		for (const [index, { json }] of items.entries()) {
			const server = counts.get(json.message_id as string)!;
			expect({ name: rows[index].name, encoding: server.encoding, segments: server.segments, cost: json.cost }).toEqual({
				name: rows[index].name,
				encoding: rows[index].encoding,
				segments: rows[index].segments,
				cost: rows[index].segments * 2 * COST_PER_SMS,
			});
		}
	});

	test('without Split the guide\'s rule stays: 161 characters is MESSAGE_TOO_LONG, a 100-character UCS-2 text goes out whole as 2 SMS', async () => {
		const { items } = await sandbox.run(send(), { items: [{ text: a(161) }, { text: '’' + a(99) }], continueOnFail: true });
		expect(items[0]).toEqual(
			errorItem(
				'Message is 161 characters long; one SMS holds at most 160. Shorten it, or set Options → Long Messages to "Split Into Several SMS".',
				'MESSAGE_TOO_LONG',
			),
		);
		expect(items[1].json).toMatchObject({ encoding: 'UCS-2', segments: 2, total_segments: 2 });
		const requests = await sandbox.requests();
		expect(requests.map((request) => request.body?.message)).toEqual(['’' + a(99)]);
	});
});

describe('Replace Typography and Max Segments', () => {
	test('the Swahili text: 3 UCS-2 parts as typed, 1 GSM-7 SMS with Replace Typography, and the replaced text is what is sent', async () => {
		const asTyped = await sandbox.run(send(), { items: [{ text: SWAHILI }] });
		const replaced = await sandbox.run(send({}, { replaceTypography: true }), { items: [{ text: SWAHILI }] });
		expect(asTyped.items[0].json).toMatchObject({ encoding: 'UCS-2', segments: 3, total_segments: 3, cost: 30 });
		expect(replaced.items[0].json).toMatchObject({ encoding: 'GSM-7', segments: 1, total_segments: 1, cost: 10 });
		expect((await sandbox.requests()).map((request) => request.body?.message)).toEqual([SWAHILI, SWAHILI_PLAIN]);
	});

	test('every character of the contract\'s table is replaced', async () => {
		const { items } = await sandbox.run(send({}, { replaceTypography: true, dryRun: true }), {
			items: [{ text: 'a’b‘c‚d‛e′f“g”h„i″j–k—l‒m−n…o\u00a0p\u2009q\u202fr' }],
		});
		expect(items[0].json).toMatchObject({ message: `a'b'c'd'e'f"g"h"i"j-k-l-m-n...o p q r`, encoding: 'GSM-7' });
	});

	test('Max Segments 2 refuses the Swahili text before any request, naming parts, encoding and ’, and suggests Replace Typography', async () => {
		const { items } = await sandbox.run(send({}, { maxSegments: 2 }), { items: [{ text: SWAHILI }], continueOnFail: true });
		expect(items).toEqual([
			errorItem(
				'Message takes 3 SMS per recipient (UCS-2, because of ’ at position 21); Options → Max Segments allows 2. Turn on Options → Replace Typography (’ is typographic; the text would then take 1), or shorten it, or raise Max Segments. Nothing was sent.',
				'MESSAGE_TOO_LONG',
			),
		]);
		expect(await sandbox.requests()).toEqual([]);
	});

	test('Max Segments does not suggest Replace Typography when an emoji forced UCS-2', async () => {
		const text = 'Hongera! 🎉 ' + 'a'.repeat(70);
		const { items } = await sandbox.run(send({}, { maxSegments: 1 }), { items: [{ text }], continueOnFail: true });
		expect(items).toEqual([
			errorItem(
				'Message takes 2 SMS per recipient (UCS-2, because of 🎉 at position 10); Options → Max Segments allows 1. Shorten it, or raise Max Segments. Nothing was sent.',
				'MESSAGE_TOO_LONG',
			),
		]);
		expect(await sandbox.requests()).toEqual([]);
	});

	test('Max Segments counts every part of a split message together; at the limit it sends', async () => {
		const text = Array.from({ length: 30 }, (_, index) => `ng’ombe${index}`).join(' ');
		const over = await sandbox.run(send({}, { longMessages: 'split', maxSegments: 4 }), { items: [{ text }], continueOnFail: true });
		expect(over.items).toEqual([
			errorItem(
				'Message takes 5 SMS per recipient (UCS-2, because of ’ at position 3); Options → Max Segments allows 4. Turn on Options → Replace Typography (’ is typographic; the text would then take 2), or shorten it, or raise Max Segments. Nothing was sent.',
				'MESSAGE_TOO_LONG',
			),
		]);
		expect(await sandbox.requests()).toEqual([]);

		const atLimit = await sandbox.run(send({}, { longMessages: 'split', maxSegments: 5 }), { items: [{ text }] });
		expect(atLimit.items).toHaveLength(5);
	});

	test('a GSM-7 text over Max Segments names its encoding and no character', async () => {
		const { items } = await sandbox.run(send({}, { longMessages: 'split', maxSegments: 1 }), {
			items: [{ text: 'a'.repeat(200) }],
			continueOnFail: true,
		});
		expect(items).toEqual([
			errorItem(
				'Message takes 2 SMS per recipient (GSM-7); Options → Max Segments allows 1. Shorten it, or raise Max Segments. Nothing was sent.',
				'MESSAGE_TOO_LONG',
			),
		]);
	});
});

describe('longMessages: split', () => {
	test('a UCS-2 text is cut into parts of one SMS each (≤ 70 units), and the sandbox bills each part as 1', async () => {
		const text = Array.from({ length: 30 }, (_, index) => `ng’ombe${index}`).join(' ');
		const { items, error } = await sandbox.run(send({}, { longMessages: 'split' }), { items: [{ text }] });
		expect(error).toBeUndefined();
		const counts = await serverCounts();
		expect(items.length).toBeGreaterThan(1);
		for (const [index, { json }] of items.entries()) {
			expect(json).toMatchObject({ encoding: 'UCS-2', segments: 1, total_segments: 1, part: index + 1, parts: items.length });
			expect(counts.get(json.message_id as string)).toMatchObject({ encoding: 'UCS-2', segments: 1 });
			expect((counts.get(json.message_id as string)!.message as string).length).toBeLessThanOrEqual(70);
		}
		// Cut between words: the parts joined by spaces give the text back.
		expect(items.map(({ json }) => counts.get(json.message_id as string)!.message).join(' ')).toBe(text);
	});

	test('a 100-character UCS-2 text (2 SMS) is split; a 70-unit one is not', async () => {
		const { items } = await sandbox.run(send({}, { longMessages: 'split' }), {
			items: [{ text: '’' + ' abcdefghi'.repeat(10).slice(0, 99) }, { text: '’' + 'a'.repeat(69) }],
		});
		expect(items.map(({ json }) => [json.parts, json.segments])).toEqual([
			[2, 1],
			[2, 1],
			[undefined, 1],
		]);
		expect(items.map(({ pairedItem }) => pairedItem)).toEqual([{ item: 0 }, { item: 0 }, { item: 1 }]);
	});

	test('Split Into Numbered SMS writes "1/3 " in front of each part, inside the part\'s one SMS', async () => {
		const text = 'a'.repeat(150) + ' ' + 'b'.repeat(150) + ' ' + 'c'.repeat(100);
		const { items } = await sandbox.run(send({}, { longMessages: 'splitNumbered' }), { items: [{ text }] });
		const messages = (await sandbox.requests()).map((request) => request.body?.message);
		expect(messages).toEqual(['1/3 ' + 'a'.repeat(150), '2/3 ' + 'b'.repeat(150), '3/3 ' + 'c'.repeat(100)]);
		expect(items.map(({ json }) => [json.part, json.parts, json.segments])).toEqual([
			[1, 3, 1],
			[2, 3, 1],
			[3, 3, 1],
		]);
	});
});

describe('Dry Run', () => {
	const parameters = () =>
		send(
			{
				recipients: '0712 345 678, 0713 000 111, hello, 0714 000 222, 0712345678',
				additionalFields: { scheduleTime: '2099-01-31T09:00:00Z', webhookUrl: 'https://n8n.example.com/webhook/mifumo' },
			},
			{ longMessages: 'split', recipientsPerRequest: 2, invalidNumbers: 'skip' },
		);
	const text = 'Habari! ' + 'Mkutano wa wanakijiji utafanyika Jumamosi saa nne asubuhi. '.repeat(3);

	test('sends nothing and outputs, per request, exactly what the real send then sends', async () => {
		const dry = await sandbox.run({ ...parameters(), options: { ...parameters().options, dryRun: true } }, { items: [{ text }] });
		expect(dry.error).toBeUndefined();
		expect(await sandbox.requests()).toEqual([]);
		expect((await sandbox.control.stats()).requests).toBe(0);

		const first =
			'Habari! Mkutano wa wanakijiji utafanyika Jumamosi saa nne asubuhi. Mkutano wa wanakijiji utafanyika Jumamosi saa nne asubuhi. Mkutano wa wanakijiji utafanyika';
		const second = 'Jumamosi saa nne asubuhi.';
		const record = (message: string, recipients: string[], part: number) => ({
			json: {
				dry_run: true,
				message,
				recipients,
				sender_id: 'MIFUMO',
				schedule_time: '2099-01-31T09:00:00Z',
				webhook_url: 'https://n8n.example.com/webhook/mifumo',
				encoding: 'GSM-7',
				segments: 1,
				total_segments: recipients.length,
				part,
				parts: 2,
				skipped_recipients: ['hello'],
			},
			pairedItem: { item: 0 },
		});
		expect(dry.items).toEqual([
			record(first, ['+255712345678', '+255713000111'], 1),
			record(first, ['+255714000222'], 1),
			record(second, ['+255712345678', '+255713000111'], 2),
			record(second, ['+255714000222'], 2),
		]);

		const real = await sandbox.run(parameters(), { items: [{ text }] });
		const requests = await sandbox.requests();
		expect(requests.map((request) => request.path)).toEqual(Array(4).fill(`${API}/sms/send/`));
		const withoutCost = ({ dry_run, encoding, segments, total_segments, part, parts, skipped_recipients, ...body }: IDataObject) => body;
		expect(requests.map((request) => request.body)).toEqual(dry.items.map(({ json }) => withoutCost(json)));
		const costOf = ({ encoding, segments, total_segments, part, parts, skipped_recipients }: IDataObject) =>
			({ encoding, segments, total_segments, part, parts, skipped_recipients });
		expect(real.items.map(({ json }) => costOf(json))).toEqual(dry.items.map(({ json }) => costOf(json)));
	});

	test('with Wait For Delivery too, nothing is sent and nothing is asked: there is no delivery to wait for', async () => {
		const started = Date.now();
		const { items, error } = await sandbox.run(send({}, { dryRun: true, waitForDelivery: 30 }), { items: [{ text: 'Habari' }] });
		expect(error).toBeUndefined();
		expect(items).toEqual([
			{
				json: { dry_run: true, message: 'Habari', recipients: ['+255712345678'], sender_id: 'MIFUMO', encoding: 'GSM-7', segments: 1, total_segments: 1 },
				pairedItem: { item: 0 },
			},
		]);
		expect(await sandbox.requests()).toEqual([]);
		expect(Date.now() - started).toBeLessThan(5000);
	});

	test('bad input still fails under Dry Run, and a Dry Run from an expression must be a boolean', async () => {
		const { items } = await sandbox.run(send({}, { dryRun: '={{ $json.dry }}' }), {
			items: [{ text: 'Habari', dry: 'yes' }, { text: 'Habari', dry: true }],
			continueOnFail: true,
		});
		expect(items[0]).toEqual(errorItem('Options → Dry Run must be true or false, not "yes".', 'INVALID_PARAMETER'));
		expect(items[1].json).toMatchObject({ dry_run: true, total_segments: 1 });
		expect(await sandbox.requests()).toEqual([]);
	});
});

describe('Max Recipients', () => {
	test('more numbers than Max Recipients (after removing duplicates) fails before any request', async () => {
		const { items } = await sandbox.run(send({ recipients: '0712 345 678, 0713 000 111, 255712345678, 0714 000 222' }, { maxRecipients: 2 }), {
			items: [{ text: 'Habari' }],
			continueOnFail: true,
		});
		expect(items).toEqual([
			errorItem(
				'Recipients has 3 numbers (after removing duplicates); Options → Max Recipients allows at most 2. Send to fewer numbers, or raise Max Recipients (0: no limit). Nothing was sent.',
				'TOO_MANY_RECIPIENTS',
			),
		]);
		expect(await sandbox.requests()).toEqual([]);
	});

	test('as a workflow node, no limit unless set: 11 numbers are sent', async () => {
		const { items } = await sandbox.run(send({ recipients: numbers(11).join(', ') }), { items: [{ text: 'Habari' }] });
		expect(items[0].json).toMatchObject({ total_segments: 11 });
	});

	describe("as an AI agent's tool (the mifumoTool type, run by an agent through the engine)", () => {
		const toolRun = async (count: number, options: IDataObject = {}) => {
			const result = await sandbox.run(send({ message: 'Habari', recipients: numbers(count).join(', ') }, options), { asTool: true });
			return { ...result, hints: result.run.data.resultData.runData['Mifumo SMS'][0].hints };
		};

		test('11 numbers without Max Recipients: refused before any request, and the agent is told why', async () => {
			const { items, error } = await toolRun(11);
			const message =
				"Recipients has 11 numbers (after removing duplicates); as an AI agent's tool, this node sends to at most 10 unless Options → Max Recipients is set. Send to fewer numbers, or raise Max Recipients (0: no limit). Nothing was sent.";
			expect(error?.errorCode).toBe('TOO_MANY_RECIPIENTS');
			expect(items).toEqual([{ json: { error: message }, pairedItem: undefined }]);
			expect(await sandbox.requests()).toEqual([]);
		});

		test('10 numbers are sent', async () => {
			const { items, error } = await toolRun(10);
			expect(error).toBeUndefined();
			expect(items[0].json).toMatchObject({ recipients: numbers(10).map((number) => `+255${number.slice(1)}`), total_segments: 10 });
			expect(await sandbox.requests()).toHaveLength(1);
		});

		test("the same limit when the agent invokes the tool itself (n8n 1.x agents): the model is told why, nothing is sent", async () => {
			const { run } = await sandbox.run(send({ message: 'Habari', recipients: numbers(11).join(', ') }), { asTool: 'supplyData' });
			const [agentItem] = run.data.resultData.runData.Agent[0].data!.main[0]!;
			expect(agentItem.json).toEqual({
				error: "Recipients has 11 numbers (after removing duplicates); as an AI agent's tool, this node sends to at most 10 unless Options → Max Recipients is set. Send to fewer numbers, or raise Max Recipients (0: no limit). Nothing was sent.",
			});
			expect(await sandbox.requests()).toEqual([]);

			const sent = await sandbox.run(send({ message: 'Habari', recipients: numbers(10).join(', ') }), { asTool: 'supplyData' });
			const [sentItem] = sent.run.data.resultData.runData.Agent[0].data!.main[0]!;
			expect(JSON.parse(sentItem.json.answer as string)).toEqual([expect.objectContaining({ total_segments: 10, status: 'sent' })]);
			expect(await sandbox.requests()).toHaveLength(1);
		});

		test('a Max Recipients the user set applies instead (20, or 0 for no limit)', async () => {
			expect((await toolRun(11, { maxRecipients: 20 })).items[0].json).toMatchObject({ total_segments: 11 });
			expect((await toolRun(11, { maxRecipients: 0 })).items[0].json).toMatchObject({ total_segments: 11 });
			expect((await toolRun(3, { maxRecipients: 2 })).items[0].json.error).toMatch(/Options → Max Recipients allows at most 2\./);
			expect(await sandbox.requests()).toHaveLength(2);
		});
	});
});

describe('with Replace Typography, the character that forces UCS-2 is placed where the user typed it', () => {
	// Typed, 😀 is the 15th character; after … → ... it would be the 17th.
	const text = 'Karibu… tena! 😀 ' + 'a'.repeat(70);

	test('in the Max Segments error', async () => {
		const { items } = await sandbox.run(send({}, { replaceTypography: true, maxSegments: 1 }), { items: [{ text }], continueOnFail: true });
		expect(items).toEqual([
			errorItem(
				'Message takes 2 SMS per recipient (UCS-2, because of 😀 at position 15); Options → Max Segments allows 1. Shorten it, or raise Max Segments. Nothing was sent.',
				'MESSAGE_TOO_LONG',
			),
		]);
		expect(await sandbox.requests()).toEqual([]);
	});

	test("in the editor's hint", async () => {
		const { run } = await sandbox.run(send({}, { replaceTypography: true, dryRun: true }), { items: [{ text }] });
		expect(run.data.resultData.runData['Mifumo SMS'][0].hints).toEqual([
			{ message: 'UCS-2: 2 SMS per recipient because of 😀 at position 15', type: 'warning', location: 'outputPane' },
		]);
	});
});

describe('execution hints', () => {
	test('a text of more than one SMS shows its cost and cause once per run, however many items carry it', async () => {
		const { run } = await sandbox.run(send({}, { dryRun: true }), {
			items: [{ text: SWAHILI }, { text: SWAHILI }, { text: 'a'.repeat(159) + '€' }, { text: 'Habari' }, { text: `${'a'.repeat(150)} [x] {}` }],
		});
		expect(run.data.resultData.runData['Mifumo SMS'][0].hints).toEqual([
			{ message: 'UCS-2: 3 SMS per recipient because of ’ at position 21', type: 'warning', location: 'outputPane' },
			{ message: 'GSM-7: 2 SMS per recipient; € counts as 2 characters (as each of ^ { } \\ [ ] ~ | € does)', type: 'info', location: 'outputPane' },
			{ message: 'GSM-7: 2 SMS per recipient; [, ], { and } count as 2 characters (as each of ^ { } \\ [ ] ~ | € does)', type: 'info', location: 'outputPane' },
		]);
	});
});

describe('the node counts as the sandbox does, for 1,000 generated texts', () => {
	/** Deterministic, so a failure can be replayed. */
	function random(seed: number) {
		let state = seed;
		return () => {
			state = (state * 1103515245 + 12345) % 2 ** 31;
			return state / 2 ** 31;
		};
	}
	const next = random(20261201);
	const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)];
	const GSM = Array.from('abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ 0123456789 .,!?-:;\'"()@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¡ÄÖÑÜ§¿äöñüà\n');
	const EXTENSION = Array.from('^{}\\[~]|€');
	const SWAHILI_WORDS = ['habari ', 'asante ', 'karibu ', 'mama ', 'shilingi ', 'kesho ', "ng'ombe ", 'ng’ombe ', 'tafadhali '];
	const TYPOGRAPHIC = Array.from('’“”–—…\u00a0');
	const EMOJI = ['😀', '👍🏽', '🇹🇿', '❤️', '🎉', '✓'];
	const OTHER = Array.from('şğłčąΩЖ');
	const flavours: Array<Array<readonly string[]>> = [
		[GSM],
		[GSM, EXTENSION],
		[SWAHILI_WORDS, GSM],
		[SWAHILI_WORDS, TYPOGRAPHIC, GSM],
		[GSM, EMOJI],
		[GSM, EXTENSION, SWAHILI_WORDS, TYPOGRAPHIC, EMOJI, OTHER],
	];
	function generate(): string {
		const pools = pick(flavours);
		const target = 1 + Math.floor(next() * 160);
		let characters: string[] = [];
		while (characters.length < target) {
			// Mostly the flavour's first pool, so texts are long runs of one kind with a few others.
			const pool = next() < 0.85 ? pools[0] : pick(pools);
			characters.push(...Array.from(pick(pool)));
		}
		characters = characters.slice(0, target);
		const text = characters.join('').trim();
		return text === '' ? 'a' : text;
	}
	const texts = Array.from({ length: 1000 }, generate);

	test('encoding, segments and total_segments equal the sandbox\'s own figures and bill', async () => {
		const { items, error } = await sandbox.run(send({ recipients: '={{ $json.recipients }}' }, { concurrency: 16 }), {
			items: texts.map((text, index) => ({ text, recipients: numbers(1 + (index % 3)) })),
		});
		expect(error).toBeUndefined();
		expect(items).toHaveLength(texts.length);
		const counts = await serverCounts();
		const mismatches = items.filter(({ json }, index) => {
			const server = counts.get(json.message_id as string)!;
			return (
				server.message !== texts[index] ||
				json.encoding !== server.encoding ||
				json.segments !== server.segments ||
				json.total_segments !== server.segments * (1 + (index % 3)) ||
				json.cost !== server.segments * (1 + (index % 3)) * COST_PER_SMS
			);
		});
		expect(mismatches).toEqual([]);
		// The texts cover both encodings and several part counts.
		const seen = new Set(items.map(({ json }) => `${json.encoding} ${json.segments}`));
		expect([...seen].sort()).toEqual(expect.arrayContaining(['GSM-7 1', 'GSM-7 2', 'UCS-2 1', 'UCS-2 2', 'UCS-2 3']));
	});
});
