/**
 * Send once across queue-mode workers: each number a node sent (a hash of it and its text or key)
 * is a key in n8n's queue Redis that lives as long as its Repeat Window. A request's numbers are
 * claimed there with one script before it goes out, so that two workers cannot both send to one;
 * recorded as sent (or of unknown fate) once its answer came; released when it surely failed. n8n
 * 2.x starts a queued execution without the workflow's static data, so the static data cannot
 * carry the record from one worker to another.
 */
import type { Cluster, Redis } from 'ioredis';

import { readyClient, REDIS_NOW_LUA } from './clusterPace';
import type { QueueRedisSettings } from './queueRedis';

/** Keys per script call: a 100,000-number send does not hold Redis up in one long script. */
const KEYS_PER_CALL = 2000;

/*
 * A key's value: `c <ms> <token>` claimed by a request about to go out, `s <ms> <message id>` sent,
 * `u <ms>` of unknown fate (a timeout, a 5xx), each with Redis's time of the claim or the answer.
 */

/**
 * KEYS the numbers' keys; ARGV: the item's window (ms), repeat unknown ('1'), the claim's token,
 * how old a claim is before its fate counts as unknown (ms), peek only ('1': a dry run). → per key
 * '' claimed (free, or its window ended), 'R <value>' claimed although its earlier fate was unknown
 * (Repeat Unknown Sends), else the value that keeps it out.
 */
const CLAIM_SCRIPT = `${REDIS_NOW_LUA}
local out = {}
for index, key in ipairs(KEYS) do
	local value = redis.call('GET', key)
	local answer = ''
	if value then
		local state, at, rest = string.match(value, '^(%a) (%d+) ?(.*)$')
		local age = now - (tonumber(at) or 0)
		if state == 'c' then
			if rest ~= ARGV[3] then
				if ARGV[2] == '1' and age > tonumber(ARGV[4]) then answer = 'R ' .. value else answer = value end
			end
		elseif age < tonumber(ARGV[1]) then
			if state == 'u' and ARGV[2] == '1' then answer = 'R ' .. value else answer = value end
		end
	end
	if ARGV[5] ~= '1' and (answer == '' or string.sub(answer, 1, 2) == 'R ') then
		redis.call('SET', key, 'c ' .. now .. ' ' .. ARGV[3], 'PX', ARGV[1])
	end
	out[index] = answer
end
return out
`;

/** KEYS the numbers' keys; ARGV: 's' or 'u', window (ms), message id. */
const RECORD_SCRIPT = `${REDIS_NOW_LUA}
local value = ARGV[1] .. ' ' .. now
if ARGV[3] ~= '' then value = value .. ' ' .. ARGV[3] end
for _, key in ipairs(KEYS) do redis.call('SET', key, value, 'PX', ARGV[2]) end
return #KEYS
`;

/** KEYS the numbers' keys; ARGV: the claim's token. Only this claim's keys are freed. */
const RELEASE_SCRIPT = `
local freed = 0
for _, key in ipairs(KEYS) do
	local value = redis.call('GET', key)
	if value and string.match(value, '^c %d+ (.*)$') == ARGV[1] then
		redis.call('DEL', key)
		freed = freed + 1
	end
end
return freed
`;

type RecordClient = (Redis | Cluster) & {
	mifumoOnceClaim(...keysThenArgs: string[]): Promise<string[]>;
	mifumoOnceRecord(...keysThenArgs: string[]): Promise<number>;
	mifumoOnceRelease(...keysThenArgs: string[]): Promise<number>;
};

/** What keeps a number out: an earlier send, or a request of another execution sending it now. */
export interface SharedSend {
	state: 'sent' | 'unknown' | 'sending';
	atMs: number;
	messageId?: string;
}

/** Per number asked: undefined when claimed for this request, else what keeps it out or what was repeated. */
export interface SharedClaimAnswer {
	taken?: SharedSend;
	/** Claimed although an earlier send's fate was unknown (Repeat Unknown Sends). */
	repeatedUnknown?: SharedSend;
}

