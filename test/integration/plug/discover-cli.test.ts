// `power2mqtt discover --plugs` against the simulators on 127.0.0.1: Kasa over UDP (unicast to
// the simulator instead of a broadcast), Shelly and Tasmota over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverCommand } from '../../../src/cli/discover.js';
import type { CliIO } from '../../../src/cli/io.js';
import { RealClock } from '../../../src/core/clock.js';
import { createSimulatedPdu } from '../../../src/devices/pdu/simulator/agent.js';
import { discoverKasa, kasaFromAnswer } from '../../../src/devices/plug/discover.js';
import { startKasaSimulator, type KasaSimulator } from '../../../src/devices/plug/simulator/kasa.js';
import { startShellySimulator, type ShellySimulator } from '../../../src/devices/plug/simulator/shelly.js';
import { startTasmotaSimulator, type TasmotaSimulator } from '../../../src/devices/plug/simulator/tasmota.js';

function captureIO(): CliIO & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
  return io;
}

let kasa: KasaSimulator;
let shelly: ShellySimulator;
let tasmota: TasmotaSimulator;
beforeAll(async () => {
  kasa = await startKasaSimulator({ model: 'HS300', alias: 'Rack strip' });
  shelly = await startShellySimulator();
  tasmota = await startTasmotaSimulator();
});
afterAll(async () => {
  await Promise.all([kasa.close(), shelly.close(), tasmota.close()]);
});

describe('discover: PDUs over SNMP (SPEC §7.9)', () => {
  // Silent addresses of an unconnected UDP socket get no ICMP error: each waits out its 1 s, so a
  // /24 takes ~6 rounds of 50. The PDU sits at .200, past what a 3 s limit reaches.
  it('scans the whole /24 by default and finds a PDU at .200; a shorter --timeout says what it left out', async () => {
    const pdu = await createSimulatedPdu({ port: 0, bind: '127.0.0.200', clock: new RealClock(), serial: 'DISC0200' });
    try {
      const io = captureIO();
      expect(await discoverCommand(['--subnet', '127.0.0.0/24', '--port', String(pdu.port), '--json'], io)).toBe(0);
      const r = JSON.parse(io.stdout) as { pdus: Array<Record<string, unknown>>; hosts_scanned: number; complete: boolean };
      expect(r).toMatchObject({ hosts_scanned: 254, complete: true });
      expect(r.pdus).toEqual([expect.objectContaining({ host: '127.0.0.200', serial: 'DISC0200', model: 'PDU44001' })]);
      const short = captureIO();
      expect(await discoverCommand(['--subnet', '127.0.0.0/24', '--port', String(pdu.port), '--timeout', '1500'], short)).toBe(0);
      expect(short.stdout).toMatch(/the time limit ended the SNMP scan: \d+ of 254 addresses asked \(raise --timeout\)/);
    } finally {
      await pdu.close();
    }
  }, 30_000);
});

describe('discover --plugs', () => {
  it('finds the Kasa strip, the Shelly and the Tasmota and prints config lines', async () => {
    const io = captureIO();
    const code = await discoverCommand([
      '--plugs', '--subnet', '127.0.0.1/32', '--port', '1', '--broadcast', '127.0.0.1', '--kasa-port', String(kasa.udpPort),
      '--http-port', String(shelly.port), '--http-port', String(tasmota.port), '--timeout', '1000', '--json',
    ], io);
    expect(io.stderr).toBe('');
    expect(code).toBe(0);
    const r = JSON.parse(io.stdout) as { plugs: Array<Record<string, unknown>>; pdus: unknown[] };
    expect(r.pdus).toEqual([]);
    const byKind = Object.fromEntries(r.plugs.map((p) => [p.kind, p]));
    expect(byKind.kasa).toMatchObject({ host: '127.0.0.1', model: 'HS300(US)', name: 'Rack strip', serial: kasa.mac, outlets: 6 });
    expect(byKind.shelly).toMatchObject({ host: '127.0.0.1', port: shelly.port, model: 'SNPL-00112EU', serial: shelly.mac });
    expect(byKind.tasmota).toMatchObject({ host: '127.0.0.1', port: tasmota.port, model: 'ESP8266EX' });
  });

  it('prints a table and devices[] lines', async () => {
    const io = captureIO();
    await discoverCommand(['--plugs', '--subnet', '127.0.0.1/32', '--port', '1', '--broadcast', '127.0.0.1', '--kasa-port', String(kasa.udpPort), '--http-port', String(shelly.port), '--timeout', '500'], io);
    expect(io.stdout).toContain('no PDU answered');
    expect(io.stdout).toMatch(/kasa\s+127\.0\.0\.1\s+9999\s+HS300\(US\)/);
    expect(io.stdout).toContain('- {kind: kasa, host: 127.0.0.1, label: "Rack strip"}');
    expect(io.stdout).toContain(`- {kind: shelly, host: 127.0.0.1, port: ${shelly.port}`);
  });

  it.each([
    [['--subnet', '10.0.0.0/16'], 'wider than /24'],
    [['--subnet', 'nonsense'], 'not an IPv4 CIDR'],
    [['--timeout', '5'], '--timeout must be'],
    [['--http-port', '0'], '--http-port must be'],
  ])('refuses %j (exit 2, names the option)', async (args, error) => {
    const io = captureIO();
    expect(await discoverCommand(args, io)).toBe(2);
    expect(io.stderr).toContain(error);
  });

  it('a silent network yields nothing within the bound', async () => {
    await kasa.setMode('silent');
    try {
      expect(await discoverKasa({ targets: ['127.0.0.1'], port: kasa.udpPort, budgetMs: 200, clock: new RealClock() })).toEqual([]);
    } finally {
      await kasa.setMode('normal');
    }
  });

  it('ignores answers that are not a Kasa sysinfo', () => {
    expect(kasaFromAnswer('1.2.3.4', 9999, 'garbage')).toBeNull();
    expect(kasaFromAnswer('1.2.3.4', 9999, '{"system":{"get_sysinfo":"x"}}')).toBeNull();
    expect(kasaFromAnswer('1.2.3.4', 9999, '{"system":{"get_sysinfo":{"model":"HS110(EU)","relay_state":1,"mac":"aa"}}}')).toMatchObject({ outlets: 1, model: 'HS110(EU)' });
  });
});
