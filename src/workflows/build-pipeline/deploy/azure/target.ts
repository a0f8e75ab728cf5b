/**
 * The Azure deploy target: the same contract as the local target, through the `az` CLI. A release is exported from
 * its origin, its ARM template validated, previewed (what-if) and deployed incrementally under a deterministic name,
 * its code zipped onto the web app's staging slot, checked there (health, smoke), then swapped into production and
 * watched; a failure after the swap swaps back. Tested here only against a fake `az` (docs/BUILD-AZURE.md).
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { BatonError } from '../../../../errors/index.js';
import type { Environment } from '../../contracts.js';
import { APP_ENV, type AppCommand, type AppManifest } from '../../app/contracts.js';
import { runGit } from '../../repository/git.js';
import {
  Release,
  type DeployOptions,
  type DeployOutcome,
  type DeployTarget,
  type EnvironmentStatus,
  type FailureStage,
  type ReconcileReport,
  type Slot,
  type SmokeResult,
} from '../contracts.js';
import { checkHealth, pollHealth } from '../health.js';
import { runSmokeTests } from '../smoke.js';
import { AzCli, AzError, azureSettingsFromEnv, type AzureSettings } from './cli.js';
import { AzureStateStore, type AzureDeploymentRecord, type AzureEnvironmentRecord, type WhatIfChange } from './state.js';

const execFileAsync = promisify(execFile);

export const STAGING_SLOT = 'staging';

export interface AzureTargetOptions {
  /** Where the target keeps its record (azure-target.json). */
  stateDir: string;
  /** Settings given directly; absent: read from `env` (BATON_AZURE_*). */
  settings?: AzureSettings;
  /** The environment az runs with and the settings are read from (default process.env; tests put a fake az first on its PATH). */
  env?: NodeJS.ProcessEnv;
  /** How the site's host names are reached (real Azure: https; the fake az's fixtures: http). */
  scheme?: 'https' | 'http';
  healthTries?: number;
  healthIntervalMs?: number;
  /** How long production is watched after the swap, and how often it is asked. */
  watchMs?: number;
  watchIntervalMs?: number;
  azTimeoutMs?: number;
}

/** A release's own failure: becomes a rollback with this stage, never an exception out of `deploy`. */
class ReleaseFailure extends Error {
  constructor(
    readonly stage: FailureStage,
    message: string,
  ) {
    super(message);
  }
}

const TemplateFile = z.object({ parameters: z.record(z.string(), z.object({ defaultValue: z.unknown().optional() }).loose()).default({}) }).loose();
const ParameterFile = z.object({ parameters: z.record(z.string(), z.object({ value: z.unknown() }).loose()).default({}) }).loose();
const DeploymentShow = z.object({ name: z.string().optional(), properties: z.object({ provisioningState: z.string() }).loose() }).loose();
const WhatIfAnswer = z
  .object({ changes: z.array(z.object({ resourceId: z.string(), changeType: z.string() }).loose()).default([]), status: z.string().optional() })
  .loose();
const SiteShow = z.object({ name: z.string(), state: z.string().optional(), defaultHostName: z.string() }).loose();
const SlotList = z.array(z.object({ name: z.string() }).loose());

/**
 * The deployment's name: unique per build, environment and commit and the same on every run, so a re-run finds it
 * with `az deployment group show`. Azure allows 64 characters of letters, digits, `-`, `_`, `.`, `(` and `)`.
 */
export function azureDeploymentName(buildId: string, environment: Environment, commit: string): string {
  const slug = buildId
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 20);
  // The hash keeps two build ids that slug alike (or are cut alike) apart.
  const hash = createHash('sha256').update(buildId).digest('hex').slice(0, 8);
  return `baton-${slug}-${hash}-${environment}-${commit.slice(0, 12)}`;
}

/** A word for the startup command, which App Service runs through a shell: quoted unless plainly safe. */
const shellWord = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

/**
 * The slot's startup command: the manifest's migrate, then its start, with the runtime placeholders as App Service's
 * Linux images name them (`node`, `python`), each command's own environment in front of it.
 */
