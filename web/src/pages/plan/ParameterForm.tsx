/** The extracted season parameters as an editable form: each field with the words it came from, or the server's word on it. */
import { REPLENISHMENT_STRATEGIES, type ParameterField } from '../../api/schemas';
import { endDate, FIELD_LABELS, REQUIRED, type EditableField, type FormValues, type Understood } from './planForm';

interface Props {
  values: FormValues;
  understood: Understood | null;
  edited: ReadonlySet<EditableField>;
  messages: Partial<Record<ParameterField, string>>;
  onChange: (field: EditableField, value: string) => void;
}

function Provenance({
  field,
  understood,
  edited,
  message,
}: {
  field: ParameterField;
  understood: Understood | null;
  edited: boolean;
  message: string | undefined;
}) {
  const source = understood?.sources[field];
  return (
    <>
      {message ? (
        <span className="field-message" role="alert" data-testid={`message-${field}`}>
          {message}
        </span>
      ) : null}
      {edited ? (
        <span className="source">changed by you</span>
      ) : source ? (
        <span className="source" data-testid={`source-${field}`}>
          from “{source}”
        </span>
      ) : null}
    </>
  );
}

export function ParameterForm({ values, understood, edited, messages, onChange }: Props) {
  const input = (field: EditableField, type: 'number' | 'date', extra: { min?: number; max?: number; step?: number } = {}) => (
    <input
      id={`field-${field}`}
      name={field}
      type={type}
      value={values[field]}
      aria-invalid={messages[field] ? true : undefined}
      aria-describedby={`help-${field}`}
      required={REQUIRED.includes(field)}
      onChange={(e) => onChange(field, e.target.value)}
      {...extra}
    />
  );
  const row = (field: EditableField, control: React.ReactNode) => (
    <div className={`field${messages[field] ? ' invalid' : ''}`} key={field}>
      <label htmlFor={`field-${field}`}>{FIELD_LABELS[field]}</label>
      {control}
      <div className="help" id={`help-${field}`}>
        <Provenance field={field} understood={understood} edited={edited.has(field)} message={messages[field]} />
      </div>
    </div>
  );
  return (
    <fieldset className="parameters" data-testid="parameters">
      <legend>Season parameters</legend>
      {row('forecast_horizon_weeks', input('forecast_horizon_weeks', 'number', { min: 4, max: 52, step: 1 }))}
      {row('season_start_date', input('season_start_date', 'date'))}
      <div className="field">
        <label htmlFor="field-season_end_date">{FIELD_LABELS.season_end_date}</label>
        <input id="field-season_end_date" type="date" value={endDate(values)} readOnly aria-describedby="help-season_end_date" />
        <div className="help" id="help-season_end_date">
          <span className="source">start + length</span>
          {messages.season_end_date ? <span className="field-message">{messages.season_end_date}</span> : null}
        </div>
      </div>
      {row(
        'replenishment_strategy',
        <select
          id="field-replenishment_strategy"
          value={values.replenishment_strategy}
          aria-invalid={messages.replenishment_strategy ? true : undefined}
          onChange={(e) => onChange('replenishment_strategy', e.target.value)}
        >
          <option value="">— choose —</option>
          {REPLENISHMENT_STRATEGIES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>,
      )}
      {row('dc_holdback_percentage', input('dc_holdback_percentage', 'number', { min: 0, max: 100, step: 0.5 }))}
      {row('markdown_checkpoint_week', input('markdown_checkpoint_week', 'number', { min: 1, max: 52, step: 1 }))}
      {row('markdown_threshold', input('markdown_threshold', 'number', { min: 0, max: 100, step: 1 }))}
    </fieldset>
  );
}
