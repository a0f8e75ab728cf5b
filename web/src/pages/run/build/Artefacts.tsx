/** What the build made: the idea's verdict, the architecture, the repository (its folder, protected origin and files), the commit of each stage, the infrastructure files and the handoff's URLs and notification. */
import type { ReactNode } from 'react';
import { ENVIRONMENTS } from '../../../../../src/workflows/build-pipeline/contracts.js';
import { Facts } from '../../../components/Facts';
import { Empty } from '../../../components/Notices';
import type { BuildView } from './buildView';
import { short } from './format';

function Files({ title, files, testId }: { title: string; files: readonly string[]; testId: string }) {
  if (files.length === 0) return null;
  return (
    <details data-testid={testId}>
      <summary>
        {title} ({files.length})
      </summary>
      <ul className="small" style={{ columns: 2 }}>
        {files.map((f) => (
          <li key={f}>
            <code>{f}</code>
          </li>
        ))}
      </ul>
    </details>
  );
}

export function Artefacts({ view }: { view: BuildView }) {
  const { intake, architecture, repository, merge, infrastructure, handoff } = view;
  const commits: [string, string, string][] = [];
  if (repository) commits.push(['scaffold', 'main', repository.scaffold_commit]);
  for (const r of view.rounds) if (r.codegen) commits.push([`code, round ${r.round}`, r.codegen.branch, r.codegen.commit]);
  if (merge) commits.push([`merge (${merge.check.name}: ${merge.check.passed ? 'passed' : 'failed'})`, 'main', merge.commit]);
  if (infrastructure) commits.push(['infrastructure', 'main', infrastructure.commit]);
  if (handoff) commits.push(['documentation', 'main', handoff.commit]);
  const lastCode = view.rounds.findLast((r) => r.codegen)?.codegen;
  return (
    <section className="panel" aria-labelledby="build-artefacts-title" data-testid="build-artefacts">
      <h2 id="build-artefacts-title">Artefacts</h2>
      {intake ? (
        <p>
          <strong>{intake.idea.title}</strong> — viability {intake.idea.viability_score} (threshold {intake.threshold}), champion {intake.idea.champion}
        </p>
      ) : null}
      {architecture ? (
        <>
          <Facts
            testId="build-architecture"
            items={[
              ['Stack', architecture.spec.stack],
              ['Template', architecture.spec.template],
              ['Entities', architecture.spec.entities.map((e) => e.name).join(', ')],
              ['Auth', architecture.spec.auth_pattern],
              ['Decided by', architecture.model ? `${architecture.decided_by} (${architecture.model})` : architecture.decided_by],
              ...ENVIRONMENTS.map((env): [string, string] => [
                `SKUs ${env}`,
                architecture.spec.skus[env].map((s) => `${s.sku}${s.instances > 1 ? ` ×${s.instances}` : ''}`).join(', '),
              ]),
            ]}
          />
          {architecture.model_refused ? <p className="small muted">The model’s answer was not taken: {architecture.model_refused}</p> : null}
        </>
      ) : null}
      {repository ? (
        <Facts
          testId="build-repository"
          items={[
            ['App', repository.app_name],
            ['Repository', <code key="r">{repository.repo_dir}</code>],
            ['Origin (protected)', <code key="o">{repository.origin_dir}</code>],
          ]}
        />
      ) : (
        <Empty>No repository yet.</Empty>
      )}
      {commits.length > 0 ? (
        <div className="table-wrap">
          <table className="stack" data-testid="build-commits">
            <thead>
              <tr>
                <th scope="col">Commit</th>
                <th scope="col">Stage</th>
                <th scope="col">Branch</th>
              </tr>
            </thead>
            <tbody>
              {commits.map(([stage, branch, sha]) => (
                <tr key={`${stage}-${sha}`}>
                  <td data-label="Commit">
                    <code title={sha}>{short(sha)}</code>
                  </td>
                  <td data-label="Stage">{stage}</td>
                  <td data-label="Branch">{branch}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Files title="Repository files" files={repository?.files ?? []} testId="build-files-repository" />
      <Files title="Application files" files={lastCode?.files ?? []} testId="build-files-code" />
      <Files title="Infrastructure files" files={infrastructure?.files ?? []} testId="build-files-infrastructure" />
      <Files title="Documentation files" files={handoff?.files ?? []} testId="build-files-docs" />
      {handoff ? (
        <Facts
          testId="build-handoff"
          items={[
            ...Object.entries(handoff.urls).map(([env, url]): [string, ReactNode] => [
              `URL ${env}`,
              <a key={env} href={url}>
                {url}
              </a>,
            ]),
            ['Team notified', `${handoff.notification.status.replaceAll('_', ' ')} (${handoff.notification.attempts} attempts)`],
          ]}
        />
      ) : null}
    </section>
  );
}
