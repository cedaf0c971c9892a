import { useState } from 'preact/hooks';
import { api, errorLines, get, qs } from '../lib/api';
import { dateTime, duration, num } from '../lib/format';
import { useThrottledTicks } from '../lib/hooks';
import type { Outage, PowerStatus, Statistics, Switch } from '../lib/types';
import { Badge, Card, Dialog, Empty, ErrorBox, Field, useFetch } from '../components/ui';

// Power & outages (SPEC §11, §14.4, §18): mains verdict, switch probes with latency and uptime,
// an outage timeline over 24 h / 7 d / 30 d, the outage table, and switch add/test/remove.

const WINDOWS = [['24 h', 24], ['7 d', 168], ['30 d', 720]] as const;
const VERDICT: Record<string, { tone: 'ok' | 'warn' | 'bad'; text: string }> = {
  normal: { tone: 'ok', text: 'Mains power normal' },
  outage: { tone: 'bad', text: 'Power outage' },
  network_fault: { tone: 'warn', text: 'Network fault (switches unreachable, PDU powered)' },
  device_down: { tone: 'warn', text: 'A device is down (no site outage)' },
};

export function PowerPage() {
  const live = useThrottledTicks(1000, 'probe_cycle', 'outage');
  const [hours, setHours] = useState<number>(24);
  const status = useFetch(() => get<PowerStatus>('/api/status'), [live]);
  const switches = useFetch(() => get<Switch[]>('/api/switches'), [live]);
  const stats = useFetch(() => get<Statistics>(`/api/statistics${qs({ hours })}`), [live, hours]);
  const outages = useFetch(() => get<Outage[]>(`/api/outages${qs({ hours, kind: 'all' })}`), [live, hours]);
  const v = VERDICT[status.data?.power_status ?? ''] ?? { tone: 'warn' as const, text: status.data?.power_status ?? '…' };
  const cur = status.data?.current_outage;
  return (
    <div class="stack">
      <section class={`mains tone-${v.tone}`} role="status" aria-live="polite" data-testid="mains" data-verdict={status.data?.power_status ?? ''}>
        <div class="mains-title">{v.text}</div>
        <div class="mains-detail">
          {status.data && `${status.data.switches_online} of ${status.data.switches_total} switches answering`}
          {cur && ` · outage since ${dateTime(cur.started_at)} (${cur.cause ?? 'unknown cause'})`}
        </div>
      </section>
      <ErrorBox error={status.error} />

      <Card title="Outage timeline" actions={
        <div class="seg" role="group" aria-label="Window">
          {WINDOWS.map(([label, h]) => <button key={h} type="button" class="btn small" aria-pressed={hours === h} onClick={() => setHours(h)}>{label}</button>)}
        </div>
      }>
        <Timeline outages={outages.data ?? []} hours={hours} />
        <div class="muted small">
          {stats.data && `Uptime ${num(stats.data.uptime_percentage, 2, '%')} · ${stats.data.total_outages} outage(s), ${duration(stats.data.total_outage_seconds)} in total, longest ${duration(stats.data.longest_outage_seconds)}`}
        </div>
      </Card>

      <Card title="Outages">
        <OutageTable outages={outages.data ?? []} />
      </Card>

      <SwitchList switches={switches.data ?? []} stats={stats.data} reload={switches.reload} />
    </div>
  );
}

function Timeline(props: { outages: Outage[]; hours: number }) {
  const end = Date.now();
  const start = end - props.hours * 3600_000;
  const span = end - start;
  const ticks = props.hours <= 24 ? 6 : props.hours <= 168 ? 7 : 6;
  return (
    <div class="timeline" role="img" aria-label={`${props.outages.length} outage(s) in the last ${props.hours} hours`}>
      <div class="timeline-track">
        {props.outages.map((o) => {
          const s = Math.max(start, new Date(o.started_at).getTime());
          const e = Math.min(end, o.ended_at ? new Date(o.ended_at).getTime() : end);
          const width = Math.max(0.5, ((e - s) / span) * 100);
          const left = Math.min(100 - width, ((s - start) / span) * 100);
          return (
            <div key={o.id} class={`timeline-bar kind-${o.kind} ${o.is_ongoing ? 'ongoing' : ''}`} style={{ left: `${left}%`, width: `${width}%` }}
              title={`${o.kind} ${o.cause ?? ''}: ${dateTime(o.started_at)} – ${o.ended_at ? dateTime(o.ended_at) : 'ongoing'} (${duration(o.duration_seconds)})`} />
          );
        })}
      </div>
      <div class="timeline-axis" aria-hidden="true">
        {Array.from({ length: ticks + 1 }, (_, i) => {
          const t = new Date(start + (span * i) / ticks);
          const label = props.hours <= 24 ? `${String(t.getHours()).padStart(2, '0')}:00` : `${t.getMonth() + 1}/${t.getDate()}`;
          return <span key={i}>{label}</span>;
        })}
      </div>
    </div>
  );
}

