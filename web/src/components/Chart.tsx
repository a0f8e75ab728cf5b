/**
 * Every chart of the dashboard goes through here: ECharts with only the parts we use, drawn as
 * SVG (crisp at any zoom, and its titles and labels are real text for screen readers and tests),
 * resized with its box. Each chart must bring a title and axis names in its option.
 */
import { BarChart, LineChart, ScatterChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, MarkLineComponent, MarkPointComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

echarts.use([LineChart, BarChart, ScatterChart, GridComponent, TitleComponent, TooltipComponent, LegendComponent, MarkLineComponent, MarkPointComponent, AriaComponent, SVGRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

/** One palette for every chart, readable on white and told apart without relying on red/green alone. */
export const PALETTE = ['#2563eb', '#d97706', '#059669', '#7c3aed', '#db2777', '#0891b2', '#65a30d', '#9333ea'];

export function Chart({ option, height = 320, testId }: { option: ChartOption; height?: number; testId?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const instance = echarts.init(element, null, { renderer: 'svg' });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(
      {
        color: PALETTE,
        aria: { enabled: true },
        textStyle: { fontFamily: 'system-ui, sans-serif' },
        title: { left: 'center', textStyle: { fontSize: 14 } },
        tooltip: { trigger: 'axis' },
        ...option,
      },
      { notMerge: true },
    );
  }, [option]);

  return <div className="chart" ref={box} style={{ height }} data-testid={testId} role="figure" />;
}
