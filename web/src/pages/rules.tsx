import { useState } from 'preact/hooks';
import { api, errorLines, get } from '../lib/api';
import { dateTime } from '../lib/format';
import { useThrottledTicks } from '../lib/hooks';
import { events as liveEvents } from '../lib/live';
import { useStore } from '../lib/store';
import type { EventRow, Rule } from '../lib/types';
import { Badge, Card, Dialog, Empty, ErrorBox, Field, useFetch } from '../components/ui';
import { WatchdogsSection } from './watchdogs';

// Automation (SPEC §12, §18): rules with enable toggles and counters, a form editor that shows the
// server's validation messages as they are, dry-run, and the events log (REST + live /ws events).

const CONDITIONS = [
  'voltage_below', 'voltage_above', 'ats_source_is', 'ats_preferred_lost', 'redundancy_lost', 'time_after', 'time_before', 'time_between',
  'outage_active', 'outage_start', 'outage_end', 'bank_load_is', 'bank_current_above', 'bank_power_above', 'outlet_power_above', 'outlet_power_below', 'device_health_is',
];
const ACTIONS = ['off', 'on', 'reboot', 'delayoff', 'delayon'];
const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

interface Form {
  name: string; device: string; condition: string; conditionJson: string; composite: boolean; input: string; threshold: string; outlet: string; action: string;
  restore: boolean; delay: string; restore_delay: string; cooldown_s: string; hysteresis: string; stagger_s: string; notify: string; days: number[]; oneshot: boolean; enabled: boolean;
}

const blank: Form = {
  name: '', device: '', condition: 'voltage_below', conditionJson: '', composite: false, input: '1', threshold: '108', outlet: '', action: 'off',
  restore: true, delay: '5', restore_delay: '0', cooldown_s: '0', hysteresis: '', stagger_s: '0', notify: '', days: [], oneshot: false, enabled: true,
};

function toForm(r: Rule): Form {
  const composite = typeof r.condition !== 'string';
  return {
    name: r.name, device: r.device ?? '', condition: composite ? 'voltage_below' : String(r.condition), conditionJson: composite ? JSON.stringify(r.condition, null, 2) : '', composite,
    input: String(r.input ?? 0), threshold: Array.isArray(r.threshold) ? r.threshold.join(', ') : r.threshold === null || r.threshold === undefined ? '' : String(r.threshold),
    outlet: Array.isArray(r.outlet) ? r.outlet.join(',') : String(r.outlet ?? ''), action: r.action, restore: r.restore, delay: String(r.delay), restore_delay: String(r.restore_delay),
    cooldown_s: String(r.cooldown_s), hysteresis: r.hysteresis === null ? '' : String(r.hysteresis), stagger_s: String(r.stagger_s), notify: r.notify ?? '',
    days: r.days_of_week ?? [], oneshot: r.schedule_type === 'oneshot', enabled: r.enabled,
  };
}

/** Threshold text → number, list (comma-separated) or string, as the condition takes it. */
export function parseThreshold(text: string): unknown {
  const t = text.trim();
  if (t === '') return undefined;
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  if (t.includes(',') && !/^\d{1,2}:\d{2}/.test(t)) return t.split(',').map((x) => x.trim()).filter((x) => x !== '');
  return t;
}

function toBody(f: Form): Record<string, unknown> {
  const n = (s: string) => (s.trim() === '' ? undefined : Number(s));
  let condition: unknown = f.condition;
  if (f.composite) {
    try {
      condition = JSON.parse(f.conditionJson);
    } catch {
      condition = f.conditionJson; // the server names the field
    }
  }
  const body: Record<string, unknown> = {
    name: f.name.trim(), condition, input: n(f.input), threshold: parseThreshold(f.threshold), outlet: f.outlet.trim(), action: f.action,
    restore: f.restore, delay: n(f.delay), restore_delay: n(f.restore_delay), cooldown_s: n(f.cooldown_s), hysteresis: n(f.hysteresis), stagger_s: n(f.stagger_s),
    notify: f.notify.trim() === '' ? null : f.notify.trim(), days_of_week: f.days.length === 0 ? null : f.days, schedule_type: f.oneshot ? 'oneshot' : 'continuous', enabled: f.enabled,
  };
  if (f.device.trim() !== '') body.device = f.device.trim();
  for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
  return body;
}

