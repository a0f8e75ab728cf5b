/**
 * History and forecast by category: the last year of weekly units sold in all stores, the season's
 * weeks so far (in all: every unit sold; per category: as the Monitor judged them, stores that sold
 * out left out), then the run's latest forecast with 80% and 95% bands: the plan's own bands of the chain and category
 * totals (measured by back-tests of those totals), or for older plans without them the store series' bands combined in
 * quadrature (errors taken as independent, which understates them).
 */
import { useMemo, useState } from 'react';
import { api } from '../../../api/client';
import type { CategoryHistory, ForecastPlan, VarianceReport } from '../../../api/schemas';
import { Chart, type ChartOption, type ChartSpec } from '../../../components/Chart';
import type { WeekActual } from '../runView';
import { Empty, ErrorNotice, Loading } from '../../../components/Notices';
import { useAsync } from '../../../hooks/useAsync';
import { usePlan } from './usePlan';
import { axisName, type Measure } from './format';

const ALL = '__all__';

interface CategoryForecast {
  forecast: number[];
  lo80: number[];
  hi80: number[];
  lo95: number[];
  hi95: number[];
}

function combine(plan: ForecastPlan, category: string): CategoryForecast {
  const measured = category === ALL ? plan.totals?.chain : plan.totals?.categories[category];
  if (measured) return measured;
  const series = plan.series.filter((s) => category === ALL || s.category_id === category);
  const weeks = plan.weeks.length;
  const out: CategoryForecast = { forecast: [], lo80: [], hi80: [], lo95: [], hi95: [] };
  for (let w = 0; w < weeks; w++) {
    let mean = 0;
    let var80 = 0;
    let var95 = 0;
    for (const s of series) {
      const f = s.forecast[w] ?? 0;
      mean += f;
      var80 += ((s.hi80[w] ?? f) - f) ** 2;
      var95 += ((s.hi95[w] ?? f) - f) ** 2;
    }
    const h80 = Math.sqrt(var80);
    const h95 = Math.sqrt(var95);
    out.forecast.push(mean);
    out.lo80.push(Math.max(0, mean - h80));
    out.hi80.push(mean + h80);
    out.lo95.push(Math.max(0, mean - h95));
    out.hi95.push(mean + h95);
  }
  return out;
}

function historyOf(history: CategoryHistory, category: string): number[] {
  const rows = history.categories.filter((c) => category === ALL || c.category_id === category);
  return history.weeks.map((_, i) => rows.reduce((sum, c) => sum + (c.units[i] ?? 0), 0));
}

const round = (n: number) => Math.round(n * 10) / 10;

const weekStart = (seasonStart: string, week: number) =>
  new Date(Date.parse(`${seasonStart}T00:00:00Z`) + (week - 1) * 7 * 86_400_000).toISOString().slice(0, 10);