function parseValue(value: string, staleMs: number, nowMs: number): SharedSend {
	const [state, at, ...rest] = value.split(' ');
	const atMs = Number(at);
	if (state === 'c') return { state: nowMs - atMs > staleMs ? 'unknown' : 'sending', atMs };
	const messageId = rest.length ? decodeURIComponent(rest.join(' ')) : undefined;
	return { state: state === 's' ? 'sent' : 'unknown', atMs, ...(messageId ? { messageId } : {}) };
}

/** Connections the scripts are defined on. */
const withScripts = new WeakSet<Redis | Cluster>();

export class ClusterSendRecord {
	private readonly keyPrefix: string;

	constructor(
		private readonly settings: QueueRedisSettings,
		/** A hash of the workflow and the node: whose sends these are. */
		recordId: string,
	) {
		// One hash slot per record (the braces), so that a script's keys all live on one node of a Redis Cluster.
		this.keyPrefix = `${settings.prefix}:n8n-nodes-mifumo:once:{${recordId}}:`;
	}

	/**
	 * Claims the numbers (their hashes) for a request about to go out, or peeks only (a dry run).
	 * A claim older than `staleMs` whose request never reported back (a worker that died) counts as unknown.
	 */
	async claim(
		hashes: string[],
		options: { windowMs: number; repeatUnknown: boolean; token: string; staleMs: number; peek: boolean },
	): Promise<SharedClaimAnswer[]> {
		const client = await this.client();
		const args = [String(Math.ceil(options.windowMs)), options.repeatUnknown ? '1' : '0', options.token, String(options.staleMs), options.peek ? '1' : '0'];
		const answers: SharedClaimAnswer[] = [];
		for (const chunk of chunks(hashes)) {
			const values = await client.mifumoOnceClaim(String(chunk.length), ...this.keys(chunk), ...args);
			const nowMs = Date.now();
			for (const value of values) {
				if (value === '') answers.push({});
				else if (value.startsWith('R ')) answers.push({ repeatedUnknown: parseValue(value.slice(2), options.staleMs, nowMs) });
				else answers.push({ taken: parseValue(value, options.staleMs, nowMs) });
			}
		}
		return answers;
	}

	/** Mifumo answered for these numbers: sent (with its message id), or of unknown fate. */
	async record(hashes: string[], state: 'sent' | 'unknown', windowMs: number, messageId?: string): Promise<void> {
		const client = await this.client();
		const args = [state === 'sent' ? 's' : 'u', String(Math.ceil(windowMs)), messageId ? encodeURIComponent(messageId) : ''];
		for (const chunk of chunks(hashes)) await client.mifumoOnceRecord(String(chunk.length), ...this.keys(chunk), ...args);
	}

	/** These numbers were not sent after all: this claim's keys are freed for a later run. */
	async release(hashes: string[], token: string): Promise<void> {
		const client = await this.client();
		for (const chunk of chunks(hashes)) await client.mifumoOnceRelease(String(chunk.length), ...this.keys(chunk), token);
	}

	private keys(hashes: string[]): string[] {
		return hashes.map((hash) => this.keyPrefix + hash);
	}

	private async client(): Promise<RecordClient> {
		const client = await readyClient(this.settings);
		if (!withScripts.has(client)) {
			// Keys are counted per call (the first argument): each call passes its own.
			client.defineCommand('mifumoOnceClaim', { lua: CLAIM_SCRIPT });
			client.defineCommand('mifumoOnceRecord', { lua: RECORD_SCRIPT });
			client.defineCommand('mifumoOnceRelease', { lua: RELEASE_SCRIPT });
			withScripts.add(client);
		}
		return client as RecordClient;
	}
}

function chunks(hashes: string[]): string[][] {
	const list: string[][] = [];
	for (let start = 0; start < hashes.length; start += KEYS_PER_CALL) list.push(hashes.slice(start, start + KEYS_PER_CALL));
	return list;
}
