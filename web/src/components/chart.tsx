import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { Aligned } from '../lib/series';
import { useStore } from '../lib/store';
import { theme } from '../lib/theme';

// A uPlot time chart: one line per entity and a shaded min/max band around it (SPEC §18). Gaps
// are nulls, which uPlot draws as breaks (spanGaps off). Sized to its container and resized with it.

const PALETTE = ['#2563eb', '#ea580c', '#16a34a', '#9333ea', '#dc2626', '#0891b2', '#ca8a04', '#db2777', '#4f46e5', '#65a30d'];

function alpha(hex: string, a: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${a})`;
}

export function TimeChart(props: { data: Aligned; label: (key: number) => string; unit: string; height?: number; onRendered?: (ms: number) => void }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const t = useStore(theme);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const t0 = performance.now();
    const cs = getComputedStyle(document.documentElement);
    const fg = cs.getPropertyValue('--muted').trim() || '#666';
    const grid = cs.getPropertyValue('--line').trim() || '#ddd';
    const series: uPlot.Series[] = [{}];
    const cols: Array<Array<number | null>> = [props.data.xs];
    const bands: uPlot.Band[] = [];
    props.data.series.forEach((s, i) => {
      const c = PALETTE[i % PALETTE.length] as string;
      const base = cols.length;
      series.push({ label: props.label(s.key), stroke: c, width: 1.5, spanGaps: false, value: (_u, v) => (v === null || v === undefined ? '—' : `${v.toFixed(1)} ${props.unit}`) });
      series.push({ label: `${props.label(s.key)} max`, stroke: 'transparent', spanGaps: false, class: 'u-band-edge', points: { show: false } });
      series.push({ label: `${props.label(s.key)} min`, stroke: 'transparent', spanGaps: false, class: 'u-band-edge', points: { show: false } });
      cols.push(s.avg, s.max, s.min);
      bands.push({ series: [base + 1, base + 2], fill: alpha(c, 0.15) });
    });
    let reported = false;
    const opts: uPlot.Options = {
      // Rendered = the first draw finished (uPlot draws after the constructor returns).
      hooks: {
        draw: [() => {
          if (reported) return;
          reported = true;
          props.onRendered?.(performance.now() - t0);
        }],
      },
      width: el.clientWidth || 600,
      height: props.height ?? 320,
      series,
      bands,
      scales: { x: { time: true } },
      legend: { show: true },
      cursor: { drag: { x: true, y: false } },
      axes: [
        { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } },
        { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, label: props.unit, size: 56 },
      ],
    };
    plot.current?.destroy();
    plot.current = new uPlot(opts, cols as uPlot.AlignedData, el);
    const ro = new ResizeObserver(() => plot.current?.setSize({ width: el.clientWidth, height: props.height ?? 320 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [props.data, props.unit, props.height, t]);
  return <div ref={box} class="chart" data-points={props.data.xs.length} />;
}
