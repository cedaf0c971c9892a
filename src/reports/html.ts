import { barChart, tickText, type BarDatum } from './chart.js';
import { escapeHtml as esc, localTime, NONE } from './format.js';
import { dayParts, type ReportModel } from './model.js';
import { cardTexts, periodText, DAY_HEAD, OUTLET_COLOUR, PART_COLOURS, dayLegend, dayRows, OUTAGE_HEAD, outageRows, OUTLET_HEAD, outletRows } from './tables.js';

// The printable HTML report (SPEC §13.7): one self-contained file — inline CSS with A4 print
// rules, inline SVG charts, no scripts and no external assets. Pure: model in, text out.

const CHART = { width: 640, height: 200, left: 44, bottom: 22, top: 8 };

const CSS = `
@page { size: A4; margin: 14mm; }
* { box-sizing: border-box; }
body { font: 10pt/1.4 "Helvetica Neue", Helvetica, Arial, sans-serif; color: #1a202c; margin: 16px auto; max-width: 182mm; padding: 0 8px; }
h1 { font-size: 17pt; margin: 0 0 2px; }
h2 { font-size: 12pt; margin: 18px 0 6px; border-bottom: 1px solid #cbd5e0; padding-bottom: 2px; }
.sub { color: #4a5568; margin: 0 0 10px; }
table { border-collapse: collapse; width: 100%; }
th, td { padding: 3px 6px; border-bottom: 1px solid #e2e8f0; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
th { background: #f7fafc; font-weight: 600; }
table.meta td, table.meta th { text-align: left; border: none; padding: 1px 8px 1px 0; background: none; }
.cards { display: flex; flex-wrap: wrap; gap: 8px; margin: 12px 0; }
.card { flex: 1 1 0; min-width: 25mm; border: 1px solid #cbd5e0; border-radius: 4px; padding: 6px 8px; }
.card .k { color: #4a5568; font-size: 8pt; text-transform: uppercase; letter-spacing: .03em; }
.card .v { font-size: 13pt; font-weight: 600; }
svg { width: 100%; height: auto; display: block; margin: 4px 0 8px; }
svg text { font: 9px Helvetica, Arial, sans-serif; fill: #4a5568; }
.legend span { display: inline-block; margin-right: 12px; font-size: 8.5pt; }
.legend i { display: inline-block; width: 9px; height: 9px; margin-right: 4px; vertical-align: -1px; }
.empty { color: #4a5568; font-style: italic; }
footer { margin-top: 18px; color: #718096; font-size: 8pt; }
@media print {
  body { margin: 0; max-width: none; padding: 0; }
  section { break-inside: avoid; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .card, .legend i, svg { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}`;

function svgChart(data: readonly BarDatum[], colours: readonly string[], unit: string, title: string): string {
  const g = barChart(data, CHART);
  const right = g.plot.x + g.plot.w;
  const grid = g.ticks
    .map((t) => `<line x1="${g.plot.x}" x2="${right}" y1="${t.y.toFixed(1)}" y2="${t.y.toFixed(1)}" stroke="#e2e8f0"/><text x="${g.plot.x - 4}" y="${(t.y + 3).toFixed(1)}" text-anchor="end">${tickText(t.value)}</text>`)
    .join('');
  const bars = g.bars
    .map((b) => `<rect x="${b.x.toFixed(1)}" y="${b.y.toFixed(1)}" width="${b.w.toFixed(1)}" height="${b.h.toFixed(1)}" fill="${colours[b.part] ?? colours[0]}"/>`)
    .join('');
  const labels = g.labels.map((l) => `<text x="${l.x.toFixed(1)}" y="${CHART.height - 6}" text-anchor="middle">${esc(l.text)}</text>`).join('');
  const unitLabel = `<text x="2" y="${CHART.top + 6}">${esc(unit)}</text>`;
  return `<svg viewBox="0 0 ${CHART.width} ${CHART.height}" role="img" aria-label="${esc(title)}">${grid}${unitLabel}${bars}${labels}</svg>`;
}

function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function header(m: ReportModel): string {
  const d = m.device;
  const meta: Array<[string, string]> = [
    ['Device', d.name], ['ID', d.id], ['Model', d.model ?? NONE], ['Serial', d.serial ?? NONE], ['Firmware', d.firmware ?? NONE],
    ['Period', periodText(m)], ['Generated', localTime(m.generatedAt, m.tz)],
  ];
  const rows = meta.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('');
  return `<header><h1>${m.period.type === 'weekly' ? 'Weekly' : 'Monthly'} energy report</h1><p class="sub">${esc(d.name)} · ${esc(m.period.label)}</p><table class="meta">${rows}</table></header>`;
}

export function renderHtml(m: ReportModel): string {
  const cards = cardTexts(m).map(([k, v]) => `<div class="card"><div class="k">${esc(k)}</div><div class="v">${esc(v)}</div></div>`).join('');
  const dayData = m.days.map((d) => ({ label: m.period.type === 'weekly' ? d.date.slice(5) : d.date.slice(8), parts: dayParts(d) }));
  const legend = dayLegend(m).map(([name, i]) => `<span><i style="background:${PART_COLOURS[i]}"></i>${esc(name)}</span>`).join('');
  const outlets = m.outlets.length === 0
    ? '<p class="empty">No metered outlets.</p>'
    : svgChart(m.outlets.map((o) => ({ label: String(o.outlet), parts: [o.kwh] })), [OUTLET_COLOUR], 'kWh', 'Energy per outlet') + table(OUTLET_HEAD, outletRows(m));
  const outages = m.outages.length === 0 ? '<p class="empty">No power outages in this period.</p>' : table(OUTAGE_HEAD, outageRows(m));
  const link = m.publicUrl ? ` · <a href="${esc(m.publicUrl)}">dashboard</a>` : '';
  const title = `Energy report ${m.device.id} ${m.period.label}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}
</style>
</head>
<body>
${header(m)}
<section class="cards" id="summary">${cards}</section>
<section id="daily"><h2>Daily energy</h2><div class="legend">${legend}</div>${svgChart(dayData, PART_COLOURS, 'kWh', 'Daily energy')}${table(DAY_HEAD, dayRows(m))}</section>
<section id="outlets"><h2>Energy per outlet</h2>${outlets}</section>
<section id="outages"><h2>Power outages</h2>${outages}</section>
<footer>Generated by power2mqtt on ${esc(localTime(m.generatedAt, m.tz))}${link}</footer>
</body>
</html>
`;
}
