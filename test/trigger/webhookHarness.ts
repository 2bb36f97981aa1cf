/**
 * A stand-in for n8n's webhook server, small enough to read, that runs the Mifumo SMS Trigger
 * through n8n-core's real machinery over real HTTP:
 *
 *   POST <url>/webhook/<webhookId>/webhook            (production; /webhook-test/... runs in manual mode)
 *   → body read as n8n 2.41 reads it (rawBody Buffer kept; application/json parsed, a parse error is 422)
 *   → n8n-core's WebhookContext over a real Workflow (n8n-workflow), credentials from additionalData
 *   → nodeType.webhook.call(context), exactly as n8n's WebhookService.runWebhook does
 *   → the answer written as n8n's executeWebhook / WebhookRequestHandler write it
 *   → when workflowData comes back, the execution is recorded and run through WorkflowExecute,
 *     with the trigger feeding a pass-through node, as n8n's WorkflowRunner would.
 *
 * Not reproduced: routing by database, gzip/deflate bodies, multipart, CORS, queue mode.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseQueryString } from 'node:querystring';

import { ExecutionLifecycleHooks, WebhookContext, WorkflowExecute } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	INodeTypeDescription,
	INodeTypes,
	IRun,
	IWebhookData,
	IWebhookResponseData,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { createRunExecutionData, NodeConnectionTypes, NodeHelpers, Workflow } from 'n8n-workflow';

import { additionalDataFor } from '../helpers/n8nContext';
import { MifumoTrigger } from '../../nodes/MifumoTrigger/MifumoTrigger.node';

// n8n-core writes its instance settings under the user folder: keep them out of $HOME.
process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'mifumo-trigger-'));
process.env.N8N_LOG_LEVEL ??= 'silent';

export const TRIGGER_TYPE = 'n8n-nodes-mifumo.mifumoTrigger';
export const TRIGGER_NAME = 'Mifumo SMS Trigger';
export const NEXT_NODE_NAME = 'Received';

/** Passes its input through: the node after the trigger, so a run shows what the workflow got. */
class PassThrough implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Pass Through',
		name: 'passThrough',
		group: ['transform'],
		version: 1,
		description: 'Outputs its input',
		defaults: { name: 'Pass Through' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	}
}

const trigger = new MifumoTrigger();
const nodeTypeInstances: Record<string, INodeType> = {
	[TRIGGER_TYPE]: trigger,
	'test.passThrough': new PassThrough(),
};
const nodeTypes: INodeTypes = {
	getByName: (name) => nodeTypeInstances[name],
	getByNameAndVersion: (name) => nodeTypeInstances[name],
	getKnownTypes: () => ({}),
};

export interface TriggerHarnessOptions {
	/** The decrypted `mifumoApi` credential the trigger gets. */
	credentials: { apiKey: string; baseUrl?: string; webhookSecret?: string };
	/** The trigger node's parameters as a workflow stores them (defaults filled in by n8n-workflow). */
	parameters?: INodeParameters;
	/** n8n's N8N_PAYLOAD_SIZE_MAX in MiB (16 by default). */
	payloadSizeMaxMb?: number;
	/** Hide the raw body from the node (only the parsed body remains), to exercise its fallback. */
	withoutRawBody?: boolean;
}

/** One request the harness answered. */
export interface ReceivedCall {
	path: string;
	status: number;
	contentType: string | undefined;
	body: string;
	/** What the node's webhook() returned (undefined when the node never ran or threw). */
	result?: IWebhookResponseData;
	error?: Error;
}

/** An execution n8n would have started. */
export interface RecordedExecution {
	mode: WorkflowExecuteMode;
	/** The items the trigger returned (workflowData, main output 0), json only. */
	items: IDataObject[];
	/** The run through WorkflowExecute, and what the next node received. */
	run: IRun;
	received: IDataObject[];
}

