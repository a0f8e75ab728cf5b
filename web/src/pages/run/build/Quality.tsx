/** The quality gate's latest report: the app's own tests (passed, failed), its type check, and line, branch and function coverage against the minimum. */
import type { CoverageFigure, GateReport } from '../../../../../src/workflows/build-pipeline/gate/contracts.js';
import { Facts } from '../../../components/Facts';
import { Empty } from '../../../components/Notices';
import { pct, short } from './format';

const figure = (f: CoverageFigure) => (f.pct === null ? 'none reported' : `${pct(f.pct)} (${f.covered} of ${f.total})`);

export function Quality({ gate }: { gate: GateReport | null }) {
  return (
    <section className="panel" aria-labelledby="build-quality-title" data-testid="build-quality" data-passed={gate ? String(gate.passed) : ''}>
      <h2 id="build-quality-title">Tests and coverage</h2>
      {!gate ? (
        <Empty>The quality gate has not reported yet.</Empty>
      ) : (
        <>
          <p data-testid="gate-summary">
            <span className={`badge ${gate.passed ? 'done' : 'failed'}`}>{gate.passed ? 'gate passed' : 'gate failed'}</span> {gate.summary}
          </p>
          <Facts
            items={[
              ['Commit', <code key="c">{short(gate.commit)}</code>],
              ['Round', String(gate.round)],
              [
                'Tests',
                <span key="t" data-testid="gate-tests">
                  {gate.tests.passed_count ?? '?'} passed, {gate.tests.failed_count ?? '?'} failed{gate.tests.timed_out ? ' (timed out)' : ''}
                </span>,
              ],
              [
                'Type check',
                <span key="tc" data-testid="gate-typecheck">
                  {gate.typecheck.passed ? 'clean' : 'failed'}
                </span>,
              ],
              [
                'Lines',
                <span key="l" data-testid="coverage-lines">
                  {gate.coverage ? figure(gate.coverage.lines) : '—'}
                </span>,
              ],
              [
                'Branches',
                <span key="b" data-testid="coverage-branches">
                  {gate.coverage ? figure(gate.coverage.branches) : '—'}
                </span>,
              ],
              [
                'Functions',
                <span key="f" data-testid="coverage-functions">
                  {gate.coverage ? figure(gate.coverage.functions) : '—'}
                </span>,
              ],
              ['Minimum (lines)', pct(gate.min_line_coverage)],
            ]}
          />
          {gate.coverage && gate.coverage.files.length > 0 ? (
            <details>
              <summary>Line coverage per file ({gate.coverage.files.length})</summary>
              <div className="table-wrap">
                <table data-testid="coverage-files">
                  <tbody>
                    {gate.coverage.files.map((f) => (
                      <tr key={f.path}>
                        <td>
                          <code>{f.path}</code>
                        </td>
                        <td>{figure(f.lines)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </details>
          ) : null}
          <details>
            <summary>Test output ({(gate.tests.ms / 1000).toFixed(1)} s)</summary>
            <pre className="small" style={{ maxHeight: 320, overflow: 'auto', whiteSpace: 'pre-wrap' }}>
              {gate.tests.output}
            </pre>
          </details>
          {!gate.typecheck.passed ? (
            <details>
              <summary>Type check output</summary>
              <pre className="small" style={{ maxHeight: 320, overflow: 'auto', whiteSpace: 'pre-wrap' }}>
                {gate.typecheck.output}
              </pre>
            </details>
          ) : null}
        </>
      )}
    </section>
  );
}
