// switches (HTTP probe targets) and outage detection (§11.1-§11.4).
import { z } from 'zod';
import { checkUnique, doc, fail, httpUrlProblem, int, section } from './common.js';

const switchTarget = z
  .strictObject({
    name: doc(z.string().min(1).max(100), 'unique name', { example: 'living-room-plug' }),
    url: doc(z.string().default(''), 'http(s)://host[:port][/path]; "" = use ip', { example: 'http://192.168.1.20/' }),
    ip: doc(z.string().default(''), 'host only: ip: 1.2.3.4 means http://1.2.3.4/'),
    role: doc(
      z.enum(['sensor', 'control']).default('sensor'),
      'sensor = its silence suggests a power cut | control = stays up in a power cut (router on a UPS)',
    ),
    active: doc(z.boolean().default(true), 'only active targets are probed'),
    group: doc(z.string().max(64).default(''), 'free-form group shown in outage evidence, e.g. feed-a or garage; "" = none'),
  })
  .superRefine((t, ctx) => {
    if (t.url === '' && t.ip === '') {
      fail(ctx, ['url'], 'a switch target needs url or ip', 'add url: http://<address>/ or ip: <address>');
    }
    if (typeof t.url === 'string' && t.url !== '') {
      const p = httpUrlProblem(t.url);
      if (p) fail(ctx, ['url'], p, 'write e.g. http://192.168.1.20/ (probed with one GET per cycle)');
    }
    if (typeof t.ip === 'string' && t.ip !== '' && httpUrlProblem(`http://${t.ip}/`)) {
      fail(ctx, ['ip'], 'is not a host name or IP address', 'write only the host, e.g. 192.168.1.20 (use url for a port or path)');
    }
  });

export const switchesSchema = section(
  z.strictObject({
    interval_s: doc(int().min(1).max(3600).default(10), 'probe cycle (PowerMon used 60 s)', { unit: 'seconds' }),
    timeout_ms: doc(int().min(100).max(60000).default(5000), 'per probe: connect + first response byte', { unit: 'ms' }),
    concurrency: doc(int().min(1).max(1024).default(16), 'probes in flight at once'),
    check_retention_days: doc(int().min(1).max(3650).default(30), 'power_checks rows older than this are deleted', {
      unit: 'days',
    }),
    stale_after_h: doc(
      int().min(1).max(87600).default(24),
      'a target silent this long is `stale`: out of the quorum, probed every 60 s (§11.2)',
      { unit: 'hours' },
    ),
    tls_errors: doc(
      z.enum(['up', 'down']).default('up'),
      'up | down: result of a TLS handshake error (certificates are never verified)',
    ),
    targets: doc(
      z
        .array(switchTarget)
        .superRefine((targets, ctx) => checkUnique(ctx, targets, 'name', [], 'switch name'))
        .default([]),
      '[{name, url | ip, role: sensor|control, active: true}]',
    ),
  }),
  'HTTP "switches": mains-powered devices probed to detect power cuts (§11.1)',
);

export const outageSchema = section(
  z.strictObject({
    enabled: doc(z.boolean().default(true), 'run the outage engine'),
    threshold: doc(
      z.number().gt(0).max(1).default(0.5),
      'fraction of answering-or-silent sensor switches that must be silent',
      { hint: 'use a fraction such as 0.5 (half of the sensors silent); 1 = all of them' },
    ),
    min_switches: doc(int().min(1).max(10000).default(1), 'fewer classified sensor results than this -> no verdict'),
    pdu_confirm_polls: doc(int().min(1).max(3600).default(1), 'consecutive polls with utility source lost before an outage opens'),
    confirm_cycles: doc(int().min(1).max(1000).default(2), 'consecutive probe cycles with switch quorum before an outage opens'),
    clear_cycles: doc(int().min(1).max(1000).default(2), 'consecutive "normal" probe cycles before it closes'),
    source_lost_voltage: doc(
      z.number().min(0).max(400).default(80),
      'V; a utility ATS input below this (or status not normal) counts as lost',
      { unit: 'V' },
    ),
    use_pdu_signals: doc(z.boolean().default(true), 'utility source lost / PDU reboot contribute (§11.4)'),
    restart_gap_s: doc(int().min(0).max(31_536_000).default(300), 'bridge downtime longer than this is examined at startup (§11.6)', {
      unit: 'seconds',
    }),
  }),
  'power outage detection (§11.3-§11.6)',
);
