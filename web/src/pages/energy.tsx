import { useState } from 'preact/hooks';
import { api, errorLines, get, qs } from '../lib/api';
import { dateTime, num } from '../lib/format';
import type { PduInfo } from '../lib/types';
import { Card, Empty, ErrorBox, useFetch } from '../components/ui';

// Energy (SPEC §13.5, §13.7, §18): summary cards with cost, daily and monthly tables with a bar
// chart, and the reports list with generate/open.

interface Bucket { total_kwh: number; source_a_kwh: number; source_b_kwh: number; cost: number | null }
interface Summary { today: Bucket; this_week: Bucket; this_month: Bucket; all_time: Bucket; currency: string }
interface EnergyRow { date?: string; month?: string; device_id: string; source: number | null; outlet: number | null; kwh: number; peak_power_w: number | null; avg_power_w: number | null }
interface Report { filename: string; device_id: string; report_type: string; period: string; format: string; size_bytes: number; created: string | number }

/** Whole-PDU rows per period with the A/B split (pure). */
export function periodTable(rows: EnergyRow[]): Array<{ period: string; total: number; a: number; b: number; peak: number | null; avg: number | null }> {
  const by = new Map<string, { period: string; total: number; a: number; b: number; peak: number | null; avg: number | null }>();
  for (const r of rows) {
    if (r.outlet !== null) continue;
    const period = r.date ?? r.month ?? '';
    const e = by.get(period) ?? { period, total: 0, a: 0, b: 0, peak: null, avg: null };
    if (r.source === null) {
      e.total = r.kwh;
      e.peak = r.peak_power_w;
      e.avg = r.avg_power_w;
    } else if (r.source === 1) e.a = r.kwh;
    else if (r.source === 2) e.b = r.kwh;
    by.set(period, e);
  }
  return [...by.values()].sort((x, y) => (x.period < y.period ? 1 : -1));
}

/** kWh with 3 decimals below 10 (a fresh install counts watt-hours), else 1. */
const kwh = (v: number | undefined) => num(v, v !== undefined && Math.abs(v) >= 10 ? 1 : 3);

export function EnergyPage() {
  const pdus = useFetch(() => get<{ pdus: PduInfo[] }>('/api/pdus'), []);
  const [device, setDevice] = useState('');
  const deviceId = device || pdus.data?.pdus[0]?.device_id || '';
  const q = qs({ device_id: deviceId });
  const summary = useFetch(() => (deviceId ? get<Summary>(`/api/energy/summary${q}`) : Promise.resolve(null)), [q]);
  const daily = useFetch(() => (deviceId ? get<EnergyRow[]>(`/api/energy/daily${q}`) : Promise.resolve([])), [q]);
  const monthly = useFetch(() => (deviceId ? get<EnergyRow[]>(`/api/energy/monthly${q}`) : Promise.resolve([])), [q]);
  const s = summary.data;
  const card = (label: string, b: Bucket | undefined) => (
    <div class="card tile" key={label}>
      <h2>{label}</h2>
      <div class="big"><span>{kwh(b?.total_kwh)}</span><small>kWh</small></div>
      <div class="muted small">A {kwh(b?.source_a_kwh)} · B {kwh(b?.source_b_kwh)}</div>
      <div class="muted small">{b?.cost === null || b?.cost === undefined ? 'no tariff set' : `${num(b.cost, 2)} ${s?.currency ?? ''}`}</div>
    </div>
  );
  return (
    <div class="stack">
      {(pdus.data?.pdus.length ?? 0) > 1 && (
        <label class="field inline">
          <span class="field-label">Device</span>
          <select value={deviceId} onChange={(e) => setDevice(e.currentTarget.value)}>
            {pdus.data?.pdus.map((p) => <option key={p.device_id} value={p.device_id}>{p.label ?? p.device_id}</option>)}
          </select>
        </label>
      )}
      <ErrorBox error={summary.error} />
      <div class="tiles four">
        {card('Today', s?.today)}
        {card('This week', s?.this_week)}
        {card('This month', s?.this_month)}
        {card('All time', s?.all_time)}
      </div>
      <PeriodCard title="Daily energy" rows={periodTable(daily.data ?? [])} csv={`/api/energy/daily.csv${q}`} error={daily.error} />
      <PeriodCard title="Monthly energy" rows={periodTable(monthly.data ?? [])} csv={`/api/energy/monthly.csv${q}`} error={monthly.error} empty="No monthly rows yet: they are summed from the daily rows." />
      {deviceId && <Reports deviceId={deviceId} />}
    </div>
  );
}

