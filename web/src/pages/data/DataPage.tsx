/** Data: what is loaded (stores with their cluster, categories, weeks of history), the latest imports with warnings, and CSV upload. */
import { api } from '../../api/client';
import { Facts } from '../../components/Facts';
import { Empty, ErrorNotice, Loading } from '../../components/Notices';
import { useAsync } from '../../hooks/useAsync';
import { UploadForm } from './UploadForm';

export function DataPage() {
  const summary = useAsync(() => api.dataSummary(), []);
  const clusters = useAsync(() => api.clusters(), [summary.data]);
  const reload = () => summary.reload();
  const data = summary.data;
  const labels = new Map(clusters.data?.clusters.map((c) => [c.id, c.label]) ?? []);
  const assignments = Object.entries(clusters.data?.assignments ?? {}).sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));

  return (
    <section className="page" aria-labelledby="data-title">
      <h1 id="data-title">Data</h1>
      <ErrorNotice error={summary.error} />
      {summary.loading && !data ? <Loading what="the data summary" /> : null}
      {data ? (
        <Facts
          className="panel"
          testId="data-summary"
          items={[
            ['Stores', data.stores],
            ['Categories', data.categories],
            ['Weeks of history', data.weeks],
            ['From – to', data.first_week ? `${data.first_week} – ${data.last_week}` : '—'],
            ['Last import', data.imports[0] ? new Date(data.imports[0].imported_at).toLocaleString() : 'never'],
          ]}
        />
      ) : null}

      <UploadForm onImported={reload} />

      <div className="two-columns">
        <section className="panel" aria-labelledby="stores-title">
          <h2 id="stores-title">Stores and clusters</h2>
          {clusters.error ? <ErrorNotice error={clusters.error} /> : null}
          {clusters.loading && !clusters.data ? <Loading what="clusters" /> : null}
          {clusters.data ? (
            <>
              <p className="muted small">
                {clusters.data.k} clusters by store attributes and sales profile
                {clusters.data.silhouette !== null ? ` (silhouette ${clusters.data.silhouette.toFixed(2)})` : ''}. {clusters.data.notes.join(' ')}
              </p>
              <div className="table-wrap">
                <table data-testid="stores-table">
                  <thead>
                    <tr>
                      <th scope="col">Store</th>
                      <th scope="col">Cluster</th>
                    </tr>
                  </thead>
                  <tbody>
                    {assignments.map(([store, cluster]) => (
                      <tr key={store}>
                        <td>{store}</td>
                        <td>
                          {cluster}: {labels.get(cluster) ?? ''}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          ) : null}
        </section>
        <section className="panel" aria-labelledby="imports-title">
          <h2 id="imports-title">Imports</h2>
          {data && data.imports.length === 0 ? <Empty>Nothing imported yet: generate data with `baton data generate` or upload CSV files.</Empty> : null}
          {data && data.imports.length > 0 ? (
            <ul className="imports" data-testid="imports">
              {data.imports.map((i) => (
                <li key={i.id}>
                  <strong>{i.kind}</strong> from <code>{i.source}</code>: {i.rows} rows ({i.inserted} new, {i.updated} updated) <span className="muted small">{new Date(i.imported_at).toLocaleString()}</span>
                  {i.warnings.length > 0 ? (
                    <ul className="warnings">
                      {i.warnings.map((w) => (
                        <li key={w}>⚠ {w}</li>
                      ))}
                    </ul>
                  ) : null}
                </li>
              ))}
            </ul>
          ) : null}
        </section>
      </div>
    </section>
  );
}
