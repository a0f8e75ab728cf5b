/**
 * `npm run bench:build`: the build pipeline end to end with the engine in-process on a SQLite file in a temp dir,
 * deploying to the local target (real routers and blue/green slots as child processes). Measures:
 * - per-stage and end-to-end time over B builds of one idea for dev and staging (the first is the app's first
 *   release, each later one a new release switched in blue/green), and the deploy's time to healthy (from its start
 *   to the first healthy /health of the new slot, from the outcome's timings);
 * - failed requests (non-2xx and connection errors) through the routers under a steady probe load (GET /health and
 *   GET on a collection with the API key, at R req/s) during the later builds' switches, and during rollbacks: a
 *   build of the same idea with an injected defect per --defects, rolled back by the target (its rollback time,
 *   target < 5 s; the previous release must serve again);
 * - K different ideas built at once (wall time).
 * Flags: --builds B (3) --concurrent K (2) --rate R (80) --defects (health-500,crash-after-start) --keep --json.
 * Everything it started (routers, slots) is torn down at the end, and the temp dir removed unless --keep.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, platform, release as osRelease, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openBatonStore } from '../src/cli/modules.js';
import { Engine, FINISHED_STATES } from '../src/engine/index.js';
import type { EventRecord } from '../src/store/types.js';
import type { Environment } from '../src/workflows/build-pipeline/contracts.js';
import { buildData } from '../src/workflows/build-pipeline/data/index.js';
import { DeployOutcome } from '../src/workflows/build-pipeline/deploy/contracts.js';
import { LocalTarget } from '../src/workflows/build-pipeline/deploy/local/target.js';
import { BuildIntake } from '../src/workflows/build-pipeline/intake.js';
import { buildPipelineModule, buildServices } from '../src/workflows/build-pipeline/module.js';

const { values: args } = parseArgs({
  options: {
    builds: { type: 'string', default: '3' },
    concurrent: { type: 'string', default: '2' },
    rate: { type: 'string', default: '80' },
    defects: { type: 'string', default: 'health-500,crash-after-start' },
    keep: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const BUILDS = Math.max(1, Number(args.builds));
const CONCURRENT = Math.max(0, Number(args.concurrent));
const RATE = Math.max(1, Number(args.rate));
const DEFECTS = args.defects
  .split(',')
  .map((d) => d.trim())
  .filter(Boolean) as ('health-500' | 'crash-after-start' | 'crash-at-start' | 'smoke-fails' | 'migration-fails')[];
const ENVIRONMENTS: Environment[] = ['dev', 'staging'];

const say = (line: string) => {
  if (!args.json) console.log(line);
};
const median = (values: number[]) => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const seconds = (ms: number) => Math.round(ms) / 1000;
const round3 = (value: number | null) => (value === null ? null : Math.round(value * 1000) / 1000);

const idea = (title: string) => ({
  title,
  description: 'A small service for teams to record what they spend.',
  requirements: ['Users can track expenses with an amount, a category and a spent_on date', 'Managers approve reports'],
  research_findings: ['Teams lose receipts'],
  viability_score: 91,
  champion: 'dana',
});

// ---- the installation -------------------------------------------------------------------------------------------

const root = await mkdtemp(join(tmpdir(), 'baton-bench-build-'));
const buildDir = join(root, 'builds');
const notifications: string[] = [];
const sink: Server = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    notifications.push(String(request.headers['idempotency-key'] ?? ''));
    response.writeHead(204).end();
  });
});
await new Promise<void>((done) => sink.listen(0, '127.0.0.1', done));
const env = {
  BATON_BUILD_DIR: buildDir,
  BATON_LOCAL_TARGET_PORT: String(20_000 + Math.floor(Math.random() * 20_000)),
  BATON_DEPLOY_WATCH_MS: '2000',
  BATON_BUILD_SECRET: `bench-${randomUUID()}`,
  BATON_BUILD_WEBHOOK_URL: `http://127.0.0.1:${(sink.address() as AddressInfo).port}/hook`,
};
const store = await openBatonStore({ sqlitePath: join(root, 'baton.db'), origin: 'bench-build' });
const opened = buildPipelineModule.open(store, { llm: null, env });
// Only for the API keys (derived from the same secret): the agents use the module's own services.
const services = buildServices(store, { llm: null, env });
const engineErrors: unknown[] = [];
const engine = new Engine({ store, agents: opened.agents, workflows: opened.workflows, onError: (error) => engineErrors.push(error) });
await engine.start();
const intake = new BuildIntake(engine, buildData(store));
const loadBefore = loadavg();

// ---- one build --------------------------------------------------------------------------------------------------

interface BuildResult {
  run_id: string;
  state: string;
  error: unknown;
  seconds: number;
  /** Seconds per phase that ran (from the previous phase's end to this one's `complete`). */
  stages: Record<string, number>;
  deploys: DeployOutcome[];
  /** The deploys' progress events, as `+<ms from the first> <type> <environment>` (to see where a rollback started). */
  deployEvents: string[];
  /** From the new slot's start to the rollback's start (the detection: 30 health tries, or the watch), when rolled back. */
  detectSeconds: number | null;
}

