/**
 * One sandbox per test file, reset before each test, and a `run` bound to it.
 * The sandbox is the project's Mifumo-compatible server (test/sandbox), on a free loopback port.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { forgetAccountPaces } from '../../nodes/Mifumo/transport/pace';
import { runMifumo, type RunOptions, type RunResult } from './engine';

// The sandbox is plain JavaScript shared with the CLI and the end-to-end tests.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startSandbox } = require('../sandbox') as { startSandbox: (options?: IDataObject) => Promise<Sandbox> };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { SandboxClient } = require('../sandbox/client') as { SandboxClient: new (url: string) => SandboxControl };

export const API = '/api/integration/v1';
export const ADMIN_KEY = 'sandbox-admin-key';
export const READ_KEY = 'sandbox-read-key';

interface Sandbox {
	url: string;
	close(): Promise<void>;
}

export interface LoggedRequest {
	method: string;
	path: string;
	query: Record<string, string | string[]>;
	headers: Record<string, string>;
	body: IDataObject | null;
	rawBody: string;
	status: number;
}

/** The control plane (test/sandbox/client.js). */
export interface SandboxControl {
	reset(overrides?: IDataObject): Promise<unknown>;
	configure(config: IDataObject): Promise<unknown>;
	requests(): Promise<LoggedRequest[]>;
	clearRequests(): Promise<unknown>;
	messages(): Promise<Array<IDataObject & { message_id: string; recipients: string[] }>>;
	faults?(): Promise<unknown>;
	addFault(fault: IDataObject): Promise<unknown>;
	clearFaults(): Promise<unknown>;
	setBalance(balance: number): Promise<unknown>;
	resetStats(): Promise<unknown>;
	stats(): Promise<IDataObject & { inFlight: number; maxInFlight: number; rateLimited: number }>;
	seed(data: IDataObject): Promise<IDataObject>;
	advance(messageId: string, status: string, recipients?: string[]): Promise<unknown>;
	[method: string]: unknown;
}

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

/** Starts a sandbox for the test file; `overrides` apply at every reset. */
export function useSandbox(overrides: IDataObject = {}): SandboxFixture {
	let sandbox: Sandbox;
	const fixture = {} as SandboxFixture;
	const defaults: IDataObject = { deliveryDelayMs: null, ...overrides };

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

/** What Continue On Fail outputs for a failed item. */
export const errorItem = (error: string, errorCode: string, item = 0) => ({ json: { error, errorCode }, pairedItem: { item } });
