/** The monthly cost per environment from the infrastructure stage (the dated price table's arithmetic), its lines, its change against what serves now, and the planned changes. */
import { ENVIRONMENTS } from '../../../../../src/workflows/build-pipeline/contracts.js';
import type { InfrastructureResult } from '../../../../../src/workflows/build-pipeline/stages/contracts.js';
import { Empty } from '../../../components/Notices';
import { change, dollars, short } from './format';

export function Costs({ infrastructure }: { infrastructure: InfrastructureResult | null }) {
  return (
    <section className="panel" aria-labelledby="build-costs-title" data-testid="build-costs">
      <h2 id="build-costs-title">Cost per environment</h2>
      {!infrastructure ? (
        <Empty>The infrastructure stage has not priced the environments yet.</Empty>
      ) : (
        <>
          <div className="table-wrap">
            <table className="stack">
              <thead>
                <tr>
                  <th scope="col">Environment</th>
                  <th scope="col">Monthly</th>
                  <th scope="col">Change</th>
                  <th scope="col">Planned changes</th>
                  <th scope="col">Lines</th>
                </tr>
              </thead>
              <tbody>
                {ENVIRONMENTS.map((env) => {
                  const cost = infrastructure.costs[env];
                  const planned = infrastructure.changes[env].filter((c) => c.change !== 'no-change');
                  const counts = [...new Set(planned.map((c) => c.change))].map((kind) => `${planned.filter((c) => c.change === kind).length} ${kind}`);
                  return (
                    <tr key={env} data-testid={`cost-${env}`} data-cents={cost.monthly_cents}>
                      <td data-label="Environment">{env}</td>
                      <td data-label="Monthly" data-testid="cost-monthly">
                        {dollars(cost.monthly_cents)}
                      </td>
                      <td data-label="Change" data-testid="cost-change">
                        {change(cost.change_cents, cost.previous_cents)}
                      </td>
                      <td data-label="Planned changes">{counts.length > 0 ? counts.join(', ') : 'none'}</td>
                      <td data-label="Lines" className="wrap">
                        <details>
                          <summary>{cost.lines.length} resources</summary>
                          <table>
                            <tbody>
                              {cost.lines.map((line) => (
                                <tr key={`${line.type}-${line.name}`}>
                                  <td>{line.name}</td>
                                  <td className="small muted">{line.type}</td>
                                  <td>
                                    {line.sku ?? '—'}
                                    {line.instances > 1 ? ` ×${line.instances}` : ''}
                                  </td>
                                  <td>{dollars(line.monthly_cents)}</td>
                                </tr>
                              ))}
                            </tbody>
                          </table>
                        </details>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <p className="muted small">
            {dollars(infrastructure.monthly_cents)} a month across the three ({infrastructure.currency}, prices of {infrastructure.prices_taken_on}); ARM
            validated: {infrastructure.validation.summary}; at <code>{short(infrastructure.commit)}</code>.
          </p>
        </>
      )}
    </section>
  );
}
