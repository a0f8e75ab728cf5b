/** What each agent decided and why (its explanation), what people answered and who they were, and alerts — newest first. */
import { Empty } from '../../components/Notices';
import type { Decision } from './runView';

const time = (iso: string) => new Date(iso).toLocaleTimeString();

export function Decisions({ decisions }: { decisions: Decision[] }) {
  if (decisions.length === 0) return <Empty>No decisions yet.</Empty>;
  return (
    <ol className="decisions" reversed aria-label="Decisions">
      {[...decisions].reverse().map((d) => (
        <li key={d.seq} className={`decision decision-${d.kind}`} data-testid="decision" data-phase={d.phase} data-kind={d.kind}>
          <span className="decision-meta">
            <span className="badge">{d.phase.replaceAll('_', ' ') || d.who}</span> <time dateTime={d.at}>{time(d.at)}</time>
          </span>
          <span data-testid="decision-text">{d.text}</span>
          {d.by ? (
            <span className="decision-by" data-testid="decision-by">
              {d.by}
            </span>
          ) : null}
        </li>
      ))}
    </ol>
  );
}
