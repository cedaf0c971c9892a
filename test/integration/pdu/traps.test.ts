import { createSocket } from 'node:dgram';
import snmp from 'net-snmp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/core/bus.js';
import { RealClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { DeviceEvent, PduSnapshot } from '../../../src/core/types.js';
import { startTrapListener } from '../../../src/devices/pdu/trap-listener.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { parsePromText } from '../../support/prom-text.js';

// SPEC §7.10: a real v2c trap sent to the demo app's listener (127.0.0.1, ephemeral port) polls
// the demo PDU at once and is emitted as device event `trap`; wrong community / unknown sender
// are dropped and counted.

const CPS_ATS_TRAP = '1.3.6.1.4.1.3808.1.1.6.0.12';
let t: TestApp;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, what: string, tries = 100): Promise<void> {
  for (let i = 0; i < tries && !check(); i++) await sleep(50);
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

function sendTrap(port: number, community: string, extra: Record<string, unknown> = {}): Promise<void> {
  const session = snmp.createSession('127.0.0.1', community, { trapPort: port, version: snmp.Version2c, ...extra } as never);
  const varbinds = [{ oid: '1.3.6.1.4.1.3808.1.1.6.2.1.0', type: snmp.ObjectType.Integer, value: 2 }];
  return new Promise((ok, fail) => {
    session.trap(CPS_ATS_TRAP, varbinds, (err: Error | null) => {
      session.close();
      if (err) fail(err);
      else ok();
    });
  });
}

/** Cycles started by triggerNow (a grid cycle records its lateness, a triggered one does not). */
function triggeredCycles(): number {
  const s = t.app.registry.get('demo-pdu')!.schedulerTarget()!.stats();
  return s.started - s.latenessMs.total;
}

beforeAll(async () => {
  t = await startTestApp({ snmp: { traps: { enabled: true, bind: '127.0.0.1', port: 0, community: 'trapcomm' } } });
  await until(() => t.app.registry.snapshot('demo-pdu') !== null, 'the first demo sample');
});
afterAll(async () => {
  await t?.stop();
});

describe('SNMP trap listener (demo app)', () => {
  it('listens on an ephemeral port', () => {
    expect(t.app.traps).not.toBeNull();
    expect(t.app.traps!.port).toBeGreaterThan(0);
  });

  it('a v2c trap from the PDU address polls it at once and emits a trap event', async () => {
    const events: DeviceEvent[] = [];
    const samples: PduSnapshot[] = [];
    const offEvent = t.app.bus.on('device.event', (e) => events.push(e));
    // Send right after a grid cycle has finished, so no cycle is running when the trap arrives.
    await new Promise<void>((ok) => {
      const off = t.app.bus.on('sample', (s) => {
        if (s.device_id !== 'demo-pdu') return;
        off();
        ok();
      });
    });
    await sleep(50);
    const before = triggeredCycles();
    const offSample = t.app.bus.on('sample', (s) => s.device_id === 'demo-pdu' && samples.push(s));
    await sendTrap(t.app.traps!.port, 'trapcomm');
    try {
      await until(() => events.some((e) => e.type === 'trap') && samples.length > 0, 'the trap event and a sample');
    } finally {
      offEvent();
      offSample();
    }
    expect(triggeredCycles()).toBe(before + 1);
    const ev = events.find((e) => e.type === 'trap')!;
    expect(ev).toMatchObject({ device_id: 'demo-pdu', source: 'pdu', type: 'trap' });
    expect(ev.data).toMatchObject({
      trap_oid: CPS_ATS_TRAP, version: 'v2c', from: '127.0.0.1',
      varbinds: [{ oid: '1.3.6.1.4.1.3808.1.1.6.2.1.0', type: 'Integer', value: 2 }],
    });
    expect(t.app.traps!.stats()).toMatchObject({ accepted: 1 });
  });

  it('drops a trap with another community, one from an unknown address, and garbage', async () => {
    const events: DeviceEvent[] = [];
    const off = t.app.bus.on('device.event', (e) => e.type === 'trap' && events.push(e));
    try {
      await sendTrap(t.app.traps!.port, 'public');
      await until(() => t.app.traps!.stats().dropped.bad_community === 1, 'the bad-community drop');
      // 127.0.0.2 is loopback too on Linux, but not the demo PDU's address.
      await sendTrap(t.app.traps!.port, 'trapcomm', { sourceAddress: '127.0.0.2' });
      await until(() => t.app.traps!.stats().dropped.unknown_source === 1, 'the unknown-source drop');
      // Not SNMP at all: counted as malformed, the listener goes on.
      const sock = createSocket('udp4');
      await new Promise<void>((ok) => sock.send(Buffer.from('not an snmp packet'), t.app.traps!.port, '127.0.0.1', () => ok()));
      sock.close();
      await until(() => t.app.traps!.stats().dropped.malformed === 1, 'the malformed drop');
    } finally {
      off();
    }
    expect(events).toEqual([]);
    expect(t.app.traps!.stats()).toMatchObject({ received: 4, accepted: 1 });
    await sendTrap(t.app.traps!.port, 'trapcomm');
    await until(() => t.app.traps!.stats().accepted === 2, 'a good trap after the bad ones');
  });

  it('shows the counts in /metrics and /api/health', async () => {
    const s = t.app.traps!.stats();
    expect(s.received).toBeGreaterThan(0);
    const metrics = parsePromText(await (await fetch(`${t.webUrl}/metrics`)).text());
    expect(metrics.value('power2mqtt_snmp_traps_received_total')).toBe(s.received);
    expect(metrics.value('power2mqtt_snmp_traps_accepted_total')).toBe(s.accepted);
    expect(metrics.value('power2mqtt_snmp_traps_dropped_total', { reason: 'malformed' })).toBe(s.dropped.malformed);
    const health = (await (await fetch(`${t.webUrl}/api/health`)).json()) as { subsystems: { traps: unknown } };
    expect(health.subsystems.traps).toEqual(s);
    expect(s.port).toBe(t.app.traps!.port);
  });
});

describe('SNMP trap listener, v3', () => {
  it('accepts a v3 trap authenticated with the device credentials and drops a wrong key or user', async () => {
    const bus = new EventBus(() => {});
    const events: DeviceEvent[] = [];
    bus.on('device.event', (e) => events.push(e));
    const v3 = { username: 'pdutrap', security_level: 'authPriv', auth_protocol: 'sha256', auth_key: 'authpass123', priv_protocol: 'aes', priv_key: 'privpass123', context: '' } as const;
    let polls = 0;
    // The device is added after the listener started (a runtime device): known from its first sample on.
    let added = false;
    const listener = await startTrapListener({
      bind: '127.0.0.1', port: 0, community: 'public', clock: new RealClock(), bus, logger: silentLogger(),
      devices: () => (added ? [{ id: 'v3-pdu', host: '127.0.0.1', version: '3', v3Username: 'pdutrap', v3, pollNow: () => polls++ }] : []),
    });
    added = true;
    bus.emit('sample', { device_id: 'v3-pdu' } as PduSnapshot);
    const send = (name: string, authKey: string): Promise<void> => {
      const user = { name, level: snmp.SecurityLevel.authPriv, authProtocol: snmp.AuthProtocols.sha256, authKey, privProtocol: snmp.PrivProtocols.aes, privKey: 'privpass123' };
      const session = snmp.createV3Session('127.0.0.1', user, { trapPort: listener.port } as never);
      return new Promise((ok, fail) => {
        session.trap(CPS_ATS_TRAP, [], (err: Error | null) => {
          session.close();
          if (err) fail(err);
          else ok();
        });
      });
    };
    try {
      await send('pdutrap', 'authpass123');
      await until(() => listener.stats().accepted === 1, 'the v3 trap');
      await send('pdutrap', 'wrongpass12');
      await until(() => listener.stats().dropped.auth_failed === 1, 'the wrong-key drop');
      await send('someone', 'authpass123');
      await until(() => listener.stats().dropped.auth_failed === 2, 'the unknown-user drop');
    } finally {
      await listener.close();
    }
    expect(polls).toBe(1);
    expect(events.map((e) => [e.type, e.device_id, e.data.version, e.data.trap_oid])).toEqual([['trap', 'v3-pdu', 'v3', CPS_ATS_TRAP]]);
  });

  it('reports a port it cannot bind with the fix', async () => {
    const first = await startTrapListener({ bind: '127.0.0.1', port: 0, community: 'public', clock: new RealClock(), bus: new EventBus(() => {}), logger: silentLogger(), devices: () => [] });
    try {
      await expect(startTrapListener({ bind: '127.0.0.1', port: first.port, community: 'public', clock: new RealClock(), bus: new EventBus(() => {}), logger: silentLogger(), devices: () => [] }))
        .rejects.toThrow(/cannot bind udp 127\.0\.0\.1:\d+: .*EADDRINUSE/);
    } finally {
      await first.close();
    }
  });
});
