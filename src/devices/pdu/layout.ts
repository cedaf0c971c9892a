import type { Capability } from '../../core/types.js';
import { CAPABILITIES } from '../../core/types.js';
import { rawNumber } from './decode-value.js';
import type { CapabilityProbe, LayoutSpec } from './profiles/types.js';
import { isAbsent, type Varbind } from './transport.js';

// Pure pieces of layout and capability detection (SPEC §7.2 Layout, §7.5). The I/O that
// gathers their inputs lives in discover.ts.

export interface LoadRow {
  /** Load-table row index. */
  row: number;
  /** 0 = phase/total row; ≥ 1 = that bank. */
  bank: number;
  phase: number | null;
}

export interface PduLayout {
  loadRows: LoadRow[];
  /** Bank numbers, ascending. */
  banks: number[];
  totalRow: number | null;
  outletCount: number;
  /** Outlet number → bank number (null when the device does not say). */
  outletBanks: Record<number, number | null>;
  capabilities: Capability[];
  sourceVoltageScale: 1 | 10 | null;
  contactCount: number;
  warnings: string[];
}

/** Index of a table row from its full OID under `column`. */
export function rowIndex(column: string, oid: string): number | undefined {
  if (!oid.startsWith(`${column}.`)) return undefined;
  const n = Number(oid.slice(column.length + 1));
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * Classify load-table rows: bank no. 0 = phase/total row, ≥ 1 = that bank; when the bank
 * column does not answer, every row is a bank numbered by its index (SPEC §7.2).
 */
export function classifyLoadRows(
  rows: readonly number[],
  phaseByRow: ReadonlyMap<number, number | undefined>,
  bankByRow: ReadonlyMap<number, number | undefined> | null,
): LoadRow[] {
  const anyBank = bankByRow !== null && [...bankByRow.values()].some((b) => b !== undefined);
  return [...rows]
    .sort((a, b) => a - b)
    .map((row) => ({
      row,
      bank: anyBank ? (bankByRow?.get(row) ?? row) : row,
      phase: phaseByRow.get(row) ?? null,
    }));
}

/** Evaluate one capability probe from the values read for it. */
export function evaluateProbe(
  probe: CapabilityProbe,
  values: ReadonlyMap<string, Varbind>,
  firstBankRow: number | null,
  totalRow: number | null,
  loadRows: readonly number[] = [],
): boolean {
  switch (probe.kind) {
    case 'answers':
      return !isAbsent(values.get(probe.oid));
    case 'positive':
      for (const oid of probe.oids) {
        const vb = values.get(oid);
        if (vb && !isAbsent(vb)) return (rawNumber(vb) ?? 0) > 0;
      }
      return false;
    case 'loadRowColumn':
      // The first bank row, else any load row: a real PDU44005 (fw 1.3.2) answers NULL for the
      // bank row's energy while its total row carries it (test/fixtures/snmprec/README.md).
      if (firstBankRow !== null && !isAbsent(values.get(`${probe.column}.${firstBankRow}`))) return true;
      return loadRows.some((r) => !isAbsent(values.get(`${probe.column}.${r}`)));
    case 'totalRow':
      return totalRow !== null;
    case 'never':
      return false;
  }
}

/** OIDs to GET for the capability probes, given the first bank row. */
export function probeOids(spec: LayoutSpec, firstBankRow: number | null): string[] {
  const out: string[] = [];
  for (const cap of CAPABILITIES) {
    const p = spec.capabilityProbes[cap];
    if (p.kind === 'answers') out.push(p.oid);
    else if (p.kind === 'positive') out.push(...p.oids);
    else if (p.kind === 'loadRowColumn' && firstBankRow !== null) out.push(`${p.column}.${firstBankRow}`);
  }
  return [...new Set(out)];
}

export function detectCapabilities(
  spec: LayoutSpec,
  values: ReadonlyMap<string, Varbind>,
  firstBankRow: number | null,
  totalRow: number | null,
  loadRows: readonly number[] = [],
): Capability[] {
  return CAPABILITIES.filter((cap) => evaluateProbe(spec.capabilityProbes[cap], values, firstBankRow, totalRow, loadRows));
}

/**
 * Whole volts or tenths for the source voltages (SPEC §7.5): compare the active source's raw
 * value R with the input voltage V in volts; |R − V| < |R/10 − V| → whole volts.
 */
export function sourceVoltageScale(rawActiveSource: number | undefined, inputVolts: number | null | undefined): 1 | 10 | null {
  if (rawActiveSource === undefined || inputVolts === null || inputVolts === undefined) return null;
  return Math.abs(rawActiveSource - inputVolts) < Math.abs(rawActiveSource / 10 - inputVolts) ? 1 : 10;
}
