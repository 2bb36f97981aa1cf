/**
 * One pace per Mifumo account: every execution that uses the same API key and Base URL shares its
 * SMS pacing and its pause after a rate-limit answer, so 300 workflows sending at once are paced as
 * one stream. In one n8n process that is an AccountPace; in queue mode the pace lives in n8n's
 * Redis (clusterPace.ts), shared by every worker. Accounts are keyed by a hash, never by the key.
 */
import { createHash } from 'node:crypto';

import { sleep as n8nSleep } from 'n8n-workflow';

import { queueRedisSettings } from './queueRedis';

/** An account nobody used for this long is forgotten (its slots and pauses are long past). */
export const IDLE_EXPIRY_MS = 15 * 60_000;

/** 2 % head-room keeps arrival jitter from tipping the server's sliding window over. */
const HEADROOM = 1.02;

/** Milliseconds between SMS at `messagesPerMinute`, head-room included. */
export function smsIntervalMs(messagesPerMinute: number): number {
	return (60_000 / messagesPerMinute) * HEADROOM;
}

/** A rate-limit pause longer than the item still allows: it held the request, which was not sent. */
export interface PauseHold {
	/** What was left of the pause. */
	leftMs: number;
	/** What Mifumo asked for when the pause was announced (its Retry-After, or the back-off). */
	askedMs: number;
}

export interface Readiness {
	/** Pause waited through, in milliseconds (not the wait for a turn in the pace). */
	pausedMs: number;
	held?: PauseHold;
	/** Why the pace shared by the queue's workers was not used for this request (this process paced it alone). */
	unshared?: string;
}

export interface Pace {
	/**
	 * Waits until a request may go out: on its first attempt a send waits for its turn of `smsCount`
	 * SMS at `messagesPerMinute` (0: no pacing), then every request waits out a rate-limit pause any
	 * request of the account announced, up to `pauseAllowanceMs`; a pause with more left holds it.
	 */
	ready(smsCount: number, messagesPerMinute: number, pauseAllowanceMs: number, firstAttempt: boolean): Promise<Readiness>;
	/** Mifumo asked for `ms` of quiet: every request of the account waits it out. */
	pauseAll(ms: number): Promise<void>;
}

export class AccountPace implements Pace {
	/** When the next send may go out. */
	private nextDue = 0;

	/** Turns are taken one after another, in the order they were asked for. */
	private turns: Promise<unknown> = Promise.resolve();

	private pausedUntil = 0;

	/** What Mifumo asked for when the current pause was announced. */
	private pauseAskedMs = 0;

	lastUsed = Date.now();

	async ready(smsCount: number, messagesPerMinute: number, pauseAllowanceMs: number, firstAttempt: boolean): Promise<Readiness> {
		this.lastUsed = Date.now();
		let pausedMs = 0;
		if (firstAttempt && smsCount > 0 && messagesPerMinute > 0) {
			const turn = await this.takeTurn(smsCount, messagesPerMinute, pauseAllowanceMs);
			if (turn.held) return turn;
			pausedMs = turn.pausedMs;
		}
		for (;;) {
			const left = this.pausedUntil - Date.now();
			if (left <= 0) return { pausedMs };
			if (left > pauseAllowanceMs - pausedMs) return { pausedMs, held: this.hold(left) };
			await sleep(left);
			pausedMs += left;
		}
	}

	/**
	 * Spacing follows the sends as they actually go out: a late wake-up (a busy process) or a
	 * rate-limit pause is not made up for by a burst of overdue sends, which the server's window
	 * would refuse (at most half an interval is made up: any window holds at most one send more
	 * than the pace). A turn held by a pause longer than the item allows takes no slot.
	 */
	private async takeTurn(smsCount: number, messagesPerMinute: number, pauseAllowanceMs: number): Promise<Readiness> {
		const interval = smsIntervalMs(messagesPerMinute);
		const turn = this.turns.then(async (): Promise<Readiness> => {
			let waited = false;
			let pausedMs = 0;
			for (;;) {
				const now = Date.now();
				// Only the part of the wait that the pause adds to the turn counts against the item.
				const pauseMs = Math.max(0, this.pausedUntil - Math.max(this.nextDue, now));
				if (pauseMs > pauseAllowanceMs - pausedMs) return { pausedMs, held: this.hold(this.pausedUntil - now) };
				const wait = Math.max(this.nextDue, this.pausedUntil) - now;
				if (wait <= 0) break;
				await sleep(wait);
				pausedMs += pauseMs;
				waited = true;
			}
			// A timer that fired late gets up to half an interval back, so small delays do not add up
			// to a slower pace; a pace that was idle gets nothing back.
			const start = waited ? Math.max(this.nextDue, Date.now() - interval / 2) : Date.now();
			this.nextDue = start + smsCount * interval;
			this.lastUsed = Date.now();
			return { pausedMs };
		});
		this.turns = turn;
		return await turn;
	}

	async pauseAll(ms: number): Promise<void> {
		const until = Date.now() + ms;
		if (until <= this.pausedUntil) return;
		this.pausedUntil = until;
		this.pauseAskedMs = ms;
	}

	private hold(leftMs: number): PauseHold {
		return { leftMs, askedMs: this.pauseAskedMs };
	}

	get idle(): boolean {
		const busyUntil = Math.max(this.nextDue, this.pausedUntil, this.lastUsed);
		return Date.now() - busyUntil > IDLE_EXPIRY_MS;
	}
}

const accounts = new Map<string, AccountPace>();
const clusterAccounts = new Map<string, Pace>();

/** The account's id: a hash of Base URL and key, so that no key is kept or shown. */
export function accountId(baseUrl: string, apiKey: string | undefined): string {
	return createHash('sha256').update(`${baseUrl}\n${apiKey ?? ''}`).digest('hex');
}

/** This process's own pace of the account. */
export function localAccountPace(id: string): AccountPace {
	for (const [other, pace] of accounts) if (pace.idle) accounts.delete(other);
	let pace = accounts.get(id);
	if (!pace) accounts.set(id, (pace = new AccountPace()));
	return pace;
}

/** The account's pace: in queue mode the one in n8n's Redis, shared by every worker; else this process's. */
export function accountPace(baseUrl: string, apiKey: string | undefined): Pace {
	const id = accountId(baseUrl, apiKey);
	const redis = queueRedisSettings();
	if (!redis) return localAccountPace(id);
	let pace = clusterAccounts.get(id);
	if (!pace) {
		// Loaded only in queue mode: a single n8n process never parses the Redis client.
		const { ClusterPace } = require('./cluster') as typeof import('./cluster');
		clusterAccounts.set(id, (pace = new ClusterPace(redis, id, localAccountPace(id))));
	}
	return pace;
}

/** Forget every account's pace (a test starting from a fresh server). */
export function forgetAccountPaces(): void {
	accounts.clear();
	clusterAccounts.clear();
}

export async function sleep(ms: number): Promise<void> {
	if (ms > 0) await n8nSleep(ms);
}
