// Small sections: demo, homeassistant, metrics, log, timezone.
import { z } from 'zod';
import { doc, int, portNumber, section } from './common.js';

export const autoBool = (): z.ZodUnion<[z.ZodLiteral<'auto'>, z.ZodBoolean]> => z.union([z.literal('auto'), z.boolean()]);

export const demoSchema = section(
  z.strictObject({
    enabled: doc(autoBool().default('auto'), 'auto | true | false. auto = true only when no config file was loaded'),
    snmp_port: doc(portNumber().default(1161), 'UDP port of the simulated PDU agent (always bound to 127.0.0.1)'),
    switches: doc(int().min(0).max(50).default(3), 'number of simulated HTTP switches (127.0.0.1, ephemeral ports)'),
    plugs: doc(z.boolean().default(true), 'one simulated Kasa HS300 strip + one Shelly plug (§8)'),
    environment: doc(z.boolean().default(false), 'simulated PDU environment sensor (§8)'),
  }),
  'built-in simulator (§8): a simulated PDU44001, HTTP switches and plugs on 127.0.0.1',
);

const topicLevel = /^[^#+\s]+$/;

export const homeassistantSchema = section(
  z.strictObject({
    enabled: doc(z.boolean().default(true), 'publish Home Assistant MQTT discovery'),
    discovery_prefix: doc(
      z.string().min(1).regex(topicLevel, { error: 'must not contain "#", "+" or whitespace' }).default('homeassistant'),
      "HA's discovery prefix",
    ),
    status_topic: doc(
      z.string().min(1).regex(topicLevel, { error: 'must not contain "#", "+" or whitespace' }).default('homeassistant/status'),
      'HA birth/will topic',
    ),
    cleanup_legacy: doc(
      z.boolean().default(true),
      "clear the original bridge's {device_id}_{suffix} discovery topics (§10.4)",
    ),
  }),
  'Home Assistant MQTT discovery (§10)',
);

export const metricsSchema = section(
  z.strictObject({
    enabled: doc(z.boolean().default(true), 'GET /metrics (Prometheus text format)'),
    require_auth: doc(z.boolean().default(true), 'when auth is on /metrics needs credentials; false = open'),
  }),
  'Prometheus metrics (§19)',
);

export const logSchema = section(
  z.strictObject({
    level: doc(z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'), 'trace | debug | info | warn | error'),
    buffer: doc(int().min(0).max(100000).default(1000), 'entries kept in memory for GET /api/system/logs', {
      unit: 'entries',
    }),
  }),
  'logging (JSON lines on stdout)',
);

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const timezoneSchema = doc(
  z.string().refine((v) => v === '' || isTimeZone(v), {
    error: 'is not an IANA time zone known to this Node.js',
    params: { hint: 'use a name like Europe/Berlin or America/New_York, or "" for the process time zone' },
  }).default(''),
  'IANA zone for schedules, rules, rollups, tariffs and quiet hours; "" = process TZ',
);