export interface TriggerHarness {
	/** Where n8n serves: `<baseUrl>/webhook/<webhookId>/webhook` is the production URL. */
	baseUrl: string;
	webhookId: string;
	/** The Production URL as n8n-core builds it (WebhookContext.getNodeWebhookUrl). */
	url: string;
	/** The Test URL (/webhook-test/...), for a workflow in manual mode. */
	testUrl: string;
	calls: ReceivedCall[];
	executions: RecordedExecution[];
	waitForCalls(count: number, timeoutMs?: number): Promise<ReceivedCall[]>;
	/** Resolves when every started execution has finished its run. */
	settled(): Promise<void>;
	reset(): void;
	close(): Promise<void>;
}

let executionCounter = 0;

/** What n8n's rawBodyReader + parseIncomingMessage set on the request. */
function parseContentType(req: IncomingMessage): void {
	const header = req.headers['content-type'];
	if (!header) return;
	const [type, ...params] = header.split(';');
	req.contentType = type.trim().toLowerCase();
	const charset = params.map((p) => p.trim().split('=')).find(([k]) => k.toLowerCase() === 'charset')?.[1];
	req.encoding = (charset ? charset.replace(/"/g, '').toLowerCase() : 'utf-8') as BufferEncoding;
}

class PayloadTooLarge extends Error {}

async function readRawBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req) {
		size += (chunk as Buffer).length;
		if (size > limitBytes) throw new PayloadTooLarge('request entity too large');
		chunks.push(chunk as Buffer);
	}
	return Buffer.concat(chunks);
}

/** n8n 2.41's parseBody (packages/cli/src/middlewares/body-parser.ts), minus XML. */
function parseBody(req: IncomingMessage & { body?: unknown }): void {
	const { rawBody, contentType } = req;
	const encoding = (req.encoding ?? 'utf-8') as BufferEncoding;
	if (!rawBody?.length) return;
	const stripBom = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
	if (contentType === 'application/json') {
		req.body = JSON.parse(stripBom(rawBody.toString(encoding)));
	} else if (contentType === 'application/x-www-form-urlencoded') {
		req.body = parseQueryString(stripBom(rawBody.toString(encoding)), undefined, undefined, { maxKeys: 1000 });
	} else if (contentType === 'text/plain') {
		req.body = rawBody.toString(encoding);
	}
}

/** Express's res.json / res.send, as n8n's sendLegacyResponse / sendStaticResponse use them. */
function sendLikeExpress(res: ServerResponse, status: number, data: unknown): void {
	if (res.headersSent || res.writableEnded) return;
	if (typeof data === 'string') {
		res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' });
		res.end(data);
	} else if (data === undefined) {
		res.writeHead(status);
		res.end();
	} else {
		res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
		res.end(JSON.stringify(data));
	}
}

