/**
 * Each environment's deployment, live: the health attempts as they are made (the version must be the commit), the
 * smoke tests, the router's switch, any rollback with its stage, reason and time, and the outcome with the URL.
 */
import { Facts } from '../../../components/Facts';
import type { DeploymentView } from './buildView';
import { short } from './format';

const row = { display: 'flex', flexWrap: 'wrap', gap: '0.25rem', listStyle: 'none', padding: 0, margin: '0.25rem 0' } as const;

function Attempts({ deployment }: { deployment: DeploymentView }) {
  const { attempts, environment } = deployment;
  if (attempts.length === 0) return null;
  return (
    <ol style={row} aria-label={`Health attempts in ${environment}`} data-testid={`deploy-${environment}-attempts`}>
      {attempts.map((a) => (
        <li
          key={a.seq}
          className={`badge ${a.ok ? 'done' : 'failed'}`}
          data-ok={String(a.ok)}
          title={`${a.slot ? `${a.slot}: ` : ''}${a.error ?? (a.status === null ? 'no answer' : `HTTP ${a.status}`)}${a.version ? ` version ${short(a.version)}` : ''}${a.ms !== null ? ` (${a.ms} ms)` : ''}`}
        >
          #{a.attempt} {a.ok ? 'healthy' : 'not healthy'}
        </li>
      ))}
    </ol>
  );
}

function Deployment({ deployment }: { deployment: DeploymentView }) {
  const { environment, outcome } = deployment;
  const status = outcome?.status ?? (deployment.state === 'pending' ? 'not yet' : deployment.state);
  const badge = outcome ? (outcome.status === 'rolled_back' ? 'failed' : 'done') : deployment.state;
  return (
    <article
      className={`card ${deployment.state === 'running' ? 'running' : outcome?.status === 'rolled_back' || deployment.state === 'failed' ? 'failed' : ''}`}
      data-testid={`deploy-${environment}`}
      data-state={deployment.state}
      data-status={outcome?.status ?? ''}
    >
      <header>
        <strong>{environment}</strong>
        <span className={`badge ${badge}`} data-testid={`deploy-${environment}-status`}>
          {status.replaceAll('_', ' ')}
        </span>
      </header>
      {deployment.state === 'skipped' ? <p className="muted small">{deployment.skipReason}</p> : null}
      {outcome ? (
        <Facts
          items={[
            [
              'URL',
              <a key="u" href={outcome.url} style={{ wordBreak: 'break-all' }} data-testid={`deploy-${environment}-url`}>
                {outcome.url}
              </a>,
            ],
            ['Commit', <code key="c">{short(outcome.commit)}</code>],
            ['Before', outcome.previous_commit ? <code key="p">{short(outcome.previous_commit)}</code> : 'nothing'],
            ['Slot', `${outcome.slot}${outcome.instances > 1 ? ` ×${outcome.instances}` : ''}`],
            [
              'Health attempts',
              <span key="h" data-testid={`deploy-${environment}-health`}>
                {outcome.health_attempts}
              </span>,
            ],
            ['Switched', outcome.switched ? 'yes' : 'no'],
            ['Took', `${outcome.seconds.toFixed(1)} s`],
          ]}
        />
      ) : null}
      <Attempts deployment={deployment} />
      {deployment.smoke.length > 0 ? (
        <ul className="small" data-testid={`deploy-${environment}-smoke`}>
          {deployment.smoke.map((s) => (
            <li key={s.name} className={s.passed ? 'ok' : 'error-text'}>
              {s.passed ? '✓' : '✗'} {s.name}
              {s.passed ? '' : `: ${s.detail}`}
            </li>
          ))}
        </ul>
      ) : null}
      {deployment.switches.map((s) => (
        <p key={s.seq} className="small" data-testid={`deploy-${environment}-switch`}>
          {s.from ? `Switched ${s.from} → ${s.to ?? '?'}` : `Switched to ${s.to ?? '?'} (nothing served before)`}
          {s.commit ? (
            <>
              {' '}
              at <code>{short(s.commit)}</code>
            </>
          ) : null}{' '}
          <time dateTime={s.at}>{new Date(s.at).toLocaleTimeString()}</time>
        </p>
      ))}
      {deployment.rollbacks.map((r) => (
        <p key={r.seq} className="small error-text" style={{ overflowWrap: 'anywhere' }} data-testid={`deploy-${environment}-rollback`}>
          Rolled back at {r.stage ?? '?'}: {r.reason}
          {r.seconds !== null ? ` (${r.seconds.toFixed(2)} s${r.databaseRestored ? ', database restored' : ''})` : ''}
        </p>
      ))}
      {outcome?.rollback && deployment.rollbacks.length === 0 ? (
        <p className="small error-text" style={{ overflowWrap: 'anywhere' }} data-testid={`deploy-${environment}-rollback`}>
          Rolled back at {outcome.rollback.stage}: {outcome.rollback.reason} ({outcome.rollback.seconds.toFixed(2)} s
          {outcome.rollback.database_restored ? ', database restored' : ''})
        </p>
      ) : null}
      {deployment.steps.length > 0 ? (
        <details>
          <summary>
            {deployment.steps.length} steps{deployment.state === 'running' ? ' so far' : ''}
          </summary>
          <ol className="small" data-testid={`deploy-${environment}-steps`}>
            {deployment.steps.map((s) => (
              <li key={s.seq} data-type={s.type}>
                {s.text}
              </li>
            ))}
          </ol>
        </details>
      ) : null}
    </article>
  );
}

export function Deployments({ deployments }: { deployments: DeploymentView[] }) {
  return (
    <section className="panel" aria-labelledby="build-deploy-title" data-testid="build-deployments">
      <h2 id="build-deploy-title">Deployments</h2>
      <div className="cards" style={{ gridTemplateColumns: 'repeat(auto-fill, minmax(300px, 1fr))' }}>
        {deployments.map((d) => (
          <Deployment key={d.environment} deployment={d} />
        ))}
      </div>
    </section>
  );
}
