import { useState } from 'preact/hooks';
import { api, ApiError, errorLines, get, qs } from '../lib/api';
import { dateTime } from '../lib/format';
import type { PduInfo } from '../lib/types';
import { Badge, Card, Dialog, Empty, ErrorBox, Field, useFetch } from '../components/ui';

// Settings (SPEC §18): devices (add, discover, test, edit, remove), MQTT status and test, runtime
// settings (incl. Home Assistant discovery), API tokens, password, logs, backup/restore.

export function SettingsPage() {
  return (
    <div class="stack">
      <Devices />
      <Mqtt />
      <BrokerUser />
      <RuntimeSettings />
      <Tokens />
      <Password />
      <Logs />
      <Backup />
    </div>
  );
}

interface DeviceForm { id: string; label: string; host: string; port: string; community: string; write_community: string; snmp_version: string; poll_interval_s: string }
const blankDevice: DeviceForm = { id: '', label: '', host: '', port: '161', community: 'public', write_community: 'private', snmp_version: '2c', poll_interval_s: '1' };

function deviceBody(f: DeviceForm, withId: boolean): Record<string, unknown> {
  const b: Record<string, unknown> = {
    label: f.label.trim() || undefined, host: f.host.trim(), port: Number(f.port) || undefined, community: f.community,
    write_community: f.write_community, snmp_version: f.snmp_version, poll_interval_s: Number(f.poll_interval_s) || undefined,
  };
  if (withId && f.id.trim() !== '') b.id = f.id.trim();
  for (const k of Object.keys(b)) if (b[k] === undefined) delete b[k];
  return b;
}

