'use strict';
// Every example workflow, imported into a real n8n and run with `n8n execute --id`, against the
// Mifumo sandbox: the requests that reached the sandbox and the items the nodes output.

const { e2eContext, apiRequests, expectRunOk, local } = require('./lib/context');
const { IDS, exampleWorkflows } = require('./lib/constants');

const ctx = e2eContext();
const SEND = '/api/integration/v1/sms/send/';

beforeEach(async () => {
	await ctx.sandbox.reset();
});

describe('example workflow files', () => {
	const { NodeHelpers } = require('n8n-workflow');
	const { PackageDirectoryLoader } = require('n8n-core');
	const path = require('path');

	test('use only parameter names the nodes define (n8n silently drops unknown ones)', async () => {
		// n8n's own loader reads the built package as n8n does (package.json → dist), adding Poll Times to polling nodes.
		const loader = new PackageDirectoryLoader(path.join(__dirname, '..', '..'));
		await loader.loadAll();
		const types = Object.fromEntries(Object.entries(loader.nodeTypes).map(([name, { type }]) => [`${loader.packageName}.${name}`, type]));
		expect(Object.keys(types).sort()).toEqual(['n8n-nodes-mifumo.mifumo', 'n8n-nodes-mifumo.mifumoReportsTrigger', 'n8n-nodes-mifumo.mifumoTrigger']);
		const unknown = [];
		for (const wf of exampleWorkflows(5678)) {
			expect(wf.id).toMatch(/^[A-Za-z0-9]{16}$/);
			for (const n of wf.nodes.filter((x) => types[x.type])) {
				const { description } = types[n.type];
				expect(n.typeVersion).toBe(1);
				expect(n.credentials).toEqual({ mifumoApi: { id: 'MifumoSandbox001', name: 'Mifumo Sandbox' } });
				const resolved = NodeHelpers.getNodeParameters(description.properties, n.parameters, true, false, n, description);
				for (const [k, v] of Object.entries(n.parameters)) {
					if (!(k in resolved)) unknown.push(`${wf.id} ${n.name}: ${k}`);
					else if (v && typeof v === 'object' && !Array.isArray(v)) {
						for (const kk of Object.keys(v)) if (!(kk in (resolved[k] || {}))) unknown.push(`${wf.id} ${n.name}: ${k}.${kk}`);
					}
				}
			}
		}
		expect(unknown).toEqual([]);
	});
});

