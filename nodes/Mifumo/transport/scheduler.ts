import { sleep as n8nSleep } from 'n8n-workflow';

/**
 * Shared timing for one execution: client-side pacing of SMS (recipients spread evenly over the
 * minute) and a back-off that every request honours once any of them met a rate limit.
 * State lives per execution only, so several workers never share (or corrupt) it.
 */
export class RequestScheduler {
	private nextSendSlot = 0;

	private pausedUntil = 0;

	/** @param messagesPerMinute 0 turns pacing off */
	constructor(private readonly messagesPerMinute: number) {}

	/** Reserve slots for `recipients` SMS and wait until the first of them is due. */
	async paceSend(recipients: number): Promise<void> {
		if (this.messagesPerMinute <= 0) return;
		// 2 % head-room keeps arrival jitter from tipping the server's sliding window over.
		const interval = (60_000 / this.messagesPerMinute) * 1.02;
		const now = Date.now();
		const start = Math.max(now, this.nextSendSlot);
		this.nextSendSlot = start + recipients * interval;
		await sleep(start - now);
	}

	/** Every request waits out a rate-limit pause another request has announced. */
	async waitForPause(): Promise<void> {
		const wait = this.pausedUntil - Date.now();
		if (wait > 0) await sleep(wait);
	}

	pauseAll(ms: number): void {
		this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
	}
}

export async function sleep(ms: number): Promise<void> {
	if (ms > 0) await n8nSleep(ms);
}
