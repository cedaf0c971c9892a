// Formatting, table texts and both renderers of a report (SPEC §13.7): the HTML is self-contained
// (inline CSS with A4 print rules, inline SVG, no scripts, no external URLs, escaped text) and the
// PDF carries the same content.
import { describe, expect, it } from 'vitest';
import { change, duration, escapeHtml, kwh, localTime, money, percent, watts } from '../../../src/reports/format.js';
import { renderHtml } from '../../../src/reports/html.js';
import { pdfText, renderPdf } from '../../../src/reports/pdf.js';
import { cardTexts, dayLegend, dayRows, outageRows, outletRows } from '../../../src/reports/tables.js';
import { fixtureModel } from '../../support/report-fixture.js';
import { readPdf } from '../../support/pdf-text.js';

describe('formatting', () => {
  it.each([
    [kwh(12.5), '12.50 kWh'], [kwh(0.0421), '0.042 kWh'], [kwh(null), '—'], [kwh(Number.NaN), '—'],
    [watts(1199.6), '1200 W'], [watts(null), '—'],
    [percent(32), '32.0 %'], [change(25), '+25.0 %'], [change(-3.44), '-3.4 %'], [change(0), '0.0 %'], [change(null), '—'],
    [money(3.125, 'EUR'), '3.13 EUR'], [money(null, 'EUR'), '—'],
    [duration(45), '45 s'], [duration(720), '12 min'], [duration(3725), '1 h 02 min'], [duration(183_600), '2 d 3 h'], [duration(null), '—'], [duration(-1), '—'],
    [localTime(1_780_300_000, 'UTC'), '2026-06-01 07:46'], [localTime(1_780_300_000, 'Asia/Tokyo'), '2026-06-01 16:46'],
    [escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;'],
  ])('%j = %j', (got, want) => expect(got).toBe(want));

  it.each([
    ['Rack 1 – Büro', 'Rack 1 – Büro'],
    ['Serverraum €5 “x”', 'Serverraum €5 “x”'],
    ['机柜 → A', '?? ? A'],
  ])('PDF text of %j is %j (standard fonts: WinAnsi only)', (s, want) => expect(pdfText(s)).toBe(want));
});

describe('table texts', () => {
  const m = fixtureModel();

  it('cards: total, A, B, peak, cost when priced, change', () => {
    expect(cardTexts(m)).toEqual([
      ['Total', '12.50 kWh'], ['Source A', '8.50 kWh'], ['Source B', '4.00 kWh'], ['Peak', '1200 W'], ['Cost', '3.13 EUR'], ['vs previous week', '+25.0 %'],
    ]);
    expect(cardTexts(fixtureModel({ costs: new Map() })).map(([k]) => k)).not.toContain('Cost');
  });

  it('rows of the daily, outlet and outage tables', () => {
    expect(dayRows(m)[0]).toEqual(['2026-06-01', '10.00 kWh', '6.00 kWh', '4.00 kWh', '900 W', '417 W']);
    expect(dayRows(m)[6]).toEqual(['2026-06-07', '—', '—', '—', '—', '—']);
    expect(outletRows(m)).toEqual([['1 · NAS', '4.00 kWh', '3.00 kWh', '1.00 kWh', '32.0 %'], ['3', '0.500 kWh', '0.000 kWh', '0.000 kWh', '4.0 %']]);
    expect(outageRows(m)).toEqual([['2026-06-01 07:46', '2026-06-01 08:48', '1 h 02 min', 'utility_lost'], ['2026-06-02 11:33', 'ongoing', 'ongoing', 'unknown']]);
  });

  it('the daily legend names the unknown source only when such energy exists', () => {
    expect(dayLegend(m).map(([n]) => n)).toEqual(['Source A', 'Source B']);
    const unknown = fixtureModel({ rows: sourceLessRows() });
    expect(dayLegend(unknown).map(([n]) => n)).toEqual(['Source A', 'Source B', 'Source unknown']);
  });
});

/** One day of PDU energy without a per-source split (e.g. a PDU without ATS data). */
function sourceLessRows() {
  return [{ date: '2026-06-03', device_id: 'pdu-01', source: null, outlet: null, kwh: 1, peak_power_w: 10, avg_power_w: 5, samples: 10 }];
}

describe('HTML report', () => {
  const html = renderHtml(fixtureModel());

  it('is one self-contained document: inline CSS with A4 print rules, inline SVG, no script, no external URL', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('@page { size: A4;');
    expect(html).toContain('@media print');
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).not.toMatch(/https?:\/\/|<script|<link|<img|\ssrc=|url\(|@import/i);
  });

  it('has the header, summary cards, daily and outlet tables and the outages', () => {
    expect(html).toContain('Weekly energy report');
    for (const s of ['PDU44001', 'NA123', '1.2.3', '2026-06-01 – 2026-06-07 (UTC)', '12.50 kWh', '3.13 EUR', '+25.0 %', '1 · NAS', '32.0 %', 'utility_lost', 'ongoing']) {
      expect(html, s).toContain(s);
    }
    expect(html.match(/<div class="card">/g)).toHaveLength(6);
    expect(html).toMatch(/<section id="daily">[\s\S]*<td>2026-06-07<\/td>/);
    expect(html.match(/<rect /g)!.length).toBe(3 + 2); // Mon A+B, Tue A; outlets 1 and 3
  });

  it('escapes device text', () => {
    expect(html).toContain('Rack &lt;A&gt; &amp; &quot;B&quot;');
    expect(html).not.toContain('<A>');
  });

  it('links the dashboard only when web.public_url is set', () => {
    expect(renderHtml(fixtureModel({ publicUrl: 'https://pdu.example.org/' }))).toContain('<a href="https://pdu.example.org/">dashboard</a>');
  });

  it('says so when there are no outlets and no outages', () => {
    const empty = renderHtml(fixtureModel({ rows: sourceLessRows(), outages: [] }));
    expect(empty).toContain('No metered outlets.');
    expect(empty).toContain('No power outages in this period.');
  });
});

describe('PDF report', () => {
  it('is a PDF with the same content (uncompressed for reading)', async () => {
    const pdf = readPdf(await renderPdf(fixtureModel(), { compress: false }));
    expect(pdf.header).toMatch(/^%PDF-1\.\d/);
    expect(pdf.trailer).toBe(true);
    expect(pdf.pages).toBeGreaterThanOrEqual(1);
    expect(pdf.pages).toBeLessThanOrEqual(2);
    const text = pdf.texts.join('\n');
    for (const s of ['Weekly energy report', 'Rack <A> & "B"', 'PDU44001', 'NA123', '12.50 kWh', '3.13 EUR', '+25.0 %', '1 · NAS', 'utility_lost', '2026-06-07']) {
      expect(text, s).toContain(s);
    }
  });

  it('breaks long tables across pages', async () => {
    const outages = Array.from({ length: 120 }, (_, i) => ({ ...fixtureModel().outages[0]!, start: 1_780_300_000 + i * 600 }));
    const model = { ...fixtureModel(), outages };
    const pdf = readPdf(await renderPdf(model, { compress: false }));
    expect(pdf.pages).toBeGreaterThanOrEqual(3);
    // The header row is repeated on every page the table continues on.
    expect(pdf.texts.filter((t) => t === 'Cause').length).toBeGreaterThanOrEqual(2);
    expect(pdf.texts.filter((t) => t === 'utility_lost')).toHaveLength(120);
  });

  it('compresses its streams by default', async () => {
    const bytes = await renderPdf(fixtureModel());
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(bytes.toString('latin1')).toContain('/FlateDecode');
    expect(readPdf(bytes).texts).toEqual([]);
  });
});
