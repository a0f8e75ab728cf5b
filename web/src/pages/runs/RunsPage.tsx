/** Runs: every run with its state, workflow, start time, who started it and its duration; filtered by state and workflow; each links to its page. */
import { useEffect, useState } from 'react';
import { api } from '../../api/client';
import { RUN_STATES, type RunState, type RunStatus } from '../../api/schemas';
import { Empty, ErrorNotice, Loading } from '../../components/Notices';
import { useAsync } from '../../hooks/useAsync';
import { nameOf } from '../../people';
import { Link, navigate, useLocation } from '../../router';

const PAGE = 25;

export function duration(run: RunStatus, now: number): string {
  const end = run.finished_at ? Date.parse(run.finished_at) : now;
  const seconds = Math.max(0, Math.round((end - Date.parse(run.created_at)) / 1000));
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}

export function RunsPage() {
  const { search } = useLocation();
  const state = (search.get('state') ?? '') as RunState | '';
  const workflow = search.get('workflow') ?? '';
  const offset = Number(search.get('offset') ?? 0) || 0;
  const runs = useAsync(() => api.listRuns({ state: state || undefined, workflow: workflow || undefined, limit: PAGE, offset }), [state, workflow, offset]);
  const workflows = useAsync(() => api.workflows(), []);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 5000);
    return () => clearInterval(timer);
  }, []);

  const setFilter = (key: string, value: string) => {
    const next = new URLSearchParams(search);
    if (value) next.set(key, value);
    else next.delete(key);
    next.delete('offset');
    const query = next.toString();
    navigate(`/runs${query ? `?${query}` : ''}`);
  };
  const page = (to: number) => {
    const next = new URLSearchParams(search);
    next.set('offset', String(to));
    navigate(`/runs?${next.toString()}`);
  };

  const total = runs.data?.total ?? 0;
  return (
    <section className="page" aria-labelledby="runs-title">
      <div className="panel-head">
        <h1 id="runs-title">Runs</h1>
        <button type="button" className="secondary" onClick={runs.reload}>
          Refresh
        </button>
      </div>
      <div className="filters">
        <label>
          State{' '}
          <select value={state} onChange={(e) => setFilter('state', e.target.value)} data-testid="filter-state">
            <option value="">any</option>
            {RUN_STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Workflow{' '}
          <select value={workflow} onChange={(e) => setFilter('workflow', e.target.value)} data-testid="filter-workflow">
            <option value="">any</option>
            {workflows.data?.workflows.map((w) => (
              <option key={w.name} value={w.name}>
                {w.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorNotice error={runs.error} />
      {runs.loading && !runs.data ? <Loading what="runs" /> : null}
      {runs.data && runs.data.runs.length === 0 ? (
        <Empty>
          No runs{state || workflow ? ' match these filters' : ' yet'}. <Link to="/">Plan a season</Link>.
        </Empty>
      ) : null}
      {runs.data && runs.data.runs.length > 0 ? (
        <div className="table-wrap">
          <table className="runs stack" data-testid="runs-table">
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Workflow</th>
                <th scope="col">State</th>
                <th scope="col">Phase</th>
                <th scope="col">Started</th>
                <th scope="col">By</th>
                <th scope="col">Duration</th>
              </tr>
            </thead>
            <tbody>
              {runs.data.runs.map((run) => (
                <tr key={run.run_id} data-state={run.state}>
                  <td data-label="Run">
                    <Link to={`/runs/${run.run_id}`}>{run.run_id.slice(0, 8)}</Link>
                  </td>
                  <td data-label="Workflow">{run.workflow}</td>
                  <td data-label="State">
                    <span className={`badge state ${run.state}`}>{run.state}</span> <span className="muted small">{Math.round(run.percent)}%</span>
                  </td>
                  <td data-label="Phase">{run.phase?.replaceAll('_', ' ') ?? '—'}</td>
                  <td data-label="Started">
                    <time dateTime={run.created_at}>{new Date(run.created_at).toLocaleString()}</time>
                  </td>
                  <td data-label="By" data-testid="started-by">
                    {run.started_by ? nameOf(run.started_by) : '—'}
                  </td>
                  <td data-label="Duration">{duration(run, now)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {total > PAGE ? (
        <nav className="pager" aria-label="Pages">
          <button type="button" className="secondary" disabled={offset === 0} onClick={() => page(Math.max(0, offset - PAGE))}>
            Newer
          </button>
          <span className="muted small">
            {offset + 1}–{Math.min(total, offset + PAGE)} of {total}
          </span>
          <button type="button" className="secondary" disabled={offset + PAGE >= total} onClick={() => page(offset + PAGE)}>
            Older
          </button>
        </nav>
      ) : null}
    </section>
  );
}
