import type {
  BankReading, Identity, OutletReading, PduSnapshot, SourceReading, TransportInfo,
} from '../../core/types.js';
import { decodeValue, type DecodeOptions } from './decode-value.js';
import type { PduLayout } from './layout.js';
import type { PlanEntry } from './plan.js';
import type { Varbind } from './transport.js';

/** A decoded plan entry, kept between slow-group reads. */
export interface DecodedEntry {
  entry: PlanEntry;
  value: number | string | null;
}

export interface AssembleInput {
  deviceId: string;
  ts: number;
  identity: Identity;
  layout: PduLayout;
  /** Decoded slow-group values from the last slow read (names, coldstart, max load …). */
  slow: readonly DecodedEntry[];
  fast: readonly PlanEntry[];
  /** Aligned with `fast`. */
  varbinds: readonly (Varbind | undefined)[];
  nameOverrides: ReadonlyMap<number, string>;
  transport: TransportInfo;
  decode: DecodeOptions;
}

/** Decode entries and varbinds (aligned) into values, collecting per-OID problems. */
export function decodeEntries(
  entries: readonly PlanEntry[],
  varbinds: readonly (Varbind | undefined)[],
  opts: DecodeOptions,
  errors: PduSnapshot['errors'],
): DecodedEntry[] {
  const out: DecodedEntry[] = new Array(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as PlanEntry;
    const d = decodeValue(entry.row, varbinds[i], opts);
    if (d.problem) errors.push({ oid: entry.oid, field: entry.row.field, problem: d.problem });
    out[i] = { entry, value: d.value };
  }
  return out;
}

function emptyBank(): BankReading {
  return {
    current: null, voltage: null, power: null, apparent_power: null, power_factor: null, energy: null,
    load_state: 'unknown', energy_start: null,
  };
}

function emptyOutlet(bank: number | null): OutletReading {
  return {
    name: '', name_override: null, state: 'unknown', pending: false, bank, max_load: null, current: null, power: null,
    energy: null,
  };
}

function emptySource(): SourceReading {
  return { voltage: null, frequency: null, status: null };
}

type Bag = Record<string, unknown>;

