// Outlet SETs at shutdown (SPEC §3.3 "finish in-flight SNMP SETs (max 5 s)"): a real PduDevice
// (real net-snmp over UDP) in front of the simulated PDU44001, through the UDP fault proxy so the
// agent can stop answering mid-command (a SET that hangs cannot be asked of a real agent).
import { afterEach, describe, expect, it } from 'vitest';
import { RealClock } from '../../../src/core/clock.js';
import { SHUTDOWN_SET_GRACE_MS } from '../../../src/devices/pdu/commander.js';
import { createSimulatedPdu, type SimulatedPdu } from '../../../src/devices/pdu/simulator/agent.js';
import { until } from '../../support/mosquitto.js';
import { testPdu } from '../../support/pdu.js';
import { startUdpFaultProxy, type UdpFaultProxy } from '../../support/udp-fault-proxy.js';

const clock = new RealClock();
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(timeoutMs: number): Promise<{ sim: SimulatedPdu; proxy: UdpFaultProxy; pdu: ReturnType<typeof testPdu> }> {
  const sim = await createSimulatedPdu({ port: 0, bind: '127.0.0.1', clock, serial: 'STOP0001', seed: 3 });
  cleanups.push(() => sim.close());
  const proxy = await startUdpFaultProxy(sim.port);
  cleanups.push(() => proxy.close());
  const pdu = testPdu(proxy.port, { timeoutMs }, clock);
  cleanups.push(() => pdu.device.stop(0));
  await pdu.cycle();
  expect(pdu.device.snapshot()?.identity.serial).toBe('STOP0001');
  return { sim, proxy, pdu };
}

describe('outlet SETs at shutdown (SPEC §3.3)', () => {
  it('the grace period is SPEC\'s 5 s', () => {
    expect(SHUTDOWN_SET_GRACE_MS).toBe(5000);
  });

  it('SETs already queued finish and are confirmed before stop() returns; a command during the stop is refused unsent', async () => {
    const { sim, proxy, pdu } = await setup(2000);
    proxy.setMode({ kind: 'delay', ms: 150 });
    const first = pdu.device.command(2, 'off');
    const second = pdu.device.command(3, 'off');
    const stopping = pdu.device.stop(SHUTDOWN_SET_GRACE_MS);
    const during = await pdu.device.command(4, 'off');
    expect(during).toMatchObject({ success: false, code: 'P2M_ERR_DEVICE_UNAVAILABLE', error: 'the bridge is shutting down: command not sent' });
    await stopping;
    // Both were answered (SET + read-back) by the time stop() resolved.
    const settled = await Promise.race([Promise.all([first, second]), clock.sleep(0).then(() => null)]);
    expect(settled).not.toBeNull();
    expect(settled!.map((r) => [r.outlet, r.success, r.state])).toEqual([[2, true, 'off'], [3, true, 'off']]);
    expect([sim.outletState(2), sim.outletState(3), sim.outletState(4)]).toEqual(['off', 'off', 'on']);
  }, 20_000);

  it('a SET the PDU never answers holds stop() only for the grace period; the SETs queued behind it are not sent', async () => {
    const { sim, proxy, pdu } = await setup(3000);
    proxy.setMode({ kind: 'drop' });
    proxy.resetCounters();
    const hung = pdu.device.command(2, 'off');
    const queued = pdu.device.command(3, 'off');
    let hungDone = false;
    void hung.then(() => (hungDone = true));
    await until(() => proxy.counters.dropped >= 1, 2000);
    await pdu.device.stop(300);
    // stop() came back while the first SET was still waiting for its 3 s timeout.
    expect(hungDone).toBe(false);
    proxy.setMode({ kind: 'pass' });
    const [a, b] = await Promise.all([hung, queued]);
    expect(a).toMatchObject({ outlet: 2, success: false, code: 'P2M_ERR_SNMP' });
    expect(b).toMatchObject({ outlet: 3, success: false, code: 'P2M_ERR_DEVICE_UNAVAILABLE', error: 'the bridge is shutting down: command not sent' });
    // Only the hung SET ever reached the wire; outlet 3 was not switched.
    expect(proxy.counters.requests).toBe(1);
    expect(sim.outletState(3)).toBe('on');
  }, 20_000);
});
