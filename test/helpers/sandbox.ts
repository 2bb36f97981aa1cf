/**
 * One sandbox per test file, reset before each test, and a `run` bound to it.
 * The sandbox is the project's Mifumo-compatible server (sandbox/), on a free loopback port.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { forgetAccountPaces } from '../../nodes/Mifumo/transport/pace';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox';
import { SandboxClient, type LoggedRequest } from '../../sandbox/client';
import { runMifumo, type RunOptions, type RunResult } from './engine';

export type { LoggedRequest, SandboxOptions };
/** The control plane (sandbox/client.js, typed in sandbox/client.d.ts). */
export type SandboxControl = SandboxClient;

export const API = '/api/integration/v1';
export const ADMIN_KEY = 'sandbox-admin-key';
export const READ_KEY = 'sandbox-read-key';

export interface SandboxFixture {
	url: string;
	control: SandboxControl;
	/** Runs the node with the sandbox's admin key unless `credentials` says otherwise. */
	run(parameters: INodeParameters, options?: Partial<RunOptions>): Promise<RunResult>;
	/** API requests that reached the sandbox since the last reset. */
	requests(): Promise<LoggedRequest[]>;
	/** The envelope's data, fetched directly (not through the node) with the admin key; the log is cleared after. */
	serverData(path: string, query?: Record<string, string>): Promise<unknown>;
}

/** Starts a sandbox for the test file; `overrides` (e.g. `{ dialect: 'source' }`) apply at every reset. */
export function useSandbox(overrides: SandboxOptions = {}): SandboxFixture {
	let sandbox: Sandbox;
	const fixture = {} as SandboxFixture;
	const defaults: SandboxOptions = { deliveryDelayMs: null, ...overrides };

	beforeAll(async () => {
		sandbox = await startSandbox({ host: '127.0.0.1', port: 0, ...defaults });
		fixture.url = sandbox.url;
		fixture.control = new SandboxClient(sandbox.url);
	});
	beforeEach(async () => {
		await fixture.control.reset(defaults);
		// A fresh server: no pace or rate-limit pause left over from an earlier test's sends.
		forgetAccountPaces();
	});
	afterAll(async () => {
		await sandbox?.close();
	});

	fixture.run = async (parameters, options = {}) =>
		await runMifumo({
			credentials: { apiKey: ADMIN_KEY, baseUrl: fixture.url },
			...options,
			parameters,
		});
	fixture.requests = async () => await fixture.control.requests();
	fixture.serverData = async (path, query = {}) => {
		const url = new URL(`${fixture.url}${API}${path}`);
		for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
		const response = await fetch(url, { headers: { Authorization: `Bearer ${ADMIN_KEY}` } });
		const envelope = (await response.json()) as { success: boolean; data: unknown };
		expect(envelope.success).toBe(true);
		await fixture.control.clearRequests();
		return envelope.data;
	};
	return fixture;
}

/** The request that reached the sandbox: method, path, query, the key, and the JSON body (or none). */
export function expectRequest(
	request: LoggedRequest,
	expected: { method: string; path: string; query?: Record<string, string | string[]>; body?: IDataObject },
	key = ADMIN_KEY,
) {
	expect({ method: request.method, path: request.path, query: request.query }).toEqual({
		method: expected.method,
		path: `${API}${expected.path}`,
		query: expected.query ?? {},
	});
	expect(request.headers.authorization).toBe(`Bearer ${key}`);
	if (expected.body === undefined) {
		expect(request.rawBody).toBe('');
	} else {
		expect(request.headers['content-type']).toBe('application/json');
		expect(JSON.parse(request.rawBody)).toStrictEqual(expected.body);
	}
}

/** The number of a burst's `index`th execution: one SMS each, every number distinct. */
export const burstNumber = (index: number) => `+255${712_000_000 + index * 7}`;

/** The node's parameters for a burst's `index`th execution: its own number and its own text. */
export const burstSend = (index: number, messagesPerMinute: number): INodeParameters => ({
	resource: 'sms',
	operation: 'send',
	message: `Order ${index} is ready`,
	recipients: burstNumber(index),
	senderId: 'MIFUMO',
	options: { messagesPerMinute },
});

/** What Continue On Fail outputs for a failed item. */
export const errorItem = (error: string, errorCode: string, item = 0) => ({ json: { error, errorCode }, pairedItem: { item } });
