import { useState } from 'preact/hooks';
import { api, ApiError, errorLines } from '../lib/api';
import { num } from '../lib/format';
import { applyOutletState } from '../lib/live';
import type { OutletView, PduStatus } from '../lib/types';
import { Badge, Card, Dialog } from '../components/ui';

// Outlets (SPEC §18): on/off/reboot and, behind "⋯", the PDU's delayed on/off, each after a
// confirmation, a stronger one (type the outlet number) for protected outlets, which the server
// refuses with 409 until `force` is sent (§12.2); a pending delayed command shows on the row with a
// Cancel. Inline rename. The state shown flips from the command's read-back, not at the next poll.

type Action = 'on' | 'off' | 'reboot' | 'delayon' | 'delayoff' | 'cancel';
interface Pending { outlet: OutletView; action: Action; strong: boolean }

const verb: Record<Action, string> = { on: 'Turn on', off: 'Turn off', reboot: 'Reboot', delayon: 'Delay on', delayoff: 'Delay off', cancel: 'Cancel the pending command of' };
const effect: Record<Action, string> = {
  on: 'switched on', off: 'switched off', reboot: 'switched off and on again', delayon: 'switched on after its on-delay (set on the PDU)',
  delayoff: 'switched off after its off-delay (set on the PDU)', cancel: 'left as it is',
};

