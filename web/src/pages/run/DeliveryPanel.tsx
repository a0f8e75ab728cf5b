/**
 * A software-delivery run: the change, who holds it now and what comes next; the role timeline
 * (which role held the work, state by state, including send-backs); and the full audit trail
 * with what each move handed over and who made it. Reloaded as the run's events arrive.
 */
import { api } from '../../api/client';
import type { AuditEntry } from '../../api/schemas';
import { Facts } from '../../components/Facts';
import { Empty, ErrorNotice, Loading } from '../../components/Notices';
import { useAsync } from '../../hooks/useAsync';
import { useDebounced } from '../../hooks/useDebounced';
import { nameOf } from '../../people';

interface Stint {
  role: string;
  states: string[];
  from: string;
  move: string;
}

const roleName = (role: string | null) => (role ? role.replaceAll('_', ' ').toLowerCase() : 'handoff');

/** Consecutive moves by the same role folded into one stint: the role timeline. */
export function stints(trail: AuditEntry[]): Stint[] {
  const out: Stint[] = [];
  for (const entry of trail) {
    const role = entry.from_role ?? 'system';
    const last = out.at(-1);
    if (last && last.role === role && entry.move === 'forward') {
      if (!last.states.includes(entry.from_state)) last.states.push(entry.from_state);
    } else out.push({ role, states: [entry.from_state], from: entry.at, move: entry.move });
  }
  return out;
}

export function DeliveryPanel({ runId, lastSeq }: { runId: string; lastSeq: number }) {
  const version = useDebounced(lastSeq, 300);
  const status = useAsync(() => api.deliveryStatus(runId), [runId, version]);
  const history = useAsync(() => api.deliveryHistory(runId), [runId, version]);
  const s = status.data;
  const trail = history.data?.trail ?? [];
  return (
    <>
      <section className="panel" aria-labelledby="change-title" data-testid="delivery-status">
        <h2 id="change-title">{s ? s.change.title : 'Change'}</h2>
        <ErrorNotice error={status.error} />
        {s ? (
          <>
            <p>{s.change.description}</p>
            <Facts
              items={[
                ['Project', s.project],
                ['State', s.state],
                ['Held by', s.owner ? roleName(s.owner) : s.run_state === 'running' || s.run_state === 'waiting' ? 'a handoff' : '—'],
                [
                  'Next',
                  s.expected_next.action === 'none' ? '—' : `${s.expected_next.action}${s.expected_next.role ? ` by ${roleName(s.expected_next.role)}` : ''}`,
                ],
              ]}
            />
            <p className="muted small">{s.description}</p>
          </>
        ) : status.loading ? (
          <Loading what="the delivery status" />
        ) : null}
      </section>
      <section className="panel" aria-labelledby="roles-title">
        <h2 id="roles-title">Role timeline</h2>
        {trail.length === 0 ? (
          <Empty>No moves yet.</Empty>
        ) : (
          <ol className="role-timeline" data-testid="role-timeline">
            {stints(trail).map((stint, i) => (
              <li key={`${stint.from}-${i}`} className={`stint ${stint.move}`}>
                <strong>{roleName(stint.role)}</strong>
                <span className="small">{stint.states.join(' → ')}</span>
                {stint.move !== 'forward' ? <span className="badge">{stint.move}</span> : null}
              </li>
            ))}
            {s ? (
              <li className="stint current">
                <strong>{s.owner ? roleName(s.owner) : s.state.toLowerCase()}</strong>
                <span className="small">{s.run_state === 'completed' ? 'done' : `now: ${s.state}`}</span>
              </li>
            ) : null}
          </ol>
        )}
      </section>
      <section className="panel" aria-labelledby="audit-title">
        <h2 id="audit-title">Audit trail</h2>
        <ErrorNotice error={history.error} />
        {trail.length === 0 ? null : (
          <div className="table-wrap">
            <table className="stack" data-testid="audit-trail">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">When</th>
                  <th scope="col">Move</th>
                  <th scope="col">From → to</th>
                  <th scope="col">By</th>
                  <th scope="col">Handed over</th>
                </tr>
              </thead>
              <tbody>
                {trail.map((e) => (
                  <tr key={e.seq}>
                    <td data-label="#">{e.seq}</td>
                    <td data-label="When">
                      <time dateTime={e.at}>{new Date(e.at).toLocaleTimeString()}</time>
                    </td>
                    <td data-label="Move">
                      <span className={`badge ${e.move === 'forward' ? 'done' : e.move === 'retry' ? 'waiting' : 'failed'}`}>{e.move}</span>
                    </td>
                    <td data-label="From → to" className="wrap">
                      {e.from_state} → {e.to_state}
                      {e.reason ? <div className="small muted">{e.reason}</div> : null}
                    </td>
                    <td data-label="By">
                      {e.by}
                      {/* The person behind the move, where it was a person's and their name is not already the "by". */}
                      {e.triggered_by && e.triggered_by.name !== e.by ? <div className="small muted">{nameOf(e.triggered_by)}</div> : null}
                    </td>
                    <td data-label="Handed over" className="handed">
                      <details>
                        <summary>{Array.isArray(e.transferred) ? `${e.transferred.length} items` : 'output'}</summary>
                        <pre>{JSON.stringify(e.transferred, null, 2)}</pre>
                      </details>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
