import { useMemo, useState } from 'preact/hooks';
import { ApiError, get, qs } from '../lib/api';
import { fromLocalInput, toLocalInput } from '../lib/format';
import { alignHistory, pointCount, type HistoryRow } from '../lib/series';
import type { PduInfo } from '../lib/types';
import { TimeChart } from '../components/chart';
import { Card, Empty, ErrorBox, Field, useFetch } from '../components/ui';

// History charts (SPEC §13.4, §18): banks or outlets, one metric, a preset range or a custom
// one; min/max bands; CSV of exactly the shown range.

const RANGES = ['1h', '6h', '24h', '7d', '30d', '60d'] as const;
const METRICS = {
  banks: [['power', 'Power', 'W'], ['current', 'Current', 'A'], ['voltage', 'Voltage', 'V'], ['pf', 'Power factor', '']],
  outlets: [['power', 'Power', 'W'], ['current', 'Current', 'A'], ['energy', 'Energy', 'kWh']],
} as const;
type Kind = keyof typeof METRICS;

async function loadHistory(path: string): Promise<{ rows: HistoryRow[]; bucket: number }> {
  const res = await fetch(path, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  const body = (await res.json().catch(() => null)) as unknown;
  if (!res.ok) {
    const b = body as { error?: string } | null;
    throw new ApiError(res.status, b?.error ?? `${res.status}`, b as never);
  }
  return { rows: body as HistoryRow[], bucket: Number(res.headers.get('x-bucket-seconds') ?? '1') };
}

/** A link can open a given view: /charts?device_id=…&kind=outlets&metric=current&range=7d (or start=&end=, epoch s). */
function fromUrl(): { device: string; kind: Kind; metric: string; range: string; custom: { start: number; end: number } | null } {
  const q = new URLSearchParams(location.search);
  const kind: Kind = q.get('kind') === 'outlets' ? 'outlets' : 'banks';
  const start = Number(q.get('start'));
  const end = Number(q.get('end'));
  return {
    device: q.get('device_id') ?? '', kind, metric: q.get('metric') ?? 'power',
    range: RANGES.includes(q.get('range') as (typeof RANGES)[number]) ? (q.get('range') as string) : '1h',
    custom: start > 0 && end > start ? { start, end } : null,
  };
}

export function ChartsPage() {
  const init = useMemo(fromUrl, []);
  const pdus = useFetch(() => get<{ pdus: PduInfo[] }>('/api/pdus'), []);
  const [device, setDevice] = useState<string>(init.device);
  const [kind, setKind] = useState<Kind>(init.kind);
  const [metric, setMetric] = useState<string>(init.metric);
  const [range, setRange] = useState<string>(init.range);
  const nowS = Math.floor(Date.now() / 1000);
  const [start, setStart] = useState(toLocalInput(init.custom?.start ?? nowS - 86400));
  const [end, setEnd] = useState(toLocalInput(init.custom?.end ?? nowS));
  const [custom, setCustom] = useState<{ start: number; end: number } | null>(init.custom);
  const [renderMs, setRenderMs] = useState<number | null>(null);
  const deviceId = device || pdus.data?.pdus[0]?.device_id || '';
  const params = custom ? { device_id: deviceId, start: custom.start, end: custom.end } : { device_id: deviceId, range };
  const query = qs(params);
  const hist = useFetch(() => (deviceId ? loadHistory(`/api/history/${kind}${query}`) : Promise.resolve({ rows: [], bucket: 1 })), [kind, query]);
  const metricDef = METRICS[kind].find((m) => m[0] === metric) ?? METRICS[kind][0];
  const aligned = useMemo(() => alignHistory(hist.data?.rows ?? [], kind === 'banks' ? 'bank' : 'outlet', metricDef[0], hist.data?.bucket ?? 1), [hist.data, metricDef[0], kind]);
  const points = pointCount(aligned);
  const applyCustom = (e: Event) => {
    e.preventDefault();
    const s = fromLocalInput(start);
    const en = fromLocalInput(end);
    if (s !== null && en !== null) setCustom({ start: s, end: en });
  };

  return (
    <div class="stack">
      <Card title="History">
        <div class="toolbar">
          {(pdus.data?.pdus.length ?? 0) > 1 && (
            <Field label="Device">
              <select value={deviceId} onChange={(e) => setDevice(e.currentTarget.value)}>
                {pdus.data?.pdus.map((p) => <option key={p.device_id} value={p.device_id}>{p.label ?? p.device_id}</option>)}
              </select>
            </Field>
          )}
          <div class="seg" role="group" aria-label="Series">
            {(['banks', 'outlets'] as const).map((k) => (
              <button key={k} type="button" class="btn small" aria-pressed={kind === k} onClick={() => { setKind(k); if (!METRICS[k].some((m) => m[0] === metric)) setMetric('power'); }}>
                {k === 'banks' ? 'Banks' : 'Outlets'}
              </button>
            ))}
          </div>
          <div class="seg" role="group" aria-label="Metric">
            {METRICS[kind].map(([k, label]) => (
              <button key={k} type="button" class="btn small" aria-pressed={metricDef[0] === k} onClick={() => setMetric(k)}>{label}</button>
            ))}
          </div>
          <div class="seg" role="group" aria-label="Range">
            {RANGES.map((r) => (
              <button key={r} type="button" class="btn small" aria-pressed={!custom && range === r} onClick={() => { setCustom(null); setRange(r); }}>{r.toUpperCase()}</button>
            ))}
          </div>
        </div>
        <form class="toolbar custom-range" onSubmit={applyCustom} aria-label="Custom range">
          <Field label="From"><input type="datetime-local" value={start} onInput={(e) => setStart(e.currentTarget.value)} /></Field>
          <Field label="To"><input type="datetime-local" value={end} onInput={(e) => setEnd(e.currentTarget.value)} /></Field>
          <button class="btn small" type="submit" aria-pressed={custom !== null}>Custom range</button>
          <a class="btn small" href={`/api/history/${kind}.csv${query}`} download>Download CSV</a>
        </form>
        <ErrorBox error={hist.error} />
        {hist.data && points === 0 ? (
          <Empty>No samples in this range yet.</Empty>
        ) : (
          <TimeChart data={aligned} unit={metricDef[2]} label={(k) => (kind === 'banks' ? `Bank ${k}` : `Outlet ${k}`)} onRendered={setRenderMs} />
        )}
        <p class="muted small" data-testid="chart-meta" data-points={points} data-render-ms={renderMs === null ? '' : renderMs.toFixed(1)}>
          {points} points · bucket {hist.data?.bucket ?? '—'} s{hist.loading ? ' · loading…' : ''}
        </p>
      </Card>
    </div>
  );
}
