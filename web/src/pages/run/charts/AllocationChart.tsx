/** Units allocated per store, coloured by the store's cluster, with the DC's holdback as its own bar. */
import { useMemo } from 'react';
import { api } from '../../../api/client';
import type { AllocationPlan, StoreClusters } from '../../../api/schemas';
import { Chart, PALETTE, type ChartOption } from '../../../components/Chart';
import { Empty, ErrorNotice, Loading } from '../../../components/Notices';
import { useAsync } from '../../../hooks/useAsync';
import { pct, units } from './format';
import { usePlan } from './usePlan';

function option(plan: AllocationPlan, clusters: StoreClusters | undefined): ChartOption {
  const labels = new Map(clusters?.clusters.map((c) => [c.id, c.label]) ?? []);
  const clusterIds = [...new Set(plan.stores.map((s) => s.cluster))].sort((a, b) => a - b);
  const categories = [...plan.stores.map((s) => s.store_id), 'DC'];
  const dcShare = plan.approved_quantity > 0 ? plan.dc_units / plan.approved_quantity : 0;
  return {
    title: { text: 'Allocation by store', subtext: `${units(plan.approved_quantity)} units: ${units(plan.dc_units)} held at the DC (${pct(dcShare)}), ${units(plan.dc_now)} there now` },
    tooltip: { trigger: 'item' },
    legend: { bottom: 0 },
    grid: { left: 64, right: 24, top: 64, bottom: 48 + 22 * Math.ceil((clusterIds.length + 1) / 2) },
    xAxis: { type: 'category', data: categories, name: 'Store', nameLocation: 'middle', nameGap: 30, axisLabel: { interval: 0, rotate: categories.length > 12 ? 60 : 0, fontSize: 11 } },
    yAxis: { type: 'value', name: 'Units allocated', nameLocation: 'middle', nameGap: 48 },
    series: [
      ...clusterIds.map((id, i) => ({
        name: `Cluster ${id}${labels.get(id) ? `: ${labels.get(id)}` : ''}`,
        type: 'bar',
        stack: 'units',
        itemStyle: { color: PALETTE[i % PALETTE.length] },
        data: [...plan.stores.map((s) => (s.cluster === id ? s.allocated : null)), null],
      })),
      { name: `DC (${pct(dcShare)} held back)`, type: 'bar', stack: 'units', itemStyle: { color: '#64748b' }, data: [...plan.stores.map(() => null), plan.dc_units] },
    ],
  };
}

export function AllocationChart({ runId, version }: { runId: string; version: number }) {
  const plan = usePlan(() => api.allocation(runId), runId, version);
  const clusters = useAsync(() => api.clusters(), []);
  const chart = useMemo(() => (plan.data ? option(plan.data, clusters.data) : null), [plan.data, clusters.data]);
  return (
    <section className="panel" aria-labelledby="allocation-title">
      <h2 id="allocation-title">Allocation</h2>
      <ErrorNotice error={plan.error} />
      {chart ? <Chart option={chart} height={360} testId="allocation-chart" /> : plan.loading ? <Loading what="the allocation" /> : <Empty>No allocation yet: it follows the approved buy.</Empty>}
    </section>
  );
}
