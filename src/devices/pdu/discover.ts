import type { Identity } from '../../core/types.js';
import { decodeEntries } from './assemble.js';
import { rawNumber } from './decode-value.js';
import { abortable, getBatched, type BatchState } from './get-batched.js';
import {
  classifyLoadRows, detectCapabilities, probeOids, rowIndex, sourceVoltageScale, type PduLayout,
} from './layout.js';
import { buildPlan, instanceOid, planEntry } from './plan.js';
import type { MetricRow, PduProfile, SnapshotField } from './profiles/types.js';
import { isAbsent, type SnmpTransport, type Varbind } from './transport.js';

// Reads identity, layout and capabilities at connect, after a reboot or recovery, and every
// capability_recheck_s (SPEC §7.2 Layout, §7.5). Counts come from the device, never defaults.

export type DiscoverResult =
  | { ok: true; identity: Identity; layout: PduLayout }
  | { ok: false; reason: 'not_a_pdu'; sysDescr: string; sysObjectId: string };

const MAX_LOAD_ROWS = 16;
const MAX_OUTLETS = 256;
const CONTACTS = 4;

export function rowFor(profile: PduProfile, field: SnapshotField): MetricRow | undefined {
  return profile.rows.find((r) => r.field === field);
}

function emptyIdentity(): Identity {
  return {
    name: '', model: '', serial: '', serial_numeric: '', manufacture_date: '', firmware_main: '', firmware_secondary: '',
    hardware_rev: '', max_current: null, outlet_count: 0, phase_count: 0, sys_descr: '', sys_object_id: '', sys_name: '',
    sys_location: '', sys_contact: '', sys_uptime_cs: null,
  };
}

