/** The season plan as charts, each reloaded when the events that change it arrive. */
import type { RunEvent } from '../../api/schemas';
import { AllocationChart } from './charts/AllocationChart';
import { ForecastChart } from './charts/ForecastChart';
import { MarkdownChart } from './charts/MarkdownChart';
import { ReplenishmentChart } from './charts/ReplenishmentChart';
import { VarianceChart } from './charts/VarianceChart';
import type { RunView } from './runView';

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
  return (
    <div className="charts">
      <ForecastChart runId={runId} version={completions(events, ['demand', 'reforecast'])} actuals={view.actuals} seasonStart={seasonStart} />
      <AllocationChart runId={runId} version={completions(events, ['allocation', 'replenishment', 'simulate_actuals'])} />
      <VarianceChart runId={runId} version={completions(events, ['monitor'])} alerts={view.alerts} />
      <ReplenishmentChart weeks={view.replenishment} strategy={strategy} />
      <MarkdownChart runId={runId} version={completions(events, ['markdown_check'])} />
    </div>
  );
}
