/**
 * New plan: the season in plain words; as the planner types (debounced) the server extracts the
 * parameters into an editable form; Start runs the season-planning workflow and opens the run.
 */
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api/client';
import type { ParameterField } from '../../api/schemas';
import { ErrorNotice } from '../../components/Notices';
import { useDebounced } from '../../hooks/useDebounced';
import { useTokenGeneration } from '../../hooks/useTokenGeneration';
import { navigate } from '../../router';
import { sessionId } from '../../session';
import { ParameterForm } from './ParameterForm';
import {
  EMPTY_FORM,
  fieldMessages,
  fromExtraction,
  fromExtractionError,
  isStartable,
  toParameters,
  type EditableField,
  type FormValues,
  type Understood,
} from './planForm';

const EXAMPLE =
  'A 12-week spring season starting 2026-01-05 with weekly replenishment, hold back 15% at the DC, check markdowns at week 8 if sell-through is below 60%';
const FIELD_ERRORS = new Set(['PARAMETER_EXTRACTION_ERROR', 'INCOMPLETE_INPUT', 'INVALID_PARAMETERS']);

export function NewPlanPage() {
  const [text, setText] = useState('');
  const settledText = useDebounced(text.trim(), 400);
  const tokenGeneration = useTokenGeneration();
  const [understood, setUnderstood] = useState<Understood | null>(null);
  const [extraction, setExtraction] = useState<{ busy: boolean; error: ApiError | null; reasoning: string | null }>({
    busy: false,
    error: null,
    reasoning: null,
  });
  const [edits, setEdits] = useState<Partial<FormValues>>({});
  const [simulated, setSimulated] = useState(true);
  const [start, setStart] = useState<{ busy: boolean; error: unknown; messages: Partial<Record<ParameterField, string>> }>({
    busy: false,
    error: null,
    messages: {},
  });

  useEffect(() => {
    if (settledText === '') return;
    const controller = new AbortController();
    setExtraction((e) => ({ ...e, busy: true }));
    api.extractParameters(settledText, controller.signal).then(
      (result) => {
        setUnderstood(fromExtraction(result));
        setExtraction({ busy: false, error: null, reasoning: result.extraction_reasoning });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        const apiError =
          error instanceof ApiError ? error : new ApiError(0, { error_type: 'NETWORK_ERROR', message: String(error), details: {}, suggestions: [] });
        if (FIELD_ERRORS.has(apiError.errorType)) setUnderstood(fromExtractionError(apiError));
        setExtraction({ busy: false, error: apiError, reasoning: null });
      },
    );
    return () => controller.abort();
  }, [settledText, tokenGeneration]);

  const values: FormValues = useMemo(() => ({ ...EMPTY_FORM, ...understood?.values, ...edits }), [understood, edits]);
  const edited = useMemo(() => new Set(Object.keys(edits) as EditableField[]), [edits]);
  // The planner's own value answers the server's remark about the extracted one.
  const messages = useMemo(() => {
    const merged = { ...understood?.messages, ...start.messages };
    for (const field of edited) delete merged[field];
    return { ...merged, ...start.messages };
  }, [understood, start.messages, edited]);

  const onChange = (field: EditableField, value: string) => {
    setEdits((e) => ({ ...e, [field]: value }));
    setStart((s) => ({ ...s, messages: { ...s.messages, [field]: undefined } }));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setStart({ busy: true, error: null, messages: {} });
    try {
      const run = await api.runWorkflow({ session_id: sessionId(), parameters: toParameters(values, simulated) });
      navigate(`/runs/${run.run_id}`);
    } catch (error) {
      setStart({ busy: false, error, messages: error instanceof ApiError ? fieldMessages(error) : {} });
    }
  };

  const fieldError = extraction.error && FIELD_ERRORS.has(extraction.error.errorType);
  return (
    <section className="page" aria-labelledby="new-plan-title">
      <h1 id="new-plan-title">New season plan</h1>
      <form onSubmit={(e) => void submit(e)} className="plan-form">
        <div className="field wide">
          <label htmlFor="season-text">Describe the season in your own words</label>
          <textarea id="season-text" rows={4} value={text} placeholder={EXAMPLE} onChange={(e) => setText(e.target.value)} />
          <div className="help" aria-live="polite" data-testid="extraction-status">
            {text.trim() === ''
              ? 'Say how long, when it starts, how stores are replenished, what the DC keeps back, and whether to check markdowns.'
              : extraction.busy || settledText !== text.trim()
                ? 'Reading…'
                : extraction.error
                  ? fieldError
                    ? `Not complete yet: ${extraction.error.message}`
                    : null
                  : extraction.reasoning
                    ? 'Understood — check the fields below.'
                    : null}
          </div>
        </div>
        {extraction.error && !fieldError ? <ErrorNotice error={extraction.error} title="Could not read the season" /> : null}
        {fieldError && extraction.error?.body.request_id ? <p className="muted small">request id {extraction.error.body.request_id}</p> : null}
        <ParameterForm values={values} understood={understood} edited={edited} messages={messages} onChange={onChange} />
        <div className="field checkbox">
          <input id="simulate" type="checkbox" checked={simulated} onChange={(e) => setSimulated(e.target.checked)} />
          <label htmlFor="simulate">Simulate the weekly actual sales (otherwise the run waits for each week's sales to be posted)</label>
        </div>
        <ErrorNotice error={start.error} title="The run did not start" />
        <div className="actions">
          <button type="submit" disabled={!isStartable(values) || start.busy}>
            {start.busy ? 'Starting…' : 'Start planning'}
          </button>
        </div>
      </form>
    </section>
  );
}
