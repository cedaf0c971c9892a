import { CAPABILITIES } from '../../core/types.js';
import { B } from './profiles/common.js';
import { PROFILES } from './profiles/index.js';
import type { CapabilityProbe, MetricRow, PduProfile } from './profiles/types.js';

// docs/PROFILES.md, generated from the profile tables so the documented OIDs are the polled ones.
// Pure; test/unit/pdu/profile-docs.test.ts keeps the committed file in step.

const esc = (s: string): string => s.replace(/\|/g, '\\|');

function scaling(r: MetricRow): string {
  if (r.enumMap) return Object.entries(r.enumMap).map(([k, v]) => `${k} ${v}`).join(', ');
  if (r.scaleFrom) return 'V or /10 V, decided per device (SPEC §7.5)';
  const parts: string[] = [];
  if (r.scale && r.scale !== 1) parts.push(`/${r.scale}`);
  if (r.unit) parts.push(r.unit);
  if (r.floor !== undefined) parts.push(`floor: raw ≤ ${r.floor} → 0`);
  return parts.join(' ') || r.kind;
}

function index(r: MetricRow): string {
  if (r.scope === 'scalar') return r.oid;
  return r.oid.includes('{n}') ? r.oid : `${r.oid}.{${r.scope === 'loadRow' ? 'row' : 'n'}}`;
}

function probe(p: CapabilityProbe): string {
  switch (p.kind) {
    case 'answers': return `\`${p.oid}\` answers`;
    case 'positive': return p.oids.map((o) => `\`${o}\``).join(' or ') + ' > 0';
    case 'loadRowColumn': return `\`${p.column}.{row}\` answers on a load row`;
    case 'totalRow': return 'a load row with bank no. 0';
    case 'never': return 'not read by this profile';
  }
}

function profileSection(p: PduProfile): string[] {
  const out = [`## \`${p.name}\``, '', p.description + '.', '', '| Field | MIB object | OID | Group | Values | MQTT sub-topic | Capability |', '|---|---|---|---|---|---|---|'];
  for (const r of p.rows) {
    out.push(`| ${r.field} | ${esc(r.mib)} | \`${index(r)}\` | ${r.group} | ${esc(scaling(r))} | ${r.topic ? `\`${r.topic}\`` : ''} | ${r.capability ?? ''} |`);
  }
  out.push('', 'Layout and capability probes:', '');
  out.push(`- load-table rows: walk \`${p.layout.loadRowWalk}\`; phase no. \`${p.layout.loadRowPhase}.{row}\`; bank no. ${p.layout.loadRowBank ? `\`${p.layout.loadRowBank}.{row}\`` : '— (every row is a bank)'}`);
  out.push(`- outlet count: \`${p.layout.outletCount}\`${p.layout.outletCountCheck ? ` (cross-check \`${p.layout.outletCountCheck}\`)` : ''}, else walk \`${p.layout.outletStateWalk}\``);
  for (const c of CAPABILITIES) out.push(`- \`${c}\`: ${probe(p.layout.capabilityProbes[c])}`);
  const w = p.writes;
  out.push('', 'Writes (SET with the write community):', '');
  out.push(`- outlet command \`${w.outletCommand}.{n}\`: ${Object.entries(w.outletCommandValues).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  out.push(`- outlet name \`${w.outletName}.{n}\`; device name \`${w.deviceName}\`; sysContact \`${w.sysContact}\`, sysName \`${w.sysName}\`, sysLocation \`${w.sysLocation}\``);
  out.push(`- ATS preferred source ${w.atsPreferredSource ? `\`${w.atsPreferredSource}\`` : '—'}; ATS auto transfer ${w.atsAutoTransfer ? `\`${w.atsAutoTransfer}\`` : '—'}`);
  return out;
}

export function renderProfilesMarkdown(): string {
  const lines = [
    '# PDU OID profiles',
    '',
    '<!-- Generated from src/devices/pdu/profiles/ by `npm run gen:docs`; do not edit by hand. -->',
    '',
    'Every OID power2mqtt reads or writes, per profile (SPEC §7.1, §7.2). Choose the profile with',
    '`snmp.profile` or per device `devices[].profile`. Check a PDU with',
    `\`snmpwalk -v2c -c public HOST ${B.replace(/\.3$/, '')}\` or \`power2mqtt probe HOST\`.`,
    'Indexed OIDs end in `{n}` (outlet or contact number) or `{row}` (load-table row).',
    '',
  ];
  for (const p of Object.values(PROFILES)) lines.push(...profileSection(p), '');
  return `${lines.join('\n').trimEnd()}\n`;
}
