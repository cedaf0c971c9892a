import { describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import { AddressRecovery } from '../../../src/devices/pdu/address-recovery.js';
import type { SessionOptions } from '../../../src/devices/pdu/net-snmp-transport.js';
import { getProfile } from '../../../src/devices/pdu/profiles/index.js';
import { RECOVERY_SCAN } from '../../../src/devices/pdu/recovery.js';
import { SnmpError, SnmpType, type SnmpTransport } from '../../../src/devices/pdu/transport.js';
import type { PduDeviceSettings } from '../../../src/devices/pdu/types.js';
import { MapTransport } from '../../support/map-transport.js';

// The edge of address recovery (SPEC §7.7) with a fake clock and fake agents: what is asked,
// one scan at a time, at most one per RECOVERY_SCAN.minIntervalMs, and the move it reports.

const profile = getProfile('cps-mib');
const SERIAL_OID = profile.rows.find((r) => r.field === 'identity.serial')!.oid;

function settings(subnet: string): PduDeviceSettings {
  return {
    id: 'p', label: '', host: '10.0.0.1', port: 161, version: '2c', community: 'public', writeCommunity: '', profile, timeoutMs: 500, retries: 0,
    pollIntervalMs: 1000, maxOidsPerRequest: 0, meteringFloor: true, expectedSerial: '', capabilityRecheckMs: 3_600_000, protectedOutlets: new Set(),
    recovery: { subnetScan: true, subnet },
  };
}

/** Agents by address: `serials` answer with their serial, every other address times out. */
function setup(serials: Record<string, string>, opts: { hold?: Promise<void> } = {}) {
  const clock = new FakeClock();
  const asked: SessionOptions[] = [];
  const moves: Array<[string, string, string]> = [];
  let host = '10.0.0.1';
  const factory = (o: SessionOptions): SnmpTransport => {
    asked.push(o);
    const serial = serials[o.host];
    const t = new MapTransport(new Map(serial ? [[SERIAL_OID, { oid: SERIAL_OID, type: SnmpType.OctetString, value: Buffer.from(serial) }]] : []));
    const get = t.get.bind(t);
    t.get = async (oids) => {
      await opts.hold;
      if (!serial) throw new SnmpError('timeout', 'request timed out');
      return get(oids);
    };
    return t;
  };
  const recovery = new AddressRecovery({
    settings: settings('10.0.0.0/29'), clock, log: silentLogger(), transportFactory: factory, host: () => host,
    session: () => ({ port: 161, version: '2c', community: 'public', timeoutMs: 500, retries: 0 }), done: () => false, stopped: () => false,
    move: (from, to, serial) => {
      moves.push([from, to, serial]);
      host = to;
    },
  });
  return { clock, asked, moves, recovery };
}

describe('AddressRecovery', () => {
  it('asks every other address of the subnet once, with 1 s timeout and 0 retries, and moves to the one with the serial', async () => {
    const t = setup({ '10.0.0.6': 'S1', '10.0.0.3': 'OTHER' });
    t.recovery.attempt('lost', 'S1');
    await vi.waitFor(() => expect(t.moves).toEqual([['10.0.0.1', '10.0.0.6', 'S1']]), { timeout: 2000, interval: 5 });
    const hosts = t.asked.map((o) => o.host);
    expect(new Set(hosts).size).toBe(hosts.length);
    expect(hosts.every((h) => /^10\.0\.0\.[2-6]$/.test(h))).toBe(true);
    expect(t.asked.every((o) => o.timeoutMs === RECOVERY_SCAN.timeoutMs && o.retries === 0 && o.port === 161 && o.community === 'public')).toBe(true);
  });

  it('runs one scan at a time and at most one per interval', async () => {
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    const t = setup({}, { hold });
    t.recovery.attempt('recovering', 'S1');
    const first = t.asked.length;
    expect(first).toBeGreaterThan(0);
    t.recovery.attempt('recovering', 'S1'); // still running: nothing new
    expect(t.asked.length).toBe(first);
    release();
    await vi.waitFor(() => expect(t.asked.length).toBe(5), { timeout: 2000, interval: 5 }); // 10.0.0.2 … .6 (the silent host itself is skipped)
    await new Promise((r) => setTimeout(r, 20));
    await t.clock.advance(RECOVERY_SCAN.minIntervalMs - 1000);
    t.recovery.attempt('lost', 'S1'); // rate-limited
    await new Promise((r) => setTimeout(r, 20));
    expect(t.asked.length).toBe(5);
    await t.clock.advance(1000);
    t.recovery.attempt('lost', 'S1');
    await vi.waitFor(() => expect(t.asked.length).toBe(10), { timeout: 2000, interval: 5 });
    expect(t.moves).toEqual([]);
  });

  it('does not scan without a serial, when disabled, or while the device is not lost', async () => {
    const t = setup({ '10.0.0.6': 'S1' });
    t.recovery.attempt('lost', null);
    t.recovery.attempt('degraded', 'S1');
    t.recovery.attempt('healthy', 'S1');
    await new Promise((r) => setTimeout(r, 20));
    expect(t.asked).toEqual([]);
  });
});
