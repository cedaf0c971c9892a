// Energy you can trust (issue: smart plugs; SPEC §13.5): a plug's own total resets to 0 when it
// loses power (and on some firmware when it is re-paired). The raw counter is kept; what we
// publish is the sum of segments: a total that goes down starts a new segment at the previous
// value, so the published energy never decreases and no interval is ever negative. Pure.

export interface CounterTrack {
  /** Last raw device total (kWh); null before the first reading. */
  last: number | null;
  /** kWh carried over from earlier segments. */
  offset: number;
  /** Segments started so far (counter resets seen). */
  resets: number;
}

export const NEW_COUNTER: CounterTrack = { last: null, offset: 0, resets: 0 };

export interface CounterStep {
  next: CounterTrack;
  /** Monotonic energy (kWh) = offset + raw; null when the device sent no total. */
  energy: number | null;
  /** Set when this reading started a new segment. */
  reset: { from: number; to: number } | null;
}

export function stepCounter(t: CounterTrack, raw: number | null): CounterStep {
  if (raw === null || !Number.isFinite(raw) || raw < 0) return { next: t, energy: t.last === null ? null : t.offset + t.last, reset: null };
  if (t.last !== null && raw < t.last) {
    const next = { last: raw, offset: t.offset + t.last, resets: t.resets + 1 };
    return { next, energy: next.offset + raw, reset: { from: t.last, to: raw } };
  }
  return { next: { ...t, last: raw }, energy: t.offset + raw, reset: null };
}
