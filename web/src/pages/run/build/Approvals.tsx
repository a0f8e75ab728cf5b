/**
 * The approvals per environment: dev's and staging's skipped with the reason; prod's with its roles, who approved in
 * which role and who is still needed, and what the approvers were shown (the commit, the gate, the cost and its
 * change, the planned changes, the rollback plan). The answer itself is given on the run page's approval card.
 */
import { Facts } from '../../../components/Facts';
import { nameOf } from '../../../people';
import type { ApprovalView } from './buildView';
import { change, dollars, short } from './format';

const STATE_BADGE: Record<ApprovalView['state'], string> = {
  pending: '',
  skipped: '',
  waiting: 'waiting',
  approved: 'done',
  rejected: 'rejected',
  expired: 'expired',
};

/** The quorum's roles each with the person who filled it, or "still needed". */
function Seats({ approval }: { approval: ApprovalView }) {
  if (approval.quorum.length === 0) return null;
  const taken = [...approval.votes];
  return (
    <ul className="small" data-testid={`build-approval-${approval.environment}-seats`}>
      {approval.quorum.map((role, i) => {
        const at = taken.findIndex((v) => v.role === role);
        const vote = at >= 0 ? taken.splice(at, 1)[0] : undefined;
        return (
          <li key={`${role}-${i}`} data-role={role} data-state={vote ? 'approved' : 'needed'}>
            {role}: {vote ? nameOf(vote.actor) : approval.state === 'waiting' ? 'still needed' : '—'}
          </li>
        );
      })}
    </ul>
  );
}

export function Approvals({ approvals }: { approvals: ApprovalView[] }) {
  const packet = approvals.find((a) => a.packet)?.packet ?? null;
  return (
    <section className="panel" aria-labelledby="build-approvals-title" data-testid="build-approvals">
      <h2 id="build-approvals-title">Approvals</h2>
      <div className="table-wrap">
        <table className="stack">
          <thead>
            <tr>
              <th scope="col">Environment</th>
              <th scope="col">State</th>
              <th scope="col">Who</th>
            </tr>
          </thead>
          <tbody>
            {approvals.map((a) => (
              <tr key={a.environment} data-testid={`build-approval-${a.environment}`} data-state={a.state}>
                <td data-label="Environment">{a.environment}</td>
                <td data-label="State">
                  <span className={`badge ${STATE_BADGE[a.state]}`}>{a.state === 'pending' ? 'not yet' : a.state}</span>
                </td>
                <td data-label="Who" className="wrap">
                  {a.state === 'skipped' ? <span className="muted">{a.skipReason}</span> : null}
                  {a.by ? <div data-testid={`build-approval-${a.environment}-by`}>{a.by}</div> : null}
                  <Seats approval={a} />
                  {a.comment ? <div className="small">“{a.comment}”</div> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {packet ? (
        <div data-testid="build-approval-packet">
          <h3>What the {packet.environment} approvers see</h3>
          <Facts
            items={[
              ['Commit', <code key="c">{short(packet.commit)}</code>],
              ['Gate', packet.gate.summary],
              ['Monthly cost', `${dollars(packet.cost.monthly_cents)} (${change(packet.cost.change_cents, packet.cost.previous_cents)})`],
              ['Planned changes', packet.changes.filter((c) => c.change !== 'no-change').length.toString()],
              ['Roles', packet.roles.join(' and ')],
            ]}
          />
          <p className="small">
            <strong>Rollback plan:</strong> {packet.rollback_plan}
          </p>
          {packet.changes.length > 0 ? (
            <details>
              <summary>Planned changes</summary>
              <ul className="small">
                {packet.changes.map((c) => (
                  <li key={`${c.type}-${c.name}`}>
                    {c.change} {c.name} <span className="muted">({c.type})</span>
                    {c.differences.length > 0 ? `: ${c.differences.map((d) => d.path).join(', ')}` : ''}
                  </li>
                ))}
              </ul>
            </details>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
