/**
 * The open approval: the buy (manufacturing quantity) or the markdown, with what the agent
 * proposes and why and, when it has one, its deadline and what happens then; who must approve
 * (a role, or a quorum of roles each by a different person), who has and who is still needed;
 * accept, modify with a value, or reject with a comment. The server decides who may: its
 * refusal ("needs role buyer", "a different actor is needed") is shown here as it says it.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { BuyProposal, PricingOutput, WAIT_DATA } from '../../../../src/workflows/season-planning/contracts.js';
import { api, ApiError } from '../../api/client';
import { holdsRole, type Me } from '../../api/schemas';
import { Facts } from '../../components/Facts';
import { useMe } from '../../components/Me';
import { ErrorNotice } from '../../components/Notices';
import { ActualsForm } from './ActualsForm';
import { useTokenGeneration } from '../../hooks/useTokenGeneration';
import { AND, nameOf, OR, people } from '../../people';
import type { OpenWait } from './runView';

type Action = 'accept' | 'modify' | 'reject';

const fmt = (n: number | null | undefined, digits = 0) => (typeof n === 'number' ? n.toLocaleString('en', { maximumFractionDigits: digits }) : '—');
const pct = (n: number | null | undefined) => (typeof n === 'number' ? `${Math.round(n * 1000) / 10}%` : '—');
/** The buy and the markdown as their contracts say (a field that does not match shows as —, never as a wrong number). */
const buyOf = (d: unknown) => BuyProposal.safeParse(d).data ?? {};
const markdownOf = (d: unknown) => PricingOutput.partial().safeParse(d).data ?? {};
const weekOf = (d: unknown) => WAIT_DATA.week_actuals.safeParse(d).data?.week;

/** "in 2 h 5 min", "in 40 s", or "passed": how far away a deadline is. */
function untilDeadline(deadlineAt: number, now: number): string {
  const seconds = Math.round((deadlineAt - now) / 1000);
  if (seconds <= 0) return 'passed';
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (days > 0) return `in ${days} d ${hours} h`;
  if (hours > 0) return `in ${hours} h ${minutes} min`;
  return minutes > 0 ? `in ${minutes} min` : `in ${seconds} s`;
}

/** The time now, ticking each second while a deadline is shown (so "in 40 s" counts down). */
function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

/** How each approval is shown and modified, and what its deadline does (the workflow's onDeadline). */
const KINDS: Record<
  string,
  {
    title: string;
    field: string;
    label: (d: unknown) => string;
    toData: (v: number) => Record<string, number>;
    initial: (d: unknown) => string;
    facts: (d: unknown) => [string, string][];
    atDeadline: string;
    /** A value this approval refuses as a slip unless the person ticks this (sent as `confirm_unusual`). */
    confirmUnusual?: string;
  }
> = {
  manufacturing_approval: {
    title: 'Approve the buy',
    atDeadline: 'the run ends expired and nothing is bought',
    field: 'manufacturing_quantity',
    // A history imported as sales value makes the buy money at full price: the label says which the number is.
    label: (d) => `Manufacturing quantity (${buyOf(d).quantity === 'sales_value' ? 'sales value' : 'units'})`,
    toData: (v) => ({ manufacturing_quantity: Math.round(v) }),
    initial: (d) => String(buyOf(d).manufacturing_quantity ?? ''),
    confirmUnusual: 'This quantity is 20× the proposal or a twentieth of it on purpose',
    facts: (d) => {
      const buy = buyOf(d);
      return [
        ['Proposed quantity', fmt(buy.manufacturing_quantity)],
        ['Season forecast', fmt(buy.season_total)],
        ['Safety stock', fmt(buy.safety_stock)],
      ];
    },
  },
  markdown_approval: {
    title: 'Approve the markdown',
    atDeadline: 'no markdown: prices stay and the season goes on',
    field: 'markdown',
    label: () => 'Markdown (%)',
    toData: (v) => ({ markdown: Math.round(v * 10) / 1000 }),
    initial: (d) => {
      const markdown = markdownOf(d).markdown;
      return markdown === undefined ? '' : String(Math.round(markdown * 1000) / 10);
    },
    facts: (d) => {
      const markdown = markdownOf(d);
      return [
        ['Recommended markdown', pct(markdown.markdown)],
        ['Sell-through', pct(markdown.sell_through)],
        ['Revenue without', fmt(markdown.revenue_without)],
        ['Revenue with', fmt(markdown.revenue_with)],
      ];
    },
  },
};

