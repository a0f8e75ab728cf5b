/**
 * Posts the week a season waits for from a CSV file (store_id,category_id,units_sold), as
 * `baton runs post-actuals` does: partial when stores have not reported yet, a week column adds late rows
 * of earlier weeks (or corrects figures they hold), and an unusual week is confirmed. The server's refusal
 * (missing series, unknown stores, another measure) shows as it says it.
 */
import { useState, type FormEvent } from 'react';
import { api, type Delimiter } from '../../api/client';
import { DelimiterSelect } from '../../components/DelimiterSelect';
import { ErrorNotice } from '../../components/Notices';
import { useAction } from '../../hooks/useAction';

export function ActualsForm({ runId, week, onPosted }: { runId: string; week: number; onPosted: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [partial, setPartial] = useState(false);
  const [corrections, setCorrections] = useState(false);
  const [confirmUnusual, setConfirmUnusual] = useState(false);
  const [delimiter, setDelimiter] = useState<Delimiter>(',');
  const { busy, error, run } = useAction();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    await run(async () => {
      await api.postActualsCsv(runId, week, { name: file.name, content: await file.text() }, { partial, delimiter, corrections, confirmUnusual });
      onPosted();
    });
  };

  return (
    <form onSubmit={(e) => void submit(e)} data-testid="actuals-form">
      <div className="filters">
        <label>
          Week {week} sales (CSV: store_id,category_id,units_sold){' '}
          <input type="file" accept=".csv,text/csv" onChange={(e) => setFile(e.target.files?.[0] ?? null)} data-testid="actuals-file" />
        </label>
        <DelimiterSelect value={delimiter} onChange={setDelimiter} testId="actuals-delimiter" />
        <label className="check">
          <input type="checkbox" checked={partial} onChange={(e) => setPartial(e.target.checked)} data-testid="actuals-partial" /> Some stores have not reported
          yet (their series are left out of this week&apos;s comparison)
        </label>
        <label className="check">
          <input type="checkbox" checked={corrections} onChange={(e) => setCorrections(e.target.checked)} data-testid="actuals-corrections" /> Rows of earlier
          weeks correct figures their week holds
        </label>
        <label className="check">
          <input type="checkbox" checked={confirmUnusual} onChange={(e) => setConfirmUnusual(e.target.checked)} data-testid="actuals-confirm-unusual" /> The
          week is unusual on purpose (10× its forecast or more, or a twentieth or less)
        </label>
        <button type="submit" disabled={!file || busy}>
          {busy ? 'Posting…' : `Post week ${week}`}
        </button>
      </div>
      <p className="muted small">
        A <code>week</code> column may add rows of earlier weeks for the stores that reported late: they are added to their week, never replacing a figure it
        holds. To fix a figure an earlier week holds, send its row with the right figure and tick &ldquo;correct&rdquo;: it replaces that figure for stock,
        variance and re-forecasts from now on, while that week&apos;s comparison stays as it was.
      </p>
      <ErrorNotice error={error} title="Week refused" />
    </form>
  );
}
