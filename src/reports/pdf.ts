import PDFDocument from 'pdfkit';
import { barChart, tickText, type BarDatum } from './chart.js';
import { localTime, NONE } from './format.js';
import { dayParts, type ReportModel } from './model.js';
import { cardTexts, periodText, DAY_HEAD, OUTLET_COLOUR, PART_COLOURS, dayLegend, dayRows, OUTAGE_HEAD, outageRows, OUTLET_HEAD, outletRows } from './tables.js';

// The PDF report (SPEC §13.7) with PDFKit: A4, the standard Helvetica fonts (built into every PDF
// reader, nothing embedded), the same content and chart geometry as the HTML report. Tables break
// across pages and repeat their header. Text is limited to the standard fonts' WinAnsi set.

type Doc = PDFKit.PDFDocument;

const MARGIN = 40;
const A4 = { w: 595.28, h: 841.89 };
const WIDTH = A4.w - 2 * MARGIN;
const BOTTOM = A4.h - MARGIN;
const ROW_H = 14;
const GREY = '#4a5568';

/** Characters outside what the standard fonts encode (WinAnsi) become "?". */
export function pdfText(s: string): string {
  return s.replace(/[^\u0020-\u007e\u00a0-\u00ff\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u20ac]/g, '?');
}

function ensure(doc: Doc, height: number): void {
  if (doc.y + height > BOTTOM) doc.addPage();
}

function heading(doc: Doc, text: string): void {
  ensure(doc, 60);
  doc.moveDown(0.6).font('Helvetica-Bold').fontSize(12).fillColor('#1a202c').text(pdfText(text), MARGIN, doc.y);
  const y = doc.y + 1;
  doc.moveTo(MARGIN, y).lineTo(MARGIN + WIDTH, y).lineWidth(0.5).strokeColor('#cbd5e0').stroke();
  doc.y = y + 5;
}

function cell(doc: Doc, text: string, x: number, y: number, w: number, right: boolean): void {
  doc.text(pdfText(text), x + 3, y + 3, { width: w - 6, align: right ? 'right' : 'left', lineBreak: false, height: ROW_H });
}

/** First column left-aligned and wide, the rest right-aligned; header repeated after a page break. */
function table(doc: Doc, head: readonly string[], rows: ReadonlyArray<readonly string[]>, firstShare = 0.28): void {
  const first = WIDTH * firstShare;
  const rest = (WIDTH - first) / Math.max(1, head.length - 1);
  const widths = head.map((_, i) => (i === 0 ? first : rest));
  const line = (cells: readonly string[], bold: boolean): void => {
    const y = doc.y;
    if (bold) doc.rect(MARGIN, y, WIDTH, ROW_H).fill('#f7fafc');
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8.5).fillColor('#1a202c');
    let x = MARGIN;
    cells.forEach((c, i) => {
      cell(doc, c, x, y, widths[i] ?? rest, i > 0);
      x += widths[i] ?? rest;
    });
    doc.moveTo(MARGIN, y + ROW_H).lineTo(MARGIN + WIDTH, y + ROW_H).lineWidth(0.4).strokeColor('#e2e8f0').stroke();
    doc.y = y + ROW_H;
  };
  ensure(doc, ROW_H * 3);
  line(head, true);
  for (const r of rows) {
    if (doc.y + ROW_H > BOTTOM) {
      doc.addPage();
      line(head, true);
    }
    line(r, false);
  }
  doc.x = MARGIN;
}

function chart(doc: Doc, data: readonly BarDatum[], colours: readonly string[], unit: string): void {
  const box = { width: WIDTH, height: 130, left: 36, bottom: 16, top: 8 };
  ensure(doc, box.height + 6);
  const x0 = MARGIN;
  const y0 = doc.y;
  const g = barChart(data, box);
  doc.font('Helvetica').fontSize(7).fillColor(GREY);
  doc.text(unit, x0, y0, { lineBreak: false });
  for (const t of g.ticks) {
    doc.moveTo(x0 + g.plot.x, y0 + t.y).lineTo(x0 + g.plot.x + g.plot.w, y0 + t.y).lineWidth(0.4).strokeColor('#e2e8f0').stroke();
    doc.fillColor(GREY).text(tickText(t.value), x0, y0 + t.y - 3, { width: g.plot.x - 4, align: 'right', lineBreak: false });
  }
  for (const b of g.bars) doc.rect(x0 + b.x, y0 + b.y, b.w, b.h).fill(colours[b.part] ?? colours[0] ?? '#000');
  doc.fillColor(GREY);
  for (const l of g.labels) doc.text(pdfText(l.text), x0 + l.x - 15, y0 + box.height - box.bottom + 4, { width: 30, align: 'center', lineBreak: false });
  doc.x = MARGIN;
  doc.y = y0 + box.height + 6;
}

