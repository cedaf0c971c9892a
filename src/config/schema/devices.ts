// devices[]: real PDUs and metered plugs (§4.2, §5, §7). Per-device nulls fall back to the
// `snmp` section or a per-kind default in resolve.ts.
import { z } from 'zod';
import { parseOutletSpec } from '../../core/outlet-spec.js';
import { checkUnique, doc, fail, idProblem, int, portNumber, section } from './common.js';
import { RETRIES_META, SNMP_PROFILES, TIMEOUT_META, retryCount, timeoutMs } from './snmp.js';

export const DEVICE_KINDS = ['cyberpower', 'kasa', 'shelly', 'tasmota'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

const v3Schema = section(
  z.strictObject({
    username: doc(z.string().default(''), 'USM user name'),
    security_level: doc(z.enum(['noAuthNoPriv', 'authNoPriv', 'authPriv']).default('authPriv'), 'noAuthNoPriv | authNoPriv | authPriv'),
    auth_protocol: doc(
      z.enum(['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512']).default('sha'),
      'md5 | sha | sha224 | sha256 | sha384 | sha512',
    ),
    auth_key: doc(z.string().default(''), 'authentication passphrase', { secret: 'value' }),
    priv_protocol: doc(z.enum(['des', 'aes', 'aes256b', 'aes256r']).default('aes'), 'des | aes | aes256b | aes256r'),
    priv_key: doc(z.string().default(''), 'privacy (encryption) passphrase', { secret: 'value' }),
    context: doc(z.string().default(''), 'SNMPv3 context name'),
  }),
  'only when snmp_version: "3"',
);

const protectedOutlets = z.union([z.string(), int().min(1)]).superRefine((v, ctx) => {
  const r = parseOutletSpec(v);
  if (!r.ok) fail(ctx, [], r.message, r.hint);
});

const recoverySchema = section(
  z.strictObject({
    subnet_scan: doc(
      z.boolean().default(true),
      'look for the same serial elsewhere when the host stops answering (§7.7)',
    ),
    subnet: doc(
      z.string().superRefine((v, ctx) => {
        const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(v);
        const ok = m !== null && m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) >= 16 && Number(m[5]) <= 32;
        if (v !== '' && !ok) fail(ctx, [], 'is not an IPv4 CIDR between /16 and /32', 'write e.g. 192.168.1.0/24, or "" for the /24 around host');
      }).default(''),
      '"" = the /24 around host (IPv4 literal hosts only)',
    ),
  }),
  'finding a PDU again after a DHCP address change',
);

export const deviceSchema = z
  .strictObject({
    id: doc(z.string().default(''), '"" = auto "pdu-01", "pdu-02", ... (§5)'),
    kind: doc(
      z.enum(DEVICE_KINDS).default('cyberpower'),
      'cyberpower (SNMP PDU) | kasa | shelly | tasmota (metered plugs)',
    ),
    label: doc(z.string().default(''), "display name; HA device name falls back to the PDU's own name"),
    host: doc(z.string().default(''), 'required: IP or hostname', { example: '192.168.1.50' }),
    port: doc(portNumber().min(1).nullable().default(null), 'null = 161 cyberpower, 9999 kasa, 80 shelly/tasmota'),
    // A literal list, not z.enum: enum entries are an object, which would reorder "1","3" before "2c".
    snmp_version: doc(z.literal(['1', '2c', '3']).default('2c'), '"1" | "2c" | "3"', {
      hint: 'quote the version: "1", "2c" or "3"',
    }),
    community: doc(z.string().default('public'), 'read community', { secret: 'value' }),
    write_community: doc(z.string().default('private'), '"" = read-only: commands are rejected with an error', {
      secret: 'value',
    }),
    v3: v3Schema,
    password: doc(z.string().default(''), 'shelly digest auth (or _FILE)', { secret: 'value' }),
    role: doc(z.enum(['', 'sensor']).default(''), 'sensor = counts in the outage quorum (plugs, §11.3)'),
    poll_interval_s: doc(
      int().min(1).max(300).nullable().default(null),
      '1..300; null = 1 for cyberpower (1 Hz is the product\'s promise, §7.6), 2 for plugs',
      { unit: 'seconds', hint: 'use 1 for once per second, or null for the default' },
    ),
    enabled: doc(z.boolean().default(true), 'false = keep the entry but do not poll it'),
    homeassistant: doc(z.boolean().default(true), 'per-device discovery switch (global: homeassistant.enabled)'),
    profile: doc(z.enum(SNMP_PROFILES).nullable().default(null), 'null = snmp.profile'),
    timeout_ms: doc(timeoutMs().nullable().default(null), 'null = snmp.timeout_ms', TIMEOUT_META),
    retries: doc(retryCount().nullable().default(null), 'null = snmp.retries', RETRIES_META),
    utility_source: doc(
      z.enum(['A', 'B']).nullable().default(null),
      'null | A | B — which ATS input is fed by the utility (outage signal, §11.4)',
    ),
    protected_outlets: doc(
      protectedOutlets.default(''),
      'outlet spec, e.g. "1,2": never switched off by rules; REST/MQTT need force: true (§12.2)',
    ),
    expected_serial: doc(z.string().default(''), 'if set and the PDU reports another serial, polling stops (wrong device)'),
    recovery: recoverySchema,
  })
  .superRefine((d, ctx) => {
    if (d.enabled !== false && typeof d.host === 'string' && d.host.trim() === '') {
      fail(ctx, ['host'], 'is required for an enabled device', "set the device's IP address or hostname, or set enabled: false");
    }
    if (typeof d.id === 'string' && d.id !== '') {
      const p = idProblem(d.id);
      if (p) fail(ctx, ['id'], p.message, p.hint);
    }
    if (d.snmp_version === '3' && d.kind === 'cyberpower' && d.enabled !== false && d.v3) {
      const v3 = d.v3;
      if (v3.username === '') fail(ctx, ['v3', 'username'], 'is required with snmp_version "3"', 'set the USM user configured on the PDU');
      if (v3.security_level !== 'noAuthNoPriv' && v3.auth_key === '') {
        const hint = 'set v3.auth_key (or POWER2MQTT_DEVICES__<n>__V3__AUTH_KEY_FILE)';
        fail(ctx, ['v3', 'auth_key'], `is required with security_level ${v3.security_level}`, hint);
      }
      if (v3.security_level === 'authPriv' && v3.priv_key === '') {
        const hint = 'set v3.priv_key (or POWER2MQTT_DEVICES__<n>__V3__PRIV_KEY_FILE)';
        fail(ctx, ['v3', 'priv_key'], 'is required with security_level authPriv', hint);
      }
    }
  });

export const devicesSchema = doc(
  z
    .array(deviceSchema)
    .superRefine((list, ctx) => checkUnique(ctx, list, 'id', [], 'device id'))
    .default([]),
  'real PDUs and plugs; empty in demo mode (the simulator adds "demo-pdu" and the demo plugs, §8)',
);
