/**
 * The local deploy target: per (build, environment) a router on a fixed port and two slots (blue and green) of
 * detached child processes run from a checkout of the commit. A release backs up the environment's SQLite database,
 * migrates, starts the idle slot, polls its health, smoke-tests it on its own port, switches the router and watches;
 * any failure switches back, stops the new slot and restores the database. State is recorded after every step so a
 * re-run after kill -9 resumes (reusing a slot already started) and `reconcile()` repairs what died.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { BatonError, CancelledError } from '../../../../errors/index.js';
import type { Environment } from '../../contracts.js';
import { APP_ENV, type AppCommand } from '../../app/contracts.js';
import { linkNodeModules, resolveArgv, runAppCommand, toolchain } from '../../app/toolchain.js';
import { runGit } from '../../repository/git.js';
import { buildWorkspace } from '../../workspace.js';
import type { DeployOptions, DeployOutcome, DeployTarget, EnvironmentStatus, FailureStage, ReconcileReport, Release, Slot, SmokeResult } from '../contracts.js';
import { checkHealth } from '../health.js';
import { runSmokeTests } from '../smoke.js';
import { freePort, isAlive, logTail, portIsFree, spawnDetached, stopProcess } from './processes.js';
import { ROUTER_CONTROL_PATH, ROUTER_TOKEN_HEADER, RouterState, upstreamKey, type Routes, type Upstream } from './routes.js';
import { readState, writeJsonAtomic, type EnvRecord, type InstanceRecord, type LiveRecord, type SlotRecord, type TargetState } from './state.js';

export const DEFAULT_LOCAL_PORT_BASE = 18_700;

export interface LocalTargetOptions {
  /** Where state, releases, databases and logs live (default: the build workspace's target directory). */
  stateDir?: string;
  /** First router port (`BATON_LOCAL_TARGET_PORT`, default 18700); each environment gets the next free one, once. */
  portBase?: number;
  /** How long the live slot is watched after a switch. */
  watchMs?: number;
  /** Pause between health checks (before the switch and during the watch). */
  healthIntervalMs?: number;
  /** Health tries before the switch (the 30). */
  healthTries?: number;
  /** Time limit of the build and migrate commands. */
  commandTimeoutMs?: number;
  /** How long stopping a process may take before SIGKILL. */
  stopGraceMs?: number;
  /** How long the router may take to drain requests in flight to a slot before it is stopped. */
  drainMs?: number;
}

/** The deploy failed for a reason of the target itself (not the release's): the router could not start, the state is unreadable. */
export class LocalTargetError extends BatonError {
  constructor(message: string, cause?: unknown) {
    super('INTERNAL_ERROR', message, { retryable: true, cause });
  }
}

/** A step of the release failed: the release is rolled back with this stage and reason. */
class ReleaseFailure extends Error {
  constructor(
    readonly stage: FailureStage,
    message: string,
  ) {
    super(message);
  }
}

const HOST = '127.0.0.1';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const safe = (value: string) => value.replace(/[^A-Za-z0-9_.-]/g, '_');
const envKey = (buildId: string, environment: Environment) => `${buildId}/${environment}`;
const other = (slot: Slot): Slot => (slot === 'blue' ? 'green' : 'blue');
const upstreams = (slot: SlotRecord | null): Upstream[] => (slot ? slot.instances.map((instance) => ({ host: HOST, port: instance.port })) : []);

/** The deterministic deployment name: the same release always has the same one, so a re-run finds it. */
export function deploymentName(release: Pick<Release, 'build_id' | 'environment' | 'commit'>): string {
  return `${safe(release.build_id)}-${release.environment}-${release.commit.slice(0, 12)}`;
}

/** The router's entry and the Node arguments to run it (tsx's loader when Baton itself runs from TypeScript sources). */
async function routerCommand(): Promise<string[]> {
  const here = fileURLToPath(import.meta.url);
  const entry = here.replace(/target\.(ts|js)$/, (_, ext: string) => `router-main.${ext}`);
  if (!entry.endsWith('.ts')) return [process.execPath, entry];
  const loader = join((await toolchain()).nodeModules, 'tsx', 'dist', 'loader.mjs');
  return [process.execPath, '--import', pathToFileURL(loader).href, entry];
}