/** Another workflow's approval (e.g. a build's production deploy): taken as it stands, accept or reject; its own panel shows what is approved. */
const otherKind = (phase: string): (typeof KINDS)[string] => ({
  title: `Approve: ${phase.replaceAll('_', ' ')}`,
  atDeadline: 'the workflow decides what happens',
  field: '',
  label: () => '',
  toData: () => ({}),
  initial: () => '',
  facts: () => [],
});

/**
 * Who must approve and who has: the quorum's roles each with its approver or "still needed", and
 * once you have approved, what the run waits for; or the one role an answer needs. A hint when the
 * dashboard's actor holds none of the roles still open (the server will refuse them).
 */
function Approvers({ wait, me, voted }: { wait: OpenWait; me: Me | null; voted: boolean }) {
  const mine = me ? wait.votes.find((v) => v.actor.id === me.id) : undefined;
  // A quorum of one is one role's answer: said as such.
  const several = wait.quorum.length > 1;
  const role = several ? null : (wait.quorum[0] ?? wait.role);
  const needed = several ? wait.remaining : role ? [role] : [];
  const cannot = me !== null && !mine && !voted && needed.length > 0 && !needed.some((r) => holdsRole(me, r));
  if (!several && !role) return null;
  return (
    <div className="approvers" data-testid="approvers">
      {several ? (
        <>
          <p>Needs approval from {AND.format(wait.quorum)}, each by a different person.</p>
          <ul aria-label="Approvals">
            {wait.quorum.map((role, i) => {
              // A role listed twice needs two approvals: the n-th listing takes the n-th vote in it.
              const vote = wait.votes.filter((v) => v.role === role)[wait.quorum.slice(0, i).filter((r) => r === role).length];
              return (
                <li key={`${role}-${i}`} data-role={role} data-state={vote ? 'approved' : 'needed'}>
                  {role}: {vote ? `approved by ${nameOf(vote.actor)}` : 'still needed'}
                </li>
              );
            })}
          </ul>
          {mine || voted ? (
            <p className="waiting" role="status" data-testid="approval-waiting">
              {mine ? `You approved as ${mine.role}` : 'Your approval is recorded'}
              {wait.remaining.length > 0 ? `; waiting for ${AND.format(wait.remaining)} (another person).` : '.'}
            </p>
          ) : wait.votes.length > 0 ? (
            <p className="waiting" data-testid="approval-waiting">
              Approved by {people(wait.votes)}; waiting for {AND.format(wait.remaining)}.
            </p>
          ) : null}
        </>
      ) : (
        <p>
          Needs the role <strong>{role}</strong>.
        </p>
      )}
      {cannot ? (
        <p className="muted small" data-testid="approvers-hint">
          You ({me.name}) hold {me.roles.length > 0 ? AND.format(me.roles) : 'no role'}, not {OR.format(needed)}: the server will refuse your answer.
        </p>
      ) : null}
    </div>
  );
}

