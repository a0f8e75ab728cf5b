/**
 * Upload a CSV file into stores, categories or sales through the import routes; shows the import report or the error.
 * Sales also say where their dates sit in the week, what their figures count and whether they replace the history,
 * as `baton data import` does: the import's warnings point at these choices.
 */
import { useState, type FormEvent } from 'react';
import { api, type Delimiter, type SalesImportOptions } from '../../api/client';
import { IMPORT_TABLES, type ImportReport, type ImportTable } from '../../api/schemas';
import { DelimiterSelect } from '../../components/DelimiterSelect';
import { ErrorNotice } from '../../components/Notices';
import { useAction } from '../../hooks/useAction';

export function UploadForm({ onImported }: { onImported: () => void }) {
  const [table, setTable] = useState<ImportTable>('sales');
  const [file, setFile] = useState<File | null>(null);
  const [sales, setSales] = useState<SalesImportOptions>({});
  const [delimiter, setDelimiter] = useState<Delimiter>(',');
  const [report, setReport] = useState<ImportReport | null>(null);
  const { busy, error, run } = useAction();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    setReport(null);
    await run(async () => {
      setReport(await api.importCsv(table, { name: file.name, content: await file.text() }, table === 'sales' ? sales : {}, delimiter));
      onImported();
    });
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
        <DelimiterSelect value={delimiter} onChange={setDelimiter} testId="upload-delimiter" />
        {table === 'sales' ? (
          <>
            <label>
              Dates are{' '}
              <select
                value={sales.weekDates ?? 'start'}
                onChange={(e) => setSales({ ...sales, weekDates: e.target.value as 'start' | 'end' })}
                data-testid="upload-week-dates"
              >
                <option value="start">the first day of each week</option>
                <option value="end">the last day of each week</option>
              </select>
            </label>
            <label>
              Slash dates are{' '}
              <select
                value={sales.dateOrder ?? 'mdy'}
                onChange={(e) => setSales({ ...sales, dateOrder: e.target.value as 'mdy' | 'dmy' })}
                data-testid="upload-date-order"
              >
                <option value="mdy">month first (2/10 is February 10)</option>
                <option value="dmy">day first (10/2 is February 10)</option>
              </select>
            </label>
            <label>
              Figures are{' '}
              <select
                value={sales.quantity ?? ''}
                onChange={(e) => setSales({ ...sales, quantity: e.target.value === '' ? undefined : (e.target.value as 'units' | 'sales_value') })}
                data-testid="upload-quantity"
              >
                <option value="">as the header says</option>
                <option value="units">units</option>
                <option value="sales_value">sales value (money)</option>
              </select>
            </label>
            <label className="check">
              <input type="checkbox" checked={sales.replace ?? false} onChange={(e) => setSales({ ...sales, replace: e.target.checked })} data-testid="upload-replace" />{' '}
              Replace the whole sales history
            </label>
          </>
        ) : null}
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