export class LocalTarget implements DeployTarget {
  readonly name = 'local' as const;
  private readonly stateDir: string;
  private readonly stateFile: string;
  private readonly portBase: number;
  private readonly watchMs: number;
  private readonly healthIntervalMs: number;
  private readonly healthTries: number;
  private readonly commandTimeoutMs: number;
  private readonly stopGraceMs: number;
  private readonly drainMs: number;
  private state: TargetState | undefined;
  private saving: Promise<void> = Promise.resolve();
  private readonly locks = new Map<string, Promise<unknown>>();
  private active = 0;
  private reloading: Promise<void> = Promise.resolve();

  constructor(options: LocalTargetOptions = {}) {
    this.stateDir = options.stateDir ?? buildWorkspace().targetDir;
    this.stateFile = join(this.stateDir, 'state.json');
    this.portBase = options.portBase ?? (Number(process.env.BATON_LOCAL_TARGET_PORT) || DEFAULT_LOCAL_PORT_BASE);
    this.watchMs = options.watchMs ?? 3_000;
    this.healthIntervalMs = options.healthIntervalMs ?? 500;
    this.healthTries = options.healthTries ?? 30;
    this.commandTimeoutMs = options.commandTimeoutMs ?? 120_000;
    this.stopGraceMs = options.stopGraceMs ?? 3_000;
    this.drainMs = options.drainMs ?? 5_000;
  }

  // ---- state -------------------------------------------------------------------------------------------------

  private async load(): Promise<TargetState> {
    this.state ??= await readState(this.stateFile);
    return this.state;
  }

  /**
   * Runs a public operation on the state as recorded on disk: when this instance has nothing else under way it
   * re-reads the file (another Baton process, or another target instance, may have written it since); operations
   * that overlap share that one read, so none of them holds records of a replaced state object.
   */
  private async operation<T>(work: () => Promise<T>): Promise<T> {
    if (this.active++ === 0)
      this.reloading = this.saving.then(async () => {
        this.state = await readState(this.stateFile);
      });
    try {
      await this.reloading;
      return await work();
    } finally {
      this.active--;
    }
  }

  /** Persists the whole state (serialised: the last write carries every change made before it). */
  private save(): Promise<void> {
    const run = this.saving.then(() => (this.state ? writeJsonAtomic(this.stateFile, this.state) : undefined));
    this.saving = run.catch(() => undefined);
    return run;
  }

