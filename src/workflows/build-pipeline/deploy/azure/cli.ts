/**
 * The Azure target's one way to reach Azure: the `az` CLI through `execFile` (never a shell) with an argument array
 * and a time limit, JSON output parsed, and its settings (subscription, resource group, location) read and validated
 * once. Failures become BatonErrors that carry az's own stderr.
 */
import { execFile } from 'node:child_process';
import { z } from 'zod';
import { BatonError, IncompleteInputError, InvalidParametersError, type ErrorCode } from '../../../../errors/index.js';
import { issuesOf } from '../../../../errors/zod-issues.js';

const nonEmpty = (name: string) =>
  z
    .string({ error: `${name} is required` })
    .trim()
    .min(1, `${name} is required`);

const azureSettingsSchema = z.object({
  /** BATON_AZ_PATH: the az binary (default `az`, looked up on the PATH). */
  azPath: z.string().trim().min(1).default('az'),
  /** BATON_AZURE_SUBSCRIPTION: the subscription id or name every command is given (`--subscription`). */
  subscription: nonEmpty('BATON_AZURE_SUBSCRIPTION'),
  /** BATON_AZURE_RESOURCE_GROUP: the resource group the deployments go to (it must exist). */
  resourceGroup: nonEmpty('BATON_AZURE_RESOURCE_GROUP').regex(/^[\w.()-]{1,90}$/, 'letters, digits, _ . ( ) - (at most 90)'),
  /** BATON_AZURE_LOCATION: the region given to the template's `location` parameter (e.g. westeurope). */
  location: nonEmpty('BATON_AZURE_LOCATION').regex(/^[a-z0-9]{2,40}$/, 'an Azure region name such as westeurope'),
  /** BATON_AZURE_SQL_ADMIN_PASSWORD: the web-app-sql template's administrator password, given at deployment time only. */
  sqlAdminPassword: z.string().min(12, 'at least 12 characters').optional(),
});
export type AzureSettings = z.output<typeof azureSettingsSchema>;
export type AzureSettingsInput = z.input<typeof azureSettingsSchema>;

const SETTING_VARIABLES: Record<keyof AzureSettings, string> = {
  azPath: 'BATON_AZ_PATH',
  subscription: 'BATON_AZURE_SUBSCRIPTION',
  resourceGroup: 'BATON_AZURE_RESOURCE_GROUP',
  location: 'BATON_AZURE_LOCATION',
  sqlAdminPassword: 'BATON_AZURE_SQL_ADMIN_PASSWORD',
};

/** Validates settings given directly; a missing one is INCOMPLETE_INPUT naming its variable, a malformed one INVALID_PARAMETERS. */
export function parseAzureSettings(input: Partial<Record<keyof AzureSettings, string | undefined>>): AzureSettings {
  const missing = (['subscription', 'resourceGroup', 'location'] as const).filter((key) => !input[key]?.trim()).map((key) => SETTING_VARIABLES[key]);
  if (missing.length > 0) throw new IncompleteInputError('the Azure target is not configured', missing);
  const parsed = azureSettingsSchema.safeParse(input);
  if (!parsed.success) {
    const issues = issuesOf(parsed.error).map((issue) => ({ ...issue, path: SETTING_VARIABLES[issue.path as keyof AzureSettings] ?? issue.path }));
    throw new InvalidParametersError('the Azure target settings are invalid', issues);
  }
  return parsed.data;
}

/** Reads the settings from the environment (BATON_AZ_PATH, BATON_AZURE_SUBSCRIPTION, _RESOURCE_GROUP, _LOCATION, _SQL_ADMIN_PASSWORD). */
export function azureSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): AzureSettings {
  const pick = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  return parseAzureSettings({
    azPath: pick(SETTING_VARIABLES.azPath),
    subscription: pick(SETTING_VARIABLES.subscription),
    resourceGroup: pick(SETTING_VARIABLES.resourceGroup),
    location: pick(SETTING_VARIABLES.location),
    sqlAdminPassword: pick(SETTING_VARIABLES.sqlAdminPassword),
  });
}

export interface AzFailure {
  args: readonly string[];
  stderr: string;
  exit_code: number | null;
}

/** An az command that failed; carries az's stderr so the outcome's reason (and a test) can show what az said. */
export class AzError extends BatonError {
  readonly stderr: string;
  readonly exitCode: number | null;
  constructor(message: string, failure: AzFailure, code: ErrorCode = 'UPSTREAM_UNAVAILABLE', retryable = false) {
    super(code, `${message}: ${failure.stderr.trim().split('\n').slice(-3).join(' ') || `az exited with ${String(failure.exit_code)}`}`, {
      details: { args: [...failure.args], stderr: failure.stderr, exit_code: failure.exit_code },
      retryable,
    });
    this.stderr = failure.stderr;
    this.exitCode = failure.exit_code;
  }