function option(
  history: CategoryHistory,
  plan: ForecastPlan,
  category: string,
  name: string,
  season: (string | number)[][],
  width: number,
  measure: Measure,
): ChartOption {
  const legendRows = width < 560 ? 2 : 1;
  const past = historyOf(history, category);
  const future = combine(plan, category);
  const at = (weeks: string[], values: number[]) => weeks.map((w, i) => [w, round(values[i] ?? 0)]);
  const band = (lo: number[], hi: number[], label: string, opacity: number, stack: string) => [
    {
      name: label,
      type: 'line',
      stack,
      data: at(plan.weeks, lo),
      lineStyle: { opacity: 0 },
      itemStyle: { color: '#2563eb', opacity },
      symbol: 'none',
      tooltip: { show: false },
    },
    {
      name: label,
      type: 'line',
      stack,
      data: at(
        plan.weeks,
        hi.map((h, i) => h - (lo[i] ?? 0)),
      ),
      lineStyle: { opacity: 0 },
      symbol: 'none',
      itemStyle: { color: '#2563eb', opacity },
      areaStyle: { color: '#2563eb', opacity },
      tooltip: { show: false },
    },
  ];
  return {
    title: { text: 'History and forecast', subtext: name },
    legend: { bottom: 0, width: width - 16, data: ['History', 'Season so far', 'Forecast', '80% band', '95% band'] },
    grid: { left: 64, right: 24, top: 64, bottom: 42 + 22 * legendRows },
    xAxis: { type: 'time', name: 'Week', nameLocation: 'middle', nameGap: 28 },
    yAxis: { type: 'value', name: axisName('sold', measure), nameLocation: 'middle', nameGap: 48 },
    series: [
      ...band(future.lo95, future.hi95, '95% band', 0.15, 'b95'),
      ...band(future.lo80, future.hi80, '80% band', 0.3, 'b80'),
      {
        name: 'History',
        type: 'line',
        data: at(history.weeks, past),
        symbol: 'none',
        lineStyle: { color: '#475569', width: 1.5 },
        itemStyle: { color: '#475569' },
      },
      { name: 'Season so far', type: 'line', data: season, symbolSize: 5, lineStyle: { color: '#059669', width: 2 }, itemStyle: { color: '#059669' } },
      {
        name: 'Forecast',
        type: 'line',
        data: at(plan.weeks, future.forecast),
        symbolSize: 5,
        lineStyle: { color: '#2563eb', width: 2 },
        itemStyle: { color: '#2563eb' },
      },
    ],
  };
}

/** The season's weeks so far: in all, every unit sold (the variance report); per category, the Monitor's figures. */
function seasonSoFar(category: string, actuals: WeekActual[], sold: VarianceReport | null, seasonStart: string | null): (string | number)[][] {
  if (!seasonStart) return [];
  if (category === ALL) return (sold?.weeks ?? []).map((w) => [weekStart(seasonStart, w.week), round(w.actual)]);
  return actuals.map((a) => [weekStart(seasonStart, a.week), round(a.byCategory[category] ?? 0)]);
}

export function ForecastChart({
  runId,
  version,
  actuals,
  seasonStart,
  measure = 'units',
}: {
  runId: string;
  version: number;
  actuals: WeekActual[];
  seasonStart: string | null;
  measure?: Measure;
}) {
  const plan = usePlan(() => api.forecast(runId), runId, version);
  const history = useAsync(() => api.history(52), []);
  const [category, setCategory] = useState(ALL);
  const categories = history.data?.categories ?? [];
  const name = category === ALL ? 'All categories' : (categories.find((c) => c.category_id === category)?.name ?? category);
  const sold = usePlan(() => api.variance(runId), runId, actuals.length);
  const chart = useMemo((): ChartSpec | null => {
    const [p, h] = [plan.data, history.data];
    if (!p || !h) return null;
    const season = seasonSoFar(category, actuals, sold.data ?? null, seasonStart);
    return (width: number) => option(h, p, category, name, season, width, measure);
  }, [plan.data, history.data, category, name, actuals, sold.data, seasonStart, measure]);
  const caption = plan.data
    ? `Forecast revision ${plan.data.revision}, from season week ${plan.data.from_week}; bands of 80% and 95%${plan.data.totals ? ', measured by back-tests of the totals on the history' : ', the store series combined in quadrature'}. Season so far: ${category === ALL ? 'every unit sold' : 'units sold as the Monitor judged them (stores that sold out left out)'}.`
    : undefined;
  return (
    <section className="panel" aria-labelledby="forecast-title">
      <div className="panel-head">
        <h2 id="forecast-title">Forecast</h2>
        <label className="inline">
          Category{' '}
          <select value={category} onChange={(e) => setCategory(e.target.value)}>
            <option value={ALL}>All categories</option>
            {categories.map((c) => (
              <option key={c.category_id} value={c.category_id}>
                {c.name ?? c.category_id}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorNotice error={plan.error ?? history.error} />
      {chart ? (
        <Chart option={chart} height={340} testId="forecast-chart" caption={caption} />
      ) : plan.loading || history.loading ? (
        <Loading what="the forecast" />
      ) : (
        <Empty>No forecast yet.</Empty>
      )}
    </section>
  );
}