export function RulesPage() {
  const live = useThrottledTicks(1000, 'rules');
  const rules = useFetch(() => get<Rule[]>('/api/rules'), [live]);
  const [editing, setEditing] = useState<{ form: Form; original: string | null } | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const toggle = async (r: Rule) => {
    try {
      await api('PUT', `/api/rules/${encodeURIComponent(r.name)}/toggle`, { enabled: !r.enabled });
      rules.reload();
    } catch (e) {
      setNote(errorLines(e).join('; '));
    }
  };
  const remove = async () => {
    if (deleting === null) return;
    try {
      await api('DELETE', `/api/rules/${encodeURIComponent(deleting)}`);
    } catch (e) {
      setNote(errorLines(e).join('; '));
    }
    setDeleting(null);
    rules.reload();
  };
  const list = rules.data ?? [];
  return (
    <div class="stack">
      <Card title="Rules" actions={<button class="btn small primary" type="button" onClick={() => setEditing({ form: { ...blank }, original: null })}>New rule</button>}>
        {note && <p class="note" role="status">{note}</p>}
        <ErrorBox error={rules.error} />
        {list.length === 0 ? <Empty>No rules yet.</Empty> : (
          <div class="table-wrap">
            <table data-testid="rules-table">
              <thead>
                <tr><th scope="col">Enabled</th><th scope="col">Name</th><th scope="col" class="hide-sm">Condition</th><th scope="col">Action</th><th scope="col">State</th><th scope="col" class="num hide-sm">Fired</th><th scope="col" class="hide-sm">Last</th><th scope="col"><span class="sr-only">Actions</span></th></tr>
              </thead>
              <tbody>
                {list.map((r) => (
                  <tr key={r.name} data-rule={r.name}>
                    <td>
                      <label class="switch">
                        <input type="checkbox" role="switch" checked={r.enabled} onChange={() => void toggle(r)} aria-label={`Enable rule ${r.name}`} />
                        <span aria-hidden="true" />
                      </label>
                    </td>
                    <td><strong>{r.name}</strong>{r.state?.last_error && <div class="tone-text-bad small">{r.state.last_error}</div>}{r.state?.inactive && <div class="tone-text-warn small">{r.state.inactive}</div>}</td>
                    <td class="hide-sm small mono">{typeof r.condition === 'string' ? `${r.condition}${r.threshold !== null && r.threshold !== undefined && r.threshold !== 0 ? ` ${JSON.stringify(r.threshold)}` : ''}${r.input ? ` (input ${r.input})` : ''}` : JSON.stringify(r.condition)}</td>
                    <td class="small">{r.action} {Array.isArray(r.outlet) ? r.outlet.join(',') : String(r.outlet)}</td>
                    <td><Badge tone={r.state?.phase === 'fired' ? 'warn' : r.state?.phase === 'pending' || r.state?.phase === 'restoring' ? 'info' : 'muted'}>{r.state?.phase ?? '—'}</Badge></td>
                    <td class="num hide-sm">{r.state?.execution_count ?? 0}</td>
                    <td class="hide-sm small">{r.state?.last_execution ? dateTime(r.state.last_execution) : '—'}</td>
                    <td>
                      <div class="btn-group stack-sm">
                        <button class="btn small" type="button" onClick={() => setEditing({ form: toForm(r), original: r.name })} aria-label={`Edit rule ${r.name}`}>Edit</button>
                        <button class="btn small danger" type="button" onClick={() => setDeleting(r.name)} aria-label={`Delete rule ${r.name}`}>Delete</button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      {editing && <RuleEditor initial={editing.form} original={editing.original} onClose={() => setEditing(null)} onSaved={(name) => { setEditing(null); setNote(`Saved ${name}`); rules.reload(); }} />}
      <Dialog open={deleting !== null} title={`Delete rule ${deleting ?? ''}?`} onClose={() => setDeleting(null)}>
        <p>Deleting a rule never switches an outlet.</p>
        <div class="dialog-actions">
          <button class="btn" type="button" onClick={() => setDeleting(null)}>Cancel</button>
          <button class="btn danger" type="button" onClick={() => void remove()}>Delete</button>
        </div>
      </Dialog>
      <WatchdogsSection />
      <EventsLog />
    </div>
  );
}

function RuleEditor(props: { initial: Form; original: string | null; onClose: () => void; onSaved: (name: string) => void }) {
  const [f, setF] = useState<Form>(props.initial);
  const [error, setError] = useState<unknown>(null);
  const [dry, setDry] = useState<string | null>(null);
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setF((x) => ({ ...x, [k]: v }));
  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const body = toBody(f);
      if (props.original === null) await api('POST', '/api/rules', body);
      else await api('PUT', `/api/rules/${encodeURIComponent(props.original)}`, body);
      props.onSaved(f.name);
    } catch (err) {
      setError(err);
    }
  };
  const dryRun = async () => {
    setError(null);
    try {
      const r = await api<{ would_fire: boolean; phase: string; reasons: string[] }>('POST', '/api/rules/dry-run', toBody(f));
      setDry(`${r.would_fire ? 'Would fire' : 'Would not fire'} (${r.phase}): ${r.reasons.join('; ')}`);
    } catch (err) {
      setError(err);
    }
  };
  const text = (k: keyof Form, label: string, hint?: string, type = 'text') => (
    <Field label={label} hint={hint}>
      <input name={k} type={type} value={f[k] as string} onInput={(e) => set(k, e.currentTarget.value as never)} />
    </Field>
  );
  return (
    <Card title={props.original === null ? 'New rule' : `Edit ${props.original}`} id="rule-editor">
      <form class="form grid" onSubmit={save} aria-label="Rule editor">
        {text('name', 'Name')}
        {text('device', 'Device', 'empty = the only PDU')}
        <Field label="Condition">
          <select name="condition" value={f.composite ? '(composite)' : f.condition} onChange={(e) => {
            const v = e.currentTarget.value;
            if (v === '(composite)') setF((x) => ({ ...x, composite: true, conditionJson: x.conditionJson || JSON.stringify({ all: [{ condition: x.condition, input: Number(x.input), threshold: parseThreshold(x.threshold) }] }, null, 2) }));
            else setF((x) => ({ ...x, composite: false, condition: v }));
          }}>
            {CONDITIONS.map((c) => <option key={c} value={c}>{c}</option>)}
            <option value="(composite)">all / any (JSON)</option>
          </select>
        </Field>
        {f.composite ? (
          <Field label="Composite condition (JSON)">
            <textarea name="conditionJson" rows={6} class="mono" value={f.conditionJson} onInput={(e) => set('conditionJson', e.currentTarget.value)} />
          </Field>
        ) : (
          <>
            {text('input', 'Input', 'source 1/2, bank or outlet number; 0 = input/any', 'number')}
            {text('threshold', 'Threshold', 'volts, amps, watts, "A", "22:00-06:00", or a list a,b')}
          </>
        )}
        {text('outlet', 'Outlets', 'e.g. 1,3,5-8 or all')}
        <Field label="Action">
          <select name="action" value={f.action} onChange={(e) => set('action', e.currentTarget.value)}>
            {ACTIONS.map((a) => <option key={a} value={a}>{a}</option>)}
          </select>
        </Field>
        {text('delay', 'Delay (s)', undefined, 'number')}
        {text('restore_delay', 'Restore delay (s)', undefined, 'number')}
        {text('cooldown_s', 'Cooldown (s)', undefined, 'number')}
        {text('hysteresis', 'Hysteresis', 'empty = default', 'number')}
        {text('stagger_s', 'Stagger (s)', undefined, 'number')}
        {text('notify', 'Notify', 'webhook name or "mqtt"')}
        <fieldset class="days">
          <legend>Days (none = every day)</legend>
          {DAYS.map((d, i) => (
            <label key={d} class="check">
              <input type="checkbox" checked={f.days.includes(i)} onChange={(e) => set('days', e.currentTarget.checked ? [...f.days, i].sort() : f.days.filter((x) => x !== i))} />
              {d}
            </label>
          ))}
        </fieldset>
        <div class="checks">
          <label class="check"><input type="checkbox" checked={f.restore} onChange={(e) => set('restore', e.currentTarget.checked)} /> Restore when clear</label>
          <label class="check"><input type="checkbox" checked={f.oneshot} onChange={(e) => set('oneshot', e.currentTarget.checked)} /> One shot</label>
          <label class="check"><input type="checkbox" checked={f.enabled} onChange={(e) => set('enabled', e.currentTarget.checked)} /> Enabled</label>
        </div>
        <div class="wide">
          <ErrorBox error={error} />
          {dry && <p class="note" role="status">{dry}</p>}
          <div class="dialog-actions">
            <button class="btn" type="button" onClick={props.onClose}>Cancel</button>
            <button class="btn" type="button" onClick={() => void dryRun()}>Dry run</button>
            <button class="btn primary" type="submit">Save rule</button>
          </div>
        </div>
      </form>
    </Card>
  );
}

function EventsLog() {
  const stored = useFetch(() => get<EventRow[]>('/api/events?limit=100'), []);
  const live = useStore(liveEvents);
  const seen = new Set<string>();
  const rows = [...live, ...(stored.data ?? [])].filter((e) => {
    const k = `${e.ts}|${e.type}|${e.details}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  }).slice(0, 100);
  return (
    <Card title="Events">
      <ErrorBox error={stored.error} />
      {rows.length === 0 ? <Empty>No events yet.</Empty> : (
        <div class="table-wrap events">
          <table>
            <thead><tr><th scope="col">Time</th><th scope="col">Source</th><th scope="col">Type</th><th scope="col">Details</th></tr></thead>
            <tbody>
              {rows.map((e, i) => (
                <tr key={`${e.ts}-${i}`}>
                  <td class="small nowrap e-time">{dateTime(e.ts)}</td>
                  <td class="small e-src">{e.rule ?? e.source ?? (e.system ? 'system' : '')}</td>
                  <td class="e-type"><Badge tone={/fail|lost|error|gave_up/.test(e.type) ? 'bad' : e.type === 'triggered' ? 'warn' : 'muted'}>{e.type}</Badge></td>
                  <td class="small e-det">{e.details}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
