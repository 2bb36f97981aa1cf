/**
 * One pace per Mifumo account: every execution in this n8n process that uses the same API key and
 * Base URL shares its SMS pacing and its pause after a rate-limit answer, so 300 workflows sending
 * at once are paced as one stream. Accounts are keyed by a hash, never by the key itself.
 */
import { createHash } from 'node:crypto';

import { sleep as n8nSleep } from 'n8n-workflow';

/** An account nobody used for this long is forgotten (its slots and pauses are long past). */
const IDLE_EXPIRY_MS = 15 * 60_000;

/** 2 % head-room keeps arrival jitter from tipping the server's sliding window over. */
const HEADROOM = 1.02;

export class AccountPace {
	/** When the next send may go out. */
	private nextDue = 0;

	/** Turns are taken one after another, in the order they were asked for. */
	private turns: Promise<void> = Promise.resolve();

	private pausedUntil = 0;

	lastUsed = Date.now();

	/**
	 * Wait for the turn of a request of `smsCount` SMS at `messagesPerMinute` (0: no pacing). Spacing
	 * follows the sends as they actually go out: a late wake-up (a busy process) or a rate-limit
	 * pause is not made up for by a burst of overdue sends, which the server's window would refuse
	 * (at most half an interval is made up: any window holds at most one send more than the pace).
	 */
	async takeTurn(smsCount: number, messagesPerMinute: number): Promise<void> {
		this.lastUsed = Date.now();
		if (messagesPerMinute <= 0 || smsCount <= 0) return;
		const interval = (60_000 / messagesPerMinute) * HEADROOM;
		const turn = this.turns.then(async () => {
			let waited = false;
			for (;;) {
				const wait = Math.max(this.nextDue, this.pausedUntil) - Date.now();
				if (wait <= 0) break;
				await sleep(wait);
				waited = true;
			}
			// A timer that fired late gets up to half an interval back, so small delays do not add up
			// to a slower pace; a pace that was idle gets nothing back.
			const start = waited ? Math.max(this.nextDue, Date.now() - interval / 2) : Date.now();
			this.nextDue = start + smsCount * interval;
			this.lastUsed = Date.now();
		});
		this.turns = turn;
		await turn;
	}

	/** Every request waits out a rate-limit pause another request (of any execution) has announced. */
	async waitForPause(): Promise<void> {
		this.lastUsed = Date.now();
		const wait = this.pausedUntil - Date.now();
		if (wait > 0) await sleep(wait);
	}

	pauseAll(ms: number): void {
		this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
	}

	get idle(): boolean {
		const busyUntil = Math.max(this.nextDue, this.pausedUntil, this.lastUsed);
		return Date.now() - busyUntil > IDLE_EXPIRY_MS;
	}
}

const accounts = new Map<string, AccountPace>();

export function accountPace(baseUrl: string, apiKey: string | undefined): AccountPace {
	for (const [id, pace] of accounts) if (pace.idle) accounts.delete(id);
	const id = createHash('sha256').update(`${baseUrl}\n${apiKey ?? ''}`).digest('hex');
	let pace = accounts.get(id);
	if (!pace) accounts.set(id, (pace = new AccountPace()));
	return pace;
}

/** Forget every account's pace (a test starting from a fresh server). */
export function forgetAccountPaces(): void {
	accounts.clear();
}

export async function sleep(ms: number): Promise<void> {
	if (ms > 0) await n8nSleep(ms);
}
