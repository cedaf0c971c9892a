import dgram from 'node:dgram';
import snmp from 'net-snmp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import { CPS_MIB_PROFILE as P } from '../../../src/devices/pdu/profiles/cps-mib.js';
import { ORIGINAL_PROFILE as O } from '../../../src/devices/pdu/profiles/original.js';
import { createSimulatedPdu, runMockPdus, type SimulatedPdu } from '../../../src/devices/pdu/simulator/agent.js';
import { columnOfInstance, oidOf } from '../../../src/devices/pdu/simulator/mib-spec.js';
import { fastGroupOids, get, num, openSession, set, text } from './helpers.js';

// The simulated PDU44001 over UDP with our own client (net-snmp): the poller's fast group, the
// original profile's phantom values (SPEC §7.1), two-phase SETs, and many agents in one process.

const rowOf = (field: Parameters<typeof oidOf>[0]): string => oidOf(field);

describe('simulated PDU44001 with a net-snmp client', () => {
  let clock: FakeClock;
  let pdu: SimulatedPdu;
  let session: snmp.Session;
  beforeEach(async () => {
    clock = new FakeClock();
    pdu = await createSimulatedPdu({ port: 0, clock, seed: 11 });
    session = openSession(pdu.port);
  });
  afterEach(async () => {
    session.close();
    await pdu.close();
  });

  it('answers the whole cps-mib fast group (~85 varbinds) in one GET, consistently', async () => {
    const oids = fastGroupOids(P);
    expect(oids.length).toBeGreaterThanOrEqual(80);
    const vbs = await get(session, oids);
    expect(vbs.filter((vb) => snmp.isVarbindError(vb)).map((vb) => vb.oid)).toEqual([]);
    const value = (oid: string): number => num(vbs[oids.indexOf(oid)]);
    const current = rowOf('bank.current');
    expect(Math.abs(value(`${current}.1`) - value(`${current}.2`) - value(`${current}.3`))).toBeLessThanOrEqual(1);
    for (let n = 1; n <= 10; n++) {
      expect(Math.abs(value(`${rowOf('outlet.current')}.${n}`) - (1 + 1.5 * n))).toBeLessThanOrEqual(1); // tenths of 0.1 + 0.15·n A
    }
    // SPEC §7.5 scale rule: the active source's raw value R vs input V volts → whole volts.
    const r = value(oidOf('sources.a.voltage'));
    const v = value(oidOf('input.voltage')) / 10;
    expect(Math.abs(r - v)).toBeLessThan(Math.abs(r / 10 - v));
  });

  it('refreshes values on every request (sysUpTime follows the clock)', async () => {
    const a = num((await get(session, [P.sysUpTime]))[0]);
    await clock.advance(12_340);
    const b = num((await get(session, [P.sysUpTime]))[0]);
    expect(b - a).toBe(1234);
  });

  it('shows the original profile’s phantom values (SPEC §7.1)', async () => {
    const field = (f: string): string => O.rows.find((r) => r.field === f)?.oid ?? '';
    const oids = [`${field('outlet.current')}.1`, `${field('outlet.power')}.1`, `${field('outlet.power')}.7`, field('ats.current_source'), field('identity.max_current')];
    const vbs = await get(session, [...oids, field('environment.temperature')]);
    // command pending "none" (2 → 0.2 A), outlet bank (1 / 2 → "1 W" / "2 W"), power-supply 2 ok (1 → "A"), 120 V /10 → "12 A".
    expect(vbs.slice(0, 5).map(num)).toEqual([2, 1, 2, 1, 120]);
    expect(vbs[5]?.type).toBe(snmp.ObjectType.NoSuchObject); // no B.6 subtree in the MIB
  });

  it('applies nothing when any varbind of a SET fails its test pass', async () => {
    const cmd = P.writes.outletCommand;
    const w = openSession(pdu.port, 'private');
    try {
      await expect(set(w, [
        { oid: `${cmd}.1`, type: snmp.ObjectType.Integer, value: 2 },
        { oid: `${cmd}.2`, type: snmp.ObjectType.Integer, value: 99 },
      ])).rejects.toMatchObject({ status: snmp.ErrorStatus.WrongValue });
      expect(pdu.outletState(1)).toBe('on');
      const ok = await set(w, [{ oid: `${cmd}.1`, type: snmp.ObjectType.Integer, value: 2 }]);
      expect(num(ok[0])).toBe(2);
      expect(pdu.outletState(1)).toBe('off');
    } finally {
      w.close();
    }
  });

  it('refuses missing instances like a real agent: SET → noCreation/noAccess, v1 GET → noSuchName', async () => {
    const w = openSession(pdu.port, 'private');
    const v1 = openSession(pdu.port, 'public', snmp.Version1);
    try {
      const missing = { oid: `${P.writes.outletCommand}.11`, type: snmp.ObjectType.Integer, value: 2 };
      await expect(set(w, [missing])).rejects.toMatchObject({ status: snmp.ErrorStatus.NoCreation });
      await expect(set(session, [missing])).rejects.toMatchObject({ status: snmp.ErrorStatus.NoAccess });
      const v1Get = get(v1, [oidOf('identity.model'), `${oidOf('outlet.state')}.11`]);
      await expect(v1Get).rejects.toMatchObject({ status: snmp.ErrorStatus.NoSuchName });
      expect(text((await get(v1, [oidOf('identity.model')]))[0])).toBe('PDU44001');
    } finally {
      w.close();
      v1.close();
    }
  });

  it('turns a simulator fault during a SET into genErr and keeps answering', async () => {
    pdu.model.command = () => {
      throw new Error('boom');
    };
    const w = openSession(pdu.port, 'private');
    try {
      const vb = { oid: `${P.writes.outletCommand}.1`, type: snmp.ObjectType.Integer, value: 2 };
      await expect(set(w, [vb])).rejects.toMatchObject({ status: snmp.ErrorStatus.GeneralError });
    } finally {
      w.close();
    }
    expect(pdu.stats).toMatchObject({ errors: 1, lastError: 'boom' });
    expect(text((await get(session, [oidOf('identity.model')]))[0])).toBe('PDU44001');
  });

  it('switches the ATS to the preferred source written over SNMP', async () => {
    const w = openSession(pdu.port, 'private');
    try {
      await set(w, [{ oid: String(P.writes.atsPreferredSource), type: snmp.ObjectType.Integer, value: 2 }]);
    } finally {
      w.close();
    }
    const vbs = await get(session, [oidOf('ats.current_source'), oidOf('ats.preferred_source'), oidOf('ats.redundancy')]);
    expect(vbs.map(num)).toEqual([2, 2, 2]);
    expect(pdu.model.active).toBe('B');
  });

  it('reports overload and unknown communities get no answer', async () => {
    pdu.overloadBank(2);
    const vbs = await get(session, [`${rowOf('bank.load_state')}.3`, `${rowOf('bank.load_state')}.2`]);
    expect(vbs.map(num)).toEqual([4, 1]);
    const stranger = openSession(pdu.port, 'guess');
    try {
      await expect(get(stranger, [P.sysUpTime])).rejects.toThrow(/timed out/i);
    } finally {
      stranger.close();
    }
  });

  it('serves the environment sensor only when enabled', async () => {
    const env = await createSimulatedPdu({ port: 0, clock, environment: true });
    const s = openSession(env.port);
    try {
      const oids = [oidOf('environment.temperature'), oidOf('environment.humidity'), ...[1, 2, 3, 4].map((n) => `${oidOf('contact.status')}.${n}`)];
      const vbs = await get(s, oids);
      expect(Math.abs(num(vbs[0]) - 24)).toBeLessThanOrEqual(1);
      expect(Math.abs(num(vbs[1]) - 40)).toBeLessThanOrEqual(3);
      expect(vbs.slice(2).map(num)).toEqual([1, 1, 1, 1]);
      expect((await get(session, [oidOf('environment.temperature')]))[0]?.type).toBe(snmp.ObjectType.NoSuchObject);
    } finally {
      s.close();
      await env.close();
    }
  });

  it('serves ~85-varbind GETs fast enough for hundreds of agents per process', async () => {
    const oids = fastGroupOids(P);
    for (let i = 0; i < 50; i++) await get(session, oids); // warm-up
    const n = 500;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await get(session, oids);
    const perSecond = (n / (performance.now() - t0)) * 1000;
    console.info(`[simulator] ${oids.length}-varbind GET, client and agent in one process: ${perSecond.toFixed(0)} req/s`);
    expect(perSecond).toBeGreaterThan(100);
    expect(pdu.stats.answered).toBeGreaterThanOrEqual(n + 50);
  });

  it('keeps source frequencies in tenths', async () => {
    const [fa] = await get(session, [`${columnOfInstance(oidOf('sources.a.frequency'))}.1`]);
    expect(num(fa)).toBeGreaterThanOrEqual(599);
    expect(num(fa)).toBeLessThanOrEqual(601);
  });
});

