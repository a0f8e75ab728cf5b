/**
 * The language-model connection: OpenAI or any OpenAI-compatible server (Ollama, vLLM…) or
 * Azure OpenAI, configured from the environment, through the official `openai` package.
 */
import type * as OpenAiSdk from 'openai';
import type { OpenAI } from 'openai';
import { BatonError } from '../errors/index.js';

/** 10 s per attempt and one retry: a planner waits at most ~20 s before the 503. */
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_RETRIES = 1;
export const DEFAULT_OPENAI_MODEL = 'gpt-4o-mini';
export const DEFAULT_AZURE_API_VERSION = '2024-10-21';

interface CallLimits {
  /** Per attempt, in milliseconds (default 10 000). */
  timeoutMs?: number;
  /** Retries after a failed attempt (default 1; the client backs off between them). */
  maxRetries?: number;
}

export type LlmSettings =
  | ({ provider: 'openai'; apiKey: string; baseURL?: string; model: string } & CallLimits)
  | ({ provider: 'azure'; endpoint: string; apiKey: string; deployment: string; apiVersion: string } & CallLimits);

/**
 * Settings from the environment, or undefined when no model is configured. With
 * AZURE_OPENAI_ENDPOINT set, Azure it is: the key is AZURE_OPENAI_API_KEY, else OPENAI_API_KEY (the
 * seed specification's pair), and the deployment AZURE_OPENAI_DEPLOYMENT, else the model name
 * (OPENAI_MODEL, default gpt-4o-mini), said through `log`; no key is a clear error. A key is never
 * sent to a host the user did not name. Without it: OPENAI_API_KEY (or OPENAI_BASE_URL alone, for
 * local servers that need no key).
 */
export function llmSettingsFromEnv(env: Record<string, string | undefined> = process.env, log: (line: string) => void = warnOnce): LlmSettings | undefined {
  const { AZURE_OPENAI_ENDPOINT: endpoint, AZURE_OPENAI_DEPLOYMENT: deployment } = env;
  if (endpoint) {
    const apiKey = env.AZURE_OPENAI_API_KEY || env.OPENAI_API_KEY;
    if (!apiKey) {
      throw new BatonError('INVALID_PARAMETERS', 'AZURE_OPENAI_ENDPOINT is set but no key is: set AZURE_OPENAI_API_KEY (or OPENAI_API_KEY)', {
        details: { setting: 'AZURE_OPENAI_API_KEY' },
        suggestions: ['set AZURE_OPENAI_API_KEY', 'or unset AZURE_OPENAI_ENDPOINT to use OPENAI_API_KEY with api.openai.com or OPENAI_BASE_URL'],
      });
    }
    const model = deployment || env.OPENAI_MODEL || DEFAULT_OPENAI_MODEL;
    if (!deployment) log(`AZURE_OPENAI_DEPLOYMENT is not set: using the model name "${model}" as the Azure OpenAI deployment at ${endpoint}`);
    return { provider: 'azure', endpoint, apiKey, deployment: model, apiVersion: env.AZURE_OPENAI_API_VERSION || DEFAULT_AZURE_API_VERSION };
  }
  const apiKey = env.OPENAI_API_KEY;
  const baseURL = env.OPENAI_BASE_URL;
  if (!apiKey && !baseURL) return undefined;
  return { provider: 'openai', apiKey: apiKey || 'not-needed', model: env.OPENAI_MODEL || DEFAULT_OPENAI_MODEL, ...(baseURL ? { baseURL } : {}) };
}

/** The process reads its settings several times (server, workflows); the notice is said once. */
const said = new Set<string>();
function warnOnce(line: string): void {
  if (said.has(line)) return;
  said.add(line);
  process.stderr.write(`baton: ${line}\n`);
}

export interface ChatClient {
  client: OpenAI;
  model: string;
  /** For messages: which server answered (never the key). */
  describe: string;
}

// The SDK (~150 modules, ~0.1 s) is loaded when a model is first called, not at every start of `baton`: most runs
// use offline extraction and the rules. Its error classes are read from the loaded module, which any error of a
// call has necessarily come through.
let sdk: typeof OpenAiSdk | undefined;
let loading: Promise<typeof OpenAiSdk> | undefined;
const loadSdk = () => (loading ??= import('openai').then((module) => (sdk = module)));

/** The model the settings name: the deployment on Azure. */
export const modelOf = (settings: LlmSettings): string => (settings.provider === 'azure' ? settings.deployment : settings.model);

export async function createChatClient(settings: LlmSettings): Promise<ChatClient> {
  const { AzureOpenAI, OpenAI } = await loadSdk();
  const limits = { timeout: settings.timeoutMs ?? DEFAULT_TIMEOUT_MS, maxRetries: settings.maxRetries ?? DEFAULT_MAX_RETRIES };
  if (settings.provider === 'azure') {
    // baseURL null: the endpoint decides, never a stray OPENAI_BASE_URL in the environment.
    const client = new AzureOpenAI({
      baseURL: null,
      endpoint: settings.endpoint,
      apiKey: settings.apiKey,
      deployment: settings.deployment,
      apiVersion: settings.apiVersion,
      ...limits,
    });
    return { client, model: settings.deployment, describe: `Azure OpenAI deployment ${settings.deployment} at ${settings.endpoint}` };
  }
  // baseURL null means api.openai.com: settings, not the environment, say where to connect.
  const client = new OpenAI({ apiKey: settings.apiKey, baseURL: settings.baseURL ?? null, ...limits });
  return { client, model: settings.model, describe: `${settings.model} at ${settings.baseURL ?? 'api.openai.com'}` };
}

/** The HTTP status a model's server answered a failed call with, if it answered. */
export function failedCallStatus(error: unknown): number | undefined {
  return sdk !== undefined && error instanceof sdk.APIError && typeof error.status === 'number' ? error.status : undefined;
}

/** Why a call to the model failed, in a planner's words: no answer in time, unreachable, or the server's refusal. */
export function describeFailedCall(error: unknown, describe: string, timeoutMs?: number): string {
  if (sdk !== undefined) {
    if (error instanceof sdk.APIConnectionTimeoutError) return `no answer from ${describe} ${timeoutMs === undefined ? 'in time' : `within ${timeoutMs} ms`}`;
    if (error instanceof sdk.APIConnectionError) return `cannot reach ${describe}: ${error.message}`;
    if (error instanceof sdk.APIError) return `${describe} answered HTTP ${error.status ?? '?'}: ${error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * Asks for a JSON object: the system's instructions and the request as JSON, deterministic (temperature 0),
 * cancelled with `signal`. Returns the answer's text (empty when the model said nothing); parsing and
 * checking it is the caller's, as is what a failure means (an agent error, or rules standing).
 */
export async function askForJson(chat: ChatClient, system: string, request: unknown, signal?: AbortSignal): Promise<string> {
  const completion = await chat.client.chat.completions.create(
    {
      model: chat.model,
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: JSON.stringify(request) },
      ],
      response_format: { type: 'json_object' },
      temperature: 0,
    },
    signal === undefined ? {} : { signal },
  );
  return completion.choices[0]?.message.content ?? '';
}