function Devices() {
  const pdus = useFetch(() => get<{ pdus: PduInfo[] }>('/api/pdus'), []);
  const [edit, setEdit] = useState<{ form: DeviceForm; id: string | null } | null>(null);
  const [discovering, setDiscovering] = useState(false);
  const [removing, setRemoving] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const remove = async () => {
    if (!removing) return;
    try {
      await api('DELETE', `/api/pdus/${encodeURIComponent(removing)}`);
      setNote(`${removing} removed (history kept)`);
    } catch (e) {
      setNote(errorLines(e).join('; '));
    }
    setRemoving(null);
    pdus.reload();
  };
  return (
    <Card title="Devices" actions={
      <div class="btn-group">
        <button class="btn small" type="button" onClick={() => setDiscovering(true)}>Discover</button>
        <button class="btn small primary" type="button" onClick={() => setEdit({ form: { ...blankDevice }, id: null })}>Add device</button>
      </div>
    }>
      {note && <p class="note" role="status">{note}</p>}
      <ErrorBox error={pdus.error} />
      <div class="table-wrap">
        <table>
          <thead><tr><th scope="col">Device</th><th scope="col">Status</th><th scope="col" class="hide-sm">Host</th><th scope="col" class="hide-sm">Model</th><th scope="col">Source</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {(pdus.data?.pdus ?? []).map((p) => (
              <tr key={p.device_id}>
                <td><strong>{p.label ?? p.device_id}</strong><div class="muted small">{p.device_id}</div></td>
                <td><Badge tone={p.status === 'healthy' ? 'ok' : p.status === 'lost' || p.status === 'error' ? 'bad' : 'warn'}>{p.status}</Badge></td>
                <td class="hide-sm mono small">{p.host ?? String(p.config?.host ?? '')}{p.config?.port ? `:${String(p.config.port)}` : ''}</td>
                <td class="hide-sm small">{p.identity?.model ?? '—'} {p.identity?.serial ? `· ${p.identity.serial}` : ''}</td>
                <td class="small">{p.source === 'config' ? 'config file' : 'added here'}</td>
                <td>
                  {p.source === 'runtime' && (
                    <div class="btn-group">
                      <button class="btn small" type="button" onClick={() => setEdit({ id: p.device_id, form: { ...blankDevice, id: p.device_id, label: p.label ?? '', host: String(p.config?.host ?? ''), port: String(p.config?.port ?? 161), community: '', write_community: '', snmp_version: String(p.config?.snmp_version ?? '2c'), poll_interval_s: String(p.config?.poll_interval_s ?? 1) } })}>Edit</button>
                      <button class="btn small danger" type="button" onClick={() => setRemoving(p.device_id)}>Remove</button>
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {edit && <DeviceEditor initial={edit.form} id={edit.id} onClose={() => setEdit(null)} onSaved={() => { setEdit(null); pdus.reload(); }} />}
      <Discover open={discovering} onClose={() => setDiscovering(false)} onPick={(host) => { setDiscovering(false); setEdit({ form: { ...blankDevice, host }, id: null }); }} />
      <Dialog open={removing !== null} title={`Remove ${removing ?? ''}?`} onClose={() => setRemoving(null)}>
        <p>Polling stops and its MQTT/Home Assistant entities are removed. History is kept.</p>
        <div class="dialog-actions">
          <button class="btn" type="button" onClick={() => setRemoving(null)}>Cancel</button>
          <button class="btn danger" type="button" onClick={() => void remove()}>Remove</button>
        </div>
      </Dialog>
    </Card>
  );
}

function DeviceEditor(props: { initial: DeviceForm; id: string | null; onClose: () => void; onSaved: () => void }) {
  const [f, setF] = useState(props.initial);
  const [error, setError] = useState<unknown>(null);
  const [test, setTest] = useState<string | null>(null);
  const input = (k: keyof DeviceForm, label: string, hint?: string, type = 'text') => (
    <Field label={label} hint={hint}>
      <input name={k} type={type} value={f[k]} disabled={k === 'id' && props.id !== null} onInput={(e) => setF({ ...f, [k]: e.currentTarget.value })} />
    </Field>
  );
  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const body = deviceBody(f, props.id === null);
      if (props.id !== null) {
        if (f.community === '') delete body.community;
        if (f.write_community === '') delete body.write_community;
      }
      if (props.id === null) await api('POST', '/api/pdus', body);
      else await api('PUT', `/api/pdus/${encodeURIComponent(props.id)}`, body);
      props.onSaved();
    } catch (err) {
      setError(err);
    }
  };
  const testIt = async () => {
    setTest('Testing…');
    try {
      const r = await api<{ success: boolean; device_name?: string; model?: string; serial?: string; outlet_count?: number; error?: string }>('POST', '/api/pdus/test-connection', {
        host: f.host.trim(), port: Number(f.port) || 161, community: f.community || 'public', snmp_version: f.snmp_version,
      });
      setTest(r.success ? `OK: ${r.device_name ?? ''} ${r.model ?? ''} SN ${r.serial ?? ''}, ${r.outlet_count ?? '?'} outlets` : `Failed: ${r.error ?? 'no answer'}`);
    } catch (err) {
      setTest(errorLines(err).join('; '));
    }
  };
  return (
    <Card title={props.id === null ? 'Add a PDU' : `Edit ${props.id}`}>
      <form class="form grid" onSubmit={save} aria-label="Device editor">
        {input('id', 'Id', 'empty = pdu-01, pdu-02, …')}
        {input('label', 'Label')}
        {input('host', 'Host', 'IP address or name')}
        {input('port', 'SNMP port', undefined, 'number')}
        {input('community', 'Read community', props.id !== null ? 'empty = keep' : undefined)}
        {input('write_community', 'Write community', props.id !== null ? 'empty = keep' : '"" = read-only')}
        <Field label="SNMP version">
          <select value={f.snmp_version} onChange={(e) => setF({ ...f, snmp_version: e.currentTarget.value })}>
            <option value="2c">2c</option>
            <option value="1">1</option>
          </select>
        </Field>
        {input('poll_interval_s', 'Poll interval (s)', undefined, 'number')}
        <div class="wide">
          <ErrorBox error={error} />
          {test && <p class="note" role="status">{test}</p>}
          <div class="dialog-actions">
            <button class="btn" type="button" onClick={props.onClose}>Cancel</button>
            <button class="btn" type="button" onClick={() => void testIt()}>Test connection</button>
            <button class="btn primary" type="submit">Save</button>
          </div>
        </div>
      </form>
    </Card>
  );
}

interface Discovered { host: string; device_name: string; serial: string; model: string; outlet_count: number; already_configured: boolean }

function Discover(props: { open: boolean; onClose: () => void; onPick: (host: string) => void }) {
  const [subnet, setSubnet] = useState('');
  const [community, setCommunity] = useState('public');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ discovered: Discovered[]; interfaces: Array<{ subnet: string }> } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const run = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setResult(await api('POST', '/api/pdus/discover', { ...(subnet.trim() ? { subnets: subnet.split(/[\s,]+/).filter(Boolean) } : {}), community }));
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  return (
    <Dialog open={props.open} title="Discover PDUs" onClose={props.onClose}>
      <form class="form" onSubmit={run}>
        <Field label="Subnets" hint="CIDR, e.g. 192.168.1.0/24; empty = the local networks"><input value={subnet} onInput={(e) => setSubnet(e.currentTarget.value)} /></Field>
        <Field label="Community"><input value={community} onInput={(e) => setCommunity(e.currentTarget.value)} /></Field>
        <ErrorBox error={error} />
        {result && (
          result.discovered.length === 0 ? <Empty>No PDU answered on {result.interfaces.map((i) => i.subnet).join(', ') || 'the scanned subnets'}.</Empty> : (
            <ul class="plain">
              {result.discovered.map((d) => (
                <li key={d.host}>
                  <strong>{d.host}</strong> {d.device_name} {d.model} SN {d.serial} ({d.outlet_count} outlets)
                  {d.already_configured ? <Badge tone="muted">added</Badge> : <button class="btn small" type="button" onClick={() => props.onPick(d.host)}>Add</button>}
                </li>
              ))}
            </ul>
          )
        )}
        <div class="dialog-actions">
          <button class="btn" type="button" onClick={props.onClose}>Close</button>
          <button class="btn primary" type="submit" disabled={busy}>{busy ? 'Scanning…' : 'Scan'}</button>
        </div>
      </form>
    </Dialog>
  );
}

interface Health { status: string; subsystems?: { mqtt?: { connected: boolean; broker?: string; reconnect_count?: number; total_publishes?: number; publish_errors?: number } } }

function Mqtt() {
  const health = useFetch(async () => {
    try {
      return await get<Health>('/api/health');
    } catch (e) {
      // 503 = degraded: the body is still the health report.
      if (e instanceof ApiError && e.body) return e.body as unknown as Health;
      throw e;
    }
  }, []);
  const [test, setTest] = useState<string | null>(null);
  const m = health.data?.subsystems?.mqtt;
  const run = async () => {
    setTest('Testing…');
    try {
      const r = await api<{ success: boolean; message?: string; error?: string }>('POST', '/api/config/test-mqtt', {});
      setTest(r.success ? `OK${r.message ? `: ${r.message}` : ''}` : `Failed: ${r.error ?? ''}`);
    } catch (e) {
      setTest(errorLines(e).join('; '));
    }
  };
  return (
    <Card title="MQTT" actions={<button class="btn small" type="button" onClick={() => void run()}>Test connection</button>}>
      <ErrorBox error={health.error} />
      {m ? (
        <dl class="kv wide-kv">
          <dt>Broker</dt><dd class="mono">{m.broker ?? '—'}</dd>
          <dt>Connected</dt><dd><Badge tone={m.connected ? 'ok' : 'bad'}>{m.connected ? 'connected' : 'disconnected'}</Badge></dd>
          <dt>Publishes</dt><dd>{m.total_publishes ?? 0} ({m.publish_errors ?? 0} errors)</dd>
          <dt>Reconnects</dt><dd>{m.reconnect_count ?? 0}</dd>
        </dl>
      ) : health.data ? <p class="muted">Service {health.data.status}; the broker connection is not reported here. Use Test connection.</p> : !health.error && <p class="muted">Loading…</p>}
      {test && <p class="note" role="status">{test}</p>}
    </Card>
  );
}

interface BrokerUser { username: string; password: string; file: string; bind: string; port: number }

/** The embedded broker's generated user (SPEC §16.3): admins only; hidden when there is none. */
function BrokerUser() {
  const user = useFetch(() => get<BrokerUser>('/api/system/mqtt-credentials'), []);
  const [shown, setShown] = useState(false);
  if (user.error instanceof ApiError && [403, 404, 503].includes(user.error.status)) return null;
  const u = user.data;
  return (
    <Card title="MQTT broker user" actions={u && <button class="btn small" type="button" onClick={() => setShown(!shown)}>{shown ? 'Hide' : 'Show'} password</button>}>
      <ErrorBox error={user.error} />
      {u ? (
        <>
          <p class="muted small">The embedded broker listens on {u.bind}:{u.port} beyond this host, so clients must sign in. Use this user in Home Assistant's MQTT integration and in mosquitto_pub/sub.</p>
          <dl class="kv wide-kv">
            <dt>Username</dt><dd class="mono select">{u.username}</dd>
            <dt>Password</dt><dd class="mono select" aria-label="Broker password">{shown ? u.password : '•'.repeat(12)}</dd>
            <dt>Stored in</dt><dd class="mono">{u.file}</dd>
          </dl>
        </>
      ) : !user.error && <p class="muted">Loading…</p>}
    </Card>
  );
}

interface Setting { key: string; value: unknown; running: unknown; origin: string; effect: 'live' | 'restart' }

function RuntimeSettings() {
  const cfg = useFetch(() => get<{ runtime_settings?: Setting[]; restart_required?: string[] }>('/api/config'), []);
  const [draft, setDraft] = useState<Record<string, unknown>>({});
  const [error, setError] = useState<unknown>(null);
  const [note, setNote] = useState<string | null>(null);
  const settings = cfg.data?.runtime_settings ?? [];
  if (cfg.error && !cfg.data) return null; // settings need the history database; nothing to show without it
  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    if (Object.keys(draft).length === 0) return;
    try {
      const r = await api<{ restart_required: string[]; overridden_by_env: string[] }>('PUT', '/api/config', draft);
      setDraft({});
      setNote(`Saved.${r.restart_required.length ? ` Restart needed for ${r.restart_required.join(', ')}.` : ''}${r.overridden_by_env.length ? ` Overridden by the environment: ${r.overridden_by_env.join(', ')}.` : ''}`);
      cfg.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Card title="Runtime settings">
      <form class="form grid" onSubmit={save} aria-label="Runtime settings">
        {settings.map((s) => {
          const v = s.key in draft ? draft[s.key] : s.value;
          const label = s.key === 'homeassistant.enabled' ? 'Home Assistant discovery' : s.key;
          const hint = `${s.effect === 'restart' ? 'applies after a restart' : 'applies now'} · from ${s.origin}`;
          if (typeof s.value === 'boolean') {
            return (
              <Field label={label} hint={hint} key={s.key}>
                <span class="check"><input type="checkbox" checked={Boolean(v)} onChange={(e) => setDraft({ ...draft, [s.key]: e.currentTarget.checked })} />{v ? 'on' : 'off'}</span>
              </Field>
            );
          }
          if (s.key === 'log.level') {
            return (
              <Field label={label} hint={hint} key={s.key}>
                <select value={String(v)} onChange={(e) => setDraft({ ...draft, [s.key]: e.currentTarget.value })}>
                  {[...new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', String(v)])].map((l) => <option key={l} value={l}>{l}</option>)}
                </select>
              </Field>
            );
          }
          return (
            <Field label={label} hint={hint} key={s.key}>
              <input type={typeof s.value === 'number' ? 'number' : 'text'} value={String(v ?? '')} onInput={(e) => setDraft({ ...draft, [s.key]: typeof s.value === 'number' ? Number(e.currentTarget.value) : e.currentTarget.value })} />
            </Field>
          );
        })}
        <div class="wide">
          <ErrorBox error={error} />
          {note && <p class="note" role="status">{note}</p>}
          <button class="btn primary" type="submit" disabled={Object.keys(draft).length === 0}>Save settings</button>
        </div>
      </form>
    </Card>
  );
}

interface Token { id: number | string; name: string; scope: string; created_at: string; last_used_at: string | null }

function Tokens() {
  const tokens = useFetch(() => get<Token[]>('/api/auth/tokens'), []);
  const [name, setName] = useState('');
  const [scope, setScope] = useState('read');
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  if (tokens.error instanceof ApiError && tokens.error.status === 403) return null;
  const create = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await api<{ token: string }>('POST', '/api/auth/tokens', { name: name.trim(), scope });
      setCreated(r.token);
      setName('');
      tokens.reload();
    } catch (err) {
      setError(err);
    }
  };
  const revoke = async (t: Token) => {
    try {
      await api('DELETE', `/api/auth/tokens/${encodeURIComponent(String(t.id))}`);
      tokens.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Card title="API tokens">
      <form class="toolbar" onSubmit={create} aria-label="New API token">
        <Field label="Name"><input required value={name} onInput={(e) => setName(e.currentTarget.value)} /></Field>
        <Field label="Scope">
          <select value={scope} onChange={(e) => setScope(e.currentTarget.value)}>
            <option value="read">read</option>
            <option value="control">control</option>
            <option value="admin">admin</option>
          </select>
        </Field>
        <button class="btn small primary" type="submit">Create token</button>
      </form>
      {created && <div class="warn-box" role="status">New token (shown once, copy it now): <code class="mono select">{created}</code></div>}
      <ErrorBox error={error ?? tokens.error} />
      {(tokens.data ?? []).length === 0 ? <Empty>No API tokens.</Empty> : (
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">Name</th><th scope="col">Scope</th><th scope="col" class="hide-sm">Created</th><th scope="col">Last used</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {(tokens.data ?? []).map((t) => (
                <tr key={t.id}><td>{t.name}</td><td>{t.scope}</td><td class="hide-sm">{dateTime(t.created_at)}</td><td>{dateTime(t.last_used_at)}</td>
                  <td><button class="btn small danger" type="button" onClick={() => void revoke(t)} aria-label={`Revoke token ${t.name}`}>Revoke</button></td></tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

function Password() {
  const status = useFetch(() => get<{ auth_enabled: boolean; authenticated: boolean; username?: string }>('/api/auth/status'), []);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [note, setNote] = useState<string | null>(null);
  if (!status.data?.authenticated) return null;
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      await api('POST', '/api/auth/password', { current_password: current, new_password: next });
      setCurrent('');
      setNext('');
      setNote('Password changed.');
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Card title={`Password of ${status.data.username ?? 'this user'}`}>
      <form class="toolbar" onSubmit={submit} aria-label="Change password">
        <Field label="Current password"><input type="password" autocomplete="current-password" required value={current} onInput={(e) => setCurrent(e.currentTarget.value)} /></Field>
        <Field label="New password"><input type="password" autocomplete="new-password" required value={next} onInput={(e) => setNext(e.currentTarget.value)} /></Field>
        <button class="btn small primary" type="submit">Change</button>
      </form>
      <ErrorBox error={error} />
      {note && <p class="note" role="status">{note}</p>}
    </Card>
  );
}

interface LogLine { ts?: number | string; time?: number | string; level: string | number; msg: string; module?: string }

function Logs() {
  const [level, setLevel] = useState('info');
  const [search, setSearch] = useState('');
  const [applied, setApplied] = useState({ level: 'info', search: '' });
  const logs = useFetch(() => get<{ logs: LogLine[] }>(`/api/system/logs${qs({ level: applied.level, search: applied.search, limit: 200 })}`), [applied]);
  if (logs.error instanceof ApiError && (logs.error.status === 503 || logs.error.status === 404 || logs.error.status === 403)) return null;
  return (
    <Card title="Logs" actions={<button class="btn small" type="button" onClick={logs.reload}>Refresh</button>}>
      <form class="toolbar" onSubmit={(e) => { e.preventDefault(); setApplied({ level, search }); }} aria-label="Log filter">
        <Field label="Level">
          <select value={level} onChange={(e) => setLevel(e.currentTarget.value)}>
            {['debug', 'info', 'warn', 'error'].map((l) => <option key={l} value={l}>{l}</option>)}
          </select>
        </Field>
        <Field label="Search"><input value={search} onInput={(e) => setSearch(e.currentTarget.value)} /></Field>
        <button class="btn small" type="submit">Filter</button>
      </form>
      <ErrorBox error={logs.error} />
      <pre class="logs" tabIndex={0}>
        {(logs.data?.logs ?? []).map((l) => `${dateTime((l.ts ?? l.time) as number)}  ${String(l.level).padEnd(5)}  ${l.module ? `[${l.module}] ` : ''}${l.msg}`).join('\n') || 'No log lines.'}
      </pre>
    </Card>
  );
}

function Backup() {
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const restore = async (e: Event) => {
    const file = (e.currentTarget as HTMLInputElement).files?.[0];
    if (!file) return;
    setError(null);
    try {
      const body = JSON.parse(await file.text()) as unknown;
      const r = await api<{ restored: string[] }>('POST', '/api/system/restore', body);
      setNote(`Restored: ${r.restored.join(', ') || 'nothing'}`);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Card title="Backup and restore">
      <p class="muted small">Runtime devices, switches, rules, watchdogs, outlet names and settings (no secrets, no users).</p>
      <div class="toolbar">
        <a class="btn small" href="/api/system/backup" download>Download backup</a>
        <label class="btn small file-btn">
          Restore from file…
          <input type="file" accept="application/json,.json" onChange={(e) => void restore(e)} />
        </label>
      </div>
      <ErrorBox error={error} />
      {note && <p class="note" role="status">{note}</p>}
    </Card>
  );
}