async function allEvents(runId: string): Promise<EventRecord[]> {
  const all: EventRecord[] = [];
  for (;;) {
    const page = await engine.readEvents(runId, all.at(-1)?.seq ?? 0, 1_000);
    all.push(...page);
    if (page.length < 1_000) return all;
  }
}

async function build(ideaId: string, parameters: Record<string, unknown>): Promise<BuildResult> {
  const started = performance.now();
  const view = await intake.startBuild(ideaId, parameters);
  const status = await engine.settled(view.run_id, FINISHED_STATES, { timeoutMs: 15 * 60_000 });
  const elapsed = performance.now() - started;
  const events = await allEvents(view.run_id);
  const stages: Record<string, number> = {};
  let last = events[0]?.at ?? 0;
  const deploys: DeployOutcome[] = [];
  for (const event of events) {
    const phase = typeof event.payload.phase === 'string' ? event.payload.phase : undefined;
    if (phase && (event.type === 'complete' || event.type === 'phase_skipped')) {
      if (event.type === 'complete') stages[phase] = (stages[phase] ?? 0) + (event.at - last) / 1000;
      last = event.at;
      if (event.type === 'complete' && phase.startsWith('deploy_')) deploys.push(DeployOutcome.parse(event.payload.result));
    }
  }
  const progress = events.filter((e) => e.type.startsWith('deploy_'));
  const deployEvents = progress.map((e) => {
    const detail = e.type === 'deploy_rollback' || e.type === 'deploy_watch' ? ` ${JSON.stringify(e.payload.reason ?? e.payload.phase ?? '')}` : '';
    return `+${e.at - (progress[0]?.at ?? e.at)} ${e.type} ${String(e.payload.environment)}${detail}`;
  });
  const slotStarted = progress.find((e) => e.type === 'deploy_slot_started')?.at;
  const rolledBack = progress.find((e) => e.type === 'deploy_rollback')?.at;
  const detectSeconds = slotStarted !== undefined && rolledBack !== undefined ? seconds(rolledBack - slotStarted) : null;
  return { run_id: view.run_id, state: status.state, error: status.error, seconds: seconds(elapsed), stages, deploys, deployEvents, detectSeconds };
}

// ---- the probe load ---------------------------------------------------------------------------------------------

interface ProbeCount {
  requests: number;
  failed: number;
  connection_errors: number;
  statuses: Record<string, number>;
}

/** GETs at a steady rate through the routers, alternating /health and a collection (with the API key). */
function probe(targets: { url: string; collection: string; key: string }[]): { stop: () => Promise<ProbeCount> } {
  const count: ProbeCount = { requests: 0, failed: 0, connection_errors: 0, statuses: {} };
  const inflight = new Set<Promise<void>>();
  let tick = 0;
  const timer = setInterval(() => {
    const target = targets[tick % targets.length]!;
    const health = Math.floor(tick / targets.length) % 2 === 0;
    tick++;
    count.requests++;
    const request = fetch(`${target.url}${health ? '/health' : target.collection}`, {
      headers: health ? {} : { 'x-api-key': target.key },
      signal: AbortSignal.timeout(5_000),
    })
      .then(async (response) => {
        await response.arrayBuffer();
        count.statuses[response.status] = (count.statuses[response.status] ?? 0) + 1;
        if (response.status < 200 || response.status >= 300) count.failed++;
      })
      .catch(() => {
        count.failed++;
        count.connection_errors++;
      })
      .finally(() => inflight.delete(request));
    inflight.add(request);
  }, 1000 / RATE);
  return {
    stop: async () => {
      clearInterval(timer);
      await Promise.all(inflight);
      return count;
    },
  };
}

const sum = (counts: ProbeCount[]): ProbeCount =>
  counts.reduce(
    (total, c) => ({
      requests: total.requests + c.requests,
      failed: total.failed + c.failed,
      connection_errors: total.connection_errors + c.connection_errors,
      statuses: Object.fromEntries(
        [...new Set([...Object.keys(total.statuses), ...Object.keys(c.statuses)])].map((k) => [k, (total.statuses[k] ?? 0) + (c.statuses[k] ?? 0)]),
      ),
    }),
    { requests: 0, failed: 0, connection_errors: 0, statuses: {} },
  );

