// mqtt: the client connection and the embedded aedes broker (§9, §16.3).
import { z } from 'zod';
import { checkUnique, doc, fail, int, list, portNumber, section } from './common.js';
import { autoBool } from './general.js';
import { passwordHash } from './web.js';

const MQTT_SCHEMES = ['mqtt:', 'mqtts:', 'ws:', 'wss:', 'tcp:', 'tls:', 'ssl:'];

const brokerUrl = z.string().superRefine((v, ctx) => {
  if (v === '') return;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    fail(ctx, [], 'is not a valid URL', 'write e.g. mqtt://broker.lan:1883, or "" for the embedded broker');
    return;
  }
  if (!MQTT_SCHEMES.includes(url.protocol)) {
    fail(ctx, [], `has an unsupported scheme ${url.protocol}//`, 'use mqtt://, mqtts://, ws:// or wss://');
  }
});

const baseTopic = z.string().superRefine((v, ctx) => {
  if (v === '' || /[#+]/.test(v) || v.startsWith('/') || v.endsWith('/') || /\s/.test(v)) {
    fail(
      ctx,
      [],
      'must be a non-empty topic prefix without "#", "+", whitespace or leading/trailing "/"',
      'use e.g. pdu (the original bridge) or home/pdu',
    );
  }
});

const brokerUser = z.strictObject({
  username: doc(z.string().min(1), 'login name for MQTT clients', { example: 'homeassistant' }),
  password_hash: doc(passwordHash(), 'scrypt hash from `power2mqtt hash-password`', {
    secret: 'value',
    example: 'scrypt$16384$8$5$<salt>$<hash>',
  }),
});

const embeddedSchema = section(
  z
    .strictObject({
      enabled: doc(autoBool().default('auto'), 'auto = true when mqtt.url is empty'),
      bind: doc(z.string().min(1).default('127.0.0.1'), 'the Docker image sets 0.0.0.0'),
      port: doc(portNumber().default(1883), 'TCP port of the embedded broker'),
      users: list(
        brokerUser,
        '[{username, password_hash}] (scrypt, `power2mqtt hash-password`); none + non-loopback bind → generated (§16.3)',
      ),
      allow_anonymous: doc(
        z.boolean().default(false),
        'true = also accept clients without credentials (loopback without users: always)',
      ),
    })
    .superRefine((v, ctx) => checkUnique(ctx, v.users, 'username', ['users'], 'username')),
  'embedded MQTT broker (aedes, MQTT 3.1.1 only)',
);

export const mqttSchema = section(
  z
    .strictObject({
      url: doc(brokerUrl.default(''), 'mqtt://host:1883 | mqtts://host:8883 | ws://... ; "" = connect to the embedded broker', {
        secret: 'url-password',
      }),
      username: doc(z.string().default(''), 'external broker login'),
      password: doc(z.string().default(''), 'external broker password (or POWER2MQTT_MQTT__PASSWORD_FILE)', { secret: 'value' }),
      client_id: doc(z.string().default(''), '"" = "power2mqtt-<hostname>"'),
      base_topic: doc(baseTopic.default('pdu'), 'root of the topic tree (original bridge used "pdu")'),
      protocol_version: doc(
        z.literal([4, 5]).default(4),
        '4 = MQTT 3.1.1 (the embedded aedes speaks only this) | 5 (external brokers)',
      ),
      keepalive_s: doc(int().min(0).max(65535).default(60), 'MQTT keepalive; 0 = off', { unit: 'seconds' }),
      reconnect_min_s: doc(z.number().positive().max(3600).default(1), 'reconnect backoff doubles from min to max', {
        unit: 'seconds',
      }),
      reconnect_max_s: doc(z.number().positive().max(3600).default(30), 'upper bound of the reconnect backoff', {
        unit: 'seconds',
      }),
      heartbeat_s: doc(int().min(1).max(86400).default(60), 'unchanged state topics are re-published at least this often', {
        unit: 'seconds',
      }),
      reject_unauthorized: doc(z.boolean().default(true), 'TLS certificate check for mqtts/wss'),
      ca: doc(z.string().default(''), 'path to a CA certificate (PEM) for mqtts/wss; "" = system CAs'),
      cert: doc(z.string().default(''), 'path to a client certificate (PEM); "" = none'),
      key: doc(z.string().default(''), "path to the client certificate's private key (PEM)"),
      embedded: embeddedSchema,
    })
    .superRefine((v, ctx) => {
      if (typeof v.reconnect_min_s === 'number' && typeof v.reconnect_max_s === 'number' && v.reconnect_max_s < v.reconnect_min_s) {
        fail(
          ctx,
          ['reconnect_max_s'],
          `must not be below reconnect_min_s (${v.reconnect_min_s})`,
          `raise reconnect_max_s to at least ${v.reconnect_min_s} or lower reconnect_min_s`,
        );
      }
      if (v.url === '' && v.embedded?.enabled === false) {
        fail(
          ctx,
          ['embedded', 'enabled'],
          'is false while mqtt.url is empty, so there is no broker to connect to',
          'set mqtt.url to your broker, or set mqtt.embedded.enabled to auto',
        );
      }
      if ((v.cert === '') !== (v.key === '')) {
        fail(ctx, [v.cert === '' ? 'cert' : 'key'], 'a client certificate needs both cert and key', 'set both mqtt.cert and mqtt.key, or neither');
      }
    }),
  'MQTT client (§9) and embedded broker',
);
