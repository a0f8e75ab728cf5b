/** One card per agent: its live state, progress bar and message, how often it ran, and its latest explanation. */
import type { AgentView } from './runView';

export function AgentCards({ agents }: { agents: AgentView[] }) {
  return (
    <div className="cards" aria-label="Agents">
      {agents.map((agent) => (
        <article
          key={agent.name}
          className={`card agent ${agent.state}`}
          data-testid={`agent-${agent.name}`}
          data-state={agent.state}
          aria-label={`agent ${agent.name}`}
        >
          <header>
            <h3>{agent.name.replaceAll('_', ' ')}</h3>
            <span className={`badge ${agent.state}`}>{agent.state === 'idle' ? 'not started' : agent.state}</span>
          </header>
          <progress max={100} value={agent.progress} aria-label={`${agent.name} progress`} />
          <p className="small muted">
            {agent.state === 'running' || agent.state === 'retrying'
              ? (agent.message ?? 'working…')
              : agent.runs > 0
                ? `ran ${agent.runs}×`
                : 'waiting for its phase'}
            {agent.attempt > 1 ? ` · attempt ${agent.attempt}` : ''}
          </p>
          {agent.explanation ? <p className="explanation">{agent.explanation}</p> : null}
        </article>
      ))}
    </div>
  );
}
