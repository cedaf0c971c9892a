import type { PduSnapshot } from '../../core/types.js';
import { DERIVED_ROWS, HA_ROW_EXTRAS, type DerivedRow, type StatePayloads } from '../../devices/pdu/profiles/derived.js';
import type { HaMeta, MetricRow, PduProfile } from '../../devices/pdu/profiles/types.js';
import { pduAvailability } from './availability.js';
import { fill } from './common.js';
import { origin, pduDevice, pduIdentifier } from './device.js';
import { toDiscovery } from './entity.js';
import type { DeviceContext, DiscoveryConfig, EntitySpec } from './types.js';

// The entity list of one PDU (SPEC §10.2): the profile rows that carry HA metadata plus the
// derived rows (totals, connectivity, transport state, reboot buttons), one entity per
// instance the snapshot actually has, for the capabilities the snapshot reports; an outlet the
// snapshot marks `switchable: false` gets no switch and no reboot button (SPEC §10.2).

export interface PduDiscoveryInput {
  deviceId: string;
  /** The device kind (`cyberpower` when absent): plugs get `{kind}_{hardware id}` unique_ids (SPEC §10.1). */
  kind?: string;
  label: string;
  snapshot: PduSnapshot;
  profile: PduProfile;
  baseTopic: string;
  discoveryPrefix: string;
  /** A write community is set: commands are accepted (SPEC §9.2 "read-only device"). */
  writable: boolean;
  /** web.public_url; "" = no configuration_url. */
  publicUrl: string;
  swVersion: string;
}

/** A profile row or a derived row, reduced to what an entity needs; topics still hold `{n}`. */
interface Template {
  ha: HaMeta;
  scope: MetricRow['scope'];
  stateTopic?: string;
  commandTopic?: string;
  payloads?: StatePayloads;
  payloadPress?: string;
  needsWrite: boolean;
  readOnly?: Pick<HaMeta, 'component' | 'device_class'>;
  availability: boolean;
  /** MQTT decimals: the display precision when HaMeta names none. */
  decimals?: number;
}

function fromProfileRow(row: MetricRow & { ha: HaMeta }): Template {
  const extras = HA_ROW_EXTRAS[row.ha.suffix] ?? {};
  return {
    ha: row.ha, scope: row.scope, stateTopic: row.topic, commandTopic: extras.commandTopic, payloads: extras.payloads,
    needsWrite: extras.commandTopic !== undefined, readOnly: extras.readOnly, availability: true, decimals: row.decimals,
  };
}

function fromDerivedRow(row: DerivedRow): Template {
  const isButton = row.ha.component === 'button';
  return {
    ha: row.ha, scope: row.scope, stateTopic: isButton ? undefined : row.topic, commandTopic: isButton ? row.topic : undefined,
    payloads: row.payloads, payloadPress: row.payloadPress, needsWrite: row.needsWrite === true,
    availability: row.availability !== false, decimals: row.decimals,
  };
}

const byNumber = (a: number, b: number): number => a - b;
const keysOf = (rec: Record<number, unknown> | undefined): number[] => Object.keys(rec ?? {}).map(Number).sort(byNumber);

/** Instance numbers of a row's scope, from the snapshot's actual keys (counts come from the device). */
function instances(scope: MetricRow['scope'] | DerivedRow['scope'], snap: PduSnapshot): Array<number | null> {
  switch (scope) {
    case 'scalar': return [null];
    case 'loadRow': return keysOf(snap.banks);
    case 'outlet': return keysOf(snap.outlets);
    case 'contact': return keysOf(snap.environment?.contacts);
  }
}

const NUMERIC_EXCLUDED = new Set(['enum', 'timestamp', 'date']);

function resolve(t: Template, n: number | null, stem: string, base: string, writable: boolean): EntitySpec | null {
  let component = t.ha.component;
  let deviceClass = t.ha.device_class;
  let commandTopic = t.commandTopic;
  if (t.needsWrite && !writable) {
    if (!t.readOnly) return null; // e.g. the reboot button: every press would be rejected
    component = t.readOnly.component;
    deviceClass = t.readOnly.device_class;
    commandTopic = undefined;
  }
  const numeric = component === 'sensor' && !NUMERIC_EXCLUDED.has(deviceClass ?? '') && (t.ha.unit !== undefined || t.ha.state_class !== undefined);
  const topic = (sub: string | undefined): string | undefined => (sub === undefined ? undefined : `${base}/${fill(sub, n)}`);
  return {
    component,
    uniqueId: `${stem}_${fill(t.ha.suffix, n)}`,
    name: fill(t.ha.name, n),
    stateTopic: topic(t.stateTopic),
    commandTopic: topic(commandTopic),
    deviceClass,
    stateClass: t.ha.state_class,
    unit: t.ha.unit,
    precision: numeric ? (t.ha.precision ?? t.decimals ?? 0) : undefined,
    options: t.ha.options,
    entityCategory: t.ha.entity_category,
    payloads: t.payloads,
    payloadPress: t.payloadPress,
    availability: t.availability,
  };
}

/** Every entity of one PDU, in profile order then derived order. Pure. */
export function pduEntities(input: PduDiscoveryInput): EntitySpec[] {
  const snap = input.snapshot;
  const caps = new Set(snap.capabilities);
  const stem = pduIdentifier(snap.identity, input.kind);
  const base = `${input.baseTopic}/${input.deviceId}`;
  const templates: Template[] = [];
  for (const row of input.profile.rows) {
    if (!row.ha || !row.topic || row.group === 'identity' || row.group === 'layout') continue;
    if (row.capability && !caps.has(row.capability)) continue;
    templates.push(fromProfileRow(row as MetricRow & { ha: HaMeta }));
  }
  templates.push(...DERIVED_ROWS.filter((r) => !r.anyCapability || r.anyCapability.some((c) => caps.has(c))).map(fromDerivedRow));
  const out: EntitySpec[] = [];
  for (const t of templates) {
    for (const n of instances(t.scope, snap)) {
      // An outlet without a relay (a meter channel) has nothing to command or to show as on/off.
      if (t.needsWrite && t.scope === 'outlet' && n !== null && snap.outlets[n]?.switchable === false) continue;
      const spec = resolve(t, n, stem, base, input.writable);
      if (spec) out.push(spec);
    }
  }
  return out;
}

/**
 * Discovery configs of one PDU (SPEC §10.1, §10.2). Empty until the identity (serial) has been
 * read: without a serial there is no stable unique_id.
 */
export function buildPduDiscovery(input: PduDiscoveryInput): DiscoveryConfig[] {
  if (input.snapshot.identity.serial.trim() === '') return [];
  const ctx: DeviceContext = {
    device: pduDevice({ deviceId: input.deviceId, ...(input.kind ? { kind: input.kind } : {}), label: input.label, identity: input.snapshot.identity, publicUrl: input.publicUrl }),
    origin: origin(input.swVersion),
    availability: pduAvailability(input.baseTopic, input.deviceId),
  };
  return pduEntities(input).map((spec) => toDiscovery(spec, ctx, input.discoveryPrefix));
}