function PeriodCard(props: { title: string; rows: ReturnType<typeof periodTable>; csv: string; error: unknown; empty?: string }) {
  const max = Math.max(0.001, ...props.rows.map((r) => r.total));
  const chrono = [...props.rows].reverse();
  return (
    <Card title={props.title} actions={<a class="btn small" href={props.csv} download>CSV</a>}>
      <ErrorBox error={props.error} />
      {props.rows.length === 0 ? <Empty>{props.empty ?? 'No daily rows yet: each day is summed shortly after midnight (today is in the cards above).'}</Empty> : (
        <>
          <div class="bars" role="img" aria-label={`${props.title} chart`}>
            {chrono.map((r) => (
              <div class="bar-col" key={r.period} title={`${r.period}: ${r.total.toFixed(2)} kWh`}>
                <div class="bar-stack" style={{ height: `${(r.total / max) * 100}%` }}>
                  <div class="bar-a" style={{ flexGrow: r.a || 0 }} />
                  <div class="bar-b" style={{ flexGrow: r.b || 0 }} />
                  {r.a + r.b === 0 && <div class="bar-a" style={{ flexGrow: 1 }} />}
                </div>
              </div>
            ))}
          </div>
          <div class="legend small"><span class="sw bar-a" /> source A <span class="sw bar-b" /> source B</div>
          <div class="table-wrap">
            <table>
              <thead><tr><th scope="col">Period</th><th scope="col" class="num">Total kWh</th><th scope="col" class="num">A</th><th scope="col" class="num">B</th><th scope="col" class="num hide-sm">Peak W</th><th scope="col" class="num hide-sm">Avg W</th></tr></thead>
              <tbody>
                {props.rows.map((r) => (
                  <tr key={r.period}><td>{r.period}</td><td class="num">{num(r.total, 2)}</td><td class="num">{num(r.a, 2)}</td><td class="num">{num(r.b, 2)}</td><td class="num hide-sm">{num(r.peak, 0)}</td><td class="num hide-sm">{num(r.avg, 0)}</td></tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </Card>
  );
}

function Reports(props: { deviceId: string }) {
  const reports = useFetch(() => get<{ reports: Report[] }>(`/api/reports${qs({ device_id: props.deviceId })}`), [props.deviceId]);
  const [type, setType] = useState('weekly');
  const [note, setNote] = useState<string | null>(null);
  const generate = async () => {
    try {
      const r = await api<{ filenames: string[] }>('POST', '/api/reports/generate', { device_id: props.deviceId, type });
      setNote(`Generated ${r.filenames.join(', ')}`);
      reports.reload();
    } catch (e) {
      setNote(errorLines(e).join('; '));
    }
  };
  const list = reports.data?.reports ?? [];
  return (
    <Card title="Reports" actions={
      <div class="btn-group">
        <select aria-label="Report type" value={type} onChange={(e) => setType(e.currentTarget.value)}>
          <option value="weekly">weekly</option>
          <option value="monthly">monthly</option>
        </select>
        <button class="btn small primary" type="button" onClick={() => void generate()}>Generate</button>
      </div>
    }>
      {note && <p class="note" role="status">{note}</p>}
      <ErrorBox error={reports.error} />
      {list.length === 0 ? <Empty>No reports yet: they appear after the first full week or month of data.</Empty> : (
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">Period</th><th scope="col">Type</th><th scope="col">Format</th><th scope="col" class="num">Size</th><th scope="col" class="hide-sm">Created</th></tr></thead>
            <tbody>
              {list.map((r) => (
                <tr key={r.filename}>
                  <td><a href={`/api/reports/download/${encodeURIComponent(r.device_id)}/${encodeURIComponent(r.filename)}`} target="_blank" rel="noopener">{r.period}</a></td>
                  <td>{r.report_type}</td>
                  <td>{r.format.toUpperCase()}</td>
                  <td class="num">{num(r.size_bytes / 1024, 0, 'KB')}</td>
                  <td class="hide-sm">{dateTime(r.created)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
