'use strict';
const fs = require('fs');
const path = require('path');

const EXAMPLES_DIR = path.join(__dirname, '..', '..', '..', 'examples');
const CREDENTIAL_ID = 'MifumoSandbox001';
const OWNER = { email: 'e2e@example.com', password: 'Mifumo-E2e-Test-1', firstName: 'E2E', lastName: 'Runner' };
const IDS = {
	webhookSend: 'MifumoExample001',
	swahili: 'MifumoExample002',
	contacts: 'MifumoExample003',
	report: 'MifumoExample004',
	sendWithWebhook: 'MifumoExample005',
	receipts: 'MifumoExample006',
	dryRun: 'MifumoExample008',
	approveOrder: 'MifumoExample009',
};
// published before n8n starts: their webhooks are live
const PUBLISHED = [IDS.webhookSend, IDS.receipts];

/** The example workflows, with the editor URL http://localhost:5678 moved to the test's n8n port. */
function exampleWorkflows(n8nPort) {
	return fs
		.readdirSync(EXAMPLES_DIR)
		.filter((f) => f.endsWith('.json'))
		.sort()
		.map((f) => JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, f), 'utf8').split('http://localhost:5678/').join(`http://localhost:${n8nPort}/`)));
}

module.exports = { EXAMPLES_DIR, CREDENTIAL_ID, OWNER, IDS, PUBLISHED, exampleWorkflows };
