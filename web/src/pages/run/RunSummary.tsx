/** How the run ended: its state and the result's numbers (for a season: units, sell-through, revenue, markdown). */
import type { RunState } from '../../api/schemas';
import { Facts } from '../../components/Facts';

const LABELS: Record<string, string> = {
  approved_quantity: 'Bought',
  units_sold: 'Units sold',
  sell_through: 'Sell-through',
  revenue: 'Revenue',
  markdown: 'Markdown',
  left_in_stores: 'Left in stores',
  left_at_dc: 'Left at the DC',
  replenished_units: 'Replenished',
  variance_alerts: 'Variance alerts',
  reforecasts: 'Re-forecasts',
};
const VALUE_LABELS: Record<string, string> = {
  approved_quantity: 'Bought (sales value)',
  units_sold: 'Sold (sales value)',
  left_in_stores: 'Left in stores (sales value)',
  left_at_dc: 'Left at the DC (sales value)',
  replenished_units: 'Replenished (sales value)',
};
const SHARES = new Set(['sell_through', 'markdown']);

export function RunSummary({ state, result }: { state: RunState | null; result: Record<string, unknown> }) {
  // A season planned on sales value counts money at full price, not units: its labels say so.
  const labels = result.quantity === 'sales_value' ? { ...LABELS, ...VALUE_LABELS } : LABELS;
  const facts = Object.entries(labels).filter(([key]) => typeof result[key] === 'number');
  const explanation = typeof result.explanation === 'string' ? result.explanation : null;
  // The state badge already says how it ended; a result with nothing to show needs no panel.
  if (facts.length === 0 && !explanation) return null;
  return (
    <section className={`panel summary ${state ?? ''}`} aria-labelledby="summary-title" data-testid="run-summary">
      <h2 id="summary-title">Run {state}</h2>
      {facts.length > 0 ? (
        <Facts
          items={facts.map(([key, label]) => {
            const value = result[key] as number;
            return [label, SHARES.has(key) ? `${Math.round(value * 1000) / 10}%` : value.toLocaleString('en', { maximumFractionDigits: 0 })] as const;
          })}
        />
      ) : null}
      {explanation ? <p className="explanation">{explanation}</p> : null}
    </section>
  );
}
