/**
 * Every chart of the dashboard goes through here: ECharts with only the parts we use, drawn as
 * SVG (crisp at any zoom, and its titles and labels are real text for screen readers and tests),
 * resized with its box. Each chart must bring a title and axis names in its option; an option may
 * depend on the width, so legends and labels fit a phone.
 */
import { BarChart, LineChart, ScatterChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, MarkLineComponent, MarkPointComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef, useState } from 'react';

echarts.use([
  LineChart,
  BarChart,
  ScatterChart,
  GridComponent,
  TitleComponent,
  TooltipComponent,
  LegendComponent,
  MarkLineComponent,
  MarkPointComponent,
  AriaComponent,
  SVGRenderer,
]);

export type ChartOption = echarts.EChartsCoreOption;

/** One palette for every chart, readable on white and told apart without relying on red/green alone. */
export const PALETTE = ['#2563eb', '#d97706', '#059669', '#7c3aed', '#db2777', '#0891b2', '#65a30d', '#9333ea'];

/** An option, or a function of the chart's width in pixels for charts that lay out differently on a phone. */
export type ChartSpec = ChartOption | ((width: number) => ChartOption);

/** Motion only for those who have not asked their system for less (the tests ask, so screenshots show finished charts). */
const animate = () => !window.matchMedia('(prefers-reduced-motion: reduce)').matches;

export function Chart({ option, height = 320, testId, caption }: { option: ChartSpec; height?: number; testId?: string; caption?: string | undefined }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const [width, setWidth] = useState(0);

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const instance = echarts.init(element, null, { renderer: 'svg' });
    chart.current = instance;
    const observer = new ResizeObserver(() => {
      instance.resize();
      setWidth(element.clientWidth);
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    if (width === 0) return;
    const resolved = typeof option === 'function' ? option(width) : option;
    chart.current?.setOption(
      {
        color: PALETTE,
        aria: { enabled: true },
        animation: animate(),
        textStyle: { fontFamily: 'system-ui, sans-serif' },
        title: { left: 'center', textStyle: { fontSize: 14 } },
        tooltip: { trigger: 'axis' },
        ...resolved,
      },
      { notMerge: true },
    );
  }, [option, width]);

  return (
    <figure className="chart-figure">
      <div className="chart" ref={box} style={{ height }} data-testid={testId} />
      {caption ? <figcaption className="muted small">{caption}</figcaption> : null}
    </figure>
  );
}
