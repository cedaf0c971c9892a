import { chunk } from './plan.js';
import { SnmpError, SnmpType, type SnmpTransport, type Varbind } from './transport.js';

export interface BatchState {
  /** Varbinds per GET; 0 = no limit. Halved on tooBig and remembered per device (SPEC §7.6). */
  maxOids: number;
  /**
   * OIDs an SNMPv1 agent refused with noSuchName (SPEC §7.3 "mark it unsupported"): answered
   * absent without asking, so a v1 PDU missing one OID costs one request a cycle, not two. The
   * device clears it at each rediscovery (capability recheck, reboot, recovery).
   */
  unsupported?: Set<string>;
}

const ABSENT = (oid: string): Varbind => ({ oid, type: SnmpType.NoSuchObject, value: null });

/** Rejects as a timeout when the cycle's deadline aborts, even if the request itself would wait longer. */
export function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(new SnmpError('timeout', String(signal.reason ?? 'aborted')));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new SnmpError('timeout', String((signal.reason as Error)?.message ?? 'cycle deadline exceeded')));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * GET a list of OIDs, returning varbinds aligned with the request. One multi-varbind GET by
 * default; consecutive chunks when `state.maxOids` is set; on tooBig the chunk size is halved
 * and remembered; an SNMPv1 noSuchName drops the named OID (absent, remembered when the state
 * has an `unsupported` set) and retries the rest.
 */
export async function getBatched(
  transport: SnmpTransport,
  oids: readonly string[],
  state: BatchState,
  signal?: AbortSignal,
): Promise<Varbind[]> {
  const known = state.unsupported;
  if (known && known.size > 0 && oids.some((o) => known.has(o))) {
    const skipped = oids.map((o) => known.has(o));
    const got = await getBatched(transport, oids.filter((_, i) => !skipped[i]), state, signal);
    let k = 0;
    return oids.map((o, i) => (skipped[i] ? ABSENT(o) : (got[k++] ?? ABSENT(o))));
  }
  const out: Varbind[] = [];
  let remaining = oids.slice();
  // Bounded: every retry either shrinks the chunk or removes an OID.
  for (let guard = 0; remaining.length > 0 && guard < oids.length + 64; guard++) {
    const [first] = chunk(remaining, state.maxOids);
    const batch = first ?? [];
    try {
      const vbs = await abortable(transport.get(batch), signal);
      for (let i = 0; i < batch.length; i++) out.push(vbs[i] ?? ABSENT(batch[i] as string));
      remaining = remaining.slice(batch.length);
    } catch (err) {
      if (err instanceof SnmpError && err.kind === 'tooBig' && batch.length > 1) {
        state.maxOids = Math.max(1, Math.floor(batch.length / 2));
        continue;
      }
      if (err instanceof SnmpError && err.kind === 'noSuchName') {
        const bad = err.oid !== undefined && batch.includes(err.oid) ? err.oid : batch.length === 1 ? batch[0] : undefined;
        if (bad !== undefined) {
          // SNMPv1 fails the whole request for one unknown OID: mark it absent, ask again without it.
          const idx = batch.indexOf(bad);
          const before = batch.slice(0, idx);
          if (before.length > 0) {
            const vbs = await getBatched(transport, before, state, signal);
            out.push(...vbs);
          }
          out.push(ABSENT(bad));
          state.unsupported?.add(bad);
          remaining = remaining.slice(idx + 1);
          continue;
        }
      }
      throw err;
    }
  }
  return out;
}
