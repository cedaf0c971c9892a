import { change, duration, kwh, localTime, money, percent, watts } from './format.js';
import { dayParts, type ReportModel } from './model.js';

// The texts of the report's cards and tables, shared by the HTML and PDF renderers (pure).

/** Chart colours: source A, source B, energy of unknown source; outlets. */
export const PART_COLOURS = ['#2b6cb0', '#dd6b20', '#a0aec0'] as const;
export const OUTLET_COLOUR = '#2f855a';

/** The period line of the header: its label, the dates of a month, and the zone. */
export function periodText(m: ReportModel): string {
  const zone = m.tz || 'local time';
  return m.period.type === 'weekly' ? `${m.period.label} (${zone})` : `${m.period.label} (${m.period.start} – ${m.period.end}, ${zone})`;
}

/** The summary cards in display order: [label, value]. */
export function cardTexts(m: ReportModel): Array<[string, string]> {
  const c = m.cards;
  const out: Array<[string, string]> = [['Total', kwh(c.total_kwh)], ['Source A', kwh(c.source_a_kwh)], ['Source B', kwh(c.source_b_kwh)], ['Peak', watts(c.peak_w)]];
  if (c.cost !== null) out.push(['Cost', money(c.cost, m.currency)]);
  out.push([`vs previous ${m.period.type === 'weekly' ? 'week' : 'month'}`, change(c.change_pct)]);
  return out;
}

/** Table rows shared with the PDF renderer. */
export function dayRows(m: ReportModel): string[][] {
  return m.days.map((d) => [d.date, kwh(d.total_kwh), kwh(d.a_kwh), kwh(d.b_kwh), watts(d.peak_w), watts(d.avg_w)]);
}
export function outletRows(m: ReportModel): string[][] {
  return m.outlets.map((o) => [o.name ? `${o.outlet} · ${o.name}` : String(o.outlet), kwh(o.kwh), kwh(o.a_kwh), kwh(o.b_kwh), percent(o.share)]);
}
export function outageRows(m: ReportModel): string[][] {
  return m.outages.map((o) => [localTime(o.start, m.tz), o.end === null ? 'ongoing' : localTime(o.end, m.tz), o.end === null ? 'ongoing' : duration(o.duration_s), o.cause]);
}
export const DAY_HEAD = ['Date', 'Total', 'Source A', 'Source B', 'Peak W', 'Avg W'];
export const OUTLET_HEAD = ['Outlet', 'Energy', 'Source A', 'Source B', '% of total'];
export const OUTAGE_HEAD = ['Start', 'End', 'Duration', 'Cause'];

/** Legend entries of the daily chart: A and B, plus "source unknown" when such energy exists. */
export function dayLegend(m: ReportModel): Array<[string, number]> {
  const legend: Array<[string, number]> = [['Source A', 0], ['Source B', 1]];
  if (m.days.some((d) => (dayParts(d)[2] ?? 0) > 0)) legend.push(['Source unknown', 2]);
  return legend;
}