  /** az answers a `show` of something absent with exit code 3 and a `…NotFound` error. */
  get notFound(): boolean {
    return this.exitCode === 3 || /NotFound|could not be found|was not found/i.test(this.stderr);
  }
}

/** The az binary is not there (ENOENT): nothing Baton can retry its way out of. */
export class AzNotInstalledError extends BatonError {
  constructor(azPath: string) {
    super('UPSTREAM_UNAVAILABLE', `the Azure CLI (${azPath}) is not installed or not on the PATH`, {
      details: { az_path: azPath },
      suggestions: ['install the Azure CLI (https://learn.microsoft.com/cli/azure/install-azure-cli)', 'or set BATON_AZ_PATH to the az binary'],
    });
  }
}

/** `az account show` failed: no login, an expired token, or a subscription this login cannot see. */
export class AzNotLoggedInError extends BatonError {
  constructor(subscription: string, cause: AzError) {
    super('UNAUTHORIZED', `the Azure CLI is not logged in to subscription ${subscription}: ${cause.stderr.trim() || 'az account show failed'}`, {
      details: { subscription, stderr: cause.stderr },
      suggestions: ['run `az login` (or `az login --service-principal …`) as the user Baton runs as', 'check BATON_AZURE_SUBSCRIPTION'],
      cause,
    });
  }
}

export class AzTimeoutError extends AzError {
  constructor(failure: AzFailure, timeoutMs: number) {
    super(`az ${failure.args.slice(0, 3).join(' ')} did not finish within ${timeoutMs} ms`, failure, 'DEADLINE_EXCEEDED', true);
  }
}

export interface AzRunOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A deployment can take many minutes on real Azure. */
export const DEFAULT_AZ_TIMEOUT_MS = 30 * 60_000;

/**
 * Runs az commands for one subscription: each call gets `--subscription`, JSON output and no warnings on stderr, and
 * telemetry, colour and the interactive survey are off so output is plain JSON.
 */
export class AzCli {
  constructor(
    readonly settings: AzureSettings,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** Runs `az <args> --subscription … -o json --only-show-errors` and parses its JSON answer (null when it printed nothing). */
  async json(args: readonly string[], options: AzRunOptions = {}): Promise<unknown> {
    const stdout = await this.run([...args, '--subscription', this.settings.subscription, '--output', 'json', '--only-show-errors'], options);
    const text = stdout.trim();
    if (text === '') return null;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new AzError(`az ${args.slice(0, 3).join(' ')} answered something that is not JSON`, { args, stderr: text.slice(0, 500), exit_code: 0 });
    }
  }

  /** Checks that az is installed and logged in to the subscription (`az account show`). */
  async assertLoggedIn(options: AzRunOptions = {}): Promise<{ id: string; name: string }> {
    try {
      const account = z.object({ id: z.string(), name: z.string() }).safeParse(await this.json(['account', 'show'], options));
      if (!account.success) throw new AzError('az account show answered an unexpected shape', { args: ['account', 'show'], stderr: '', exit_code: 0 });
      return account.data;
    } catch (error) {
      if (error instanceof AzError && !(error instanceof AzTimeoutError)) throw new AzNotLoggedInError(this.settings.subscription, error);
      throw error;
    }
  }

  private run(args: readonly string[], options: AzRunOptions): Promise<string> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_AZ_TIMEOUT_MS;
    const env: NodeJS.ProcessEnv = {
      ...this.env,
      AZURE_CORE_COLLECT_TELEMETRY: 'false',
      AZURE_CORE_NO_COLOR: 'true',
      AZURE_CORE_SURVEY_MESSAGE: 'false',
      AZURE_CORE_ONLY_SHOW_ERRORS: 'true',
    };
    return new Promise((resolve, reject) => {
      execFile(
        this.settings.azPath,
        [...args],
        { env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024, encoding: 'utf8', signal: options.signal },
        (error, stdout, stderr) => {
          if (!error) return resolve(stdout);
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return reject(new AzNotInstalledError(this.settings.azPath));
          const failure: AzFailure = { args, stderr, exit_code: typeof error.code === 'number' ? error.code : null };
          if (error.killed && !options.signal?.aborted) return reject(new AzTimeoutError(failure, timeoutMs));
          reject(new AzError(`az ${args.slice(0, 3).join(' ')} failed`, failure));
        },
      );
    });
  }
}
