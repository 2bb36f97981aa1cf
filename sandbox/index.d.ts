/** Types of the Mifumo sandbox (index.js). */

export type Permission = 'read' | 'write' | 'admin';
export type RateLimitName = 'smsPerMinute' | 'callsPerHour' | 'contactOpsPerHour';
export type ListShape = 'native' | 'array' | 'results' | 'items' | 'data';

export interface SandboxConfig {
	host: string;
	port: number;
	/** guide: the vendor's guide; source: Mifumo's own server (its public source, key check repaired). */
	dialect: 'guide' | 'source';
	/** As shipped: every request with a Bearer header gets 401 {detail, code: "token_not_valid", messages}. */
	jwtAuth: boolean;
	/** As shipped: a valid send answers 500 INTERNAL_ERROR; nothing is sent nor billed. */
	sendAnswers500: boolean;
	apiKeys: Record<string, Permission>;
	balance: number;
	/** TZS (guide) / USD (source) unless set. */
	currency: string;
	/** Billed per SMS part per recipient. */
	costPerSms: number;
	/** null or 0 = off. */
	rateLimits: Record<RateLimitName, number | null>;
	rateWindowMs: Record<RateLimitName, number>;
	/** Retry-After on 429s: true (guide) / false (source) unless set. */
	retryAfter: boolean;
	/** sent -> delivered/failed after this; null = only when advanced through the control plane. */
	deliveryDelayMs: number | null;
	/** Numbers that fail on delivery, beside those ending in 999. */
	failNumbers: string[];
	/** What delivery reports' start_date/end_date filter on: the send time, or the last status change. */
	reportDateField: 'sent_at' | 'updated_at';
	latencyMs: number;
	webhookSecret?: string;
	dashboardWebhookUrl?: string;
	webhookTimeoutMs: number;
	maxLogEntries: number;
	approvedSenderIds: string[];
	maxMessageLength: number;
	maxPerPage: number;
	maxLimit: number;
	listShape: ListShape;
	paginationHints: boolean;
	ignorePaging: boolean;
	log: boolean | ((line: string) => void);
}

/** Overrides: rateLimits and rateWindowMs merge key by key (rateLimits: null = all off; rateWindowMs: a number sets all). */
export type SandboxOptions = Partial<Omit<SandboxConfig, 'rateLimits' | 'rateWindowMs'>> & {
	rateLimits?: Partial<Record<RateLimitName, number | null>> | null;
	rateWindowMs?: number | Partial<Record<RateLimitName, number>>;
};

export declare class Sandbox {
	constructor(options?: SandboxOptions);
	readonly url: string;
	readonly port: number;
	config: SandboxConfig;
	listen(): Promise<Sandbox>;
	close(): Promise<void>;
	reset(overrides?: SandboxOptions): void;
	configure(overrides: SandboxOptions): SandboxConfig & { url: string };
}

export declare function startSandbox(options?: SandboxOptions): Promise<Sandbox>;
export declare function defaultConfig(): SandboxConfig;
/** The encoding and SMS parts one recipient receives, as the sandbox bills them (independent of the node's count). */
export declare function countSegments(text: string): { encoding: 'GSM-7' | 'UCS-2'; segments: number };
export declare const DEFAULT_API_KEYS: Readonly<Record<string, Permission>>;
export declare const DEFAULT_SENDER_IDS: readonly string[];
export declare const API_PREFIX: '/api/integration/v1';
export declare const CONTROL_PREFIX: '/__sandbox';
