/**
 * Posts the week a season waits for from a CSV file (store_id,category_id,units_sold), as
 * `baton runs post-actuals` does: partial when stores have not reported yet, and a week column
 * adds late rows of earlier weeks. The server's refusal (missing series, unknown stores) shows as it says it.
 */
import { useState, type FormEvent } from 'react';
import { api, type Delimiter } from '../../api/client';
import { DelimiterSelect } from '../../components/DelimiterSelect';
import { ErrorNotice } from '../../components/Notices';
import { useAction } from '../../hooks/useAction';

export function ActualsForm({ runId, week, onPosted }: { runId: string; week: number; onPosted: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [partial, setPartial] = useState(false);
  const [delimiter, setDelimiter] = useState<Delimiter>(',');
  const { busy, error, run } = useAction();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    await run(async () => {
      await api.postActualsCsv(runId, week, { name: file.name, content: await file.text() }, { partial, delimiter });
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
        <button type="submit" disabled={!file || busy}>
          {busy ? 'Posting…' : `Post week ${week}`}
        </button>
      </div>
      <p className="muted small">
        A <code>week</code> column may add rows of earlier weeks for the stores that reported late: they are added to their week, never replacing a figure it
        holds.
      </p>
      <ErrorNotice error={error} title="Week refused" />
    </form>
  );
}
