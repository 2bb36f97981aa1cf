/** Types of the control-plane client (client.js). */
import type { RateLimitName, SandboxConfig, SandboxOptions } from './index';

/** A JSON value as the sandbox sends or stores it. */
type Json = unknown;
type JsonObject = Record<string, unknown>;

/** One API request as it reached the sandbox. */
export interface LoggedRequest {
	method: string;
	path: string;
	query: Record<string, string | string[]>;
	headers: Record<string, string>;
	body: JsonObject | null;
	rawBody: string;
	/** null while unanswered, or for a reset / hang fault. */
	status: number | null;
	at: number;
	fault?: number;
	outcome?: 'reset' | 'hang';
}

export interface RecipientStatus {
	phone: string;
	status: string;
	delivery_time: string | null;
	/** The recipient's last status change. */
	updated_at: string;
}

export interface MessageView {
	message_id: string;
	message: string;
	recipients: string[];
	sender_id: string;
	schedule_time: string | null;
	webhook_url: string | null;
	api_key: string | null;
	status: string;
	cost: number;
	currency: string;
	created_at: string;
	sent_at: string | null;
	delivery_time: string | null;
	encoding: 'GSM-7' | 'UCS-2';
	segments: number;
	recipient_statuses: RecipientStatus[];
}

export interface SandboxStats {
	inFlight: number;
	maxInFlight: number;
	/** API requests received, faulted ones too. */
	requests: number;
	sendsAccepted: number;
	/** Recipients × parts of the accepted sends: the SMS billed. */
	smsAccepted: number;
	/** Epoch ms of each accepted send. */
	acceptedSendTimes: number[];
	/** Every 429 answered, injected ones too. */
	rateLimited: number;
	rateLimitedBy: Record<RateLimitName, number>;
	webhooksSent: number;
}

export interface FaultSpec {
	method?: string;
	/** Exact (trailing slash ignored) or a prefix ending in `*`; relative to /api/integration/v1 unless it starts with /api. */
	path: string;
	/** Default 1; -1 or "always" = until cleared. */
	times?: number | 'always';
	status?: number;
	body?: Json;
	contentType?: string;
	headers?: Record<string, string>;
	delayMs?: number;
	action?: 'respond' | 'reset' | 'hang' | 'delay';
	/** Process the request, then lose its answer. */
	processThenFail?: boolean;
	/** Let this many matching requests through first (default 0). */
	after?: number;
}

export interface Fault extends FaultSpec {
	id: number;
	hits: number;
	remaining: number | 'always';
}

export interface SeededMessage {
	message_id?: string;
	message?: string;
	recipients?: string[];
	sender_id?: string;
	/** sent (default), queued, scheduled, delivered, failed, or any status a report may carry; omitted = the 999 convention. */
	status?: string;
	sent_at?: string;
	/** The time of the status change (default 5 s after sent_at). */
	delivery_time?: string;
	webhook_url?: string;
	api_key?: string;
}

export interface GeneratedMessages {
	count: number;
	recipients?: number;
	status?: string;
	/** Cycled over the messages. */
	statuses?: string[];
	sender_id?: string;
	message?: string;
	/** Between two sends (default 1000); the newest is sent intervalMs before endAt. */
	intervalMs?: number;
	/** ISO time (default now). */
	endAt?: string;
	/** From a send to its last status change (default 5000). */
	changeAfterMs?: number;
}

export interface SeedSpec {
	contacts?: number | JsonObject[];
	segments?: JsonObject[];
	messages?: number | GeneratedMessages | SeededMessage[];
}

export interface SeedResult {
	contacts: number;
	segments: number;
	messages: number;
	contact_ids: string[];
	segment_ids: string[];
	message_ids: string[];
}

export interface WebhookLogEntry {
	dialect: 'guide' | 'dashboard' | null;
	url: string;
	message_id: string | null;
	event: string | null;
	headers: Record<string, string>;
	body: JsonObject | null;
	rawBody: string;
	status: number | null;
	responseBody: string | null;
	error: string | null;
	at: number;
}

export interface WebhookSpec {
	url: string;
	payload?: Json;
	dialect?: 'guide' | 'dashboard';
	/** Bearer key (guide); default the first configured key, null = no Authorization. */
	key?: string | null;
	/** Signing secret (dashboard); default the configured one, null = unsigned. */
	secret?: string | null;
	headers?: Record<string, string | null>;
	rawBody?: string;
}

/** A contact as the API answers it (type aliases, not interfaces, so records fit index-signature types). */
export type ContactRecord = {
	contact_id: string;
	name: string;
	phone_number: string;
	email: string | null;
	tags: string[];
	is_active: boolean;
	created_at: string;
	updated_at: string;
};

export type SegmentRecord = {
	segment_id: string;
	name: string;
	description: string;
	criteria: Record<string, unknown>;
	contact_count: number;
	created_at: string;
	updated_at: string;
};

type PublicConfig = SandboxConfig & { url: string };
type Advanced = 'delivered' | 'failed' | 'sent' | 'queued';

export declare class SandboxClient {
	constructor(url: string);
	readonly url: string;
	health(): Promise<{ ok: true; url: string }>;
	/** Clear all state, logs, faults and stats; restore the start-up config, then apply `overrides`. */
	reset(overrides?: SandboxOptions): Promise<{ ok: true; config: PublicConfig }>;
	/** Change config live; answers the whole config. */
	configure(config: SandboxOptions & { balance?: number }): Promise<PublicConfig>;
	getConfig(): Promise<PublicConfig>;
	requests(): Promise<LoggedRequest[]>;
	clearRequests(): Promise<{ ok: true }>;
	messages(): Promise<MessageView[]>;
	message(id: string): Promise<MessageView>;
	/** Move recipients (all, or those given) to `status` now; without status, the not yet final ones to their natural outcome. */
	advance(id: string, status?: Advanced, recipients?: string[]): Promise<MessageView>;
	/** advance() `delayMs` from now, replacing the message's pending delivery (null: cancel it). */
	advanceAfter(id: string, delayMs: number | null, status?: Advanced, recipients?: string[]): Promise<MessageView>;
	addFault(spec: FaultSpec): Promise<Fault>;
	addFault(specs: FaultSpec[]): Promise<Fault[]>;
	faults(): Promise<Fault[]>;
	clearFaults(): Promise<{ ok: true }>;
	setBalance(balance: number): Promise<{ balance: number; currency: string }>;
	getBalance(): Promise<{ balance: number; currency: string }>;
	stats(): Promise<SandboxStats>;
	resetStats(): Promise<SandboxStats>;
	webhooks(): Promise<WebhookLogEntry[]>;
	clearWebhooks(): Promise<{ ok: true }>;
	sendWebhook(opts: WebhookSpec): Promise<{ status: number | null; body: string | null; error: string | null }>;
	seed(spec: SeedSpec): Promise<SeedResult>;
	/** Every contact, newest first. */
	contacts(): Promise<ContactRecord[]>;
	segments(): Promise<SegmentRecord[]>;
}
