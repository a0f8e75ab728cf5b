/** The build's stage timeline: each phase with its state, how long it took (or has been running), what it produced or why it was skipped; then the code ↔ gate rounds. */
import { Empty } from '../../../components/Notices';
import type { RoundView, StageView } from './buildView';
import { duration, label, short } from './format';

const STATE: Record<StageView['state'], string> = {
  pending: 'not yet',
  running: 'running',
  done: 'done',
  skipped: 'skipped',
  waiting: 'waiting',
  failed: 'failed',
};

export function Stages({ stages, rounds, now }: { stages: StageView[]; rounds: RoundView[]; now: number }) {
  return (
    <section className="panel" aria-labelledby="build-stages-title">
      <h2 id="build-stages-title">Stages</h2>
      <div className="table-wrap">
        <table className="stack" data-testid="build-stages">
          <thead>
            <tr>
              <th scope="col">Stage</th>
              <th scope="col">State</th>
              <th scope="col">Time</th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {stages.map((stage) => (
              <tr key={stage.name} data-testid={`build-stage-${stage.name}`} data-state={stage.state}>
                <td data-label="Stage">{label(stage.name)}</td>
                <td data-label="State">
                  <span className={`badge ${stage.state}`} data-testid="stage-state">
                    {STATE[stage.state]}
                  </span>
                  {stage.runs > 1 ? <span className="small muted"> ×{stage.runs}</span> : null}
                </td>
                <td data-label="Time">
                  {stage.state === 'skipped' ? '—' : (duration(stage.startedAt, stage.state === 'running' ? null : stage.endedAt, now) ?? '—')}
                </td>
                <td data-label="Outcome" className="wrap" data-testid="stage-outcome">
                  {stage.state === 'skipped' ? <span className="muted">{stage.skipReason}</span> : null}
                  {stage.state === 'running' && stage.message ? <span className="muted">{stage.message}</span> : null}
                  {stage.state !== 'skipped' && stage.state !== 'running' ? stage.outcome : null}
                  {stage.decidedBy ? <div className="small">{stage.decidedBy}</div> : null}
                  {stage.error ? <div className="small error-text">{stage.error}</div> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>Code and gate rounds</h3>
      {rounds.length === 0 ? (
        <Empty>No code generated yet.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="stack" data-testid="build-rounds">
            <thead>
              <tr>
                <th scope="col">Round</th>
                <th scope="col">Code</th>
                <th scope="col">Gate</th>
              </tr>
            </thead>
            <tbody>
              {rounds.map((r) => (
                <tr key={r.round} data-testid={`build-round-${r.round}`} data-gate={r.gate ? (r.gate.passed ? 'passed' : 'failed') : 'pending'}>
                  <td data-label="Round">{r.round}</td>
                  <td data-label="Code">
                    {r.codegen ? (
                      <>
                        <code>{short(r.codegen.commit)}</code> on {r.codegen.branch}, {r.codegen.files.length} files by the {r.codegen.written_by}
                      </>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td data-label="Gate" className="wrap">
                    {r.gate ? (
                      <>
                        <span className={`badge ${r.gate.passed ? 'done' : 'failed'}`}>{r.gate.passed ? 'passed' : 'failed'}</span> {r.gate.summary}
                      </>
                    ) : (
                      <span className="muted">not yet</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
