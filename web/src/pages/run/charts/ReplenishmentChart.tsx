/** Units the DC sent to each store after each week (from the Replenishment agent's decisions in the event log). */
import { useMemo } from 'react';
import { Chart, type ChartOption } from '../../../components/Chart';
import { Empty } from '../../../components/Notices';
import type { ReplenishmentWeek } from '../runView';
import { amount, axisName, type Measure } from './format';

function option(weeks: ReplenishmentWeek[], measure: Measure): ChartOption {
  const stores = [...new Set(weeks.flatMap((w) => w.moves.map((m) => m.store_id)))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const total = weeks.reduce((sum, w) => sum + w.moved, 0);
  return {
    title: { text: 'Replenishment: DC → stores', subtext: `${amount(total, measure)}, ${weeks.filter((w) => w.moved > 0).length} of ${weeks.length} reviews` },
    legend: { bottom: 0, type: 'scroll' },
    grid: { left: 64, right: 24, top: 64, bottom: 72 },
    xAxis: { type: 'category', data: weeks.map((w) => `after W${w.week}`), name: 'Review', nameLocation: 'middle', nameGap: 28 },
    yAxis: { type: 'value', name: axisName('moved', measure), nameLocation: 'middle', nameGap: 48 },
    series: stores.map((store) => ({
      name: store,
      type: 'bar',
      stack: 'moved',
      data: weeks.map((w) => w.moves.find((m) => m.store_id === store)?.units ?? 0),
    })),
  };
}

export function ReplenishmentChart({ weeks, strategy, measure = 'units' }: { weeks: ReplenishmentWeek[]; strategy: string | null; measure?: Measure }) {
  const chart = useMemo(() => (weeks.length > 0 ? option(weeks, measure) : null), [weeks, measure]);
  return (
    <section className="panel" aria-labelledby="replenishment-title">
      <h2 id="replenishment-title">Replenishment</h2>
      {chart ? (
        <Chart option={chart} testId="replenishment-chart" />
      ) : (
        <Empty>{strategy === 'none' ? 'No replenishment in this season (strategy: none).' : 'No replenishment review yet.'}</Empty>
      )}
    </section>
  );
}
