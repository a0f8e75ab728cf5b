/**
 * A build-pipeline run: the stage timeline with the code ↔ gate rounds, the tests and coverage, the cost per
 * environment, the approvals with who gave them, each environment's deployment (health attempts, switch, rollback,
 * URL) and the artefacts — all folded from the run's event stream, so it moves as the events arrive.
 */
import { useMemo } from 'react';
import type { RunEvent } from '../../api/schemas';
import { Approvals } from './build/Approvals';
import { Artefacts } from './build/Artefacts';
import { buildBuildView } from './build/buildView';
import { Costs } from './build/Costs';
import { Deployments } from './build/Deployments';
import { Quality } from './build/Quality';
import { Stages } from './build/Stages';
import { useNow } from './build/useNow';
import type { PhaseView } from './runView';

export function BuildPanel({ events, phases }: { events: readonly RunEvent[]; phases: readonly PhaseView[] }) {
  const view = useMemo(() => buildBuildView(events, phases), [events, phases]);
  const now = useNow(view.stages.some((s) => s.state === 'running' || s.state === 'waiting'));
  return (
    <div className="build-panel" data-testid="build-panel" style={{ display: 'grid', gap: '1rem' }}>
      <Stages stages={view.stages} rounds={view.rounds} now={now} />
      <div className="two-columns">
        <Quality gate={view.gate} />
        <Costs infrastructure={view.infrastructure} />
      </div>
      <Deployments deployments={view.deployments} />
      <Approvals approvals={view.approvals} />
      <Artefacts view={view} />
      {view.unreadable.length > 0 ? (
        <section className="panel" data-testid="build-unreadable">
          <h2>Results not shown</h2>
          <p className="small muted">These step outputs do not match the build pipeline’s contracts (the dashboard and the server disagree):</p>
          <ul className="small">
            {view.unreadable.map((u, i) => (
              <li key={`${u.phase}-${i}`}>
                {u.phase.replaceAll('_', ' ')}: {u.problem}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