export function OutletTable(props: { deviceId: string; status: PduStatus; protectedOutlets: Set<number> }) {
  const [pending, setPending] = useState<Pending | null>(null);
  const [message, setMessage] = useState<{ tone: 'ok' | 'bad'; text: string } | null>(null);
  const outlets = Object.values(props.status.outlets ?? {});
  const base = `?device_id=${encodeURIComponent(props.deviceId)}`;

  const send = async (p: Pending, force: boolean) => {
    try {
      const r = await api<{ state?: string | null }>('POST', `/api/outlets/${p.outlet.number}/command${base}`, force ? { action: p.action, force: true } : { action: p.action });
      const delayed = p.action === 'delayon' || p.action === 'delayoff';
      // A delayed command is pending once accepted; /ws `command_result` and the next status confirm it.
      applyOutletState(props.deviceId, p.outlet.number, { ...(r.state ? { state: r.state } : {}), pending: delayed });
      setPending(null);
      setMessage({ tone: 'ok', text: `${verb[p.action]} outlet ${p.outlet.number}: ${delayed ? 'pending' : 'done'}` });
    } catch (e) {
      if (e instanceof ApiError && e.status === 409 && !force) {
        setPending({ ...p, strong: true });
        return;
      }
      setPending(null);
      setMessage({ tone: 'bad', text: `${verb[p.action]} outlet ${p.outlet.number}: ${errorLines(e).join('; ')}` });
    }
  };

  return (
    <Card title="Outlets" actions={message && <span class={`note tone-text-${message.tone}`} role="status">{message.text}</span>}>
      <div class="table-wrap">
        <table class="outlets">
          <thead>
            <tr>
              <th scope="col" class="num">#</th>
              <th scope="col">Name</th>
              <th scope="col">State</th>
              <th scope="col" class="num">Current</th>
              <th scope="col" class="num">Power</th>
              <th scope="col" class="num hide-sm">Energy</th>
              <th scope="col" class="actions-col"><span class="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {outlets.map((o) => (
              <tr key={o.number} data-outlet={o.number} class={o.state === 'on' ? 'is-on' : 'is-off'}>
                <td class="num c-num">{o.number}</td>
                <td class="c-name">
                  <OutletName deviceId={props.deviceId} outlet={o} />
                  {props.protectedOutlets.has(o.number) && <span class="lock" title="Protected outlet" aria-label="protected">🔒</span>}
                </td>
                <td class="c-state">
                  <Badge tone={o.state === 'on' ? 'ok' : o.state === 'off' ? 'muted' : 'warn'}>
                    <span data-testid="outlet-state">{o.state ?? '?'}</span>
                  </Badge>
                  {o.pending && <Badge tone="info" title="A delayed command is pending on the PDU"><span data-testid="outlet-pending">pending</span></Badge>}
                </td>
                <td class="num c-cur">{num(o.current, 1, 'A')}</td>
                <td class="num c-pow">{num(o.power, 0, 'W')}</td>
                <td class="num hide-sm c-energy">{num(o.energy, 1, 'kWh')}</td>
                <td class="actions-col c-act">
                  <OutletActions outlet={o} ask={(action) => setPending({ outlet: o, action, strong: false })} cancel={() => void send({ outlet: o, action: 'cancel', strong: false }, false)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ConfirmCommand pending={pending} onCancel={() => setPending(null)} onConfirm={(p) => send(p, p.strong)} />
    </Card>
  );
}

/** On/Off/Reboot, or (after "⋯") Delay on/Delay off in the same place; Cancel while a command is pending. */
function OutletActions(props: { outlet: OutletView; ask: (a: Action) => void; cancel: () => void }) {
  const o = props.outlet;
  const [more, setMore] = useState(false);
  const pick = (a: Action) => {
    setMore(false);
    props.ask(a);
  };
  const btn = (a: Action, label: string, disabled = false) => (
    <button class="btn small" type="button" disabled={disabled} onClick={() => pick(a)} aria-label={`${verb[a]} outlet ${o.number}`}>{label}</button>
  );
  return (
    <div class="btn-group">
      {more ? (
        <>
          {btn('delayon', 'Delay on')}
          {btn('delayoff', 'Delay off')}
        </>
      ) : (
        <>
          {btn('on', 'On', o.state === 'on')}
          {btn('off', 'Off', o.state === 'off')}
          {btn('reboot', 'Reboot')}
        </>
      )}
      {o.pending ? (
        <button class="btn small danger" type="button" onClick={props.cancel} aria-label={`Cancel pending command on outlet ${o.number}`}>Cancel</button>
      ) : (
        <button class="btn small icon-sm" type="button" aria-expanded={more} onClick={() => setMore(!more)} aria-label={more ? `Back to on/off for outlet ${o.number}` : `Delayed commands for outlet ${o.number}`} title={more ? 'Back' : 'Delayed on/off'}>
          {more ? '×' : '⋯'}
        </button>
      )}
    </div>
  );
}

function ConfirmCommand(props: { pending: Pending | null; onCancel: () => void; onConfirm: (p: Pending) => Promise<void> }) {
  const p = props.pending;
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const title = p ? `${verb[p.action]} outlet ${p.outlet.number}?` : '';
  const ok = !p?.strong || typed.trim() === String(p.outlet.number);
  const confirm = async (e: Event) => {
    e.preventDefault();
    if (!p || !ok) return;
    setBusy(true);
    await props.onConfirm(p);
    setBusy(false);
    setTyped('');
  };
  return (
    <Dialog open={p !== null} title={title} onClose={() => { setTyped(''); props.onCancel(); }}>
      {p && (
        <form method="dialog" onSubmit={confirm}>
          <p>
            {p.outlet.name ? <strong>{p.outlet.name}</strong> : `Outlet ${p.outlet.number}`} will be {effect[p.action]}.
          </p>
          {p.strong && (
            <div class="warn-box" role="alert">
              <p>This outlet is <strong>protected</strong>: it powers something that must stay on. Type the outlet number <strong>{p.outlet.number}</strong> to switch it anyway.</p>
              <input aria-label="Outlet number to confirm" value={typed} onInput={(e) => setTyped(e.currentTarget.value)} autoFocus inputMode="numeric" />
            </div>
          )}
          <div class="dialog-actions">
            <button class="btn" type="button" onClick={() => { setTyped(''); props.onCancel(); }}>Cancel</button>
            <button class={`btn ${p.action === 'on' || p.action === 'delayon' ? 'primary' : 'danger'}`} type="submit" disabled={!ok || busy} autoFocus={!p.strong}>
              {verb[p.action]}{p.strong ? ' anyway' : ''}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

function OutletName(props: { deviceId: string; outlet: OutletView }) {
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(props.outlet.name);
  const [error, setError] = useState<string | null>(null);
  const save = async () => {
    if (value === props.outlet.name) {
      setEditing(false);
      return;
    }
    try {
      const r = await api<{ name: string }>('PUT', `/api/outlets/${props.outlet.number}/name?device_id=${encodeURIComponent(props.deviceId)}`, { name: value.trim() });
      applyOutletState(props.deviceId, props.outlet.number, { name: r.name || value.trim() });
      setEditing(false);
      setError(null);
    } catch (e) {
      setError(errorLines(e).join('; '));
    }
  };
  if (!editing) {
    return (
      <button class="link name-btn" type="button" title="Rename" onClick={() => { setValue(props.outlet.name); setEditing(true); }}>
        {props.outlet.name || `Outlet ${props.outlet.number}`}
      </button>
    );
  }
  return (
    <span class="rename">
      <input
        aria-label={`Name of outlet ${props.outlet.number}`}
        value={value}
        maxLength={64}
        autoFocus
        onInput={(e) => setValue(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') void save();
          if (e.key === 'Escape') setEditing(false);
        }}
        onBlur={() => void save()}
      />
      {error && <span class="tone-text-bad small" role="alert">{error}</span>}
    </span>
  );
}