export async function discover(
  transport: SnmpTransport,
  profile: PduProfile,
  batch: BatchState,
  signal?: AbortSignal,
): Promise<DiscoverResult> {
  const warnings: string[] = [];
  const identityRows = profile.rows.filter((r) => r.group === 'identity');
  const checks = [profile.layout.bankCountCheck, profile.layout.outletCountCheck].filter((o): o is string => o !== null);
  const idOids = [...identityRows.map((r) => r.oid), profile.sysUpTime, ...checks];
  const idVbs = await getBatched(transport, idOids, batch, signal);
  const byOid = new Map<string, Varbind>(idVbs.map((v, i) => [idOids[i] as string, v]));

  const identity = emptyIdentity();
  const errs: { oid: string; field: string; problem: string }[] = [];
  const decoded = decodeEntries(identityRows.map((row) => planEntry(row.oid, row, null)), idVbs, { meteringFloor: false, sourceVoltageScale: null }, errs);
  for (const { entry, value } of decoded) {
    if (value !== null) (identity as unknown as Record<string, unknown>)[entry.row.field.slice('identity.'.length)] = value;
  }
  const uptime = byOid.get(profile.sysUpTime);
  identity.sys_uptime_cs = uptime ? (rawNumber(uptime) ?? null) : null;

  const modelRow = rowFor(profile, 'identity.model');
  if (isAbsent(byOid.get(profile.identityProbe)) && (!modelRow || isAbsent(byOid.get(modelRow.oid)))) {
    return { ok: false, reason: 'not_a_pdu', sysDescr: identity.sys_descr, sysObjectId: identity.sys_object_id };
  }

  // Outlet count: ePDUIdentDeviceNumOutlets; else count the rows of the outlet state column.
  let outletCount = identity.outlet_count;
  const outletRow = rowFor(profile, 'identity.outlet_count');
  if (!outletRow || isAbsent(byOid.get(outletRow.oid))) {
    outletCount = (await abortable(transport.walkColumn(profile.layout.outletStateWalk, MAX_OUTLETS), signal)).length;
    identity.outlet_count = outletCount;
  }
  const check = profile.layout.outletCountCheck ? byOid.get(profile.layout.outletCountCheck) : undefined;
  if (check && !isAbsent(check) && rawNumber(check) !== outletCount) {
    warnings.push(`outlet count ${outletCount} differs from the controlled-outlet count ${rawNumber(check)}`);
  }

  const walked = await abortable(transport.walkColumn(profile.layout.loadRowWalk, MAX_LOAD_ROWS), signal);
  const rows = walked.map((vb) => rowIndex(profile.layout.loadRowWalk, vb.oid)).filter((n): n is number => n !== undefined);

  // One GET for the per-row layout columns, the outlet → bank map and the capability probes.
  const bankRowCol = profile.layout.loadRowBank;
  const outletBankRow = rowFor(profile, 'outlet.bank');
  const inputVoltRow = rowFor(profile, 'input.voltage');
  const sourceA = rowFor(profile, 'sources.a.voltage');
  const sourceB = rowFor(profile, 'sources.b.voltage');
  const atsRow = rowFor(profile, 'ats.current_source');
  const probeList = rows.flatMap((r) => probeOids(profile.layout, r));
  const layoutOids = [
    ...rows.map((r) => `${profile.layout.loadRowPhase}.${r}`),
    ...(bankRowCol ? rows.map((r) => `${bankRowCol}.${r}`) : []),
    ...(outletBankRow ? Array.from({ length: outletCount }, (_, i) => instanceOid(outletBankRow, i + 1)) : []),
    ...probeOids(profile.layout, null),
    ...probeList,
    ...[inputVoltRow, sourceA, sourceB, atsRow].filter((r): r is MetricRow => r !== undefined).map((r) => r.oid),
  ];
  const uniq = [...new Set(layoutOids)];
  const lVbs = await getBatched(transport, uniq, batch, signal);
  const values = new Map<string, Varbind>(lVbs.map((v, i) => [uniq[i] as string, v]));
  const num = (oid: string): number | undefined => {
    const vb = values.get(oid);
    return vb && !isAbsent(vb) ? rawNumber(vb) : undefined;
  };

  const phaseByRow = new Map(rows.map((r) => [r, num(`${profile.layout.loadRowPhase}.${r}`)]));
  const bankByRow = bankRowCol ? new Map(rows.map((r) => [r, num(`${bankRowCol}.${r}`)])) : null;
  const loadRows = classifyLoadRows(rows, phaseByRow, bankByRow);
  const bankRows = loadRows.filter((r) => r.bank !== 0);
  const totalRow = loadRows.find((r) => r.bank === 0)?.row ?? null;
  const banks = [...new Set(bankRows.map((r) => r.bank))].sort((a, b) => a - b);
  const bankCheck = profile.layout.bankCountCheck ? byOid.get(profile.layout.bankCountCheck) : undefined;
  if (bankCheck && !isAbsent(bankCheck) && rawNumber(bankCheck) !== banks.length) {
    warnings.push(`load table has ${banks.length} bank rows but the device reports ${rawNumber(bankCheck)} banks`);
  }
  if (identity.phase_count < 1) identity.phase_count = Math.max(1, new Set(loadRows.map((r) => r.phase).filter((p) => p !== null)).size);

  const outletBanks: Record<number, number | null> = {};
  for (let n = 1; n <= outletCount; n++) {
    const b = outletBankRow ? num(instanceOid(outletBankRow, n)) : undefined;
    outletBanks[n] = b !== undefined && b > 0 ? b : null;
  }

  const capabilities = detectCapabilities(profile.layout, values, bankRows[0]?.row ?? null, totalRow, rows);
  let scale: 1 | 10 | null = null;
  if (capabilities.includes('sources') && sourceA && inputVoltRow) {
    const active = atsRow && num(atsRow.oid) === 2 && sourceB ? sourceB : sourceA;
    const inputRaw = num(inputVoltRow.oid);
    scale = sourceVoltageScale(num(active.oid), inputRaw === undefined ? null : inputRaw / (inputVoltRow.scale ?? 1));
  }

  const layout: PduLayout = {
    loadRows, banks, totalRow, outletCount, outletBanks, capabilities, sourceVoltageScale: scale,
    contactCount: capabilities.includes('environment') ? CONTACTS : 0, warnings,
  };
  return { ok: true, identity, layout };
}

/** Plans reused every cycle for a discovered device. */
export function plansFor(profile: PduProfile, layout: PduLayout): { fast: ReturnType<typeof buildPlan>; slow: ReturnType<typeof buildPlan> } {
  return { fast: buildPlan(profile, layout, ['fast']), slow: buildPlan(profile, layout, ['slow']) };
}
