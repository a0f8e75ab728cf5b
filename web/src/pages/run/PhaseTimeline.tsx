/** The workflow's phases in order with their state: done (how often) and who answered its wait, running, waiting, skipped with its reason, pending. */
import type { PhaseView } from './runView';

const LABEL: Record<PhaseView['state'], string> = {
  pending: 'not yet',
  running: 'running',
  done: 'done',
  skipped: 'skipped',
  waiting: 'waiting',
  failed: 'failed',
};

export function PhaseTimeline({ phases }: { phases: PhaseView[] }) {
  return (
    <ol className="timeline" aria-label="Phases">
      {phases.map((phase) => (
        <li key={phase.name} className={`phase ${phase.state}`} data-testid={`phase-${phase.name}`} data-state={phase.state}>
          <span className="dot" aria-hidden="true" />
          <span className="phase-name">{phase.name.replaceAll('_', ' ')}</span>
          <span className="phase-state">
            {LABEL[phase.state]}
            {phase.runs > 1 ? ` ×${phase.runs}` : ''}
          </span>
          {phase.skipReason && (phase.state === 'skipped' || phase.runs === 0) ? <span className="phase-reason">{phase.skipReason}</span> : null}
          {phase.decidedBy ? (
            <span className="phase-by" data-testid={`phase-by-${phase.name}`}>
              {phase.decidedBy}
            </span>
          ) : null}
        </li>
      ))}
    </ol>
  );
}
