// The poller against an agent we did not write: Debian snmpd serving a real PDU44005 capture
// (test/fixtures/snmprec/README.md). Every decoded field is checked against what the MIB says
// the captured raw value means.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snmpdAvailable, startSnmpd, type SnmpdHandle } from '../../support/snmpd/index.js';
import { requires } from '../../support/requires.js';
import { testPdu, type TestPdu } from '../../support/pdu.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/snmprec/cyberpower-pdu44005-ats.snmprec', import.meta.url));

describe.runIf(requires('Debian snmpd', snmpdAvailable()))('PDU poller against Debian snmpd + real PDU44005 capture', () => {
  let agent: SnmpdHandle;
  let pdu: TestPdu;

  beforeAll(async () => {
    agent = await startSnmpd({ fixture: FIXTURE });
    pdu = testPdu(agent.port);
  });
  afterAll(async () => {
    await pdu?.device.stop();
    await agent?.stop();
  });

  it('identifies the device: identity, layout and capabilities come from the agent', async () => {
    const s = await pdu.cycle();
    expect(s, JSON.stringify(pdu.device.healthState())).not.toBeNull();
    const snap = s!;
    expect(snap.identity).toMatchObject({
      name: 'ATS011', // ePDUIdentName
      model: 'PDU44005', // ePDUIdentModelNumber
      serial: '...cut...', // ePDUIdentSerialNumber (anonymised in the capture)
      firmware_main: '1.3.2', // ePDUIdentFirmwareRev
      hardware_rev: '1.1', // ePDUIdentHardwareRev
      manufacture_date: '232524', // ePDUIdentDateOfManufacture
      max_current: 16, // ePDUIdentDeviceRating, A
      outlet_count: 10, // ePDUIdentDeviceNumOutlets
      phase_count: 1,
      sys_descr: 'CPS Power Distributed Unit',
      sys_object_id: '1.3.6.1.4.1.3808.1.1.6',
    });
    expect(snap.identity.sys_uptime_cs).toBeGreaterThanOrEqual(0);
    // ats (E2 source table answers), sources, bank energy (on the total row), coldstart, total row.
    // No outlet metering: ePDUOutletDevMonitoredOutlets = 0 and the ePDU2 metered count = 0.
    // No environment: the temperature object answers NULL.
    expect(snap.capabilities).toEqual(['ats', 'sources', 'bank_energy', 'coldstart', 'total_row', 'input_frequency']);
    expect(snap.source_voltage_scale).toBe(1); // 217 next to input 217.9 V: whole volts (SPEC §7.5)
  });

  it('decodes input, bank, total, ATS, source and coldstart values field by field', async () => {
    const snap = (await pdu.cycle())!;
    expect(snap.input).toEqual({ voltage: 217.9, frequency: 50 }); // raw 2179, 500 (tenths)
    // Row 1 is the total row (bank no. 0), row 2 is bank 1 (ePDULoadStatusBankNumber).
    expect(Object.keys(snap.banks)).toEqual(['1']);
    expect(snap.banks[1]).toEqual({
      current: 1, // raw 10 tenths of A
      voltage: 217.9,
      power: 219, // W
      apparent_power: null, // the device answers NULL on the bank row
      power_factor: null,
      energy: null,
      load_state: 'normal', // 1
      energy_start: null,
    });
    expect(snap.totals).toEqual({ load: 1, power: 219, energy: 0.1 }); // total row: raw 10, 219 W, 1 tenth kWh
    expect(snap.ats).toEqual({ current_source: 'A', preferred_source: 'A', auto_transfer: null, redundancy: 'ok' });
    expect(snap.sources).toEqual({
      a: { voltage: 217, frequency: 50, status: 'normal' },
      b: { voltage: 222, frequency: 50, status: 'normal' },
    });
    expect(snap.coldstart).toEqual({ delay_s: 0, state: 'allon' }); // ePDUOutletDevColdstartDelay 0, state 1
    expect(snap.environment).toBeNull();
    expect(snap.errors).toEqual([]);
    expect(snap.transport.state).toBe('healthy');
  });

  it('decodes all 10 outlets: names, state, bank, max load; metering absent, never 0', async () => {
    const snap = (await pdu.cycle())!;
    expect(Object.keys(snap.outlets)).toHaveLength(10);
    for (let n = 1; n <= 10; n++) {
      expect(snap.outlets[n], `outlet ${n}`).toMatchObject({
        name: `Outlet${n}`, state: 'on', pending: false, current: null, power: null, energy: null, name_override: null,
      });
    }
    expect(snap.outlets[1]!.bank).toBe(1);
    expect(snap.outlets[1]!.max_load).toBe(12); // raw 120 tenths of A
  });

  it('switches an outlet off and on over SNMP SET and confirms by reading it back', async () => {
    await pdu.cycle();
    const off = await pdu.device.command(3, 'off', { transaction: 't1' });
    expect(off).toMatchObject({ success: true, outlet: 3, command: 'off', state: 'off', transaction: 't1', error: null });
    expect(off.duration_ms).toBeGreaterThan(0);
    const snap = (await pdu.cycle())!;
    expect(snap.outlets[3]!.state).toBe('off');
    expect(snap.outlets[4]!.state).toBe('on');
    const on = await pdu.device.command(3, 'ON');
    expect(on).toMatchObject({ success: true, state: 'on' });
    expect((await pdu.cycle())!.outlets[3]!.state).toBe('on');
    expect(pdu.results.map((r) => r.command)).toEqual(['off', 'on']);
  });

  it('refuses bad commands without touching the device', async () => {
    const r1 = await pdu.device.command(11, 'off');
    expect(r1).toMatchObject({ success: false, code: 'P2M_ERR_UNKNOWN_OUTLET' });
    const r2 = await pdu.device.command(2, 'explode');
    expect(r2).toMatchObject({ success: false, code: 'P2M_ERR_BAD_COMMAND' });
    expect((await pdu.cycle())!.outlets[2]!.state).toBe('on');
  });

  it('a SET with a wrong write community fails as an SNMP error, and polling goes on', async () => {
    const ro = testPdu(agent.port, { id: 'wrong-write', writeCommunity: 'not-the-community', timeoutMs: 400 });
    await ro.cycle();
    const r = await ro.device.command(5, 'off');
    expect(r.success).toBe(false);
    expect(r.code).toBe('P2M_ERR_SNMP');
    expect((await ro.cycle())!.outlets[5]!.state).toBe('on');
    await ro.device.stop();
  });

  it('the original profile reads its own OIDs and shows their phantom meanings on the same device', async () => {
    const orig = testPdu(agent.port, { id: 'orig', profileName: 'original' });
    const snap = (await orig.cycle())!;
    expect(snap).not.toBeNull();
    expect(snap.identity.firmware_main).toBe('1.1'); // the original reads ePDUIdentHardwareRev as firmware
    expect(snap.identity.max_current).toBe(23); // B.1.15.0 = 230 → "23 A" on a 16 A device
    // original: every load row is a bank (no bank-number column): the total row shows up as bank 1
    expect(Object.keys(snap.banks)).toEqual(['1', '2']);
    await orig.device.stop();
  });
});