// ---- the runs ---------------------------------------------------------------------------------------------------

const started = performance.now();
let failure: unknown;
const sequential: BuildResult[] = [];
const switchProbes: ProbeCount[] = [];
const rollbacks: {
  defect: string;
  state: string;
  status: string | null;
  stage: string | null;
  seconds: number | null;
  detect_seconds: number | null;
  switched: boolean;
  previous_serving: boolean;
  events: string[];
  probe: ProbeCount;
}[] = [];
let concurrentWall: number | null = null;
let concurrentStates: string[] = [];

try {
  const main = await intake.addIdea(idea('Expense tracker'));
  let probeTargets: { url: string; collection: string; key: string }[] = [];
  for (let i = 0; i < BUILDS; i++) {
    const load = i === 0 ? undefined : probe(probeTargets);
    const result = await build(main.id, { environments: ENVIRONMENTS });
    if (load) switchProbes.push(await load.stop());
    sequential.push(result);
    if (result.state !== 'completed') throw new Error(`build ${i + 1} ended ${result.state}: ${JSON.stringify(result.error)}`);
    const switched = result.deploys.filter((d) => d.switched).length;
    say(
      `build ${i + 1}/${BUILDS}: ${result.seconds.toFixed(1)} s, ${switched} switch${switched === 1 ? '' : 'es'}${load ? `, probe ${JSON.stringify(switchProbes.at(-1))}` : ''}`,
    );
    if (i === 0) {
      const appName = (await readdir(join(buildDir, 'targets', 'local', 'builds')))[0]!;
      const runStatus = await engine.status(result.run_id);
      const collection = (runStatus.result as { manifest?: { collections?: { path: string }[] } } | null)?.manifest?.collections?.[0]?.path;
      const codegen = (await allEvents(result.run_id)).find((e) => e.type === 'complete' && e.payload.phase === 'codegen');
      const path = collection ?? (codegen?.payload.result as { manifest: { collections: { path: string }[] } }).manifest.collections[0]!.path;
      probeTargets = result.deploys.map((d) => ({ url: d.url, collection: path, key: services.apiKeyFor(appName, d.environment) }));
    }
  }

  // Rollbacks: a release with a defect, dev only, under the same probe load on dev's router.
  const dev = probeTargets.filter((t) => t.url === sequential.at(-1)!.deploys.find((d) => d.environment === 'dev')?.url);
  for (const defect of DEFECTS) {
    const servingBefore = ((await (await fetch(`${dev[0]!.url}/health`)).json()) as { version: string }).version;
    const load = probe(dev);
    const result = await build(main.id, { environments: ['dev'], inject: { defect } });
    const count = await load.stop();
    const outcome = result.deploys.find((d) => d.environment === 'dev');
    const servingAfter = await fetch(`${dev[0]!.url}/health`).then(
      async (r) => ((await r.json()) as { version: string }).version,
      () => null,
    );
    rollbacks.push({
      defect,
      state: result.state,
      status: outcome?.status ?? null,
      stage: outcome?.rollback?.stage ?? null,
      seconds: outcome?.rollback?.seconds ?? null,
      detect_seconds: result.detectSeconds,
      switched: outcome?.switched ?? false,
      previous_serving: servingAfter === servingBefore,
      events: result.deployEvents,
      probe: count,
    });
    say(`rollback (${defect}): ${JSON.stringify(rollbacks.at(-1))}`);
  }

  // K different ideas at once.
  if (CONCURRENT > 0) {
    const ideas = await Promise.all(Array.from({ length: CONCURRENT }, (_, k) => intake.addIdea(idea(`Parallel tracker ${k + 1}`))));
    const at = performance.now();
    const results = await Promise.all(ideas.map((i) => build(i.id, { environments: ENVIRONMENTS })));
    concurrentWall = seconds(performance.now() - at);
    concurrentStates = results.map((r) => r.state);
    say(`${CONCURRENT} builds at once: ${concurrentWall.toFixed(1)} s (${concurrentStates.join(', ')})`);
  }
} catch (error) {
  failure = error;
} finally {
  await engine.close();
  const target = new LocalTarget({ stateDir: join(buildDir, 'targets', 'local') });
  for (const app of await readdir(join(buildDir, 'targets', 'local', 'builds')).catch(() => [] as string[])) await target.teardown(app).catch(() => undefined);
  await store.close();
  await new Promise<void>((done) => sink.close(() => done()));
  if (!args.keep) await rm(root, { recursive: true, force: true });
}

