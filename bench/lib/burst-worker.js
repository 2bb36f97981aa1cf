'use strict';
/**
 * One worker of case 10's multi-process burst: a process of its own, as an n8n queue-mode worker
 * is, that runs its share of the executions at once through the built node. Its environment says
 * whether it is in queue mode (the pace in Redis) or not (its own pace). Says `ready` once loaded,
 * starts on `go`, reports how many executions failed.
 */
const { runNode } = require('./engine');
const { sendNode, API_KEY } = require('./common');

process.on('message', async ({ url, phones, messagesPerMinute }) => {
	const runs = await Promise.all(
		phones.map((phone) => runNode({ ...sendNode({ messagesPerMinute }), items: [{ phone }], credentials: { apiKey: API_KEY, baseUrl: url } })),
	);
	process.send({ failed: runs.filter((run) => run.error).length }, () => process.exit(0));
});
process.send({ ready: true });