describe.runIf(requires('Debian snmpd', snmpdAvailable()))('PDU poller over SNMPv3 (USM) against Debian snmpd', () => {
  let agent: SnmpdHandle;
  beforeAll(async () => {
    agent = await startSnmpd({
      fixture: FIXTURE,
      v3Users: [
        { name: 'p2mpriv', auth: 'SHA', authKey: 'auth-pass-1234', priv: 'AES', privKey: 'priv-pass-5678', access: 'rw' },
        { name: 'p2mauth', auth: 'SHA', authKey: 'auth-pass-1234', access: 'ro' },
      ],
    });
  });
  afterAll(async () => {
    await agent?.stop();
  });

  const v3 = (over: Record<string, string> = {}) => ({
    username: 'p2mpriv', security_level: 'authPriv' as const, auth_protocol: 'sha' as const, auth_key: 'auth-pass-1234',
    priv_protocol: 'aes' as const, priv_key: 'priv-pass-5678', context: '', ...over,
  });

  it('authPriv (SHA/AES): polls and switches an outlet', async () => {
    const pdu = testPdu(agent.port, { id: 'v3', version: '3', v3: v3() });
    const snap = (await pdu.cycle())!;
    expect(snap, pdu.device.healthState().lastError ?? '').not.toBeNull();
    expect(snap.identity.model).toBe('PDU44005');
    expect(snap.input.voltage).toBe(217.9);
    expect(await pdu.device.command(8, 'off')).toMatchObject({ success: true, state: 'off' });
    expect(await pdu.device.command(8, 'on')).toMatchObject({ success: true, state: 'on' });
    await pdu.device.stop();
  });

  it('authNoPriv user reads; a wrong auth key never yields data and counts as a failed cycle', async () => {
    const ro = testPdu(agent.port, { id: 'v3ro', version: '3', v3: v3({ username: 'p2mauth', security_level: 'authNoPriv' }) });
    expect((await ro.cycle())?.identity.model).toBe('PDU44005');
    await ro.device.stop();
    const bad = testPdu(agent.port, { id: 'v3bad', version: '3', timeoutMs: 400, v3: v3({ auth_key: 'wrong-pass-0000' }) });
    expect(await bad.cycle()).toBeNull();
    expect(bad.device.healthState().consecutiveFailures).toBe(1);
    expect(bad.device.healthState().lastError).toMatch(/^SNMPv3: Wrong Digest.*check devices\[\]\.v3 username, security_level, auth_protocol and auth_key$/);
    await bad.device.stop();
  });
});
