'use strict';
/** n8n's own HTTP Request node, from the local n8n install under .n8n-local/ when there is one. */
const { existsSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

const { paths } = require('../../scripts/lib/install');
const RELATIVE = 'node_modules/n8n-nodes-base/dist/nodes/HttpRequest/HttpRequest.node.js';

/** Path of HttpRequest.node.js in the local n8n install (.n8n-local/ or N8N_LOCAL_DIR), or undefined. */
function findHttpRequestNode() {
	const queue = [{ dir: paths().base, depth: 0 }];
	while (queue.length) {
		const { dir, depth } = queue.shift();
		const candidate = join(dir, RELATIVE);
		if (existsSync(candidate)) return candidate;
		if (depth >= 4) continue;
		let entries = [];
		try {
			entries = readdirSync(dir, { withFileTypes: true });
		} catch {
			continue;
		}
		for (const e of entries) {
			if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')) queue.push({ dir: join(dir, e.name), depth: depth + 1 });
		}
	}
	return undefined;
}

/** The workflow node for `count` POST /sms/send/ through the HTTP Request node (v4.2), one per item ({phone}). */
function httpRequestNode(url) {
	return {
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		parameters: {
			method: 'POST',
			url: `${url}/api/integration/v1/sms/send/`,
			authentication: 'predefinedCredentialType',
			nodeCredentialType: 'mifumoApi',
			sendBody: true,
			specifyBody: 'json',
			jsonBody: '={{ JSON.stringify({ message: "Benchmark message", recipients: [$json.phone], sender_id: "MIFUMO" }) }}',
			options: {},
		},
	};
}

module.exports = { findHttpRequestNode, httpRequestNode };