/** Build the normalised snapshot (SPEC §6) from the decoded rows. Pure. */
export function assembleSnapshot(input: AssembleInput): PduSnapshot {
  const { layout } = input;
  const caps = new Set(layout.capabilities);
  const errors: PduSnapshot['errors'] = [];

  const banks: Record<number, BankReading> = {};
  for (const b of layout.banks) banks[b] = emptyBank();
  const outlets: Record<number, OutletReading> = {};
  for (let n = 1; n <= layout.outletCount; n++) outlets[n] = emptyOutlet(layout.outletBanks[n] ?? null);
  const bankOfRow = new Map(layout.loadRows.map((r) => [r.row, r.bank]));

  const identity: Bag = { ...input.identity };
  const inputReading: Bag = { voltage: null, frequency: null };
  const totals: Bag = { load: null, power: null, energy: null };
  const ats: Bag = { current_source: null, preferred_source: null, auto_transfer: null, redundancy: null };
  const sources = { a: emptySource(), b: emptySource() };
  const coldstart: Bag = { delay_s: null, state: null };
  const env: Bag = { temperature: null, temperature_unit: null, humidity: null };
  const contacts = new Map<number, Bag>();

  const apply = (entry: PlanEntry, value: number | string | null): void => {
    const { row, index } = entry;
    const [scope, key, sub] = entry.path;
    switch (scope) {
      case 'identity': identity[key] = value ?? identity[key]; break;
      case 'input': inputReading[key] = value; break;
      case 'bank': {
        const bank = bankOfRow.get(index ?? -1);
        if (bank === 0) {
          if (row.totalField) totals[row.totalField] = value;
        } else if (bank !== undefined) {
          (banks[bank] as unknown as Bag)[key] = value ?? (key === 'load_state' ? 'unknown' : null);
        }
        break;
      }
      case 'outlet': {
        const o = outlets[index ?? -1] as unknown as Bag | undefined;
        if (o && key !== 'bank') o[key] = value;
        break;
      }
      case 'ats': ats[key] = value; break;
      case 'sources': (sources[key as 'a' | 'b'] as unknown as Bag)[sub as string] = value; break;
      case 'coldstart': coldstart[key] = value; break;
      case 'environment': env[key] = value; break;
      case 'contact': {
        const c = contacts.get(index ?? 0) ?? {};
        c[key] = value;
        contacts.set(index ?? 0, c);
        break;
      }
    }
  };
  for (const d of input.slow) apply(d.entry, d.value);
  // Decode and place in one pass: no intermediate array per poll.
  for (let i = 0; i < input.fast.length; i++) {
    const entry = input.fast[i] as PlanEntry;
    const d = decodeValue(entry.row, input.varbinds[i], input.decode);
    if (d.problem) errors.push({ oid: entry.oid, field: entry.row.field, problem: d.problem });
    apply(entry, d.value);
  }

  for (const [n, o] of Object.entries(outlets)) {
    const bag = o as unknown as Bag;
    const override = input.nameOverrides.get(Number(n));
    o.name_override = override ?? null;
    o.name = override ?? (typeof bag.name === 'string' ? bag.name : '');
    o.pending = bag.pending === 'pending';
    if (!caps.has('outlet_metering')) {
      o.current = null;
      o.power = null;
      o.energy = null;
    }
  }

  if (layout.totalRow === null) {
    // No phase/total row: totals are sums over banks.
    const vals = Object.values(banks);
    totals.load = sumOrNull(vals.map((b) => b.current), 1);
    totals.power = sumOrNull(vals.map((b) => b.power), 1);
    totals.energy = caps.has('bank_energy') ? sumOrNull(vals.map((b) => b.energy), 3) : null;
  }

  return {
    device_id: input.deviceId,
    ts: input.ts,
    identity: identity as unknown as Identity,
    capabilities: layout.capabilities,
    input: inputReading as PduSnapshot['input'],
    banks,
    totals: totals as PduSnapshot['totals'],
    outlets,
    ats: caps.has('ats')
      ? {
          current_source: ats.current_source as 'A' | 'B' | null,
          preferred_source: ats.preferred_source as 'A' | 'B' | null,
          auto_transfer: ats.auto_transfer === null ? null : ats.auto_transfer === 'on',
          redundancy: ats.redundancy as 'ok' | 'lost' | null,
        }
      : null,
    sources: caps.has('sources') ? sources : null,
    coldstart: caps.has('coldstart') ? (coldstart as PduSnapshot['coldstart']) : null,
    environment: caps.has('environment') ? environmentReading(env, contacts) : null,
    transport: input.transport,
    source_voltage_scale: layout.sourceVoltageScale,
    errors,
  };
}

function sumOrNull(values: readonly (number | null)[], decimals: number): number | null {
  const present = values.filter((v): v is number => v !== null);
  if (present.length === 0) return null;
  const f = 10 ** decimals;
  return Math.round(present.reduce((a, b) => a + b, 0) * f) / f;
}

/** Contacts: a direct open/closed reading, or the MIB's status + normal state (SPEC §7.2). */
export function contactState(c: Bag): 'open' | 'closed' | null {
  if (c.state === 'open' || c.state === 'closed') return c.state;
  if (c.status !== 'normal' && c.status !== 'abnormal') return null;
  const normallyOpen = c.normal_state !== 'normallyClosed';
  const atNormal = c.status === 'normal';
  return atNormal === normallyOpen ? 'open' : 'closed';
}

function environmentReading(env: Bag, contacts: ReadonlyMap<number, Bag>): PduSnapshot['environment'] {
  let temperature = env.temperature as number | null;
  if (temperature !== null && env.temperature_unit === 'F') temperature = Math.round(((temperature - 32) * 5) / 9 * 10) / 10;
  const out: Record<number, 'open' | 'closed'> = {};
  for (const [n, c] of contacts) {
    const s = contactState(c);
    if (s) out[n] = s;
  }
  return { temperature, humidity: env.humidity as number | null, contacts: out };
}