export function startupCommand(manifest: AppManifest): string {
  const line = (command: AppCommand) => {
    const argv = command.argv.map((arg, i) => (i === 0 && arg === '{node}' ? 'node' : i === 0 && arg === '{python}' ? 'python' : arg));
    const env = Object.entries(command.env).map(([key, value]) => `${key}=${value}`);
    return [...(env.length > 0 ? ['env', ...env] : []), ...argv].map(shellWord).join(' ');
  };
  return `${line(manifest.migrate)} && exec ${line(manifest.start)}`;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export class AzureTarget implements DeployTarget {
  readonly name = 'azure' as const;
  readonly settings: AzureSettings;
  private readonly az: AzCli;
  private readonly store: AzureStateStore;
  private readonly scheme: 'https' | 'http';
  private loggedIn = false;

  constructor(private readonly options: AzureTargetOptions) {
    const env = options.env ?? process.env;
    this.settings = options.settings ?? azureSettingsFromEnv(env);
    this.az = new AzCli(this.settings, env);
    this.store = new AzureStateStore(options.stateDir);
    this.scheme = options.scheme ?? 'https';
  }

  /** The deployments recorded for a build's environment (names, commits, what-if changes, results). */
  async deployments(buildId: string, environment: Environment): Promise<AzureDeploymentRecord[]> {
    return (await this.store.get(buildId, environment))?.deployments ?? [];
  }

  /** Throws AzNotInstalledError / AzNotLoggedInError before anything is attempted; checked once per target. */
  async assertReady(signal?: AbortSignal): Promise<void> {
    if (this.loggedIn) return;
    await this.az.assertLoggedIn({ signal, timeoutMs: 60_000 });
    this.loggedIn = true;
  }

  async deploy(input: Release, options: DeployOptions = {}): Promise<DeployOutcome> {
    const release = Release.parse(input);
    await this.assertReady(options.signal);
    const started = performance.now();
    const signal = options.signal;
    const emit = options.onProgress ?? (() => {});
    const rg = this.settings.resourceGroup;
    const name = azureDeploymentName(release.build_id, release.environment, release.commit);
    const timings: Record<string, number> = {};
    const timed = async <T>(step: string, body: () => Promise<T>): Promise<T> => {
      const at = performance.now();
      try {
        return await body();
      } finally {
        timings[step] = Math.round(performance.now() - at);
      }
    };
    const azOptions = { signal, timeoutMs: this.options.azTimeoutMs };
    const record: AzureEnvironmentRecord = (await this.store.get(release.build_id, release.environment)) ?? {
      build_id: release.build_id,
      environment: release.environment,
      site: '',
      url: null,
      live_commit: null,
      live_deployment: null,
      live_slot: null,
      deployments: [],
    };
    const slot: Slot = record.live_slot === 'blue' ? 'green' : 'blue';
    let previousCommit = record.live_commit;
    let healthAttempts = 0;
    let smoke: SmokeResult[] = [];
    let switched = false;
    let url = record.url ?? '';
    const outcome = (status: DeployOutcome['status'], rollback: DeployOutcome['rollback']): DeployOutcome => ({
      deployment: name,
      target: 'azure',
      environment: release.environment,
      commit: release.commit,
      previous_commit: previousCommit,
      status,
      url,
      slot: status === 'rolled_back' ? slot : (record.live_slot ?? slot),
      instances: release.instances,
      health_attempts: healthAttempts,
      smoke,
      switched,
      rollback,
      timings,
      seconds: (performance.now() - started) / 1000,
    });
    const remember = async (status: AzureDeploymentRecord['status'], created: boolean, whatIf: WhatIfChange[], reason: string | null) => {
      const entry: AzureDeploymentRecord = { name, commit: release.commit, created, what_if: whatIf, status, reason, at: new Date().toISOString() };
      const existing = record.deployments.findIndex((d) => d.name === name);
      if (existing >= 0) {
        const before = record.deployments[existing] as AzureDeploymentRecord;
        record.deployments[existing] = { ...entry, created: before.created || created, what_if: whatIf.length > 0 ? whatIf : before.what_if };
      } else record.deployments.push(entry);
      await this.store.put(record);
    };

    const work = await mkdtemp(join(tmpdir(), 'baton-azure-'));
    let stage: FailureStage = 'checkout';
    let created = false;
    let whatIf: WhatIfChange[] = [];
    try {
      // 1. The commit's files: the infrastructure to deploy and the package to upload.
      const source = join(work, 'source');
      const zip = join(work, 'app.zip');
      emit({ type: 'checkout', payload: { commit: release.commit, deployment: name } });
      await timed('checkout', async () => {
        try {
          await runGit(['cat-file', '-e', `${release.commit}^{commit}`], { cwd: release.origin });
          await runGit(['archive', '--format=tar', '-o', join(work, 'source.tar'), release.commit], { cwd: release.origin });
          await mkdir(source);
          await execFileAsync('tar', ['-xf', join(work, 'source.tar'), '-C', source], { signal });
          await runGit(['archive', '--format=zip', '-o', zip, release.commit], { cwd: release.origin });
        } catch (error) {
          throw new ReleaseFailure('checkout', `the commit could not be exported from ${release.origin}: ${message(error)}`);
        }
      });
      const templateFile = join(source, 'infra', 'main.json');
      const parameterFile = join(source, 'infra', `main.parameters.${release.environment}.json`);
      const { site, deployTimeFile } = await this.prepareParameters(templateFile, parameterFile, release.environment, work);
      record.site = site;
      const templateArgs = ['--resource-group', rg, '--template-file', templateFile, '--parameters', `@${parameterFile}`, '--parameters', `@${deployTimeFile}`];

      // 2. The infrastructure, once per deployment name: a re-run finds it and goes on.
      stage = 'provision';
      const existing = await this.showDeployment(name, azOptions);
      if (existing !== 'Succeeded') {
        await timed('validate', () => this.az.json(['deployment', 'group', 'validate', ...templateArgs], azOptions));
        const preview = await timed('what_if', () => this.az.json(['deployment', 'group', 'what-if', ...templateArgs, '--no-pretty-print'], azOptions));
        whatIf = WhatIfAnswer.parse(preview ?? {}).changes.map((c) => ({ resource_id: c.resourceId, change_type: c.changeType }));
        await timed('provision', () => this.az.json(['deployment', 'group', 'create', '--name', name, '--mode', 'Incremental', ...templateArgs], azOptions));
        created = true;
      }
      await remember('provisioned', created, whatIf, null);

      // 3. Production as it is: already this commit (a re-run after success) means nothing more to do.
      const production = SiteShow.parse(await this.az.json(['webapp', 'show', '--resource-group', rg, '--name', site], azOptions));
      url = `${this.scheme}://${production.defaultHostName}`;
      record.url = url;
      const serving = await checkHealth(url, release.commit, 5_000, signal);
      if (serving.ok) {
        record.live_commit = release.commit;
        record.live_deployment = name;
        record.live_slot ??= slot;
        await remember('live', created, whatIf, null);
        return outcome('already_live', null);
      }
      previousCommit = record.live_commit ?? serving.version;

      // 4. The package onto the staging slot, with the settings the app reads.
      stage = 'start';
      await timed('upload', async () => {
        const slots = SlotList.parse(await this.az.json(['webapp', 'deployment', 'slot', 'list', '--resource-group', rg, '--name', site], azOptions));
        if (!slots.some((s) => s.name.split('/').pop() === STAGING_SLOT)) {
          await this.az.json(['webapp', 'deployment', 'slot', 'create', '--resource-group', rg, '--name', site, '--slot', STAGING_SLOT], azOptions);
        }
        // The API key goes through a file (mode 0600, removed with the work directory), never on a command line.
        const settingsFile = join(work, 'app-settings.json');
        const appSettings = {
          [APP_ENV.version]: release.commit,
          [APP_ENV.apiKey]: release.api_key,
          [APP_ENV.environment]: release.environment,
          // App Service gives the container its PORT; the app must listen on every interface, keep its SQLite file
          // under /home (the slot's persistent storage), and be built by the platform from the uploaded source.
          [APP_ENV.host]: '0.0.0.0',
          [APP_ENV.databaseFile]: `/home/data/${release.app_name}.db`,
          SCM_DO_BUILD_DURING_DEPLOYMENT: 'true',
        };
        await writeFile(settingsFile, JSON.stringify(Object.entries(appSettings).map(([key, value]) => ({ name: key, value, slotSetting: false }))), {
          mode: 0o600,
        });
        await this.az.json(
          ['webapp', 'config', 'appsettings', 'set', '--resource-group', rg, '--name', site, '--slot', STAGING_SLOT, '--settings', `@${settingsFile}`],
          azOptions,
        );
        await this.az.json(
          ['webapp', 'config', 'set', '--resource-group', rg, '--name', site, '--slot', STAGING_SLOT, '--startup-file', startupCommand(release.manifest)],
          azOptions,
        );
        await this.az.json(['webapp', 'deploy', '--resource-group', rg, '--name', site, '--slot', STAGING_SLOT, '--src-path', zip, '--type', 'zip'], azOptions);
      });
      const staging = SiteShow.parse(await this.az.json(['webapp', 'show', '--resource-group', rg, '--name', site, '--slot', STAGING_SLOT], azOptions));
      const stagingUrl = `${this.scheme}://${staging.defaultHostName}`;
      emit({ type: 'slot_started', payload: { slot: STAGING_SLOT, label: slot, url: stagingUrl, site } });

      // 5. The staging slot must answer with this commit and pass the smoke tests before any traffic reaches it.
      stage = 'health';
      const health = await timed('healthy', () =>
        pollHealth(stagingUrl, release.commit, {
          tries: this.options.healthTries ?? 30,
          intervalMs: this.options.healthIntervalMs ?? 2_000,
          signal,
          onAttempt: (attempt) => emit({ type: 'health_attempt', payload: { slot: STAGING_SLOT, ...attempt } }),
        }),
      );
      healthAttempts = health.attempts;
      if (!health.healthy)
        throw new ReleaseFailure('health', `the staging slot did not become healthy in ${health.attempts} tries: ${health.last_error ?? 'no answer'}`);
      stage = 'smoke';
      smoke = await timed('smoke', () => runSmokeTests(stagingUrl, release.manifest, release.api_key, release.commit, { signal }));
      emit({ type: 'smoke', payload: { slot: STAGING_SLOT, results: smoke } });
      const failed = smoke.filter((s) => !s.passed);
      if (failed.length > 0)
        throw new ReleaseFailure('smoke', `smoke tests failed on the staging slot: ${failed.map((f) => `${f.name}: ${f.detail}`).join('; ')}`);

      // 6. The swap: from here on, a failure swaps back.
      stage = 'switch';
      await timed('switch', () => this.swap(site, azOptions));
      switched = true;
      emit({ type: 'switch', payload: { from: STAGING_SLOT, to: 'production', commit: release.commit } });
      stage = 'watch';
      await timed('watch', () => this.watch(url, release.commit, signal, (payload) => emit({ type: 'watch', payload })));

      record.live_commit = release.commit;
      record.live_deployment = name;
      record.live_slot = slot;
      await remember('live', created, whatIf, null);
      return outcome('live', null);
    } catch (caught) {
      if (!(caught instanceof ReleaseFailure) && !(caught instanceof AzError) && !(caught instanceof z.ZodError)) throw caught;
      const failedAt = caught instanceof ReleaseFailure ? caught.stage : stage;
      let reason = caught instanceof z.ZodError ? `az answered an unexpected shape: ${caught.message}` : caught.message;
      const failureTime = performance.now();
      if (switched || failedAt === 'switch') {
        // A swap that failed half-way may still have moved the new release in: swap back whenever production serves it.
        // Not under the caller's signal: a cancelled release must still give production back.
        const productionServesIt = switched || (url !== '' && (await checkHealth(url, release.commit, 5_000)).ok);
        if (productionServesIt) {
          try {
            await this.swap(record.site, { timeoutMs: this.options.azTimeoutMs });
            emit({ type: 'rollback', payload: { stage: failedAt, reason, swapped_back: true } });
          } catch (error) {
            reason = `${reason}; the swap back failed too: ${message(error)}`;
            emit({ type: 'rollback', payload: { stage: failedAt, reason, swapped_back: false } });
          }
        }
      } else emit({ type: 'rollback', payload: { stage: failedAt, reason, swapped_back: false } });
      if (record.site !== '') await remember('rolled_back', created, whatIf, reason);
      return outcome('rolled_back', { stage: failedAt, reason, seconds: (performance.now() - failureTime) / 1000, database_restored: false });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  async status(buildId: string, environment: Environment): Promise<EnvironmentStatus | null> {
    const record = await this.store.get(buildId, environment);
    if (!record || record.site === '') return null;
    await this.assertReady();
    let url = record.url ?? '';
    let healthy = false;
    try {
      const site = SiteShow.parse(await this.az.json(['webapp', 'show', '--resource-group', this.settings.resourceGroup, '--name', record.site]));
      url = `${this.scheme}://${site.defaultHostName}`;
      healthy = site.state === 'Running' && record.live_commit !== null && (await checkHealth(url, record.live_commit)).ok;
    } catch (error) {
      if (!(error instanceof AzError && error.notFound)) throw error;
    }
    return { build_id: buildId, environment, url, live_commit: record.live_commit, live_slot: record.live_slot, processes: [], healthy };
  }

  /** Nothing to restart in the cloud: each recorded environment is compared with `az webapp show` and reported healthy or not. */
  async reconcile(): Promise<ReconcileReport> {
    const records = Object.values((await this.store.read()).environments).filter((r) => r.site !== '' && r.live_commit !== null);
    const healthy: string[] = [];
    for (const record of records) {
      const status = await this.status(record.build_id, record.environment);
      if (status?.healthy) healthy.push(`${record.build_id}/${record.environment}`);
    }
    return { environments: records.length, restarted: [], stopped: [], healthy };
  }

  /** Stops the site and its staging slot (the resources stay: deleting them is a deliberate act in Azure) and forgets them. */
  async teardown(buildId: string, environment?: Environment): Promise<void> {
    const state = await this.store.read();
    const records = Object.values(state.environments).filter((r) => r.build_id === buildId && (environment === undefined || r.environment === environment));
    if (records.some((r) => r.site !== '')) await this.assertReady();
    for (const record of records) {
      if (record.site === '') continue;
      for (const slotArgs of [[], ['--slot', STAGING_SLOT]]) {
        try {
          await this.az.json(['webapp', 'stop', '--resource-group', this.settings.resourceGroup, '--name', record.site, ...slotArgs]);
        } catch (error) {
          if (!(error instanceof AzError && error.notFound)) throw error;
        }
      }
    }
    await this.store.remove(buildId, environment);
  }

  /** `Succeeded` when a deployment of that name exists and finished, its state otherwise, null when there is none. */
  private async showDeployment(name: string, options: { signal?: AbortSignal; timeoutMs?: number }): Promise<string | null> {
    try {
      const shown = DeploymentShow.parse(
        await this.az.json(['deployment', 'group', 'show', '--resource-group', this.settings.resourceGroup, '--name', name], options),
      );
      return shown.properties.provisioningState;
    } catch (error) {
      if (error instanceof AzError && error.notFound) return null;
      throw error;
    }
  }

  private swap(site: string, options: { signal?: AbortSignal; timeoutMs?: number }): Promise<unknown> {
    return this.az.json(
      [
        'webapp',
        'deployment',
        'slot',
        'swap',
        '--resource-group',
        this.settings.resourceGroup,
        '--name',
        site,
        '--slot',
        STAGING_SLOT,
        '--target-slot',
        'production',
      ],
      options,
    );
  }

  /** Asks production for the commit through the whole window; one wrong answer fails the release. */
  private async watch(url: string, commit: string, signal: AbortSignal | undefined, report: (payload: Record<string, unknown>) => void): Promise<void> {
    const windowMs = this.options.watchMs ?? 60_000;
    const intervalMs = this.options.watchIntervalMs ?? 5_000;
    const until = performance.now() + windowMs;
    let checks = 0;
    do {
      const result = await checkHealth(url, commit, 5_000, signal);
      checks++;
      report({ check: checks, ok: result.ok, status: result.status, error: result.error });
      if (!result.ok) throw new ReleaseFailure('watch', `production failed check ${checks} of the watch after the swap: ${result.error ?? 'no answer'}`);
      if (signal?.aborted) throw new ReleaseFailure('watch', 'the watch was aborted');
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(intervalMs, until - performance.now()))));
    } while (performance.now() < until);
  }

  /**
   * Reads the template and the environment's parameter file from the export, and writes the parameters only known at
   * deployment time (location, the SQL administrator password) to a file of their own, mode 0600, outside the
   * repository. The site name follows the template's own rule: `<appName>-<environment>`.
   */
  private async prepareParameters(templateFile: string, parameterFile: string, environment: Environment, work: string) {
    let template: z.infer<typeof TemplateFile>;
    let parameters: z.infer<typeof ParameterFile>;
    try {
      template = TemplateFile.parse(JSON.parse(await readFile(templateFile, 'utf8')));
      parameters = ParameterFile.parse(JSON.parse(await readFile(parameterFile, 'utf8')));
    } catch (error) {
      throw new ReleaseFailure('checkout', `the commit has no usable infra/main.json and infra/main.parameters.${environment}.json: ${message(error)}`);
    }
    const appName = parameters.parameters.appName?.value;
    if (typeof appName !== 'string' || appName === '') throw new ReleaseFailure('checkout', `infra/main.parameters.${environment}.json gives no appName`);
    const deployTime: Record<string, { value: unknown }> = {};
    if ('location' in template.parameters) deployTime.location = { value: this.settings.location };
    for (const [key, declared] of Object.entries(template.parameters)) {
      if (key in parameters.parameters || key in deployTime || declared.defaultValue !== undefined) continue;
      if (key === 'sqlAdministratorPassword' && this.settings.sqlAdminPassword) deployTime[key] = { value: this.settings.sqlAdminPassword };
      else
        throw new BatonError('INCOMPLETE_INPUT', `the template needs the parameter ${key} at deployment time and no setting gives it`, {
          details: { parameter: key },
          suggestions: key === 'sqlAdministratorPassword' ? ['set BATON_AZURE_SQL_ADMIN_PASSWORD'] : [],
        });
    }
    const deployTimeFile = join(work, 'deploy-time.parameters.json');
    const file = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#',
      contentVersion: '1.0.0.0',
      parameters: deployTime,
    };
    await writeFile(deployTimeFile, JSON.stringify(file, null, 2), { mode: 0o600 });
    return { site: `${appName}-${environment}`, deployTimeFile };
  }
}