export async function startTriggerHarness(options: TriggerHarnessOptions): Promise<TriggerHarness> {
	const webhookId = '6d1f3a52-8c4e-4b7a-9e21-5f0c7d9a3b64';
	const triggerNode: INode = {
		id: 'trigger',
		name: TRIGGER_NAME,
		type: TRIGGER_TYPE,
		typeVersion: 1,
		position: [0, 0],
		webhookId,
		parameters: options.parameters ?? {},
		credentials: { mifumoApi: { id: '1', name: 'Mifumo account' } },
	};
	const nextNode: INode = {
		id: 'next',
		name: NEXT_NODE_NAME,
		type: 'test.passThrough',
		typeVersion: 1,
		position: [200, 0],
		parameters: {},
	};
	const connections = { [TRIGGER_NAME]: { main: [[{ node: NEXT_NODE_NAME, type: NodeConnectionTypes.Main, index: 0 }]] } };
	const workflowId = 'trigger-harness';
	const credentials = { baseUrl: 'http://127.0.0.1:8001', ...options.credentials } as ICredentialDataDecryptedObject;
	const limitBytes = (options.payloadSizeMaxMb ?? 16) * 1024 * 1024;

	const calls: ReceivedCall[] = [];
	const executions: RecordedExecution[] = [];
	const pendingRuns = new Set<Promise<unknown>>();
	const waiters = new Set<() => void>();
	const notify = () => waiters.forEach((w) => w());

	const newWorkflow = () =>
		new Workflow({ id: workflowId, name: 'Delivery receipts', nodes: [structuredClone(triggerNode), structuredClone(nextNode)], connections, active: true, nodeTypes, staticData: {} });
	let baseUrl = '';

	/** What n8n's executeWebhook does once the request is read. */
	async function runWebhook(req: IncomingMessage, res: ServerResponse, mode: WorkflowExecuteMode): Promise<Pick<ReceivedCall, 'result' | 'error'>> {
		const workflow = newWorkflow();
		const node = workflow.getNode(TRIGGER_NAME)!;
		const webhookDescription = trigger.description.webhooks![0];
		const additionalData = additionalDataFor(baseUrl, credentials);
		additionalData.httpRequest = req as never;
		additionalData.httpResponse = res as never;
		const webhookData: IWebhookData = {
			httpMethod: 'POST',
			node: node.name,
			path: NodeHelpers.getNodeWebhookPath(workflowId, node, 'webhook', false, false),
			webhookDescription,
			workflowId,
			workflowExecuteAdditionalData: additionalData,
			webhookId,
			isTest: mode === 'manual',
		};
		const context = new WebhookContext(workflow, node, additionalData, mode, webhookData, [], null);

		let result: IWebhookResponseData;
		try {
			result = (await trigger.webhook.call(context)) as IWebhookResponseData;
		} catch (error) {
			// n8n answers a throwing webhook() with this 500 and records a failed execution.
			sendLikeExpress(res, 500, { code: 0, message: 'Workflow Webhook Error: Workflow could not be started!' });
			return { error: error as Error };
		}

		const responseCode = 200; // the description sets no responseCode
		const responded = result.noWebhookResponse === true;
		if (result.workflowData === undefined) {
			if (!responded) sendLikeExpress(res, responseCode, result.webhookResponse !== undefined ? result.webhookResponse : { message: 'Webhook call received' });
			return { result };
		}
		if (!responded) {
			// onReceived: n8n evaluates responseData with 'firstEntryJson' as its default, then
			// extractWebhookOnReceivedResponse picks the body.
			const responseData = workflow.expression.getComplexParameterValue(node, webhookDescription.responseData, mode, {}, undefined, 'firstEntryJson');
			const body = responseData === 'noData' ? undefined : responseData ? responseData : result.webhookResponse !== undefined ? result.webhookResponse : { message: 'Workflow was started' };
			sendLikeExpress(res, responseCode, body);
		}
		const run = startExecution(workflow, mode, result.workflowData);
		pendingRuns.add(run);
		void run.finally(() => pendingRuns.delete(run));
		return { result };
	}

	/** What n8n's prepareExecutionData + WorkflowRunner do with the trigger's workflowData. */
	async function startExecution(workflow: Workflow, mode: WorkflowExecuteMode, workflowData: INodeExecutionData[][]): Promise<void> {
		const executionId = String(++executionCounter);
		const node = workflow.getNode(TRIGGER_NAME)!;
		const runExecutionData = createRunExecutionData({
			executionData: { nodeExecutionStack: [{ node, data: { main: workflowData }, source: null }] },
		});
		const additionalData = additionalDataFor(baseUrl, credentials, executionId);
		additionalData.hooks = new ExecutionLifecycleHooks(mode, executionId, {
			id: workflowId,
			name: 'Delivery receipts',
			nodes: Object.values(workflow.nodes),
			connections,
			active: true,
			activeVersionId: null,
			isArchived: false,
			createdAt: new Date(),
			updatedAt: new Date(),
		} as never);
		const run = await new WorkflowExecute(additionalData, mode, runExecutionData).processRunExecutionData(workflow);
		const json = (items: INodeExecutionData[] | null | undefined) => (items ?? []).map((item) => item.json);
		executions.push({
			mode,
			items: json(workflowData[0]),
			run,
			received: json(run.data.resultData.runData[NEXT_NODE_NAME]?.[0]?.data?.main?.[0]),
		});
		notify();
	}

	async function handle(req: IncomingMessage & { body?: unknown }, res: ServerResponse): Promise<Pick<ReceivedCall, 'result' | 'error'>> {
		const path = (req.url ?? '/').split('?')[0];
		const productionPath = `/webhook/${webhookId}/webhook`;
		const testPath = `/webhook-test/${webhookId}/webhook`;
		if (req.method !== 'POST' || (path !== productionPath && path !== testPath)) {
			req.resume();
			sendLikeExpress(res, 404, { code: 404, message: `The requested webhook "${req.method} ${path}" is not registered.` });
			return {};
		}
		parseContentType(req);
		try {
			req.rawBody = await readRawBody(req, limitBytes);
			req._body = true;
			parseBody(req);
		} catch (error) {
			if (error instanceof PayloadTooLarge) sendLikeExpress(res, 413, { code: 413, message: error.message });
			// n8n throws UnprocessableRequestError('Failed to parse request body') before the node runs.
			else sendLikeExpress(res, 422, { code: 422, message: 'Failed to parse request body' });
			return {};
		}
		req.body ??= {};
		if (options.withoutRawBody) delete (req as { rawBody?: Buffer }).rawBody;
		return await runWebhook(req, res, path === testPath ? 'manual' : 'webhook');
	}

	const server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		const originalEnd = res.end.bind(res);
		// Keep a copy of what was answered, for the test to read back.
		res.end = ((chunk?: unknown, ...rest: unknown[]) => {
			if (chunk !== undefined && typeof chunk !== 'function') chunks.push(Buffer.from(chunk as string));
			return originalEnd(chunk as never, ...(rest as []));
		}) as typeof res.end;
		handle(req, res).then(
			(outcome) => {
				const record = () => {
					calls.push({
						path: (req.url ?? '/').split('?')[0],
						status: res.statusCode,
						contentType: res.getHeader('content-type') as string | undefined,
						body: Buffer.concat(chunks).toString('utf8'),
						...outcome,
					});
					notify();
				};
				if (res.writableEnded) record();
				else res.once('finish', record);
			},
			(error: Error) => {
				sendLikeExpress(res, 500, { message: error.message });
			},
		);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

	// The URL users copy from the node: n8n-core's own getNodeWebhookUrl, not a string built here.
	const probe = newWorkflow();
	const probeNode = probe.getNode(TRIGGER_NAME)!;
	const probeData = additionalDataFor(baseUrl, credentials);
	const probeContext = (isTest: boolean) =>
		new WebhookContext(probe, probeNode, probeData, isTest ? 'manual' : 'webhook', { isTest, webhookDescription: trigger.description.webhooks![0] } as IWebhookData, [], null);
	const url = probeContext(false).getNodeWebhookUrl('default')!;
	const testUrl = probeContext(true).getWebhookResourceUrl('default')!;

	function waitFor<T>(check: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
		return new Promise((resolve, reject) => {
			const attempt = () => {
				const value = check();
				if (value === undefined) return;
				waiters.delete(attempt);
				clearTimeout(timer);
				resolve(value);
			};
			const timer = setTimeout(() => {
				waiters.delete(attempt);
				reject(new Error(`timed out waiting for ${what} (calls: ${calls.length}, executions: ${executions.length})`));
			}, timeoutMs);
			waiters.add(attempt);
			attempt();
		});
	}

	return {
		baseUrl,
		webhookId,
		url,
		testUrl,
		calls,
		executions,
		waitForCalls: (count, timeoutMs = 10000) => waitFor(() => (calls.length >= count ? calls.slice(0, count) : undefined), `${count} calls`, timeoutMs),
		settled: async () => {
			while (pendingRuns.size) await Promise.allSettled([...pendingRuns]);
		},
		reset: () => {
			calls.length = 0;
			executions.length = 0;
		},
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
