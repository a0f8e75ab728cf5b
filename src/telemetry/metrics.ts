/**
 * Baton's Prometheus metrics (prom-client), kept in a registry of their own so two servers in one
 * process (the tests) never share counts. The engine watcher, the store decorator and the HTTP
 * hooks feed them; GET /metrics writes the registry out.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Seconds: agent steps take milliseconds (the demo) to minutes (a model call, a season's forecast). */
const STEP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
/** Seconds: a commit is one transaction, well under a millisecond on SQLite, a few on PostgreSQL. */
const COMMIT_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface BatonMetrics {
  readonly registry: Registry;
  /** From an agent step's start (the commit that brought the run to its phase) to the commit of its output. */
  readonly stepDuration: Histogram<'workflow' | 'phase'>;
  /** Agent attempts that failed: `retrying` when another attempt follows, `failed` when the step gave up. */
  readonly agentFailures: Counter<'workflow' | 'agent' | 'outcome' | 'error_type'>;
  readonly runsStarted: Counter<'workflow'>;
  readonly runsFinished: Counter<'workflow' | 'state'>;
  readonly commitDuration: Histogram<'dialect' | 'result'>;
  readonly leaseRenewals: Counter<'result'>;
  /** Runs whose leases were renewed (one renewal call covers every run a node drives). */
  readonly leaseRenewedRuns: Counter;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
}

export interface MetricsOptions {
  /** Process metrics (CPU, memory, event-loop delay, GC) from prom-client (default true). */
  processMetrics?: boolean;
}

export function createMetrics({ processMetrics = true }: MetricsOptions = {}): BatonMetrics {
  const registry = new Registry();
  if (processMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    stepDuration: new Histogram({
      name: 'baton_step_duration_seconds',
      help: 'Agent steps committed by this process: from the run reaching the phase to the step commit',
      labelNames: ['workflow', 'phase'],
      buckets: STEP_BUCKETS,
      registers,
    }),
    agentFailures: new Counter({
      name: 'baton_agent_failures_total',
      help: 'Failed agent attempts (outcome retrying: another attempt follows; failed: the step gave up)',
      labelNames: ['workflow', 'agent', 'outcome', 'error_type'],
      registers,
    }),
    runsStarted: new Counter({ name: 'baton_runs_started_total', help: 'Runs created by this process', labelNames: ['workflow'], registers }),
    runsFinished: new Counter({
      name: 'baton_runs_finished_total',
      help: 'Runs this process brought to an end, by final state',
      labelNames: ['workflow', 'state'],
      registers,
    }),
    commitDuration: new Histogram({
      name: 'baton_store_commit_duration_seconds',
      help: 'Store commits (one transaction each), by result: ok, stale (fenced out) or error',
      labelNames: ['dialect', 'result'],
      buckets: COMMIT_BUCKETS,
      registers,
    }),
    leaseRenewals: new Counter({ name: 'baton_lease_renewals_total', help: 'Lease renewal calls, by result', labelNames: ['result'], registers }),
    leaseRenewedRuns: new Counter({ name: 'baton_lease_renewed_runs_total', help: 'Runs whose lease a renewal call extended', registers }),
    httpDuration: new Histogram({
      name: 'baton_http_request_duration_seconds',
      help: 'HTTP requests, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: HTTP_BUCKETS,
      registers,
    }),
  };
}

/**
 * Gauges read when /metrics is scraped: the runs in the database by state (every node's, from the
 * store, so any node answers the same) and the open WebSocket streams of this server.
 */
export function registerScrapeGauges(
  metrics: BatonMetrics,
  { runsByState, streamClients }: { runsByState?: () => Promise<Iterable<readonly [state: string, count: number]>>; streamClients?: () => number },
): void {
  const registers = [metrics.registry];
  if (runsByState && !metrics.registry.getSingleMetric('baton_runs')) {
    new Gauge({
      name: 'baton_runs',
      help: 'Runs in the database, by state',
      labelNames: ['state'],
      registers,
      async collect() {
        this.reset();
        // With the database unreachable the gauge is left empty: the process's and HTTP's metrics still answer,
        // when they matter most.
        const counts = await runsByState().catch(() => []);
        for (const [state, count] of counts) this.set({ state }, count);
      },
    });
  }
  if (streamClients && !metrics.registry.getSingleMetric('baton_stream_clients')) {
    new Gauge({
      name: 'baton_stream_clients',
      help: 'Open WebSocket streams on this server',
      registers,
      collect() {
        this.set(streamClients());
      },
    });
  }
}
