/** The markdown decision: expected revenue for each markdown depth, the recommendation, and revenue with and without it. */
import { useMemo } from 'react';
import { api } from '../../../api/client';
import type { MarkdownDecisions } from '../../../api/schemas';
import { Chart, type ChartOption } from '../../../components/Chart';
import { Empty, ErrorNotice, Loading } from '../../../components/Notices';
import { money, pct } from './format';
import { usePlan } from './usePlan';

type Decision = MarkdownDecisions['decisions'][number];

function option(decision: Decision): ChartOption {
  const rec = decision.recommendation;
  const chosen = decision.chosen?.markdown ?? rec.markdown;
  return {
    title: {
      text: `Markdown at week ${decision.week}: ${pct(chosen)}${decision.source === 'planner' ? ' (planner)' : ''}`,
      subtext: `revenue ${money(rec.withMarkdown.totalRevenue)} vs ${money(rec.withoutMarkdown.totalRevenue)}`,
    },
    tooltip: { trigger: 'axis' },
    grid: { left: 72, right: 24, top: 64, bottom: 48 },
    xAxis: { type: 'category', data: rec.candidates.map((c) => pct(c.markdown)), name: 'Markdown', nameLocation: 'middle', nameGap: 28 },
    yAxis: { type: 'value', name: 'Expected revenue', nameLocation: 'middle', nameGap: 56 },
    series: [
      {
        name: 'Expected revenue',
        type: 'bar',
        data: rec.candidates.map((c) => ({
          value: Math.round(c.totalRevenue),
          itemStyle: { color: Math.abs(c.markdown - chosen) < 1e-9 ? '#059669' : '#94a3b8' },
        })),
        markLine: {
          symbol: 'none',
          label: { show: false },
          lineStyle: { color: '#475569', type: 'dashed' },
          data: [{ yAxis: Math.round(rec.withoutMarkdown.totalRevenue) }],
        },
      },
    ],
  };
}

export function MarkdownChart({ runId, version }: { runId: string; version: number }) {
  const report = usePlan(() => api.markdowns(runId), runId, version);
  const latest = report.data?.decisions.at(-1);
  const chart = useMemo(() => (latest ? option(latest) : null), [latest]);
  const explanation = latest?.recommendation.explanation ?? latest?.recommendation.reason;
  return (
    <section className="panel" aria-labelledby="markdown-title">
      <h2 id="markdown-title">Markdown</h2>
      <ErrorNotice error={report.error} />
      {chart ? (
        <>
          <Chart
            option={chart}
            testId="markdown-chart"
            caption={
              latest
                ? `Expected revenue with the markdown ${money(latest.recommendation.withMarkdown.totalRevenue)}, without ${money(latest.recommendation.withoutMarkdown.totalRevenue)} (dashed line); green: the markdown chosen.`
                : undefined
            }
          />
          {explanation ? (
            <p className="explanation" data-testid="markdown-explanation">
              {explanation}
            </p>
          ) : null}
        </>
      ) : report.loading ? (
        <Loading what="the markdown decision" />
      ) : (
        <Empty>No markdown decision yet.</Empty>
      )}
    </section>
  );
}
