/** Units allocated per store, coloured by the store's cluster, with the DC's holdback as its own bar. */
import { useMemo } from 'react';
import { api } from '../../../api/client';
import type { AllocationPlan, StoreClusters } from '../../../api/schemas';
import { Chart, PALETTE, type ChartOption, type ChartSpec } from '../../../components/Chart';
import { Empty, ErrorNotice, Loading } from '../../../components/Notices';
import { useAsync } from '../../../hooks/useAsync';
import { amount, axisName, pct, units, type Measure } from './format';
import { usePlan } from './usePlan';

function option(plan: AllocationPlan, clusters: StoreClusters | undefined, width: number, measure: Measure): ChartOption {
  const labels = new Map(clusters?.clusters.map((c) => [c.id, c.label]) ?? []);
  const clusterIds = [...new Set(plan.stores.map((s) => s.cluster))].sort((a, b) => a - b);
  const categories = [...plan.stores.map((s) => s.store_id), 'DC'];
  const dcShare = plan.approved_quantity > 0 ? plan.dc_units / plan.approved_quantity : 0;
  // Narrow charts: store names turn, and the legend takes one entry per row.
  const rotate = width / categories.length < 44 ? 60 : 0;
  const legendRows = Math.ceil((clusterIds.length + 1) / (width < 560 ? 1 : 2));
  return {
    title: { text: 'Allocation by store', subtext: `${amount(plan.approved_quantity, measure)}, DC ${pct(dcShare)}` },
    tooltip: { trigger: 'item' },
    legend: { bottom: 0, orient: 'horizontal', width: width - 16 },
    grid: { left: 64, right: 24, top: 64, bottom: (rotate ? 76 : 52) + 22 * legendRows },
    xAxis: {
      type: 'category',
      data: categories,
      name: 'Store',
      nameLocation: 'middle',
      nameGap: rotate ? 50 : 30,
      axisLabel: { interval: 0, rotate, fontSize: 11 },
    },
    yAxis: { type: 'value', name: axisName('allocated', measure), nameLocation: 'middle', nameGap: 48 },
    series: [
      ...clusterIds.map((id, i) => ({
        name: `Cluster ${id}${labels.get(id) ? `: ${labels.get(id)}` : ''}`,
        type: 'bar',
        stack: 'units',
        itemStyle: { color: PALETTE[i % PALETTE.length] },
        data: [...plan.stores.map((s) => (s.cluster === id ? s.allocated : null)), null],
      })),
      {
        name: `DC (${pct(dcShare)} held back)`,
        type: 'bar',
        stack: 'units',
        itemStyle: { color: '#64748b' },
        data: [...plan.stores.map(() => null), plan.dc_units],
      },
    ],
  };
}

export function AllocationChart({ runId, version, measure = 'units' }: { runId: string; version: number; measure?: Measure }) {
  const plan = usePlan(() => api.allocation(runId), runId, version);
  const clusters = useAsync(() => api.clusters(), []);
  const caption = plan.data
    ? `${amount(plan.data.approved_quantity, measure)} approved: ${units(plan.data.dc_units)} held at the DC, ${units(plan.data.dc_now)} there now; the stores share the rest by their forecast. Colours: store clusters.`
    : undefined;
  const chart = useMemo((): ChartSpec | null => {
    const data = plan.data;
    return data ? (width: number) => option(data, clusters.data, width, measure) : null;
  }, [plan.data, clusters.data]);
  return (
    <section className="panel" aria-labelledby="allocation-title">
      <h2 id="allocation-title">Allocation</h2>
      <ErrorNotice error={plan.error} />
      {chart ? (
        <Chart option={chart} height={400} testId="allocation-chart" caption={caption} />
      ) : plan.loading ? (
        <Loading what="the allocation" />
      ) : (
        <Empty>No allocation yet: it follows the approved buy.</Empty>
      )}
    </section>
  );
}