function legend(doc: Doc, items: ReadonlyArray<[string, string]>): void {
  let x = MARGIN;
  const y = doc.y;
  doc.font('Helvetica').fontSize(8);
  for (const [name, colour] of items) {
    doc.rect(x, y + 1, 7, 7).fill(colour);
    doc.fillColor(GREY).text(pdfText(name), x + 10, y, { lineBreak: false });
    x += 14 + doc.widthOfString(name) + 12;
  }
  doc.x = MARGIN;
  doc.y = y + 12;
}

function header(doc: Doc, m: ReportModel): void {
  const d = m.device;
  doc.font('Helvetica-Bold').fontSize(18).fillColor('#1a202c').text(`${m.period.type === 'weekly' ? 'Weekly' : 'Monthly'} energy report`, MARGIN, MARGIN);
  doc.font('Helvetica').fontSize(10).fillColor(GREY).text(pdfText(`${d.name} · ${m.period.label}`)).moveDown(0.5);
  const meta: Array<[string, string]> = [
    ['Device', d.name], ['ID', d.id], ['Model', d.model ?? NONE], ['Serial', d.serial ?? NONE], ['Firmware', d.firmware ?? NONE],
    ['Period', periodText(m)], ['Generated', localTime(m.generatedAt, m.tz)],
  ];
  doc.fontSize(9);
  for (const [k, v] of meta) {
    const y = doc.y;
    doc.font('Helvetica-Bold').fillColor('#1a202c').text(k, MARGIN, y, { width: 70, lineBreak: false });
    doc.font('Helvetica').text(pdfText(v), MARGIN + 70, y, { width: WIDTH - 70, lineBreak: false });
    doc.y = y + 12;
  }
}

function cards(doc: Doc, m: ReportModel): void {
  const items = cardTexts(m);
  const gap = 6;
  const w = (WIDTH - gap * (items.length - 1)) / items.length;
  const y = doc.y + 10;
  items.forEach(([k, v], i) => {
    const x = MARGIN + i * (w + gap);
    doc.roundedRect(x, y, w, 38, 3).lineWidth(0.6).strokeColor('#cbd5e0').stroke();
    doc.font('Helvetica').fontSize(6.5).fillColor(GREY).text(pdfText(k.toUpperCase()), x + 5, y + 5, { width: w - 10, lineBreak: false });
    doc.font('Helvetica-Bold').fontSize(10.5).fillColor('#1a202c').text(pdfText(v), x + 5, y + 18, { width: w - 10, lineBreak: false });
  });
  doc.x = MARGIN;
  doc.y = y + 44;
}

function body(doc: Doc, m: ReportModel): void {
  header(doc, m);
  cards(doc, m);
  heading(doc, 'Daily energy');
  legend(doc, dayLegend(m).map(([name, i]) => [name, PART_COLOURS[i] ?? '#000']));
  chart(doc, m.days.map((d) => ({ label: m.period.type === 'weekly' ? d.date.slice(5) : d.date.slice(8), parts: dayParts(d) })), PART_COLOURS, 'kWh');
  table(doc, DAY_HEAD, dayRows(m), 0.2);
  heading(doc, 'Energy per outlet');
  if (m.outlets.length === 0) doc.font('Helvetica-Oblique').fontSize(9).fillColor(GREY).text('No metered outlets.', MARGIN, doc.y);
  else {
    chart(doc, m.outlets.map((o) => ({ label: String(o.outlet), parts: [o.kwh] })), [OUTLET_COLOUR], 'kWh');
    table(doc, OUTLET_HEAD, outletRows(m));
  }
  heading(doc, 'Power outages');
  if (m.outages.length === 0) doc.font('Helvetica-Oblique').fontSize(9).fillColor(GREY).text('No power outages in this period.', MARGIN, doc.y);
  else table(doc, OUTAGE_HEAD, outageRows(m), 0.25);
  ensure(doc, 24);
  doc.moveDown(1).font('Helvetica').fontSize(7.5).fillColor('#718096').text(pdfText(`Generated by power2mqtt on ${localTime(m.generatedAt, m.tz)}`), MARGIN, doc.y);
  if (m.publicUrl) doc.text(pdfText(m.publicUrl), { link: m.publicUrl, underline: true });
}

/** The report as PDF bytes; `compress: false` leaves the page streams readable (tests). */
export function renderPdf(m: ReportModel, opts: { compress?: boolean } = {}): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4', margin: MARGIN, compress: opts.compress ?? true, autoFirstPage: true,
    info: {
      Title: pdfText(`Energy report ${m.device.id} ${m.period.label}`), Author: 'power2mqtt', Creator: 'power2mqtt',
      Subject: pdfText(`${m.period.type} energy report of ${m.device.name}`), CreationDate: new Date(m.generatedAt * 1000),
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  try {
    body(doc, m);
  } finally {
    doc.end();
  }
  return done;
}
