import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	INodeParameters,
	INodeType,
	IRun,
	IVersionedNodeType,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';

/** additionalData for an n8n served at `baseUrl` (every *BaseUrl must be a valid absolute URL). */
export declare function additionalDataFor(
	baseUrl: string,
	credentialType: ICredentialType,
	credentials: ICredentialDataDecryptedObject,
	executionId?: string,
): IWorkflowExecuteAdditionalData;

export interface RunNodeOptions {
	/** The node type under test, e.g. `n8n-nodes-mifumo.mifumo`. */
	type: string;
	typeVersion?: number;
	/** The node's name in the workflow; `Mifumo SMS` by default. */
	name?: string;
	parameters: INodeParameters;
	/** JSON of the input items; one empty item by default. */
	items?: IDataObject[];
	credentials: ICredentialDataDecryptedObject;
	continueOnFail?: boolean;
	/**
	 * Run the node as an AI agent's tool (`type` is its tool variant): `true` as n8n 2.x agents do (an
	 * EngineRequest; the tool's output is returned), `'supplyData'` as n8n 1.x agents do (the agent
	 * invokes the tool; `run` holds the agent's output: `answer`, what the tool told the model, or `error`).
	 */
	asTool?: boolean | 'supplyData';
	/** n8n's execution mode (`manual` by default; `webhook`, `trigger`, `retry` for production runs). */
	mode?: WorkflowExecuteMode;
	/** The workflow's static data as n8n loaded it (from the database); the run changes it in place. */
	staticData?: IDataObject;
	/** The workflow's time zone (Workflow Settings), which `getTimezone()` returns. */
	timezone?: string;
}

export interface RunNodeResult {
	/** The node's output items (main output 0, or its ai_tool output as a tool), json and pairing. */
	items: Array<{ json: IDataObject; pairedItem: unknown }>;
	/** The error n8n recorded for the node, if the node failed. */
	error?: { message: string; description?: string | null; errorCode?: string; context?: IDataObject; node?: unknown };
	run: IRun;
	/** The static data as n8n would save it after the run (a copy), or undefined when the run left it unchanged. */
	savedStaticData?: IDataObject;
	/** Wall time of the run. */
	ms: number;
	/** CPU time of this process (user + system) during the run. */
	cpuMs: number;
}

export interface Engine {
	runNode(options: RunNodeOptions): Promise<RunNodeResult>;
	register(name: string, instance: INodeType | IVersionedNodeType): void;
}

export declare function createEngine(options: {
	nodeTypes: Record<string, INodeType | IVersionedNodeType>;
	credentialType: ICredentialType;
	baseUrl?: string;
}): Engine;
