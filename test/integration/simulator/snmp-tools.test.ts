import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import { CPS_MIB_PROFILE as P } from '../../../src/devices/pdu/profiles/cps-mib.js';
import { SIM_TABLES } from '../../../src/devices/pdu/profiles/simulator-extra.js';
import { createSimulatedPdu, type SimulatedPdu } from '../../../src/devices/pdu/simulator/agent.js';
import { columnOfInstance, oidOf } from '../../../src/devices/pdu/simulator/mib-spec.js';
import { requires } from '../../support/requires.js';
import { snmpGetValues, snmpTool, snmpToolsAvailable, snmpWalkPairs } from './helpers.js';

// The simulated PDU44001 as seen by Debian's net-snmp tools (SPEC §2.1: test the agent with
// snmpget/snmpset/snmpwalk, not only with our own client). Time is a FakeClock: delays, silence and
// uptime move only when the test advances it.

const TOOLS = requires(
  'Debian snmp tools (snmpget/snmpwalk/snmpset)',
  snmpToolsAvailable() ? { ok: true } : { ok: false, reason: 'not found on PATH (apt-get install snmp; .ci/run installs it)' },
);

const cmd = (n: number): string => `${P.writes.outletCommand}.${n}`;
const state = (n: number): string => `${oidOf('outlet.state')}.${n}`;
const pending = (n: number): string => `${oidOf('outlet.pending')}.${n}`;

