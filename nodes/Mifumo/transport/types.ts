import type { IDataObject } from 'n8n-workflow';

/** Every Mifumo answer comes in this envelope. */
export interface MifumoEnvelope<T = unknown> {
	success: boolean;
	message?: string;
	data: T;
	error_code?: string | null;
	details?: unknown;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface MifumoRequest {
	method: HttpMethod;
	/** Path under /api/integration/v1, with the guide's trailing slash. */
	path: string;
	qs?: IDataObject;
	body?: IDataObject;
}

/** Per-request policy knobs; the defaults are the contract's. */
export interface RequestPolicy {
	timeoutMs: number;
	/** Sum of 429 waits one request may spend before it fails. */
	maxRateLimitWaitMs: number;
}

export interface ListPage {
	records: IDataObject[];
	/** True/false when the server said whether more pages exist; undefined when it gave no hint. */
	hasMore?: boolean;
	/** Total number of records (or pages) when the server told it. */
	total?: number;
	pages?: number;
}
