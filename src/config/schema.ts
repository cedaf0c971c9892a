// The configuration schema: the single source of truth for every key of SPEC §4.2, its
// default, its documentation (zod metadata) and its validation. Sections live in ./schema/.
import { z } from 'zod';
import { checkWatchdogOutlets, notifySchema, rulesSchema, watchdogsSchema } from './schema/automation.js';
import { fail } from './schema/common.js';
import { devicesSchema } from './schema/devices.js';
import { demoSchema, homeassistantSchema, logSchema, metricsSchema, timezoneSchema } from './schema/general.js';
import { mqttSchema } from './schema/mqtt.js';
import { outageSchema, switchesSchema } from './schema/outage.js';
import { snmpSchema, type SnmpProfile } from './schema/snmp.js';
import { energySchema, historySchema, reportsSchema } from './schema/storage.js';
import { webSchema } from './schema/web.js';

export { DEVICE_KINDS, type DeviceKind } from './schema/devices.js';
export { SNMP_PROFILES, type SnmpProfile } from './schema/snmp.js';
export { WEBHOOK_EVENTS, type WebhookEvent } from './schema/automation.js';
export { isPasswordHash } from './schema/web.js';
export type { FieldMeta } from './schema/common.js';

/** The demo simulator's PDU id (§8); a configured device must not take it while the demo runs. */
export const DEMO_DEVICE_ID = 'demo-pdu';

export const configSchema = z
  .strictObject({
    demo: demoSchema,
    mqtt: mqttSchema,
    homeassistant: homeassistantSchema,
    snmp: snmpSchema,
    devices: devicesSchema,
    switches: switchesSchema,
    outage: outageSchema,
    notify: notifySchema,
    rules: rulesSchema,
    watchdogs: watchdogsSchema,
    history: historySchema,
    energy: energySchema,
    reports: reportsSchema,
    web: webSchema,
    metrics: metricsSchema,
    log: logSchema,
    timezone: timezoneSchema,
  })
  .superRefine((c, ctx) => {
    if (c.demo?.enabled === true && Array.isArray(c.devices)) {
      const i = c.devices.findIndex((d) => d?.id === DEMO_DEVICE_ID);
      if (i >= 0) {
        fail(ctx, ['devices', i, 'id'], `"${DEMO_DEVICE_ID}" is taken by the demo simulator`, 'rename the device or set demo.enabled: false');
      }
    }
    if (Array.isArray(c.devices) && Array.isArray(c.watchdogs)) checkWatchdogOutlets(c.devices, c.watchdogs, ctx);
  });

/** What a config file (or env overlay) may contain: every key optional. */
export type ConfigInput = z.input<typeof configSchema>;
/** The schema's output: defaults applied, but `auto` and per-device nulls still unresolved. */
export type ParsedConfig = z.output<typeof configSchema>;
type ParsedDevice = ParsedConfig['devices'][number];

/** A device with every fallback resolved (resolve.ts): no nulls for port/poll/profile/timeout/retries. */
export type DeviceConfig = Omit<
  ParsedDevice,
  'port' | 'poll_interval_s' | 'profile' | 'timeout_ms' | 'retries' | 'protected_outlets'
> & {
  /** Always set: configured or auto-assigned `pdu-NN`. */
  id: string;
  port: number;
  poll_interval_s: number;
  profile: SnmpProfile;
  timeout_ms: number;
  retries: number;
  /** Normalised outlet spec (§12.2): "" = none, "all", or e.g. "1,3-5". */
  protected_outlets: string;
};

export type DemoConfig = Omit<ParsedConfig['demo'], 'enabled'> & { enabled: boolean };
export type EmbeddedBrokerConfig = Omit<ParsedConfig['mqtt']['embedded'], 'enabled'> & { enabled: boolean };
export type MqttConfig = Omit<ParsedConfig['mqtt'], 'embedded'> & { embedded: EmbeddedBrokerConfig };

/** The fully resolved configuration every service receives. */
export type Config = Omit<ParsedConfig, 'demo' | 'mqtt' | 'devices'> & {
  demo: DemoConfig;
  mqtt: MqttConfig;
  devices: DeviceConfig[];
};

export type HomeAssistantConfig = Config['homeassistant'];
export type SnmpConfig = Config['snmp'];
export type SnmpV3Config = DeviceConfig['v3'];
export type SwitchesConfig = Config['switches'];
export type SwitchTargetConfig = Config['switches']['targets'][number];
export type OutageConfig = Config['outage'];
export type NotifyConfig = Config['notify'];
export type WebhookConfig = Config['notify']['webhooks'][number];
export type RulesConfig = Config['rules'];
export type WatchdogConfig = Config['watchdogs'][number];
export type HistoryConfig = Config['history'];
export type EnergyConfig = Config['energy'];
export type TariffConfig = Config['energy']['tariff'];
export type ReportsConfig = Config['reports'];
export type WebConfig = Config['web'];
export type WebAuthConfig = Config['web']['auth'];
export type WebUserConfig = Config['web']['auth']['users'][number];
export type MetricsConfig = Config['metrics'];
export type LogConfig = Config['log'];
