import type { IDataObject, IExecuteFunctions, IPollFunctions } from 'n8n-workflow';

/** Every Mifumo answer comes in this envelope (Mifumo's own server leaves empty keys out and adds `timestamp`). */
export interface MifumoEnvelope<T = unknown> {
	success: boolean;
	message?: string;
	data?: T;
	error_code?: string | null;
	details?: unknown;
	timestamp?: string;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** What a request may have done on the server when no answer came back. */
export type RequestEffect = 'none' | 'sms' | 'record';

export interface MifumoRequest {
	method: HttpMethod;
	/** Path under /api/integration/v1, with the guide's trailing slash. */
	path: string;
	qs?: IDataObject;
	body?: IDataObject;
	/** Safe to send again after a 5xx or a lost connection: a read, or a write of the same values. */
	repeatable: boolean;
	/** What the user is told may have happened when the outcome is unknown. */
	effect: RequestEffect;
	/** SMS it spends against the account's pace: it waits for its turn before it goes out. */
	smsCount?: number;
}

/** Per-item knobs of Options → Timeout and Max Rate Limit Wait. */
export interface RequestPolicy {
	timeoutMs: number;
	/** Sum of 429 waits one item may spend before it fails. */
	maxRateLimitWaitMs: number;
}

/** The n8n contexts that may talk to Mifumo: node executions and polling triggers. */
export type MifumoContext = IExecuteFunctions | IPollFunctions;

export interface ListPage {
	records: IDataObject[];
	/** True/false when the server said whether more pages exist; undefined when it gave no hint. */
	hasMore?: boolean;
	/** Total number of records (or pages) when the server told it. */
	total?: number;
	pages?: number;
}
