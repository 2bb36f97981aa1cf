'use strict';
// Child processes started in process groups of their own (detached), remembered until they exit,
// so that one call ends them all: on normal exit, on a Ctrl-C, after a failed test run.
//
//   const { track, killGroup, killAll } = require('./processes');
//   const child = track(spawn(cmd, args, { detached: true }));
//   killGroup(child, 'SIGTERM');   // the child and everything it started
//   await stopGroup(child);        // SIGTERM, SIGKILL after a grace period, then the stragglers
//   killAll();                     // every group still running (also run on process exit)

// Kept on the `child_process` core module, which every copy of this module shares: jest loads a
// test file's copy in a realm of its own, and global-setup's Ctrl-C handler must end the children
// that copy started too.
const childProcessModule = require('child_process');
const REGISTRY = Symbol.for('n8n-nodes-mifumo.processes.live');
const live = childProcessModule[REGISTRY] || (childProcessModule[REGISTRY] = new Set());

/** Signals the child's whole process group (the child itself if it has none). No-op once it exited. */
function killGroup(child, signal = 'SIGKILL') {
	if (!child || child.exitCode !== null || child.signalCode !== null) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		try {
			child.kill(signal);
		} catch {}
	}
}

/** Signals the group even after its leader exited: what it left behind (task runners) goes too. */
function killStragglers(child, signal = 'SIGKILL') {
	try {
		process.kill(-child.pid, signal);
	} catch {}
}

/**
 * Asks the group to end (`signal`), SIGKILLs it after graceMs, then SIGKILLs whatever is left of
 * the group. Resolves once the child exited.
 */
async function stopGroup(child, { graceMs = 10000, signal = 'SIGTERM' } = {}) {
	if (child.exitCode === null && child.signalCode === null) {
		const exited = new Promise((resolve) => child.once('exit', resolve));
		killGroup(child, signal);
		const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
		await exited;
		clearTimeout(timer);
	}
	killStragglers(child);
}

/** Ends every process group started through track() that is still running (SIGKILL). Synchronous. */
function killAll(signal = 'SIGKILL') {
	for (const child of live) killGroup(child, signal);
}
if (!live.exitHook) {
	live.exitHook = true;
	process.on('exit', () => killAll('SIGKILL'));
}

/** The children still running, e.g. to find the n8n an e2e test restarts. */
function liveChildren() {
	return [...live];
}

/** Remembers a detached child until it exits; returns it. */
function track(child) {
	live.add(child);
	child.on('exit', () => live.delete(child));
	return child;
}

module.exports = { track, killGroup, killStragglers, stopGroup, killAll, liveChildren };