// ---- the report -------------------------------------------------------------------------------------------------

const stageNames = [...new Set(sequential.flatMap((r) => Object.keys(r.stages)))];
const stageMedians = Object.fromEntries(stageNames.map((s) => [s, round3(median(sequential.map((r) => r.stages[s] ?? 0)))]));
const deploys = sequential.flatMap((r) => r.deploys);
const toHealthy = (d: DeployOutcome) => ['checkout', 'backup', 'migrate', 'start', 'healthy'].reduce((t, k) => t + (d.timings[k] ?? 0), 0) / 1000;
const switchCount = sum(switchProbes);
const rollbackCount = sum(rollbacks.map((r) => r.probe));
const rollbackSeconds = rollbacks.flatMap((r) => (r.seconds === null ? [] : [r.seconds]));
const cpu = cpus();
const report = {
  builds: sequential.length,
  environments: ENVIRONMENTS,
  end_to_end_seconds: round3(median(sequential.map((r) => r.seconds))),
  end_to_end_each_seconds: sequential.map((r) => r.seconds),
  stage_median_seconds: stageMedians,
  time_to_healthy_seconds: round3(median(deploys.map(toHealthy))),
  slot_healthy_seconds: round3(median(deploys.map((d) => ((d.timings.start ?? 0) + (d.timings.healthy ?? 0)) / 1000))),
  deploy_median_seconds: round3(median(deploys.map((d) => d.seconds))),
  switches: deploys.filter((d) => d.switched && d.previous_commit !== null).length,
  failed_requests_switch: switchCount.failed,
  probe_switch: switchCount,
  failed_requests_rollback: rollbackCount.failed,
  probe_rollback: rollbackCount,
  rollback_seconds: rollbackSeconds.length ? Math.max(...rollbackSeconds) : null,
  rollbacks: rollbacks.map(({ probe: p, ...r }) => ({ ...r, failed_requests: p.failed, requests: p.requests })),
  probe_rate_per_second: RATE,
  concurrent_builds: CONCURRENT,
  concurrent_wall_seconds: concurrentWall,
  concurrent_states: concurrentStates,
  notifications: notifications.length,
  distinct_notification_keys: new Set(notifications).size,
  engine_errors: engineErrors.length,
  total_seconds: seconds(performance.now() - started),
  error: failure === undefined ? null : failure instanceof Error ? failure.message : JSON.stringify(failure),
  machine: {
    platform: `${platform()} ${osRelease()}`,
    node: process.version,
    cpus: cpu.length,
    cpu_model: cpu[0]?.model ?? 'unknown',
    memory_gb: Math.round(totalmem() / 2 ** 30),
    load_before: loadBefore.map((l) => Math.round(l * 100) / 100),
    load_after: loadavg().map((l) => Math.round(l * 100) / 100),
  },
};

if (args.json) console.log(JSON.stringify(report));
else {
  const row = (name: string, value: unknown) => console.log(`${name.padEnd(36)} ${String(value)}`);
  console.log('');
  row('builds (dev, staging)', report.builds);
  row('end to end, median (s)', report.end_to_end_seconds);
  for (const [stage, value] of Object.entries(stageMedians)) row(`  ${stage} (s)`, value);
  row('time to healthy, median (s)', report.time_to_healthy_seconds);
  row('  of which slot start → healthy (s)', report.slot_healthy_seconds);
  row('switches under load', report.switches);
  row('failed requests during switches', `${report.failed_requests_switch} of ${switchCount.requests}`);
  row('failed requests during rollbacks', `${report.failed_requests_rollback} of ${rollbackCount.requests}`);
  for (const r of report.rollbacks)
    row(
      `  rollback ${r.defect}`,
      `${r.status ?? '-'}: ${r.stage ?? '-'} detected after ${r.detect_seconds ?? '-'} s, rolled back in ${r.seconds ?? '-'} s, previous serving: ${r.previous_serving}`,
    );
  row('rollback time, worst (s)', report.rollback_seconds);
  row(`${CONCURRENT} builds at once, wall (s)`, report.concurrent_wall_seconds);
  row('notifications (distinct keys)', `${report.notifications} (${report.distinct_notification_keys})`);
  row('machine', `${report.machine.cpus} × ${report.machine.cpu_model}, load ${report.machine.load_before.join(' ')}`);
  if (report.error) row('error', report.error);
}
process.exitCode = failure === undefined ? 0 : 1;