describe('runMockPdus', () => {
  /** A free run of `count` UDP ports (bounded attempts). */
  async function freePorts(count: number): Promise<number> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const base = 20_000 + Math.floor(Math.random() * 40_000);
      const sockets = await Promise.all(Array.from({ length: count }, (_, i) => tryBind(base + i)));
      await Promise.all(sockets.map((s) => s && new Promise<void>((r) => s.close(() => r()))));
      if (sockets.every(Boolean)) return base;
    }
    throw new Error('no free UDP port run found');
  }

  it('runs N agents on consecutive ports with distinct serials', async () => {
    const base = await freePorts(3);
    const mock = await runMockPdus({ port: base, count: 3, clock: new FakeClock() });
    try {
      expect(mock.pdus.map((p) => p.port)).toEqual([base, base + 1, base + 2]);
      const serials: string[] = [];
      for (const p of mock.pdus) {
        const s = openSession(p.port);
        serials.push(text((await get(s, [oidOf('identity.serial')]))[0]));
        s.close();
      }
      expect(new Set(serials).size).toBe(3);
    } finally {
      await mock.close();
    }
    const again = await tryBind(base + 1);
    expect(again).not.toBeNull(); // close() released the ports
    again?.close();
  });

  it('fails when a port is taken and releases the ports it had bound', async () => {
    const base = await freePorts(3);
    const blocker = await tryBind(base + 2);
    try {
      await expect(runMockPdus({ port: base, count: 3, clock: new FakeClock() })).rejects.toThrow(/EADDRINUSE/);
      const released = await tryBind(base);
      expect(released).not.toBeNull();
      released?.close();
    } finally {
      blocker?.close();
    }
  });
});

function tryBind(port: number): Promise<dgram.Socket | null> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(null);
    });
    s.bind(port, '127.0.0.1', () => resolve(s));
  });
}
