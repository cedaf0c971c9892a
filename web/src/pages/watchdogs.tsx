import { useState } from 'preact/hooks';
import { api, errorLines, get } from '../lib/api';
import { dateTime } from '../lib/format';
import { useNow } from '../lib/hooks';
import { events as liveEvents } from '../lib/live';
import { useStore } from '../lib/store';
import type { Watchdog } from '../lib/types';
import { blankWatchdog, testResultText, watchdogBody, watchdogStateText, watchdogTone, type WatchdogForm } from '../lib/watchdog';
import { Badge, Card, Dialog, Empty, ErrorBox, Field, useFetch } from '../components/ui';

// Outlet watchdogs on the automation page (SPEC §12.7, §14.2, issue 13): every watchdog with its
// state, cycles and source; reset, one test check, and add/delete of runtime ones (config ones are
// read-only). The /ws hub does not forward watchdog events today, so the list is polled every 5 s
// while shown; a live `event` from a watchdog (source `watchdog:<name>`) refetches at once.

const POLL_MS = 5000;

export function WatchdogsSection() {
  const poll = useNow(POLL_MS);
  const latest = useStore(liveEvents).find((e) => e.source?.startsWith('watchdog:'));
  const list = useFetch(() => get<Watchdog[]>('/api/watchdogs'), [poll, latest]);
  const [adding, setAdding] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const act = async (w: Watchdog, what: 'reset' | 'test') => {
    try {
      if (what === 'reset') {
        const r = await api<{ state: string }>('POST', `/api/watchdogs/${encodeURIComponent(w.name)}/reset`);
        setNote(`${w.name}: reset (${r.state})`);
      } else {
        const r = await api<{ result: string; response_time: number | null; error: string | null }>('POST', `/api/watchdogs/${encodeURIComponent(w.name)}/test`);
        setNote(`${w.name}: target ${testResultText(r)}`);
      }
    } catch (e) {
      setNote(`${w.name}: ${errorLines(e).join('; ')}`);
    }
    list.reload();
  };
  const remove = async () => {
    if (deleting === null) return;
    try {
      await api('DELETE', `/api/watchdogs/${encodeURIComponent(deleting)}`);
      setNote(`${deleting} deleted`);
    } catch (e) {
      setNote(`${deleting}: ${errorLines(e).join('; ')}`);
    }
    setDeleting(null);
    list.reload();
  };
  const rows = list.data ?? [];
  return (
    <Card title="Watchdogs" actions={<button class="btn small primary" type="button" onClick={() => setAdding(true)}>New watchdog</button>}>
      {note && <p class="note" role="status" data-testid="watchdog-note">{note}</p>}
      <ErrorBox error={list.error} />
      {adding && <WatchdogEditor onClose={() => setAdding(false)} onSaved={(name) => { setAdding(false); setNote(`Saved ${name}`); list.reload(); }} />}
      {rows.length === 0 ? <Empty>{list.loading && !list.data ? 'Loading…' : 'No watchdogs. A watchdog power-cycles an outlet when the device on it stops answering.'}</Empty> : (
        <div class="table-wrap">
          <table data-testid="watchdogs-table">
            <thead>
              <tr>
                <th scope="col">Name</th><th scope="col" class="hide-sm">Target</th><th scope="col">State</th><th scope="col" class="num">Cycles</th>
                <th scope="col" class="hide-sm">Last cycle</th><th scope="col" class="hide-sm">Source</th><th scope="col"><span class="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {rows.map((w) => (
                <tr key={w.name} data-watchdog={w.name}>
                  <td>
                    <strong>{w.name}</strong>
                    <div class="muted small">{w.device_id || w.device || '(only PDU)'} · outlet {w.outlet}</div>
                    <div class="muted small mono show-sm wd-target">{w.target}</div>
                    {w.state.inactive && <div class="tone-text-warn small">{w.state.inactive}</div>}
                  </td>
                  <td class="hide-sm small mono wd-target">{w.target}</td>
                  <td>
                    <Badge tone={watchdogTone(w.state.state)}><span data-testid="watchdog-state">{watchdogStateText(w.state)}</span></Badge>
                    {w.state.state !== 'suppressed' && w.state.reason && <div class="muted small">{w.state.reason}</div>}
                  </td>
                  <td class="num" title={`at most ${w.max_cycles} within ${w.window_h} h`}>{w.state.cycles}/{w.max_cycles}</td>
                  <td class="hide-sm small nowrap">{dateTime(w.state.last_cycle_at)}</td>
                  <td class="hide-sm"><Badge tone={w.source === 'config' ? 'muted' : 'info'}>{w.source}</Badge></td>
                  <td>
                    <div class="btn-group stack-sm">
                      <button class="btn small" type="button" onClick={() => void act(w, 'test')} aria-label={`Test watchdog ${w.name}`}>Test</button>
                      <button class="btn small" type="button" onClick={() => void act(w, 'reset')} aria-label={`Reset watchdog ${w.name}`}>Reset</button>
                      {w.source === 'runtime' && (
                        <button class="btn small danger" type="button" onClick={() => setDeleting(w.name)} aria-label={`Delete watchdog ${w.name}`}>Delete</button>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Dialog open={deleting !== null} title={`Delete watchdog ${deleting ?? ''}?`} onClose={() => setDeleting(null)}>
        <p>Deleting a watchdog never switches an outlet.</p>
        <div class="dialog-actions">
          <button class="btn" type="button" onClick={() => setDeleting(null)}>Cancel</button>
          <button class="btn danger" type="button" onClick={() => void remove()}>Delete</button>
        </div>
      </Dialog>
    </Card>
  );
}

function WatchdogEditor(props: { onClose: () => void; onSaved: (name: string) => void }) {
  const [f, setF] = useState<WatchdogForm>({ ...blankWatchdog });
  const [error, setError] = useState<unknown>(null);
  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      await api('POST', '/api/watchdogs', watchdogBody(f));
      props.onSaved(f.name.trim());
    } catch (err) {
      setError(err);
    }
  };
  const text = (k: keyof WatchdogForm, label: string, hint?: string, type = 'text') => (
    <Field label={label} hint={hint}>
      <input name={k} type={type} value={f[k]} onInput={(e) => { const v = e.currentTarget.value; setF((x) => ({ ...x, [k]: v })); }} />
    </Field>
  );
  return (
    <form class="form grid wd-form" onSubmit={save} aria-label="Watchdog editor">
      {text('name', 'Name')}
      {text('device', 'Device', 'empty = the only PDU')}
      {text('outlet', 'Outlet', 'the one outlet to power-cycle', 'number')}
      {text('target', 'Target', 'http://192.168.1.1/, host:port or a switch name')}
      {text('fail_after_s', 'Fail after (s)', 'failing this long → cycle', 'number')}
      <div class="wide">
        <ErrorBox error={error} />
        <div class="dialog-actions">
          <button class="btn" type="button" onClick={props.onClose}>Cancel</button>
          <button class="btn primary" type="submit">Save watchdog</button>
        </div>
      </div>
    </form>
  );
}