function evidenceText(e: unknown): string {
  if (e === null || e === undefined) return '—';
  if (typeof e === 'string') return e;
  if (Array.isArray(e)) return e.map(evidenceText).join('; ');
  if (typeof e === 'object') {
    return Object.entries(e as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
      .join(', ');
  }
  return String(e);
}

function OutageTable(props: { outages: Outage[] }) {
  if (props.outages.length === 0) return <Empty>No outages in this window.</Empty>;
  return (
    <div class="table-wrap">
      <table data-testid="outage-table">
        <thead>
          <tr><th scope="col">Started</th><th scope="col">Ended</th><th scope="col" class="num">Duration</th><th scope="col" class="hide-sm">Kind</th><th scope="col">Cause</th><th scope="col">Evidence</th></tr>
        </thead>
        <tbody>
          {props.outages.map((o) => (
            <tr key={o.id}>
              <td>{dateTime(o.started_at)}</td>
              <td>{o.is_ongoing ? <Badge tone="bad">ongoing</Badge> : dateTime(o.ended_at)}</td>
              <td class="num">{duration(o.duration_seconds ?? (o.is_ongoing ? (Date.now() - new Date(o.started_at).getTime()) / 1000 : null))}</td>
              <td class="hide-sm">{o.kind}</td>
              <td>{o.cause ?? '—'}{o.confidence !== null && o.confidence !== undefined ? <span class="muted small"> ({String(o.confidence)})</span> : null}</td>
              <td class="evidence">{evidenceText(o.evidence)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function SwitchList(props: { switches: Switch[]; stats: Statistics | null; reload: () => void }) {
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<Switch | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const uptime = new Map((props.stats?.switches ?? []).map((s) => [s.id, s]));
  const test = async (s: Switch) => {
    try {
      const r = await api<{ result: string; response_time: number | null; error_message: string | null }>('POST', `/api/switches/${s.id}/check`);
      setNote(`${s.name}: ${r.result}${r.response_time !== null ? ` in ${r.response_time} ms` : ''}${r.error_message ? ` (${r.error_message})` : ''}`);
      props.reload();
    } catch (e) {
      setNote(`${s.name}: ${errorLines(e).join('; ')}`);
    }
  };
  const remove = async () => {
    if (!removing) return;
    try {
      await api('DELETE', `/api/switches/${removing.id}`);
      setNote(`${removing.name} removed`);
    } catch (e) {
      setNote(`${removing.name}: ${errorLines(e).join('; ')}`);
    }
    setRemoving(null);
    props.reload();
  };
  return (
    <Card title="Switches" actions={<button class="btn small primary" type="button" onClick={() => setAdding(true)}>Add switch</button>}>
      {note && <p class="note" role="status">{note}</p>}
      {props.switches.length === 0 ? <Empty>No switch targets. Add a smart plug, router or hub that runs on mains power.</Empty> : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr><th scope="col">Name</th><th scope="col">State</th><th scope="col" class="num">Latency</th><th scope="col" class="num">Uptime</th><th scope="col" class="hide-sm">Address</th><th scope="col" class="hide-sm">Role</th><th scope="col"><span class="sr-only">Actions</span></th></tr>
            </thead>
            <tbody>
              {props.switches.map((s) => {
                const r = s.last_check?.result ?? 'unknown';
                return (
                  <tr key={s.id} data-switch={s.name}>
                    <td>{s.name}{!s.is_active && <span class="muted small"> (inactive)</span>}{s.stale && <span class="muted small"> (stale)</span>}</td>
                    <td><Badge tone={r === 'up' ? 'ok' : r === 'down' ? 'bad' : 'muted'}>{r}</Badge></td>
                    <td class="num">{s.last_check?.response_time !== null && s.last_check?.response_time !== undefined ? `${num(s.last_check.response_time, 0)} ms` : '—'}</td>
                    <td class="num">{num(uptime.get(s.id)?.uptime_percentage, 1, '%')}</td>
                    <td class="hide-sm small mono">{s.url}</td>
                    <td class="hide-sm">{s.role}</td>
                    <td>
                      <div class="btn-group">
                        <button class="btn small" type="button" onClick={() => void test(s)} aria-label={`Test ${s.name}`}>Test</button>
                        {s.source !== 'config' && <button class="btn small danger" type="button" onClick={() => setRemoving(s)} aria-label={`Remove ${s.name}`}>Remove</button>}
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <AddSwitch open={adding} onClose={() => setAdding(false)} onAdded={() => { setAdding(false); props.reload(); }} />
      <Dialog open={removing !== null} title={`Remove ${removing?.name ?? ''}?`} onClose={() => setRemoving(null)}>
        <p>Its past checks are kept until retention removes them.</p>
        <div class="dialog-actions">
          <button class="btn" type="button" onClick={() => setRemoving(null)}>Cancel</button>
          <button class="btn danger" type="button" onClick={() => void remove()}>Remove</button>
        </div>
      </Dialog>
    </Card>
  );
}

function AddSwitch(props: { open: boolean; onClose: () => void; onAdded: () => void }) {
  const [name, setName] = useState('');
  const [address, setAddress] = useState('');
  const [role, setRole] = useState('sensor');
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const a = address.trim();
    const body: Record<string, unknown> = { name: name.trim(), role, ...(/^https?:\/\//i.test(a) ? { url: a } : { ip_address: a }) };
    try {
      await api('POST', '/api/switches', body);
      setName('');
      setAddress('');
      props.onAdded();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Dialog open={props.open} title="Add a switch" onClose={props.onClose}>
      <form onSubmit={submit} class="form">
        <Field label="Name"><input required value={name} onInput={(e) => setName(e.currentTarget.value)} autoFocus /></Field>
        <Field label="IP address or URL" hint="e.g. 192.168.1.20 or http://plug.lan/"><input required value={address} onInput={(e) => setAddress(e.currentTarget.value)} /></Field>
        <Field label="Role">
          <select value={role} onChange={(e) => setRole(e.currentTarget.value)}>
            <option value="sensor">sensor (on mains power)</option>
            <option value="control">control (network reference)</option>
          </select>
        </Field>
        <ErrorBox error={error} />
        <div class="dialog-actions">
          <button class="btn" type="button" onClick={props.onClose}>Cancel</button>
          <button class="btn primary" type="submit">Add</button>
        </div>
      </form>
    </Dialog>
  );
}
