/** The season plan as charts, each reloaded when the events that change it arrive. */
import type { RunEvent } from '../../api/schemas';
import { AllocationChart } from './charts/AllocationChart';
import { ForecastChart } from './charts/ForecastChart';
import { MarkdownChart } from './charts/MarkdownChart';
import { ReplenishmentChart } from './charts/ReplenishmentChart';
import { VarianceChart } from './charts/VarianceChart';
import type { Measure } from './charts/format';
import type { RunView } from './runView';

/** A season planned on a history of sales value says so in its Demand result; older runs and units say nothing. */
const measureOf = (events: RunEvent[]): Measure =>
  events.some((e) => e.type === 'complete' && e.phase === 'demand' && (e.result as { quantity?: unknown } | undefined)?.quantity === 'sales_value')
    ? 'sales_value'
    : 'units';

const completions = (events: RunEvent[], phases: string[]) => events.filter((e) => e.type === 'complete' && phases.includes(String(e.phase))).length;

export function RunCharts({
  runId,
  events,
  view,
  strategy,
  seasonStart,
}: {
  runId: string;
  events: RunEvent[];
  view: RunView;
  strategy: string | null;
  seasonStart: string | null;
}) {
  const measure = measureOf(events);
  return (
    <div className="charts">
      <ForecastChart runId={runId} version={completions(events, ['demand', 'reforecast'])} actuals={view.actuals} seasonStart={seasonStart} measure={measure} />
      <AllocationChart runId={runId} version={completions(events, ['allocation', 'replenishment', 'simulate_actuals'])} measure={measure} />
      <VarianceChart runId={runId} version={completions(events, ['monitor'])} alerts={view.alerts} measure={measure} />
      <ReplenishmentChart weeks={view.replenishment} strategy={strategy} measure={measure} />
      <MarkdownChart runId={runId} version={completions(events, ['markdown_check'])} />
    </div>
  );
}
