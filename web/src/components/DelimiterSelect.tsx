/** "Separated by": the CSV separators the server reads (with semicolons, figures may use decimal commas), for every upload form. */
import type { Delimiter } from '../api/client';

export function DelimiterSelect({ value, onChange, testId }: { value: Delimiter; onChange: (delimiter: Delimiter) => void; testId: string }) {
  return (
    <label>
      Separated by{' '}
      <select value={value} onChange={(e) => onChange(e.target.value as Delimiter)} data-testid={testId}>
        <option value=",">commas</option>
        <option value=";">semicolons (decimal commas)</option>
        <option value="tab">tabs</option>
      </select>
    </label>
  );
}
