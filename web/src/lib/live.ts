import { Store } from './store';
import type { EventRow, Hello, OutletView, PduStatus, WsMessage } from './types';

// One WebSocket to /ws (SPEC §15) for the whole dashboard, reconnecting with backoff. It feeds
// the live stores every page reads; pages that show lists (switches, outages, rules) subscribe
// to `ticks` to refetch when a message of their kind arrives.

export type Conn = 'connecting' | 'open' | 'closed';

export const conn = new Store<Conn>('connecting');
export const hello = new Store<Hello | null>(null);
export const statuses = new Store<Record<string, PduStatus>>({});
/** Receive time (ms, performance clock) of the latest status per device: drives the last-poll age. */
export const statusAt = new Store<Record<string, number>>({});
export const deviceStates = new Store<Record<string, { state: string; availability: string }>>({});
export const events = new Store<EventRow[]>([]);
/** A counter per message type, bumped on every message: pages refetch on change. */
export const ticks = new Store<Record<string, number>>({});

const MAX_EVENTS = 200;

let ws: WebSocket | null = null;
let retryMs = 500;
let timer: number | null = null;
let stopped = false;

export function connect(): void {
  stopped = false;
  if (ws) return;
  conn.set('connecting');
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const sock = new WebSocket(`${proto}//${location.host}/ws`);
  ws = sock;
  sock.onopen = () => {
    retryMs = 500;
    conn.set('open');
  };
  sock.onmessage = (e) => {
    try {
      handle(JSON.parse(String(e.data)) as WsMessage);
    } catch {
      /* a malformed frame is ignored */
    }
  };
  sock.onclose = () => {
    ws = null;
    conn.set('closed');
    if (stopped) return;
    timer = window.setTimeout(() => {
      timer = null;
      connect();
    }, retryMs);
    retryMs = Math.min(retryMs * 2, 10_000);
  };
}

export function disconnect(): void {
  stopped = true;
  if (timer !== null) window.clearTimeout(timer);
  timer = null;
  ws?.close();
  ws = null;
}

export function setStatus(id: string, s: PduStatus): void {
  statuses.set({ ...statuses.value, [id]: s });
  statusAt.set({ ...statusAt.value, [id]: performance.now() });
}

/** An outlet's new state from a command's read-back (REST answer or `command_result`). */
export function applyOutletState(id: string, outlet: number, patch: Partial<OutletView>): void {
  const s = statuses.value[id];
  const o = s?.outlets?.[String(outlet)];
  if (!s || !o) return;
  statuses.set({ ...statuses.value, [id]: { ...s, outlets: { ...s.outlets, [String(outlet)]: { ...o, ...patch } } } });
}

/** A device's identity or ATS fields after our own SET (REST answer), until the next status confirms them. */
export function applyStatusPatch(id: string, patch: { identity?: Record<string, string>; ats?: Partial<NonNullable<PduStatus['ats']>> }): void {
  const s = statuses.value[id];
  if (!s) return;
  const next: PduStatus = { ...s };
  if (patch.identity) next.identity = { ...(s.identity ?? {}), ...patch.identity };
  if (patch.ats && s.ats) next.ats = { ...s.ats, ...patch.ats };
  statuses.set({ ...statuses.value, [id]: next });
}

export function handle(m: WsMessage): void {
  ticks.set({ ...ticks.value, [m.type]: (ticks.value[m.type] ?? 0) + 1 });
  const id = m.device_id;
  switch (m.type) {
    case 'hello':
      hello.set(m.data as Hello);
      break;
    case 'status':
      if (id) setStatus(id, m.data as PduStatus);
      break;
    case 'device_state':
      if (id) deviceStates.set({ ...deviceStates.value, [id]: m.data as { state: string; availability: string } });
      break;
    case 'command_result': {
      const r = m.data as { outlet: number; success: boolean; state?: string | null; pending?: boolean | null };
      if (id && r.success && r.state) applyOutletState(id, r.outlet, { state: r.state, pending: r.pending ?? false });
      break;
    }
    case 'event':
      events.set([m.data as EventRow, ...events.value].slice(0, MAX_EVENTS));
      break;
    default:
      break;
  }
}
