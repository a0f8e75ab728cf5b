/**
 * Run: the phase timeline, one live card per agent, the open approval, the decisions with their
 * explanations and, for a season plan, the charts — all from the run's event stream, which
 * reconnects with `since` after a drop and says so while it does.
 */
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { PlanParameters } from '../../../../src/workflows/season-planning/contracts.js';
import { api } from '../../api/client';
import { ErrorNotice, Loading } from '../../components/Notices';
import { useAsync } from '../../hooks/useAsync';
import { useRunStream, type RunStream } from '../../hooks/useRunStream';
import { AgentCards } from './AgentCards';
import { ApprovalPanel } from './ApprovalPanel';
import { BuildPanel } from './BuildPanel';
import { Decisions } from './Decisions';
import { DeliveryPanel } from './DeliveryPanel';
import { EventLog } from './EventLog';
import { PhaseTimeline } from './PhaseTimeline';
import { nameOf } from '../../people';
import { buildRunView } from './runView';
import { RunSummary } from './RunSummary';

/** How often a running run's page asks whether a worker drives it. */
const WORKER_CHECK_MS = 2_000;

// The charts (ECharts: most of the code) load when first shown, so the rest of the dashboard opens quickly.
const RunCharts = lazy(() => import('./RunCharts').then((m) => ({ default: m.RunCharts })));

const STREAM_LABEL: Record<RunStream['state'], string> = { connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…', failed: 'stream stopped' };

function StreamStatus({ stream }: { stream: RunStream }) {
  return (
    <span
      className={`stream ${stream.state}`}
      role="status"
      aria-live="polite"
      data-testid="stream-status"
      data-state={stream.state}
      title={stream.problem ?? undefined}
    >
      <span className="dot" aria-hidden="true" /> {STREAM_LABEL[stream.state]}
      {stream.state !== 'live' && stream.problem ? <span className="small"> ({stream.problem})</span> : null}
    </span>
  );
}

export function RunPage({ runId }: { runId: string }) {
  const stream = useRunStream(runId);
  const run = useAsync(() => api.run(runId), [runId]);
  const workflows = useAsync(() => api.workflows(), []);
  const [tab, setTab] = useState<'progress' | 'charts'>('progress');
  // An approval answered here is hidden at once, before its event arrives (it may be delayed by a reconnect).
  const [answered, setAnswered] = useState<ReadonlySet<string>>(new Set());
  const workflowName = run.data?.workflow;
  const workflow = workflows.data?.workflows.find((w) => w.name === workflowName);
  const view = useMemo(() => buildRunView(stream.events, workflow), [stream.events, workflow]);
  // A running run may wait for a worker with a free slot (every node runs BATON_MAX_RUNS already): its stream
  // says nothing then, so while it runs the page asks the server who drives it.
  const reloadRun = run.reload;
  useEffect(() => {
    if (view.state !== 'running') return;
    const timer = setInterval(reloadRun, WORKER_CHECK_MS);
    return () => clearInterval(timer);
  }, [view.state, reloadRun]);
  const waitingForWorker = view.state === 'running' && run.data?.state === 'running' && run.data.driven_by === null;
  const isSeason = workflowName === 'season-planning';
  const isDelivery = workflowName === 'software-delivery';
  const isBuild = workflow?.view === 'build-pipeline';
  // A season run's parameters, as its contract reads them (another workflow's: none).
  const parameters = isSeason ? PlanParameters.safeParse(run.data?.parameters).data : undefined;
  const strategy = parameters?.replenishment_strategy ?? null;
  const seasonStart = parameters?.season_start_date ?? null;

  if (run.error && !run.data) return <ErrorNotice error={run.error} title="Run not found" />;
  return (
    <section className="page" aria-labelledby="run-title" data-testid="run-page" data-last-seq={view.lastSeq} data-run-state={view.state ?? ''}>
      <header className="run-head">
        <div>
          <h1 id="run-title">
            {workflowName ?? 'Run'}{' '}
            <span className={`badge state ${view.state ?? ''}`} data-testid="run-state">
              {view.state ?? '…'}
            </span>
          </h1>
          <p className="muted small">
            run <code>{runId}</code>
            {run.data ? ` · started ${new Date(run.data.created_at).toLocaleString()}` : ''}
            {view.startedBy ? <span data-testid="started-by"> by {nameOf(view.startedBy)}</span> : null}
          </p>
        </div>
        <StreamStatus stream={stream} />
      </header>
      {waitingForWorker ? (
        <p className="waiting-for-worker" role="status" data-testid="waiting-for-worker">
          Waiting for a worker: every node is running as many runs as it may (BATON_MAX_RUNS); this run starts when one frees a slot.
        </p>
      ) : null}
      {stream.state === 'failed' ? <ErrorNotice error={new Error(stream.problem ?? 'the stream stopped')} title="Live updates stopped" /> : null}
      {run.loading && !run.data ? <Loading what="the run" /> : null}

      {view.open && !answered.has(view.open.id) ? (
        <ApprovalPanel key={view.open.id} runId={runId} wait={view.open} onResolved={(id) => setAnswered((s) => new Set([...s, id]))} />
      ) : null}
      {view.result ? <RunSummary state={view.state} result={view.result} /> : null}

      {isDelivery ? <DeliveryPanel runId={runId} lastSeq={view.lastSeq} /> : null}
      {isBuild ? <BuildPanel events={stream.events} phases={view.phases} /> : null}

      {isSeason ? (
        <div className="tabs" role="tablist" aria-label="Run views">
          <button role="tab" aria-selected={tab === 'progress'} className={tab === 'progress' ? 'active' : ''} onClick={() => setTab('progress')}>
            Progress
          </button>
          <button role="tab" aria-selected={tab === 'charts'} className={tab === 'charts' ? 'active' : ''} onClick={() => setTab('charts')}>
            Plan charts
          </button>
        </div>
      ) : null}

      {isSeason && tab === 'charts' ? (
        <Suspense fallback={<Loading what="the charts" />}>
          <RunCharts runId={runId} events={stream.events} view={view} strategy={strategy} seasonStart={seasonStart} />
        </Suspense>
      ) : (
        <div className="run-grid">
          <aside className="panel">
            <h2>Phases</h2>
            <PhaseTimeline phases={view.phases} />
          </aside>
          <div className="run-main">
            <section className="panel">
              <h2>Agents</h2>
              <AgentCards agents={view.agents} />
            </section>
            <section className="panel">
              <h2>Decisions</h2>
              <Decisions decisions={view.decisions} />
            </section>
          </div>
        </div>
      )}
      <EventLog events={stream.events} />
    </section>
  );
}
