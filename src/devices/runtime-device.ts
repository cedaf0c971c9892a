import { idProblem } from '../config/schema/common.js';
import type { RuntimeDeviceSpec } from '../core/ports.js';

// Validation of `device/add` (SPEC §9.3), with the same id rules as the config file (§5): an SNMP
// PDU (`kind` absent or cyberpower) or a metered plug (kasa | shelly | tasmota). A setting the
// kind does not use is refused, naming it, rather than silently ignored. Pure.

export type RuntimeCheck = { ok: true; spec: RuntimeDeviceSpec & { id: string } } | { ok: false; error: string; field: string };

const KINDS = ['cyberpower', 'kasa', 'shelly', 'tasmota'] as const;
/** SNMP settings: PDUs only. */
const SNMP_KEYS = ['community', 'write_community', 'snmp_version', 'utility_source'] as const;
/** Plug kinds whose local API takes a password. */
const WITH_PASSWORD: ReadonlySet<string> = new Set(['shelly', 'tasmota']);

/** The kind's own problem with a setting it does not use, or null. */
function kindProblem(spec: RuntimeDeviceSpec, kind: (typeof KINDS)[number]): { field: string; error: string } | null {
  if (kind !== 'cyberpower') {
    for (const k of SNMP_KEYS) {
      if (spec[k] !== undefined && spec[k] !== null) return { field: k, error: `is an SNMP setting: a ${kind} plug does not use it (remove it)` };
    }
  }
  if (spec.password !== undefined && typeof spec.password !== 'string') return { field: 'password', error: 'must be a string' };
  if (spec.password && !WITH_PASSWORD.has(kind)) {
    return { field: 'password', error: `only Shelly and Tasmota plugs take a password (a ${kind} device does not; remove it)` };
  }
  if (spec.role !== undefined && spec.role !== '' && spec.role !== 'sensor') return { field: 'role', error: 'must be "sensor" or ""' };
  if (spec.role === 'sensor' && kind === 'cyberpower') {
    return { field: 'role', error: 'only plugs count as outage sensors (a PDU gives its own signals, utility_source)' };
  }
  return null;
}

export function validateRuntimeDevice(spec: RuntimeDeviceSpec, takenIds: readonly string[]): RuntimeCheck {
  const bad = (field: string, error: string): RuntimeCheck => ({ ok: false, field, error: `${field}: ${error}` });
  if (typeof spec !== 'object' || spec === null) return bad('data', 'must be an object with at least "host"');
  if (spec.kind !== undefined && !(KINDS as readonly string[]).includes(spec.kind)) return bad('kind', `must be one of ${KINDS.join(', ')}`);
  const kind = spec.kind ?? 'cyberpower';
  if (typeof spec.host !== 'string' || spec.host.trim() === '') return bad('host', 'is required (IP address or host name)');
  const problem = kindProblem(spec, kind);
  if (problem) return bad(problem.field, problem.error);
  if (spec.port !== undefined && (!Number.isInteger(spec.port) || spec.port < 1 || spec.port > 65535)) return bad('port', 'must be 1..65535');
  if (spec.poll_interval_s !== undefined && (!Number.isInteger(spec.poll_interval_s) || spec.poll_interval_s < 1 || spec.poll_interval_s > 300)) {
    return bad('poll_interval_s', 'must be a whole number of seconds, 1..300');
  }
  if (spec.snmp_version !== undefined && spec.snmp_version !== '1' && spec.snmp_version !== '2c') {
    return bad('snmp_version', 'must be "1" or "2c" (SNMPv3 devices go in the config file)');
  }
  for (const k of ['community', 'write_community', 'label'] as const) {
    if (spec[k] !== undefined && typeof spec[k] !== 'string') return bad(k, 'must be a string');
  }
  if (spec.utility_source !== undefined && spec.utility_source !== null && spec.utility_source !== 'A' && spec.utility_source !== 'B') {
    return bad('utility_source', 'must be "A", "B" or null');
  }
  let id = spec.id;
  if (id === undefined || id === '') {
    for (let n = 1; ; n++) {
      const candidate = `pdu-${String(n).padStart(2, '0')}`;
      if (!takenIds.includes(candidate)) {
        id = candidate;
        break;
      }
    }
  } else {
    if (typeof id !== 'string') return bad('id', 'must be a string');
    const p = idProblem(id);
    if (p) return bad('id', `${p.message}; ${p.hint}`);
    if (takenIds.includes(id)) return bad('id', `"${id}" is already in use`);
  }
  return { ok: true, spec: { ...spec, host: spec.host.trim(), id } };
}
