// Bar chart geometry shared by the HTML (inline SVG) and PDF renderers: stacked vertical bars,
// a "nice" value axis and thinned category labels. Pure: a box in, rectangles and text positions
// out (y grows downwards, as in SVG and PDFKit).

export interface BarDatum {
  label: string;
  /** Stacked from the bottom; negative or non-finite parts count as 0. */
  parts: readonly number[];
}

export interface ChartBox {
  width: number;
  height: number;
  /** Room for the value labels left of the plot. */
  left: number;
  /** Room for the category labels under the plot. */
  bottom: number;
  top: number;
}

export interface Bar {
  x: number;
  y: number;
  w: number;
  h: number;
  /** Index of the stacked part (its colour). */
  part: number;
}

export interface ChartGeometry {
  plot: { x: number; y: number; w: number; h: number };
  /** Axis maximum (≥ the tallest stack). */
  max: number;
  bars: Bar[];
  /** Value gridlines from 0 to max. */
  ticks: Array<{ y: number; value: number }>;
  /** Category labels, centred under their bar (thinned when crowded). */
  labels: Array<{ x: number; text: string }>;
}

const TICKS = 4;
/** Minimum horizontal room per category label. */
const LABEL_ROOM = 26;

const clean = (v: number): number => (Number.isFinite(v) && v > 0 ? v : 0);

/** Smallest 1, 2, 2.5 or 5 × 10^k ≥ v (1 for v ≤ 0), so TICKS gridlines land on round values. */
export function niceMax(v: number): number {
  if (!Number.isFinite(v) || v <= 0) return 1;
  const base = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * base >= v * (1 - 1e-12)) return m * base;
  return 10 * base;
}

/** Every `step`-th label (step ≥ 1) so that labels keep LABEL_ROOM apart. */
export function labelStep(count: number, plotWidth: number): number {
  const fit = Math.max(1, Math.floor(plotWidth / LABEL_ROOM));
  return Math.max(1, Math.ceil(count / fit));
}

export function barChart(data: readonly BarDatum[], box: ChartBox): ChartGeometry {
  const plot = { x: box.left, y: box.top, w: Math.max(1, box.width - box.left), h: Math.max(1, box.height - box.top - box.bottom) };
  const stackMax = Math.max(0, ...data.map((d) => d.parts.reduce((a, p) => a + clean(p), 0)));
  const max = niceMax(stackMax);
  const slot = data.length > 0 ? plot.w / data.length : plot.w;
  const barW = slot * 0.7;
  const bars: Bar[] = [];
  data.forEach((d, i) => {
    let base = plot.y + plot.h;
    const x = plot.x + i * slot + (slot - barW) / 2;
    d.parts.forEach((p, part) => {
      const h = (clean(p) / max) * plot.h;
      if (h <= 0) return;
      base -= h;
      bars.push({ x, y: base, w: barW, h, part });
    });
  });
  const ticks = Array.from({ length: TICKS + 1 }, (_, k) => ({ value: (max * k) / TICKS, y: plot.y + plot.h - (plot.h * k) / TICKS }));
  const step = labelStep(data.length, plot.w);
  const labels = data.flatMap((d, i) => (i % step === 0 ? [{ x: plot.x + i * slot + slot / 2, text: d.label }] : []));
  return { plot, max, bars, ticks, labels };
}

/** A tick value without float noise: up to 3 significant decimals. */
export function tickText(v: number): string {
  return String(Number(v.toPrecision(3)));
}
