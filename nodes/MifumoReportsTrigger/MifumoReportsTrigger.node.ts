import type {
	IDataObject,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { toUtcIso } from '../Mifumo/helpers/dates';
import { normalizeStatus } from '../Mifumo/helpers/deliveryStatus';
import { MifumoClient } from '../Mifumo/transport';
import { testMifumoCredential } from '../Mifumo/transport/credentialTest';
import { paginate } from '../Mifumo/transport/paginate';
import type { RequestPolicy } from '../Mifumo/transport/types';

import { isRemembered, loadMemory, rememberReports, reportHash } from './memory';
import { deliveryStatusOptions } from '../Mifumo/actions/common.description';

const REPORT_EVENTS = ['sent', 'delivered', 'failed'];

const DEFAULT_LOOK_BACK_HOURS = 24;

/** Mifumo caps per_page of delivery reports at 100 silently. */
const MAX_PAGE_SIZE = 100;

/**
 * Polls still running, by workflow and node. n8n starts the next poll on time even when the last
 * one is still waiting (on a rate limit, say); both would read the same memory and emit the same
 * reports, so the later one gives way.
 */
const pollsInFlight = new Set<string>();

interface PollSettings {
	events: string[];
	lookBackHours: number;
}

function readSettings(context: IPollFunctions): PollSettings {
	const node = context.getNode();
	const events = context.getNodeParameter('events', []) as unknown;
	if (!Array.isArray(events) || events.length === 0) {
		throw new NodeOperationError(node, 'Trigger On is empty. Pick at least one of Sent, Delivered or Failed.');
	}
	const unknown = events.find((event) => !REPORT_EVENTS.includes(event as string));
	if (unknown !== undefined) {
		throw new NodeOperationError(node, `Trigger On holds ${JSON.stringify(unknown)}, which is not one of sent, delivered, failed. Pick from the list.`);
	}
	const options = context.getNodeParameter('options', {}) as IDataObject;
	const raw = options.lookBackHours ?? DEFAULT_LOOK_BACK_HOURS;
	const lookBackHours = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
	if (typeof lookBackHours !== 'number' || !Number.isFinite(lookBackHours) || lookBackHours <= 0) {
		throw new NodeOperationError(node, `Look Back (Hours) must be a number of hours above 0, not ${JSON.stringify(raw)}. The default is ${DEFAULT_LOOK_BACK_HOURS}.`);
	}
	return { events: [...(events as string[])].sort(), lookBackHours };
}

/** The newest report: by created_at, else sent_at (records without either count as oldest). */
function newestReport(reports: IDataObject[]): IDataObject | undefined {
	const timeOf = (report: IDataObject) => {
		const ms = Date.parse(String(report.created_at ?? report.sent_at ?? ''));
		return Number.isNaN(ms) ? -Infinity : ms;
	};
	let newest: IDataObject | undefined;
	for (const report of reports) {
		if (newest === undefined || timeOf(report) > timeOf(newest)) newest = report;
	}
	return newest;
}

export class MifumoReportsTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Mifumo SMS Reports Trigger',
		name: 'mifumoReportsTrigger',
		icon: { light: 'file:mifumoReports.svg', dark: 'file:mifumoReports.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ ($parameter["events"] || []).join(", ") }}',
		description:
			'Starts the workflow when an SMS was sent, delivered or failed, by checking Mifumo\'s delivery reports on a schedule. Needs no public URL.',
		defaults: { name: 'Mifumo SMS Reports Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'mifumoApi', required: true, testedBy: 'mifumoApiTest' }],
		properties: [
			{
				displayName:
					'Checks Mifumo\'s delivery reports at every Poll Time and starts the workflow once for each report that is new or changed. Unlike the Mifumo SMS Trigger it needs no public URL and works with servers that send no webhooks, at the cost of one API call per 100 reports in the look-back window at every poll.',
				name: 'pollingNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Trigger On',
				name: 'events',
				type: 'multiOptions',
				required: true,
				options: deliveryStatusOptions,
				default: ['sent', 'delivered', 'failed'],
				description:
					'Which report statuses start the workflow. With one picked, only reports of that status are asked for.',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Look Back (Hours)',
						name: 'lookBackHours',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: DEFAULT_LOOK_BACK_HOURS,
						description:
							'How far back each poll reads the reports (by the date the server filters on: when the message was sent, or when its status last changed): a report can change long after its message went out. Each poll costs one API call per 100 reports in this window.',
					},
				],
			},
		],
	};

	// n8n tests a credential through the first node that uses it: every node offers the same test.
	methods = { credentialTest: { mifumoApiTest: testMifumoCredential } };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		if (this.getMode() === 'manual') return await pollReports(this);
		const pollKey = `${this.getWorkflow().id ?? ''}:${this.getNode().id}`;
		if (pollsInFlight.has(pollKey)) return null;
		pollsInFlight.add(pollKey);
		try {
			return await pollReports(this);
		} finally {
			pollsInFlight.delete(pollKey);
		}
	}
}

/** A poll reads only; it waits out a rate limit for at most as long as a poll interval is likely to be. */
const POLL_POLICY: RequestPolicy = { timeoutMs: 30_000, maxRateLimitWaitMs: 60_000 };

/** One poll: every page of the window, then (outside manual mode) what is new since the last poll. */
async function pollReports(context: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const settings = readSettings(context);
	const nowMs = Date.now();
	const windowStartMs = nowMs - settings.lookBackHours * 3_600_000;
	const qs: IDataObject = { start_date: toUtcIso(new Date(windowStartMs)) };
	if (settings.events.length === 1) qs.status = settings.events[0];

	// Every page is read before anything changes: a failed poll leaves the memory as it was.
	const reports = await paginate(new MifumoClient(context, 0, POLL_POLICY), {
		path: '/sms/delivery-reports/',
		qs,
		style: 'page',
		maxPageSize: MAX_PAGE_SIZE,
	});
	const matching = reports.filter((report) => settings.events.includes(normalizeStatus(report.status)));

	if (context.getMode() === 'manual') {
		const newest = newestReport(matching);
		return newest ? [[{ json: newest, pairedItem: { item: 0 } }]] : null;
	}

	const staticData = context.getWorkflowStaticData('node');
	const query = `${settings.events.join(',')}|${settings.lookBackHours}`;
	const memory = loadMemory(staticData, query);
	const fresh: IDataObject[] = [];
	if (memory) {
		const emitted = new Set<string>();
		for (const report of matching) {
			const hash = reportHash(report);
			// A report can appear on two pages when new ones push the list down while it is read.
			if (emitted.has(hash) || isRemembered(memory, report, hash, windowStartMs, nowMs)) continue;
			emitted.add(hash);
			fresh.push(report);
		}
	}
	// The first poll (or the first after Trigger On or Look Back changed) only records where it stands.
	Object.assign(staticData, rememberReports(memory, matching, query, windowStartMs, nowMs));
	if (fresh.length === 0) return null;
	return [fresh.map((json, item) => ({ json, pairedItem: { item } }))];
}
