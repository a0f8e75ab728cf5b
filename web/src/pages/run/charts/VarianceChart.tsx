/** Weekly actual units against the forecast each week was judged by; weeks with a variance alert are marked. */
import { useMemo } from 'react';
import { api } from '../../../api/client';
import type { VarianceReport } from '../../../api/schemas';
import { Chart, type ChartOption } from '../../../components/Chart';
import { Empty, ErrorNotice, Loading } from '../../../components/Notices';
import type { VarianceAlert } from '../runView';
import { axisName, pct, type Measure } from './format';
import { usePlan } from './usePlan';

function option(report: VarianceReport, alerts: VarianceAlert[], measure: Measure): ChartOption {
  const weeks = report.weeks.map((w) => `W${w.week}`);
  const alerted = new Set(alerts.map((a) => a.week));
  return {
    title: {
      text: 'Actuals against forecast',
      subtext: alerts.length > 0 ? `${alerts.length} variance alert${alerts.length > 1 ? 's' : ''} (▲)` : 'no variance alerts',
    },
    legend: { bottom: 0 },
    grid: { left: 64, right: 24, top: 64, bottom: 64 },
    xAxis: { type: 'category', data: weeks, name: 'Season week', nameLocation: 'middle', nameGap: 28 },
    yAxis: { type: 'value', name: axisName('', measure), nameLocation: 'middle', nameGap: 48 },
    series: [
      {
        name: 'Actual',
        type: 'bar',
        data: report.weeks.map((w) => w.actual),
        itemStyle: { color: '#2563eb' },
        markPoint: {
          symbol: 'triangle',
          symbolSize: 16,
          itemStyle: { color: '#dc2626' },
          label: { show: true, position: 'top', color: '#dc2626', formatter: (p: { value?: string | number }) => String(p.value ?? '') },
          data: report.weeks
            .filter((w) => alerted.has(w.week))
            .map((w) => ({ name: `alert week ${w.week}`, coord: [`W${w.week}`, w.actual], value: w.variance === null ? 'alert' : pct(w.variance) })),
        },
      },
      { name: 'Forecast', type: 'line', data: report.weeks.map((w) => w.forecast), itemStyle: { color: '#d97706' }, lineStyle: { width: 2 } },
    ],
  };
}

export function VarianceChart({ runId, version, alerts, measure = 'units' }: { runId: string; version: number; alerts: VarianceAlert[]; measure?: Measure }) {
  const report = usePlan(() => api.variance(runId), runId, version);
  const chart = useMemo(() => (report.data && report.data.weeks.length > 0 ? option(report.data, alerts, measure) : null), [report.data, alerts, measure]);
  return (
    <section className="panel" aria-labelledby="variance-title">
      <h2 id="variance-title">Weekly actuals</h2>
      <ErrorNotice error={report.error} />
      {chart ? <Chart option={chart} testId="variance-chart" /> : report.loading ? <Loading what="the actuals" /> : <Empty>No weeks sold yet.</Empty>}
    </section>
  );
}
