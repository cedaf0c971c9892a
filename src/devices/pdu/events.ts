import type { DeviceEventType, PduSnapshot } from '../../core/types.js';

// System events derived from two consecutive snapshots (SPEC §9.2 `event`): what changed on the
// PDU between polls. Pure; the device emits them on the bus after each sample.

export interface DerivedEvent {
  type: Extract<
    DeviceEventType,
    'ats_transfer' | 'power_loss' | 'power_restore' | 'redundancy_lost' | 'redundancy_ok' | 'outlet_change' | 'load_warning' | 'load_normal'
  >;
  details: string;
  data: Record<string, unknown>;
}

const HIGH_LOAD = new Set(['nearOverload', 'overload']);

function sourceUp(s: { voltage: number | null; status: string | null } | null | undefined): boolean | null {
  if (!s || s.status === null) return null;
  return s.status === 'normal';
}

export function deriveEvents(prev: PduSnapshot | null, next: PduSnapshot): DerivedEvent[] {
  if (!prev) return [];
  const out: DerivedEvent[] = [];
  const pa = prev.ats;
  const na = next.ats;
  if (pa?.current_source && na?.current_source && pa.current_source !== na.current_source) {
    out.push({ type: 'ats_transfer', details: `ATS transferred from source ${pa.current_source} to ${na.current_source}`, data: { from: pa.current_source, to: na.current_source } });
  }
  if (pa?.redundancy && na?.redundancy && pa.redundancy !== na.redundancy) {
    out.push(
      na.redundancy === 'lost'
        ? { type: 'redundancy_lost', details: 'ATS redundancy lost: only one input is usable', data: {} }
        : { type: 'redundancy_ok', details: 'ATS redundancy restored: both inputs usable', data: {} },
    );
  }
  for (const key of ['a', 'b'] as const) {
    const before = sourceUp(prev.sources?.[key]);
    const after = sourceUp(next.sources?.[key]);
    if (before === null || after === null || before === after) continue;
    const source = key.toUpperCase();
    const s = next.sources?.[key];
    out.push(
      after
        ? { type: 'power_restore', details: `source ${source} restored (${s?.voltage ?? '?'} V)`, data: { source, voltage: s?.voltage ?? null } }
        : { type: 'power_loss', details: `source ${source} lost (${s?.status}, ${s?.voltage ?? '?'} V)`, data: { source, voltage: s?.voltage ?? null, status: s?.status } },
    );
  }
  for (const [n, o] of Object.entries(next.outlets)) {
    const before = prev.outlets[Number(n)]?.state;
    if (before && before !== 'unknown' && o.state !== 'unknown' && before !== o.state) {
      out.push({ type: 'outlet_change', details: `outlet ${n} (${o.name || 'unnamed'}) ${before} → ${o.state}`, data: { outlet: Number(n), from: before, to: o.state } });
    }
  }
  for (const [n, b] of Object.entries(next.banks)) {
    const before = prev.banks[Number(n)]?.load_state;
    if (!before || before === 'unknown' || b.load_state === 'unknown' || before === b.load_state) continue;
    if (HIGH_LOAD.has(b.load_state)) {
      out.push({ type: 'load_warning', details: `bank ${n} load ${b.load_state} (${b.current ?? '?'} A)`, data: { bank: Number(n), state: b.load_state, current: b.current } });
    } else if (HIGH_LOAD.has(before)) {
      out.push({ type: 'load_normal', details: `bank ${n} load back to ${b.load_state} (${b.current ?? '?'} A)`, data: { bank: Number(n), state: b.load_state, current: b.current } });
    }
  }
  return out;
}
