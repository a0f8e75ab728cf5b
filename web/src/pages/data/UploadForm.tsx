/** Upload a CSV file into stores, categories or sales through the import routes; shows the import report or the error. */
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import { IMPORT_TABLES, type ImportReport, type ImportTable } from '../../api/schemas';
import { ErrorNotice } from '../../components/Notices';

export function UploadForm({ onImported }: { onImported: () => void }) {
  const [table, setTable] = useState<ImportTable>('sales');
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(null);
    setReport(null);
    try {
      setReport(await api.importCsv(table, { name: file.name, content: await file.text() }));
      onImported();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="panel upload" onSubmit={(e) => void submit(e)} aria-labelledby="upload-title">
      <h2 id="upload-title">Import a CSV file</h2>
      <div className="filters">
        <label>
          Table{' '}
          <select value={table} onChange={(e) => setTable(e.target.value as ImportTable)} data-testid="upload-table">
            {IMPORT_TABLES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label>
          File <input type="file" accept=".csv,text/csv" onChange={(e) => setFile(e.target.files?.[0] ?? null)} data-testid="upload-file" />
        </label>
        <button type="submit" disabled={!file || busy}>
          {busy ? 'Importing…' : 'Import'}
        </button>
      </div>
      <p className="muted small">All or nothing per file; a re-import updates rows. Columns: see `baton data import --help`.</p>
      {report ? (
        <p className="ok" role="status" data-testid="upload-report">
          {report.source}: {report.rows} rows into {report.table} ({report.inserted} new, {report.updated} updated)
          {report.warnings.length > 0 ? `; ${report.warnings.length} warning${report.warnings.length > 1 ? 's' : ''}: ${report.warnings.join('; ')}` : ''}
        </p>
      ) : null}
      <ErrorNotice error={error} title="Import refused" />
    </form>
  );
}
