'use strict';
// The reports trigger in a real n8n: example 07 activated through the REST API (n8n runs the
// first poll at once), then n8n's own every-minute poll finds a failure that happened after the
// activation, and the workflow resends it through INFO; when that fails too, the operator is told.

const { e2eContext, apiRequests, waitFor, local } = require('./lib/context');

const ctx = e2eContext();
const WORKFLOW_ID = 'MifumoExample007';
const REPORTS = '/api/integration/v1/sms/delivery-reports/';
const SEND = '/api/integration/v1/sms/send/';
// n8n's "every minute" fires once a minute; the sandbox settles a send after 1.5 s.
const NEXT_POLL_MS = 80_000;

async function executions() {
	const rest = await ctx.rest();
	return rest.executions(WORKFLOW_ID);
}

async function finishedExecutions(count) {
	return waitFor(
		async () => {
			const list = await executions();
			return list.length >= count && list.every((e) => e.finished || ['success', 'error', 'crashed'].includes(e.status)) ? list : null;
		},
		{ what: `${count} finished executions of "resend failed SMS"`, timeoutMs: NEXT_POLL_MS, intervalMs: 1000 },
	);
}

async function sendDirectly(body) {
	const response = await fetch(`${ctx.sandboxUrl}${SEND}`, {
		method: 'POST',
		headers: { authorization: 'Bearer sandbox-admin-key', 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	const envelope = await response.json();
	expect(envelope.success).toBe(true);
	return envelope.data.message_id;
}

async function serverReport(messageId) {
	const response = await fetch(`${ctx.sandboxUrl}${REPORTS}?per_page=100`, { headers: { authorization: 'Bearer sandbox-admin-key' } });
	const { data } = await response.json();
	return data.reports.filter((report) => report.message_id === messageId);
}

afterAll(async () => {
	const rest = await ctx.rest();
	await rest.request('POST', `/rest/workflows/${WORKFLOW_ID}/deactivate`, {});
});

describe('Mifumo SMS Reports Trigger in a real n8n', () => {
	test('activated: emits nothing that failed before; a failure after activation is resent via INFO, a second one alerts the operator', async () => {
		await ctx.sandbox.reset();
		const earlier = await sendDirectly({ message: 'Kabla ya kuanza', recipients: ['+255712000999'], sender_id: 'MIFUMO' });
		await waitFor(async () => (await serverReport(earlier))[0]?.status === 'failed', { what: 'the earlier SMS to fail' });
		await ctx.sandbox.clearRequests();

		const rest = await ctx.rest();
		const workflow = await rest.ok('GET', `/rest/workflows/${WORKFLOW_ID}`);
		const activatedAt = Date.now();
		await rest.ok('POST', `/rest/workflows/${WORKFLOW_ID}/activate`, { versionId: workflow.versionId });

		// n8n polls once at activation: the trigger asks for failed reports of the last 24 hours.
		const [first] = await waitFor(async () => {
			const polls = await apiRequests(ctx.sandbox, { method: 'GET', path: REPORTS });
			return polls.length ? polls : null;
		}, { what: 'the activation poll' });
		expect(first.query).toEqual({ start_date: expect.stringMatching(/Z$/), status: 'failed', page: '1', per_page: '100' });
		const startMs = Date.parse(first.query.start_date);
		expect(Math.abs(startMs - (activatedAt - 24 * 3_600_000))).toBeLessThan(10_000);
		expect(first.headers.authorization).toBe('Bearer sandbox-admin-key');
		const before = (await executions()).length;

		const messageId = await sendDirectly({ message: 'Karibu! Mzigo wako uko tayari.', recipients: ['+255712345999'], sender_id: 'MIFUMO' });
		const resentList = await finishedExecutions(before + 1);
		const resent = await rest.execution(resentList[0].id);
		expect(resent.status).toBe('success');
		const [failedReport] = await serverReport(messageId);
		expect(failedReport).toEqual(expect.objectContaining({ message_id: messageId, phone: '+255712345999', status: 'failed', sender_id: 'MIFUMO' }));
		expect(local.nodeItems(resent.data, 'Mifumo SMS Reports Trigger')).toEqual([failedReport]);

		const sends = await apiRequests(ctx.sandbox, { method: 'POST', path: SEND });
		expect(sends.map((request) => request.body)).toEqual([
			{ message: 'Karibu! Mzigo wako uko tayari.', recipients: ['+255712345999'], sender_id: 'MIFUMO' },
			{ message: 'Karibu! Mzigo wako uko tayari.', recipients: ['+255712345999'], sender_id: 'INFO' },
		]);
		const resendId = local.nodeItems(resent.data, 'Resend via INFO')[0].message_id;

		// The resend (INFO) fails as well: the next poll takes the operator branch, and nothing else.
		const alertedList = await finishedExecutions(before + 2);
		const alerted = await rest.execution(alertedList[0].id);
		expect(local.nodeItems(alerted.data, 'Mifumo SMS Reports Trigger')).toEqual(await serverReport(resendId));
		const alerts = (await apiRequests(ctx.sandbox, { method: 'POST', path: SEND })).slice(sends.length);
		expect(alerts.map((request) => request.body)).toEqual([
			{
				message: `SMS to +255712345999 failed twice (message ${resendId}). Please call them.`,
				recipients: ['+255754000111'],
				sender_id: 'ALERT',
			},
		]);
		expect(alerted.data.resultData.runData['Resend via INFO']).toBeUndefined();
	}, 200_000);
});