export function ApprovalPanel({ runId, wait, onResolved }: { runId: string; wait: OpenWait; onResolved: (approvalId: string) => void }) {
  const kind = KINDS[wait.phase] ?? otherKind(wait.phase);
  const [value, setValue] = useState(() => kind?.initial(wait.data) ?? '');
  const [comment, setComment] = useState('');
  // A value the approval would refuse as a slip (a buy 20× the proposal), said to be meant.
  const [unusual, setUnusual] = useState(false);
  const [busy, setBusy] = useState<Action | null>(null);
  const [error, setError] = useState<unknown>(null);
  // Your approval counted toward the quorum but the wait stays open (known before its event arrives).
  const [voted, setVoted] = useState(false);
  const { me } = useMe();
  const now = useNow(wait.deadlineAt !== null);
  // Another token is another person: the last one's refusal and vote are not theirs.
  const tokenGeneration = useTokenGeneration();
  useEffect(() => {
    setError(null);
    setVoted(false);
  }, [tokenGeneration]);

  if (wait.waitKind !== 'approval') {
    const week = wait.kind === 'actuals' ? weekOf(wait.data) : undefined;
    return (
      <section className="panel approval" data-testid="wait-panel">
        <h2>Waiting: {wait.phase.replaceAll('_', ' ')}</h2>
        <p>
          This run waits for <strong>{wait.kind}</strong>
          {wait.kind === 'actuals' ? ` for week ${fmt(week)}: post them here, or with POST /api/runs/${runId}/actuals.` : '.'}
        </p>
        <Approvers wait={wait} me={me} voted={false} />
        {week !== undefined ? <ActualsForm runId={runId} week={week} onPosted={() => onResolved(wait.id)} /> : null}
      </section>
    );
  }

  const resolve = async (action: Action, event?: FormEvent) => {
    event?.preventDefault();
    setBusy(action);
    setError(null);
    try {
      const body =
        action === 'modify'
          ? { action, data: { ...kind.toData(Number(value)), ...(unusual ? { confirm_unusual: true } : {}) }, ...(comment ? { comment } : {}) }
          : { action, ...(comment ? { comment } : {}) };
      const after = await api.resolveApproval(runId, wait.id, body);
      // An approval toward a quorum leaves the wait open for the others: the panel stays and says for whom.
      if (after.waiting_for?.approval_id === wait.id) setVoted(true);
      else onResolved(wait.id);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };
  const explanation = (wait.phase === 'markdown_approval' ? markdownOf(wait.data).explanation : buyOf(wait.data).explanation) ?? null;
  const modifiable = value.trim() !== '' && Number.isFinite(Number(value));
  // Several people approve one proposal: a changed value would be one person's, so the engine takes only accept or reject.
  const shared = wait.quorum.length > 1;
  // Values can be changed only in the approvals this panel knows (a season's buy and markdown); others are taken as they stand.
  const fixed = shared || !(wait.phase in KINDS);
  const submit = (event: FormEvent) => {
    if (fixed) event.preventDefault();
    else void resolve('modify', event);
  };
  return (
    <section className="panel approval" aria-labelledby="approval-title" data-testid={`approval-${wait.phase}`}>
      <h2 id="approval-title">{kind.title}</h2>
      {wait.deadlineAt !== null ? (
        <p className={`deadline${wait.deadlineAt <= now ? ' passed' : ''}`} data-testid="approval-deadline">
          Answer by <time dateTime={new Date(wait.deadlineAt).toISOString()}>{new Date(wait.deadlineAt).toLocaleString()}</time> (
          {untilDeadline(wait.deadlineAt, now)}); unanswered, {kind.atDeadline}.
        </p>
      ) : (
        <p className="deadline muted" data-testid="approval-deadline">
          No deadline: the run waits for an answer.
        </p>
      )}
      <Approvers wait={wait} me={me} voted={voted} />
      <Facts items={kind.facts(wait.data)} />
      {explanation ? <p className="explanation">{explanation}</p> : null}
      {shared ? (
        <p className="muted small" data-testid="approval-shared">
          Approved together, the proposal is taken as it stands: accept it, or reject it with a comment (it cannot be modified).
        </p>
      ) : null}
      <form onSubmit={submit} className="approval-form">
        {fixed ? null : (
          <div className="field">
            <label htmlFor="approval-value">{kind.label(wait.data)}</label>
            <input id="approval-value" type="number" min={0} step="any" value={value} onChange={(e) => setValue(e.target.value)} />
          </div>
        )}
        {fixed || kind.confirmUnusual === undefined ? null : (
          <label className="check">
            <input type="checkbox" checked={unusual} onChange={(e) => setUnusual(e.target.checked)} data-testid="approval-confirm-unusual" />{' '}
            {kind.confirmUnusual}
          </label>
        )}
        <div className="field wide">
          <label htmlFor="approval-comment">Comment (needed to reject)</label>
          <input id="approval-comment" type="text" value={comment} onChange={(e) => setComment(e.target.value)} />
        </div>
        <div className="actions">
          <button type="button" onClick={() => void resolve('accept')} disabled={busy !== null}>
            Accept
          </button>
          {fixed ? null : (
            <button type="submit" className="secondary" disabled={busy !== null || !modifiable}>
              Modify
            </button>
          )}
          <button type="button" className="danger" onClick={() => void resolve('reject')} disabled={busy !== null || comment.trim() === ''}>
            Reject
          </button>
        </div>
      </form>
      <ErrorNotice error={error} title={error instanceof ApiError && error.status === 403 ? 'Not allowed' : 'Not recorded'} />
    </section>
  );
}
