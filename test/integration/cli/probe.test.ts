import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeCommand } from '../../../src/cli/probe.js';
import type { CliIO } from '../../../src/cli/io.js';
import { requires } from '../../support/requires.js';
import { snmpdAvailable, startSnmpd, type SnmpdHandle } from '../../support/snmpd/index.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/snmprec/${name}`, import.meta.url));

function captureIO(): CliIO & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
  return io;
}

describe.runIf(requires('Debian snmpd', snmpdAvailable()))('power2mqtt probe against Debian snmpd', () => {
  let pdu: SnmpdHandle;
  let ups: SnmpdHandle;
  beforeAll(async () => {
    [pdu, ups] = await Promise.all([
      startSnmpd({ fixture: fixture('cyberpower-pdu44005-ats.snmprec') }),
      startSnmpd({ fixture: fixture('synthetic-ups-not-a-pdu.snmprec') }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([pdu?.stop(), ups?.stop()]);
  });

  it('prints identity, capabilities and one decoded sample with units', async () => {
    const io = captureIO();
    const code = await probeCommand(['127.0.0.1', '--port', String(pdu.port)], io);
    expect(io.stderr).toBe('');
    expect(code).toBe(0);
    const out = io.stdout;
    expect(out).toMatch(/^CyberPower ePDU at 127\.0\.0\.1:\d+ \(SNMP v2c, profile cps-mib\)/);
    expect(out).toMatch(/model\s+PDU44005/);
    expect(out).toMatch(/capabilities\s+ats, sources, bank_energy, coldstart, total_row/);
    expect(out).toMatch(/input\/voltage\s+217\.9 V/);
    expect(out).toMatch(/input\/frequency\s+50\.0 Hz/);
    expect(out).toMatch(/\n {2}bank +current +load_state +voltage +power\s*\n {2}1 +1\.0 A +normal +217\.9 V +219\.0 W\s*\n/);
    expect(out).toMatch(/\n {2}outlet +name +state\s*\n {2}1 +Outlet1 +on\s*\n/);
    expect(out).toMatch(/\n {2}10 +Outlet10 +on\s*\n/);
    expect(out).toMatch(/ats\/current_source\s+A/);
    expect(out).toMatch(/source\/b\/voltage\s+222\.0 V/);
    expect(out).toMatch(/total\/energy\s+0\.100 kWh/);
    expect(out).toMatch(/coldstart\/state\s+allon/);
    expect(out).not.toMatch(/outlet +name +state +current/); // not metered: absent, never 0
  });

  it('--json prints the snapshot', async () => {
    const io = captureIO();
    expect(await probeCommand(['127.0.0.1', '--port', String(pdu.port), '--json'], io)).toBe(0);
    const snap = JSON.parse(io.stdout);
    expect(snap.identity.model).toBe('PDU44005');
    expect(snap.outlets['3'].state).toBe('on');
  });

  it('an agent without ePDU identity is "not a CyberPower ePDU", exit 3', async () => {
    const io = captureIO();
    expect(await probeCommand(['127.0.0.1', '--port', String(ups.port)], io)).toBe(3);
    expect(io.stdout).toMatch(/^not a CyberPower ePDU \(no ePDU identity at 1\.3\.6\.1\.4\.1\.3808\.1\.1\.3\.1\)/);
    expect(io.stdout).toMatch(/sysDescr\s+CyberPower UPS \(synthetic test fixture\)/);
    expect(io.stdout).toMatch(/sysObjectID\s+1\.3\.6\.1\.4\.1\.3808\.1\.1\.1/);
  });

  it('no agent at the port: exit 1 with a readable reason', async () => {
    const io = captureIO();
    expect(await probeCommand(['127.0.0.1', '--port', '9', '--timeout', '300'], io)).toBe(1);
    expect(io.stderr).toMatch(/no usable answer from 127\.0\.0\.1:9: request timed out/);
  });

  it.each([
    [[], /HOST is required/],
    [['h', '--port', '0'], /--port must be 1\.\.65535/],
    [['h', '--profile', 'x'], /--profile must be one of cps-mib, original/],
    [['h', '--bogus'], /Unknown option/],
  ])('usage errors exit 2: %j', async (args, msg) => {
    const io = captureIO();
    expect(await probeCommand(args, io)).toBe(2);
    expect(io.stderr).toMatch(msg);
  });
});
