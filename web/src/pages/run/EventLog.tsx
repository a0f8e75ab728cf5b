/** The raw event log, folded away: every event the page holds, in seq order (what a reconnect must keep whole). */
import type { RunEvent } from '../../api/schemas';

export function EventLog({ events }: { events: RunEvent[] }) {
  return (
    <details className="event-log">
      <summary>
        Event log ({events.length} events{events.length > 0 ? `, last seq ${events.at(-1)?.seq}` : ''})
      </summary>
      <ol data-testid="event-log">
        {events.map((e) => (
          <li key={e.seq} data-seq={e.seq}>
            <code>#{e.seq}</code> {e.type}
            {typeof e.phase === 'string' ? ` · ${e.phase}` : ''}
            {typeof e.agent_name === 'string' ? ` · ${e.agent_name}` : ''}
          </li>
        ))}
      </ol>
    </details>
  );
}