describe('simulated PDU44001 via Debian net-snmp tools', () => {
  describe.runIf(TOOLS)('with snmp tools', () => {
    let clock: FakeClock;
    let pdu: SimulatedPdu;
    beforeEach(async () => {
      clock = new FakeClock();
      pdu = await createSimulatedPdu({ port: 0, clock, serial: 'TEST0001', seed: 5 });
    });
    afterEach(async () => {
      await pdu.close();
    });
    /** sysUpTime in raw TimeTicks (`-Ot`). */
    const uptime = async (): Promise<number> => {
      const r = await snmpTool('snmpget', pdu.port, 'public', ['-Oqvt', P.sysUpTime]);
      if (r.code !== 0) throw new Error(`snmpget sysUpTime failed: ${r.stderr}`);
      return Number(r.stdout.trim());
    };

    it('answers identity and MIB-II system values', async () => {
      const fields = ['identity.name', 'identity.model', 'identity.serial', 'identity.firmware_main', 'identity.max_current', 'identity.outlet_count'] as const;
      const values = await snmpGetValues(pdu.port, fields.map(oidOf));
      expect(values).toEqual(['Demo PDU', 'PDU44001', 'TEST0001', '1.3.2', '12', '10']);
      const [descr, objectId] = await snmpGetValues(pdu.port, [oidOf('identity.sys_descr'), oidOf('identity.sys_object_id')]);
      expect(descr).toMatch(/^CyberPower Systems, Inc\. PDU44001 /);
      expect(objectId).toMatch(/^\.1\.3\.6\.1\.4\.1\.3808\./);
    });

    it('walks 10 outlet status rows, all on', async () => {
      const rows = await snmpWalkPairs(pdu.port, P.layout.outletStateWalk);
      expect(rows.map(([oid]) => oid)).toEqual(Array.from({ length: 10 }, (_, i) => state(i + 1)));
      expect(rows.every(([, v]) => v === '1')).toBe(true);
    });

    it.each(['snmpwalk', 'snmpbulkwalk'] as const)('%s finds 3 load rows with bank numbers 0, 1, 2', async (tool) => {
      const banks = await snmpWalkPairs(pdu.port, String(P.layout.loadRowBank), tool);
      expect(banks.map(([, v]) => v)).toEqual(['0', '1', '2']);
      const loads = await snmpWalkPairs(pdu.port, P.layout.loadRowWalk, tool);
      expect(loads).toHaveLength(3);
      const [total, b1, b2] = loads.map(([, v]) => Number(v));
      expect(Math.abs(total! - b1! - b2!)).toBeLessThanOrEqual(1); // tenths, rounded separately
    });

    it('SET outlet off with the write community, then reads back off and 0 A', async () => {
      const r = await snmpTool('snmpset', pdu.port, 'private', [cmd(3), 'i', '2']);
      expect(r.code).toBe(0);
      expect(await snmpGetValues(pdu.port, [state(3), `${oidOf('outlet.current')}.3`, state(4)])).toEqual(['2', '0', '1']);
      expect(pdu.outletState(3)).toBe('off');
    });

    it('refuses a SET with the read community (noAccess) and changes nothing', async () => {
      const r = await snmpTool('snmpset', pdu.port, 'public', [cmd(3), 'i', '2']);
      expect(r.code).not.toBe(0);
      expect(r.stderr + r.stdout).toMatch(/noAccess/);
      expect(await snmpGetValues(pdu.port, [state(3)])).toEqual(['1']);
    });

    it.each([
      { what: 'a string into the command column', args: [cmd(2), 's', '2'], error: /wrongType/ },
      { what: 'an unsigned into the command column', args: [cmd(2), 'u', '2'], error: /wrongType/ },
      { what: 'command value 9', args: [cmd(2), 'i', '9'], error: /wrongValue/ },
      { what: 'command value 0', args: [cmd(2), 'i', '0'], error: /wrongValue/ },
      { what: 'a read-only object', args: [state(2), 'i', '2'], error: /notWritable/ },
      { what: 'an integer into sysName', args: [oidOf('identity.sys_name'), 'i', '5'], error: /wrongType/ },
      { what: 'a command to outlet 11', args: [cmd(11), 'i', '2'], error: /noCreation/ },
    ])('refuses $what', async ({ args, error }) => {
      const r = await snmpTool('snmpset', pdu.port, 'private', args);
      expect(r.code).not.toBe(0);
      expect(r.stderr + r.stdout).toMatch(error);
      expect(pdu.outletState(2)).toBe('on');
    });

    it('delayoff sets command pending, then switches off after the outlet’s off delay (3 s)', async () => {
      expect((await snmpTool('snmpset', pdu.port, 'private', [cmd(6), 'i', '5'])).code).toBe(0);
      expect(await snmpGetValues(pdu.port, [state(6), pending(6)])).toEqual(['1', '1']);
      await clock.advance(2999);
      expect(await snmpGetValues(pdu.port, [state(6), pending(6)])).toEqual(['1', '1']);
      await clock.advance(1);
      expect(await snmpGetValues(pdu.port, [state(6), pending(6)])).toEqual(['2', '2']);
    });

    it('persists name, location and outlet-name SETs', async () => {
      const outletName = `${SIM_TABLES.outletConfig.name}.1`;
      const r = await snmpTool('snmpset', pdu.port, 'private', [
        oidOf('identity.name'), 's', 'Rack 7 PDU', oidOf('identity.sys_location'), 's', 'Basement', outletName, 's', 'Router',
      ]);
      expect(r.code).toBe(0);
      expect(await snmpGetValues(pdu.port, [oidOf('identity.name'), oidOf('identity.sys_location'), `${oidOf('outlet.name')}.1`])).toEqual([
        'Rack 7 PDU', 'Basement', 'Router',
      ]);
    });

    it('stops answering while silenced and answers again afterwards', async () => {
      pdu.silence(30_000);
      const r = await snmpTool('snmpget', pdu.port, 'public', [P.sysUpTime]);
      expect(r.code).not.toBe(0);
      expect(r.stderr + r.stdout).toMatch(/Timeout/);
      await clock.advance(30_000);
      expect(await snmpGetValues(pdu.port, [oidOf('identity.model')])).toEqual(['PDU44001']);
    });

    it('restarts sysUpTime on reboot', async () => {
      await clock.advance(100_000);
      expect(await uptime()).toBe(10_000);
      pdu.reboot();
      await clock.advance(2_000);
      expect(await uptime()).toBe(200);
    });

    it('is silent while unpowered and boots when power returns', async () => {
      await clock.advance(50_000);
      pdu.powerLoss();
      const r = await snmpTool('snmpget', pdu.port, 'public', [P.sysUpTime]);
      expect(r.stderr + r.stdout).toMatch(/Timeout/);
      await clock.advance(10_000);
      pdu.powerRestore();
      expect(await uptime()).toBe(0);
      expect(await snmpGetValues(pdu.port, [state(1), state(10)])).toEqual(['1', '1']);
    });

    it('reports an ATS transfer in the source table (voltages in whole volts)', async () => {
      pdu.failSource('A');
      const col = (f: Parameters<typeof oidOf>[0]): string => `${columnOfInstance(oidOf(f))}.1`;
      const [active, va, vb, sa, red] = (
        await snmpGetValues(pdu.port, [col('ats.current_source'), col('sources.a.voltage'), col('sources.b.voltage'), col('sources.a.status'), col('ats.redundancy')])
      ).map(Number);
      expect({ active, va, sa, red }).toEqual({ active: 2, va: 0, sa: 3, red: 1 });
      const [input] = (await snmpGetValues(pdu.port, [oidOf('input.voltage')])).map(Number);
      expect(vb).toBeGreaterThan(115);
      expect(Math.abs(input! / 10 - vb!)).toBeLessThan(1.5);
    });
  });
});
