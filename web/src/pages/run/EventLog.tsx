/** The raw event log, folded away: every event the page holds, in seq order (what a reconnect must keep whole), with who acted where an event names them. */
import { z } from 'zod';
import { ActorRef, type RunEvent } from '../../api/schemas';
import { nameOf } from '../../people';

/** The person an event names: its `actor` (starts, votes, cancels, rollbacks) or its resolution's `by`. */
const Named = z.union([z.object({ actor: ActorRef }), z.object({ resolution: z.object({ by: ActorRef }) })]);
const actorOf = (event: RunEvent): ActorRef | undefined => {
  const named = Named.safeParse(event).data;
  return named && ('actor' in named ? named.actor : named.resolution.by);
};

export function EventLog({ events }: { events: RunEvent[] }) {
  return (
    <details className="event-log">
      <summary>
        Event log ({events.length} events{events.length > 0 ? `, last seq ${events.at(-1)?.seq}` : ''})
      </summary>
      <ol data-testid="event-log">
        {events.map((e) => {
          const by = actorOf(e);
          return (
            <li key={e.seq} data-seq={e.seq}>
              <code>#{e.seq}</code> {e.type}
              {typeof e.phase === 'string' ? ` · ${e.phase}` : ''}
              {typeof e.agent_name === 'string' ? ` · ${e.agent_name}` : ''}
              {by ? ` · by ${nameOf(by)}` : ''}
            </li>
          );
        })}
      </ol>
    </details>
  );
}