  /** One operation at a time per environment (two deploys of one environment would fight over its idle slot). */
  private async withLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.locks.get(key) ?? Promise.resolve();
    const run = before.then(work, work);
    const tail = run.catch(() => undefined);
    this.locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }

  /** The environment's record, created with its router port on first use (the port never changes afterwards). */
  private environment(release: Release): Promise<EnvRecord> {
    // One allocation at a time: two environments created together must not both take the same free port.
    return this.withLock('environments', () => this.environmentLocked(release));
  }

  private async environmentLocked(release: Release): Promise<EnvRecord> {
    const state = await this.load();
    const key = envKey(release.build_id, release.environment);
    const existing = state.environments[key];
    if (existing) return existing;
    const taken = new Set(Object.values(state.environments).map((env) => env.router.port));
    let port = this.portBase;
    while (taken.has(port) || !(await portIsFree(port))) port++;
    const dir = join(this.stateDir, 'builds', safe(release.build_id), release.environment);
    await mkdir(join(dir, 'logs'), { recursive: true });
    const env: EnvRecord = {
      build_id: release.build_id,
      environment: release.environment,
      app_name: release.app_name,
      dir,
      database_file: join(dir, 'app.db'),
      router: { port, pid: null, token: randomBytes(24).toString('hex') },
      generation: 0,
      live: null,
      slots: { blue: null, green: null },
      slot_starts: 0,
      instance_restarts: 0,
      pending: null,
      rolled_back: {},
    };
    state.environments[key] = env;
    await this.save();
    return env;
  }

  private url(env: EnvRecord) {
    return `http://${HOST}:${env.router.port}`;
  }

  // ---- router ------------------------------------------------------------------------------------------------

  private routesFile(env: EnvRecord) {
    return join(env.dir, 'routes.json');
  }

  private async routerState(env: EnvRecord, timeoutMs = 1_000): Promise<RouterState | null> {
    try {
      const response = await fetch(`${this.url(env)}${ROUTER_CONTROL_PATH}`, {
        headers: { [ROUTER_TOKEN_HEADER]: env.router.token },
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (response.status !== 200) return null;
      return RouterState.parse(await response.json());
    } catch {
      return null;
    }
  }

  /** Whether the recorded router process runs and answers on the environment's port. */
  private async routerAlive(env: EnvRecord): Promise<boolean> {
    if (env.router.pid === null || !isAlive(env.router.pid)) return false;
    const answer = await this.routerState(env);
    return answer?.pid === env.router.pid;
  }

  /** Starts the router if it is not running (it reads the routes file, so it serves what was live). */
  private async ensureRouter(env: EnvRecord): Promise<boolean> {
    if (await this.routerAlive(env)) return false;
    if (env.router.pid !== null && isAlive(env.router.pid)) await stopProcess(env.router.pid, this.stopGraceMs);
    await writeJsonAtomic(this.routesFile(env), this.routes(env, []));
    const argv = await routerCommand();
    const spawned = spawnDetached(argv, {
      cwd: env.dir,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        BATON_ROUTER_PORT: String(env.router.port),
        BATON_ROUTER_HOST: HOST,
        BATON_ROUTER_ROUTES: this.routesFile(env),
        BATON_ROUTER_TOKEN: env.router.token,
      },
      logFile: join(env.dir, 'logs', 'router.log'),
    });
    env.router.pid = spawned.pid;
    await this.save();
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if ((await this.routerState(env, 500))?.pid === spawned.pid) return true;
      if (!isAlive(spawned.pid)) break;
      await sleep(50);
    }
    throw new LocalTargetError(
      `the router of ${env.build_id}/${env.environment} did not start on port ${env.router.port}: ${logTail(join(env.dir, 'logs', 'router.log'))}`,
    );
  }

  private routes(env: EnvRecord, standby: Upstream[]): Routes {
    return { generation: env.generation, live: env.live ? upstreams(env.slots[env.live.slot]) : [], standby };
  }

  /** Points the router at the recorded live slot (plus a standby): the routes file first (a restarted router reads it), then the running router. */
  private async pushRoutes(env: EnvRecord, standby: Upstream[] = []): Promise<void> {
    env.generation++;
    const routes = this.routes(env, standby);
    await writeJsonAtomic(this.routesFile(env), routes);
    await this.save();
    try {
      const response = await fetch(`${this.url(env)}${ROUTER_CONTROL_PATH}`, {
        method: 'PUT',
        headers: { [ROUTER_TOKEN_HEADER]: env.router.token, 'content-type': 'application/json' },
        body: JSON.stringify(routes),
        signal: AbortSignal.timeout(3_000),
      });
      if (response.status === 200) return;
    } catch {
      // the router is gone: starting it again reads the routes file just written
    }
    await this.ensureRouter(env);
  }

  /** Waits until the router has no request in flight to these upstreams (bounded), so stopping them drops nothing. */
  private async drain(env: EnvRecord, targets: Upstream[]): Promise<void> {
    const keys = targets.map(upstreamKey);
    const deadline = Date.now() + this.drainMs;
    while (Date.now() < deadline) {
      const state = await this.routerState(env);
      if (!state || keys.every((key) => !state.inflight[key])) return;
      await sleep(20);
    }
  }

  // ---- slots -------------------------------------------------------------------------------------------------

  private appEnv(env: EnvRecord, slot: SlotRecord, port: number, command: AppCommand): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/nonexistent',
      LANG: 'C.UTF-8',
      [APP_ENV.port]: String(port),
      [APP_ENV.host]: HOST,
      [APP_ENV.databaseFile]: env.database_file,
      [APP_ENV.apiKey]: slot.api_key,
      [APP_ENV.version]: slot.commit,
      [APP_ENV.environment]: env.environment,
      ...command.env,
    };
  }

  private logFile(env: EnvRecord, slot: Slot, instance: number) {
    return join(env.dir, 'logs', `${slot}-${instance}.log`);
  }

  private async startInstance(env: EnvRecord, slotName: Slot, slot: SlotRecord, instance: number, port?: number): Promise<InstanceRecord> {
    const argv = resolveArgv(slot.start, await toolchain());
    const chosen = port !== undefined && (await portIsFree(port)) ? port : await freePort();
    const log = this.logFile(env, slotName, instance);
    await writeFile(log, `--- ${new Date().toISOString()} ${slot.deployment} instance ${instance} on port ${chosen}\n`, { flag: 'a' });
    const spawned = spawnDetached(argv, { cwd: slot.release_dir, env: this.appEnv(env, slot, chosen, slot.start), logFile: log });
    return { instance, pid: spawned.pid, port: chosen };
  }

  private async stopSlot(env: EnvRecord, slotName: Slot): Promise<void> {
    const slot = env.slots[slotName];
    if (!slot) return;
    await Promise.all(slot.instances.map((instance) => stopProcess(instance.pid, this.stopGraceMs)));
    env.slots[slotName] = null;
    await this.save();
  }

  private slotAlive(slot: SlotRecord | null): boolean {
    return !!slot && slot.instances.length > 0 && slot.instances.every((instance) => isAlive(instance.pid));
  }

  private async slotHealthy(slot: SlotRecord | null): Promise<boolean> {
    if (!slot || !this.slotAlive(slot)) return false;
    const checks = await Promise.all(slot.instances.map((instance) => checkHealth(`http://${HOST}:${instance.port}`, slot.commit, 2_000)));
    return checks.every((check) => check.ok);
  }

  private async slotHealthyWithin(slot: SlotRecord | null, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!(await this.slotHealthy(slot))) {
      if (Date.now() >= deadline) return false;
      await sleep(Math.min(this.healthIntervalMs, 100));
    }
    return true;
  }

  // ---- release steps -----------------------------------------------------------------------------------------

  /** `git archive` of the commit, extracted into the release directory (once: a complete checkout is reused). */
  private async checkout(release: Release): Promise<string> {
    const dir = join(this.stateDir, 'builds', safe(release.build_id), 'releases', release.commit);
    if (existsSync(join(dir, '.baton-release'))) return dir;
    const partial = `${dir}.partial-${process.pid}`;
    await rm(partial, { recursive: true, force: true });
    await mkdir(partial, { recursive: true });
    const archive = `${partial}.tar`;
    try {
      await runGit(['archive', '--format=tar', `--output=${archive}`, release.commit], { cwd: release.origin });
      await runTar(archive, partial);
    } catch (error) {
      await rm(partial, { recursive: true, force: true });
      throw new ReleaseFailure(
        'checkout',
        `could not export ${release.commit} from ${release.origin}: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      await rm(archive, { force: true });
    }
    await rm(dir, { recursive: true, force: true });
    await rename(partial, dir);
    return dir;
  }

  private async buildRelease(release: Release, dir: string, signal?: AbortSignal): Promise<void> {
    if (existsSync(join(dir, '.baton-release'))) return;
    const tools = await toolchain();
    if (release.manifest.stack.startsWith('node')) await linkNodeModules(dir, tools);
    if (release.manifest.build) {
      const result = await runAppCommand(release.manifest.build, { cwd: dir, timeoutMs: this.commandTimeoutMs, signal });
      if (result.exit_code !== 0) throw new ReleaseFailure('build', `the build exited with ${describeExit(result)}: ${result.output.slice(-1_000)}`);
    }
    await writeFile(join(dir, '.baton-release'), `${release.commit}\n`);
  }

  /** A consistent copy of the live database through SQLite's backup API (the serving slot may be writing meanwhile). */
  private async backup(env: EnvRecord, deployment: string): Promise<{ file: string; existed: boolean }> {
    const file = join(env.dir, 'backups', `${deployment}.db`);
    if (!existsSync(env.database_file)) return { file, existed: false };
    await mkdir(join(env.dir, 'backups'), { recursive: true });
    await rm(file, { force: true });
    const source = new Database(env.database_file, { fileMustExist: true, timeout: 5_000 });
    try {
      await source.backup(`${file}.tmp`);
    } finally {
      source.close();
    }
    await rename(`${file}.tmp`, file);
    return { file, existed: true };
  }

  /**
   * Puts the backup back into the live file through the backup API (not a file copy: the old slot keeps its
   * connection open, and SQLite's locking makes it see the restored pages); no backup file means there was no
   * database before the release, so the file goes.
   */
  private async restore(env: EnvRecord, backup: { file: string; existed: boolean }): Promise<void> {
    if (!backup.existed) {
      for (const suffix of ['', '-wal', '-shm', '-journal']) await unlink(`${env.database_file}${suffix}`).catch(() => undefined);
      return;
    }
    const source = new Database(backup.file, { readonly: true, fileMustExist: true });
    try {
      await source.backup(env.database_file);
    } finally {
      source.close();
    }
  }

  // ---- deploy ------------------------------------------------------------------------------------------------

  deploy(release: Release, options: DeployOptions = {}): Promise<DeployOutcome> {
    return this.operation(async () => {
      const env = await this.environment(release);
      return this.withLock(envKey(release.build_id, release.environment), () => this.deployLocked(env, release, options));
    });
  }

  private async deployLocked(env: EnvRecord, release: Release, options: DeployOptions): Promise<DeployOutcome> {
    const started = performance.now();
    const progress = options.onProgress ?? (() => undefined);
    const deployment = deploymentName(release);
    const timings: Record<string, number> = {};
    let stepStarted = performance.now();
    const step = (name: string) => {
      timings[name] = Math.round(performance.now() - stepStarted);
      stepStarted = performance.now();
    };
    const outcome = (fields: Partial<DeployOutcome> & Pick<DeployOutcome, 'status' | 'slot'>): DeployOutcome => ({
      deployment,
      target: 'local',
      environment: release.environment,
      commit: release.commit,
      previous_commit: null,
      url: this.url(env),
      instances: release.instances,
      health_attempts: 0,
      smoke: [],
      switched: false,
      rollback: null,
      timings,
      seconds: round((performance.now() - started) / 1000),
      ...fields,
    });

    await this.ensureRouter(env);
    const recorded = env.rolled_back[deployment];
    if (recorded && env.pending?.deployment !== deployment) return recorded;

    // A different deployment left half-done by a killed Baton is rolled back before this one starts.
    if (env.pending && env.pending.deployment !== deployment) await this.rollback(env, progress);

    if (env.live?.commit === release.commit && env.pending?.deployment !== deployment) {
      if (!(await this.slotHealthy(env.slots[env.live.slot]))) await this.reconcileEnvironment(env, { restarted: [], stopped: [], healthy: [] });
      return outcome({ status: 'already_live', slot: env.live.slot, previous_commit: env.live.commit });
    }

    const pending = env.pending ?? {
      deployment,
      commit: release.commit,
      slot: env.live ? other(env.live.slot) : 'blue',
      previous: env.live,
      backup: null,
      switched: false,
    };
    env.pending = pending;
    await this.save();
    const slotName = pending.slot;
    const previousCommit = pending.previous?.commit ?? null;
    let healthAttempts = 0;
    let smoke: SmokeResult[] = [];
    let stage: FailureStage = 'checkout';

    try {
      progress({ type: 'checkout', payload: { deployment, commit: release.commit, slot: slotName } });
      // Environments of one build share the checkout of a commit: one export and build at a time.
      const dir = await this.withLock(`release:${release.build_id}:${release.commit}`, async () => {
        const checkout = await this.checkout(release);
        stage = 'build';
        await this.buildRelease(release, checkout, options.signal);
        return checkout;
      });
      step('checkout');

      stage = 'backup';
      if (!pending.backup) {
        pending.backup = await this.backup(env, deployment);
        await this.save();
      }
      progress({ type: 'backup', payload: { file: pending.backup.file, existed: pending.backup.existed } });
      step('backup');

      stage = 'migrate';
      const migration = await runAppCommand(release.manifest.migrate, {
        cwd: dir,
        env: { [APP_ENV.databaseFile]: env.database_file, [APP_ENV.environment]: env.environment, [APP_ENV.version]: release.commit },
        timeoutMs: this.commandTimeoutMs,
        signal: options.signal,
      });
      progress({ type: 'migrate', payload: { exit_code: migration.exit_code, ms: migration.ms } });
      if (migration.exit_code !== 0)
        throw new ReleaseFailure('migrate', `the migration exited with ${describeExit(migration)}: ${migration.output.slice(-1_000)}`);
      step('migrate');

      stage = 'start';
      const existing = env.slots[slotName];
      let slot: SlotRecord;
      if (existing && existing.deployment === deployment && this.slotAlive(existing)) {
        slot = existing;
        progress({ type: 'slot_started', payload: { slot: slotName, reused: true, pids: slot.instances.map((i) => i.pid) } });
      } else {
        if (existing) await this.stopSlot(env, slotName);
        slot = { commit: release.commit, deployment, release_dir: dir, start: release.manifest.start, api_key: release.api_key, instances: [] };
        env.slots[slotName] = slot;
        env.slot_starts++;
        for (let instance = 0; instance < release.instances; instance++) {
          slot.instances.push(await this.startInstance(env, slotName, slot, instance));
          await this.save();
        }
        progress({ type: 'slot_started', payload: { slot: slotName, reused: false, instances: slot.instances } });
      }
      step('start');

      stage = 'health';
      healthAttempts = await this.awaitHealthy(env, slotName, slot, progress, (attempt) => (healthAttempts = attempt));
      step('healthy');

      stage = 'smoke';
      const first = slot.instances[0] as InstanceRecord;
      smoke = await runSmokeTests(`http://${HOST}:${first.port}`, release.manifest, release.api_key, release.commit, { signal: options.signal });
      progress({ type: 'smoke', payload: { results: smoke } });
      const failed = smoke.filter((result) => !result.passed);
      if (failed.length) throw new ReleaseFailure('smoke', failed.map((result) => `${result.name}: ${result.detail}`).join('; '));
      step('smoke');

      stage = 'switch';
      const previousSlot = pending.previous ? env.slots[pending.previous.slot] : null;
      env.live = { slot: slotName, commit: release.commit, deployment };
      pending.switched = true;
      // The previous slot stays as the standby during the watch: a request the new slot refuses goes there.
      await this.pushRoutes(env, upstreams(previousSlot));
      progress({ type: 'switch', payload: { from: pending.previous?.slot ?? null, to: slotName, url: this.url(env), generation: env.generation } });
      step('switch');

      stage = 'watch';
      progress({ type: 'watch', payload: { ms: this.watchMs, phase: 'started' } });
      await this.watch(slot, slotName);
      progress({ type: 'watch', payload: { ms: this.watchMs, phase: 'passed' } });
      step('watch');

      // Success: the old slot leaves the routes, its requests in flight finish, then it stops (no idle slot kept:
      // a rollback after success is a new deployment of the old commit, and an idle slot would hold a port and memory).
      await this.pushRoutes(env, []);
      if (pending.previous && pending.previous.slot !== slotName) {
        await this.drain(env, upstreams(previousSlot));
        await this.stopSlot(env, pending.previous.slot);
      }
      if (pending.backup?.existed) await rm(pending.backup.file, { force: true });
      env.pending = null;
      await this.save();
      step('finish');
      return outcome({ status: 'live', slot: slotName, previous_commit: previousCommit, health_attempts: healthAttempts, smoke, switched: true });
    } catch (error) {
      // Aborted (the run cancelled, the engine shutting down): not the release's failure. The deployment stays
      // pending: the same deployment run again resumes it (reusing its slot), a different one rolls it back first.
      if (options.signal?.aborted)
        throw options.signal.reason instanceof BatonError ? options.signal.reason : new CancelledError('the deploy was aborted', { deployment });
      const failure = error instanceof ReleaseFailure ? error : new ReleaseFailure(stage, error instanceof Error ? error.message : String(error));
      const rollback = await this.rollback(env, progress, failure);
      const result = outcome({
        status: 'rolled_back',
        slot: env.live?.slot ?? slotName,
        previous_commit: previousCommit,
        health_attempts: healthAttempts,
        smoke,
        switched: pending.switched,
        rollback,
      });
      env.rolled_back[deployment] = result;
      await this.save();
      return result;
    }
  }

  /** Polls every instance's `/health` (up to the tries); an instance whose process exited fails the start at once. */
  private async awaitHealthy(
    env: EnvRecord,
    slotName: Slot,
    slot: SlotRecord,
    progress: NonNullable<DeployOptions['onProgress']>,
    // Told each attempt, so a release that never got healthy still reports how many were made.
    onAttempt: (attempt: number) => void,
  ): Promise<number> {
    let lastError = 'no attempt';
    for (let attempt = 1; attempt <= this.healthTries; attempt++) {
      const dead = slot.instances.find((instance) => !isAlive(instance.pid));
      if (dead)
        throw new ReleaseFailure('start', `instance ${dead.instance} (pid ${dead.pid}) exited: ${logTail(this.logFile(env, slotName, dead.instance), 800)}`);
      const checks = await Promise.all(slot.instances.map((instance) => checkHealth(`http://${HOST}:${instance.port}`, slot.commit, 2_000)));
      const ok = checks.every((check) => check.ok);
      const problem = checks.find((check) => !check.ok);
      onAttempt(attempt);
      progress({
        type: 'health_attempt',
        payload: { attempt, ok, status: ok ? (checks[0]?.status ?? 200) : (problem?.status ?? null), error: problem?.error ?? null },
      });
      if (ok) return attempt;
      lastError = problem?.error ?? lastError;
      if (attempt < this.healthTries) await sleep(this.healthIntervalMs);
    }
    throw new ReleaseFailure('health', `not healthy after ${this.healthTries} tries: ${lastError}`);
  }

  /** Watches the live slot for the window: every instance alive and healthy at every check. */
  private async watch(slot: SlotRecord, slotName: Slot): Promise<void> {
    const deadline = Date.now() + this.watchMs;
    do {
      const dead = slot.instances.find((instance) => !isAlive(instance.pid));
      if (dead) throw new ReleaseFailure('watch', `${slotName} instance ${dead.instance} (pid ${dead.pid}) exited after the switch`);
      const checks = await Promise.all(slot.instances.map((instance) => checkHealth(`http://${HOST}:${instance.port}`, slot.commit, 2_000)));
      const problem = checks.find((check) => !check.ok);
      if (problem) throw new ReleaseFailure('watch', `after the switch: ${problem.error ?? 'unhealthy'}`);
      await sleep(Math.min(this.healthIntervalMs, Math.max(0, deadline - Date.now())));
    } while (Date.now() < deadline);
  }

  /**
   * Undoes the pending deployment: traffic back to the previous slot (if it had switched), the new slot stopped,
   * the database restored from the release's backup. Timed from the failure to the previous release serving again.
   */
  private async rollback(
    env: EnvRecord,
    progress: NonNullable<DeployOptions['onProgress']>,
    failure?: ReleaseFailure,
  ): Promise<NonNullable<DeployOutcome['rollback']>> {
    const started = performance.now();
    const pending = env.pending;
    const stage: FailureStage = failure?.stage ?? 'switch';
    const reason = failure?.message ?? 'an unfinished deployment was abandoned';
    if (!pending) return { stage, reason, seconds: 0, database_restored: false };
    progress({ type: 'rollback', payload: { stage, reason, deployment: pending.deployment, to: pending.previous?.commit ?? null } });
    // The previous release is what serves after the rollback: an instance of it that died meanwhile starts again first.
    if (pending.previous && env.slots[pending.previous.slot] && !this.slotAlive(env.slots[pending.previous.slot])) {
      await this.restartDeadInstances(env, pending.previous.slot);
      await this.slotHealthyWithin(env.slots[pending.previous.slot], 5_000);
    }
    const previous: LiveRecord | null = pending.previous && this.slotAlive(env.slots[pending.previous.slot]) ? pending.previous : null;
    if (pending.switched || env.live?.deployment === pending.deployment) {
      env.live = previous;
      await this.pushRoutes(env, []);
    }
    const failed = pending.slot;
    const failedUpstreams = upstreams(env.slots[failed]);
    if (env.live?.slot !== failed) {
      await this.drain(env, failedUpstreams);
      await this.stopSlot(env, failed);
    }
    let restored = false;
    if (pending.backup) {
      await this.restore(env, pending.backup);
      restored = true;
      if (pending.backup.existed) await rm(pending.backup.file, { force: true });
    }
    env.pending = null;
    await this.save();
    const seconds = round((performance.now() - started) / 1000);
    progress({ type: 'restored', payload: { database_restored: restored, serving: env.live?.commit ?? null, seconds } });
    return { stage, reason, seconds, database_restored: restored };
  }

  // ---- status, reconcile, teardown ---------------------------------------------------------------------------

  status(buildId: string, environment: Environment): Promise<EnvironmentStatus | null> {
    return this.operation(async () => {
      const env = (await this.load()).environments[envKey(buildId, environment)];
      if (!env) return null;
      const processes: EnvironmentStatus['processes'] = [];
      for (const slotName of ['blue', 'green'] as const)
        for (const instance of env.slots[slotName]?.instances ?? [])
          processes.push({ slot: slotName, instance: instance.instance, pid: instance.pid, port: instance.port, alive: isAlive(instance.pid) });
      const live = env.live ? env.slots[env.live.slot] : null;
      return {
        build_id: buildId,
        environment,
        url: this.url(env),
        live_commit: env.live?.commit ?? null,
        live_slot: env.live?.slot ?? null,
        processes,
        healthy: (await this.routerAlive(env)) && (await this.slotHealthy(live)),
      };
    });
  }

  /** The recorded slot starts and reconcile restarts of an environment (what the Proof counts). */
  counters(
    buildId: string,
    environment: Environment,
  ): Promise<{ slot_starts: number; instance_restarts: number; router_port: number; router_pid: number | null } | null> {
    return this.operation(async () => {
      const env = (await this.load()).environments[envKey(buildId, environment)];
      return env ? { slot_starts: env.slot_starts, instance_restarts: env.instance_restarts, router_port: env.router.port, router_pid: env.router.pid } : null;
    });
  }

  reconcile(): Promise<ReconcileReport> {
    return this.operation(async () => {
      const state = await this.load();
      const report: ReconcileReport = { environments: 0, restarted: [], stopped: [], healthy: [] };
      for (const [key, env] of Object.entries(state.environments)) {
        report.environments++;
        await this.withLock(key, () => this.reconcileEnvironment(env, report));
      }
      return report;
    });
  }

  /** Starts again the instances of a slot whose process died (same port when it is still free: the routes stay valid). */
  private async restartDeadInstances(env: EnvRecord, slotName: Slot): Promise<{ before: InstanceRecord; after: InstanceRecord }[]> {
    const slot = env.slots[slotName];
    const restarted: { before: InstanceRecord; after: InstanceRecord }[] = [];
    if (!slot) return restarted;
    for (const [index, instance] of slot.instances.entries()) {
      if (isAlive(instance.pid)) continue;
      const after = await this.startInstance(env, slotName, slot, instance.instance, instance.port);
      slot.instances[index] = after;
      env.instance_restarts++;
      restarted.push({ before: instance, after });
      await this.save();
    }
    return restarted;
  }

  private async reconcileEnvironment(env: EnvRecord, report: Omit<ReconcileReport, 'environments'>): Promise<void> {
    const name = `${env.build_id}/${env.environment}`;
    const live = env.live ? env.slots[env.live.slot] : null;
    let changed = false;
    if (env.live && live) {
      const restarted = await this.restartDeadInstances(env, env.live.slot);
      changed = restarted.some((entry) => entry.after.port !== entry.before.port);
      for (const { before, after } of restarted) report.restarted.push(`${name} ${env.live.slot}#${before.instance} (pid ${before.pid} → ${after.pid})`);
    }
    // Processes the record no longer wants: the idle slot, unless a deployment under way owns it.
    for (const slotName of ['blue', 'green'] as const) {
      if (slotName === env.live?.slot || slotName === env.pending?.slot) continue;
      const slot = env.slots[slotName];
      if (!slot) continue;
      for (const instance of slot.instances) if (isAlive(instance.pid)) report.stopped.push(`${name} ${slotName}#${instance.instance} (pid ${instance.pid})`);
      await this.stopSlot(env, slotName);
    }
    const oldRouter = env.router.pid;
    if (await this.ensureRouter(env)) report.restarted.push(`${name} router on port ${env.router.port} (pid ${String(oldRouter)} → ${String(env.router.pid)})`);
    else if (changed) await this.pushRoutes(env, []);
    if (live && (await this.slotHealthyWithin(live, Math.max(5_000, this.healthIntervalMs * 10)))) report.healthy.push(name);
  }

  /** The builds (apps) this target has recorded, sorted: what `baton build down` stops. */
  async buildIds(): Promise<string[]> {
    const state = await this.load();
    return [...new Set(Object.values(state.environments).map((record) => record.build_id))].sort();
  }

  teardown(buildId: string, environment?: Environment): Promise<void> {
    return this.operation(async () => {
      const state = await this.load();
      for (const [key, env] of Object.entries(state.environments)) {
        if (env.build_id !== buildId || (environment && env.environment !== environment)) continue;
        await this.withLock(key, async () => {
          await Promise.all([this.stopSlot(env, 'blue'), this.stopSlot(env, 'green')]);
          if (env.router.pid !== null) await stopProcess(env.router.pid, this.stopGraceMs);
          delete state.environments[key];
          await this.save();
        });
      }
    });
  }
}

function round(value: number) {
  return Math.round(value * 1000) / 1000;
}

function describeExit(result: { exit_code: number | null; signal: string | null; timed_out: boolean }) {
  if (result.timed_out) return 'a timeout';
  return result.exit_code === null ? `signal ${String(result.signal)}` : `code ${result.exit_code}`;
}

function runTar(archive: string, into: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    execFile('tar', ['-xf', archive, '-C', into], { timeout: 60_000 }, (error, _stdout, stderr) =>
      error ? reject(new Error(`tar failed: ${stderr || error.message}`)) : resolve(),
    );
  });
}
