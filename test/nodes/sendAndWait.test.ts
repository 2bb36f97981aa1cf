import { useSandbox } from '../helpers/sandbox';

const sandbox = useSandbox({ maxMessageLength: 1000 });

test('probe', async () => {
	const r = await sandbox.run({ resource: 'sms', operation: 'sendAndWait', recipients: '0712345678', message: 'Approve order #1024 of TZS 2,500,000 from Mama Asha?' });
	console.log(JSON.stringify({ items: r.items, error: r.error, waitTill: r.run.waitTill, status: r.run.status, meta: r.run.data.resultData.metadata }, null, 1));
	console.log(JSON.stringify(await sandbox.requests(), null, 1).slice(0, 1500));
});