describe('example workflows in a real n8n', () => {
	test('the package is loaded: n8n knows its three node types', async () => {
		const rest = await ctx.rest();
		const r = await rest.request('GET', '/types/nodes.json');
		expect(r.status).toBe(200);
		const names = r.json.map((t) => t.name);
		expect(names).toEqual(expect.arrayContaining(['n8n-nodes-mifumo.mifumo', 'n8n-nodes-mifumo.mifumoTrigger', 'n8n-nodes-mifumo.mifumoReportsTrigger']));
	});

	test("n8n makes the AI-tool variant under the type name the node's tool limit recognises (mifumoTool)", async () => {
		const rest = await ctx.rest();
		const r = await rest.request('GET', '/types/nodes.json');
		const tool = r.json.find((t) => t.name === 'n8n-nodes-mifumo.mifumoTool');
		expect(tool).toEqual(expect.objectContaining({ outputs: ['ai_tool'] }));
	});

	test('02 Swahili broadcast: mixed number formats reach Mifumo once each, in E.164', async () => {
		const r = await ctx.execute(IDS.swahili);
		expectRunOk(r);

		const sends = await apiRequests(ctx.sandbox, { method: 'POST', path: SEND });
		expect(sends).toHaveLength(1);
		expect(sends[0].headers.authorization).toBe('Bearer sandbox-admin-key');
		expect(sends[0].headers['content-type']).toMatch(/^application\/json/);
		expect(sends[0].body).toEqual({
			message: expect.stringMatching(/^Habari! Mkutano wa wanachama/),
			recipients: ['+255712345678', '+255713000111', '+255714000222'],
			sender_id: 'MIFUMO',
		});

		const out = local.nodeItems(r.run, 'Send Swahili SMS');
		expect(out).toHaveLength(1);
		expect(out[0].message_id).toEqual(expect.any(String));
		expect(JSON.stringify(r.run)).not.toContain('sandbox-admin-key');
	});

	test('01 webhook → SMS: the manual path sends the sample request', async () => {
		const r = await ctx.execute(IDS.webhookSend);
		expectRunOk(r);
		const sends = await apiRequests(ctx.sandbox, { method: 'POST', path: SEND });
		expect(sends).toHaveLength(1);
		expect(sends[0].body).toEqual({ message: 'Habari! Your order #1024 is ready for pickup.', recipients: ['+255712345678'], sender_id: 'MIFUMO' });
		expect(local.nodeItems(r.run, 'Send SMS')).toEqual([expect.objectContaining({ message_id: expect.any(String) })]);
	});

	test('01 webhook → SMS: the published production webhook sends and answers with the result', async () => {
		const res = await fetch(`${ctx.n8nUrl}/webhook/mifumo-send-sms`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ phone: '+255 713 000 111', message: 'Karibu!' }),
		});
		const text = await res.text();
		expect({ status: res.status, text }).toEqual({ status: 200, text: expect.any(String) });
		const body = JSON.parse(text);
		const sends = await apiRequests(ctx.sandbox, { method: 'POST', path: SEND });
		expect(sends).toHaveLength(1);
		expect(sends[0].body).toEqual({ message: 'Karibu!', recipients: ['+255713000111'], sender_id: 'MIFUMO' });
		const [msg] = await ctx.sandbox.messages();
		expect(body).toEqual(expect.objectContaining({ message_id: msg.message_id }));
	});

	test("01 webhook → SMS: the sticky note's curl names the Webhook's path, and its body sends the SMS", async () => {
		const wf = exampleWorkflows(ctx.n8nPort).find((w) => w.id === IDS.webhookSend);
		const note = wf.nodes.find((n) => n.type === 'n8n-nodes-base.stickyNote').parameters.content;
		const curl = /curl http:\/\/localhost:(\d+)\/webhook-test\/([\w-]+) \\\n\s+-H "Content-Type: application\/json" \\\n\s+-d '([^']+)'/.exec(note);
		expect(curl).not.toBeNull();
		const [, port, hookPath, body] = curl;
		expect(port).toBe(String(ctx.n8nPort)); // the note's localhost:5678, moved to this n8n
		expect(hookPath).toBe(wf.nodes.find((n) => n.type === 'n8n-nodes-base.webhook').parameters.path);
		// The Test URL only listens while the editor waits; the published workflow's production URL
		// runs the same nodes.
		const res = await fetch(`${ctx.n8nUrl}/webhook/${hookPath}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
		expect(res.status).toBe(200);
		const sends = await apiRequests(ctx.sandbox, { method: 'POST', path: SEND });
		expect(sends.map((q) => q.body)).toEqual([{ message: 'Habari!', recipients: ['+255712345678'], sender_id: 'MIFUMO' }]);
	});

	test('03 contact sync: upsert creates on the first run and writes nothing on the second (all unchanged)', async () => {
		let r = await ctx.execute(IDS.contacts);
		expectRunOk(r);
		let reqs = await apiRequests(ctx.sandbox);
		expect(reqs.filter((q) => q.method === 'GET' && q.path === '/api/integration/v1/contacts/search/')).toHaveLength(3);
		const creates = reqs.filter((q) => q.method === 'POST' && q.path === '/api/integration/v1/contacts/create/');
		expect(creates.map((q) => q.body)).toEqual([
			{ name: 'Asha Mwinyi', phone_number: '+255712345678', email: 'asha@example.co.tz', tags: ['customers', 'dar'] },
			{ name: 'Baraka Juma', phone_number: '+255713000111', tags: ['customers', 'arusha'] },
			{ name: 'Neema Mushi', phone_number: '+255714000222', email: 'neema@example.co.tz', tags: ['vip'] },
		]);
		expect(local.nodeItems(r.run, 'Upsert contact')).toHaveLength(3);
		let contacts = await ctx.sandbox.contacts();
		expect(contacts.map((c) => c.phone_number).sort()).toEqual(['+255712345678', '+255713000111', '+255714000222']);

		await ctx.sandbox.clearRequests();
		r = await ctx.execute(IDS.contacts);
		expectRunOk(r);
		reqs = await apiRequests(ctx.sandbox);
		// The same data again: every contact already holds it, so nothing is written.
		expect(reqs.filter((q) => q.path === '/api/integration/v1/contacts/create/')).toHaveLength(0);
		expect(reqs.filter((q) => q.method === 'PUT')).toHaveLength(0);
		contacts = await ctx.sandbox.contacts();
		expect(contacts).toHaveLength(3);
		expect(local.nodeItems(r.run, 'Upsert contact').map((item) => item.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);
	});

	test('08 price check: the dry run sends nothing, the IF lets 3 SMS through, and Send SMS sends what the dry run showed', async () => {
		const r = await ctx.execute(IDS.dryRun);
		expectRunOk(r);
		const message = "Habari Mama Asha, ng'ombe wako amepatiwa chanjo leo. Tafadhali lipa TZS 15,000 kupitia M-Pesa kabla ya Ijumaa. Asante sana, Ofisi ya Mifugo ya Kibaha.";
		const recipients = ['+255712345678', '+255713000111', '+255714000222'];
		expect(local.nodeItems(r.run, 'Price check')).toEqual([
			{ dry_run: true, message, recipients, sender_id: 'MIFUMO', encoding: 'GSM-7', segments: 1, total_segments: 3 },
		]);
		const sends = await apiRequests(ctx.sandbox, { method: 'POST', path: SEND });
		expect(sends.map((q) => q.body)).toEqual([{ message, recipients, sender_id: 'MIFUMO' }]);
		expect(local.nodeItems(r.run, 'Send SMS')).toEqual([
			expect.objectContaining({ message_id: expect.any(String), recipients, encoding: 'GSM-7', segments: 1, total_segments: 3 }),
		]);
		// The IF's false branch stays empty: Over budget never runs.
		expect(local.nodeItems(r.run, 'Over budget')).toBeUndefined();
	});

	test('04 nightly report: all reports of the last 24 h, failed ones filtered, summary', async () => {
		const now = Date.now();
		const ago = (min) => new Date(now - min * 60000).toISOString();
		await ctx.sandbox.seed({
			messages: [
				{ recipients: ['+255712345678', '+255713000111'], status: 'delivered', sent_at: ago(60) },
				{ recipients: ['+255712345999'], status: 'failed', sent_at: ago(120) },
				{ recipients: ['+255714000222'], status: 'sent', sent_at: ago(5) },
				{ recipients: ['+255715000999'], status: 'failed', sent_at: ago(60 * 30) }, // older than 24 h
			],
		});
		const r = await ctx.execute(IDS.report);
		expectRunOk(r);

		const reqs = await apiRequests(ctx.sandbox, { method: 'GET', path: '/api/integration/v1/sms/delivery-reports/' });
		expect(reqs.length).toBeGreaterThanOrEqual(1);
		expect(reqs[0].query).toEqual(expect.objectContaining({ start_date: expect.stringMatching(/Z$/), end_date: expect.stringMatching(/Z$/) }));

		expect(local.nodeItems(r.run, 'Get delivery reports')).toHaveLength(4);
		expect(local.nodeItems(r.run, 'Failed only')).toEqual([expect.objectContaining({ status: 'failed', phone: '+255712345999' })]);
		const [summary] = local.nodeItems(r.run, 'Summary');
		expect(summary).toEqual(
			expect.objectContaining({ total: 4, delivered: 2, pending: 1, failed: 1, failedRecipients: ['+255712345999'] }),
		);
		expect(summary.text).toBe('Mifumo: 4 SMS in the last 24 h, 2 delivered, 1 failed.');
	});
});
