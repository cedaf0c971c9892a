import type { PduSnapshot } from '../../core/types.js';
import type { PduProfile } from './profiles/types.js';
import { formatValue, readingsOf, type Reading } from './profiles/readings.js';

// The `power2mqtt probe` report: a field tool for a real PDU (identity, capabilities, one
// decoded sample with units). Pure: snapshot in, text out.

const IDENTITY_FIELDS: ReadonlyArray<[keyof PduSnapshot['identity'], string]> = [
  ['name', 'name'], ['model', 'model'], ['serial', 'serial'], ['serial_numeric', 'serial (numeric)'],
  ['firmware_main', 'firmware'], ['firmware_secondary', 'firmware (secondary)'], ['hardware_rev', 'hardware rev'],
  ['manufacture_date', 'manufactured'], ['max_current', 'rating (A)'], ['outlet_count', 'outlets'], ['phase_count', 'phases'],
  ['sys_descr', 'sysDescr'], ['sys_object_id', 'sysObjectID'], ['sys_name', 'sysName'], ['sys_location', 'sysLocation'],
  ['sys_contact', 'sysContact'], ['sys_uptime_cs', 'uptime'],
];

function uptime(cs: number | null): string {
  if (cs === null) return '';
  const s = Math.floor(cs / 100);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${d}d ${h}h ${m}m ${s % 60}s`;
}

function table(rows: ReadonlyArray<readonly [string, string]>, indent = '  '): string[] {
  const w = Math.max(0, ...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${indent}${k.padEnd(w)}  ${v}`.trimEnd());
}

function withUnit(r: Reading): string {
  return `${formatValue(r)}${r.unit && r.unit !== 'cs' ? ` ${r.unit}` : ''}`;
}

/** Readings keyed `prefix/{n}/quantity` as one row per instance and one column per quantity. */
function grid(prefix: string, readings: readonly Reading[]): string[] {
  const cols: string[] = [];
  const rows = new Map<string, Map<string, string>>();
  for (const r of readings) {
    const [, n = '', ...rest] = r.key.split('/');
    const col = rest.join('/');
    if (!cols.includes(col)) cols.push(col);
    const row = rows.get(n) ?? new Map<string, string>();
    row.set(col, withUnit(r));
    rows.set(n, row);
  }
  const header = [prefix, ...cols];
  const body = [...rows.entries()].map(([n, row]) => [n, ...cols.map((c) => row.get(c) ?? '—')]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const fmt = (cells: string[]): string => `  ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')}`.trimEnd();
  return [fmt(header), ...body.map(fmt)];
}

export interface ProbeTarget {
  host: string;
  port: number;
  version: string;
}

export function renderProbeReport(snap: PduSnapshot, profile: PduProfile, target: ProbeTarget): string {
  const lines: string[] = [];
  lines.push(`CyberPower ePDU at ${target.host}:${target.port} (SNMP v${target.version}, profile ${profile.name})`, '', 'Identity');
  lines.push(
    ...table(
      IDENTITY_FIELDS.map(([k, label]) => {
        const v = snap.identity[k];
        return [label, k === 'sys_uptime_cs' ? uptime(v as number | null) : v === null || v === '' ? '—' : String(v)] as const;
      }),
    ),
  );
  const bankCount = Object.keys(snap.banks).length;
  lines.push('', 'Layout and capabilities');
  lines.push(
    ...table([
      ['outlets', String(Object.keys(snap.outlets).length)],
      ['banks', `${bankCount}${snap.capabilities.includes('total_row') ? ' (+ phase/total row)' : ''}`],
      ['capabilities', snap.capabilities.join(', ') || 'none'],
      ['source voltage', snap.source_voltage_scale === null ? '—' : snap.source_voltage_scale === 1 ? 'whole volts' : 'tenths of a volt'],
    ]),
  );
  lines.push('', `Sample (poll ${snap.transport.poll_ms?.toFixed(1) ?? '?'} ms)`);
  const readings = readingsOf(snap, profile);
  const indexed = (prefix: string): Reading[] => readings.filter((r) => r.key.startsWith(`${prefix}/`));
  lines.push(...table(readings.filter((r) => !/^(bank|outlet)\//.test(r.key)).map((r) => [r.key, withUnit(r)] as const)));
  for (const prefix of ['bank', 'outlet']) {
    const rows = indexed(prefix);
    if (rows.length > 0) lines.push('', ...grid(prefix, rows));
  }
  if (snap.errors.length > 0) {
    lines.push('', 'Values the device sent that were not decoded');
    lines.push(...table(snap.errors.map((e) => [e.field, `${e.oid}: ${e.problem}`] as const)));
  }
  return `${lines.join('\n')}\n`;
}

export function renderNotAPdu(target: ProbeTarget, sysDescr: string, sysObjectId: string, identityOid: string): string {
  return (
    `not a CyberPower ePDU (no ePDU identity at ${identityOid.replace(/\.1\.0$/, '')})\n` +
    `  host         ${target.host}:${target.port}\n  sysDescr     ${sysDescr || '—'}\n  sysObjectID  ${sysObjectId || '—'}\n`
  );
}
