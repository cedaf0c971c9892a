import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import { PduModel, type SourceId } from '../../../src/devices/pdu/simulator/model.js';
import { loadStateOf, voltageStatusOf } from '../../../src/devices/pdu/simulator/physics.js';

// ATS behaviour, power loss / boot and coldstart of the simulated PDU44001 (SPEC §8), on FakeClock.

function setup(): { clock: FakeClock; m: PduModel; now: () => number } {
  const clock = new FakeClock();
  const m = new PduModel({ nowMs: clock.now(), seed: 3 });
  return { clock, m, now: () => clock.now() };
}

describe('ATS transfer and redundancy', () => {
  type Step = { op: 'fail' | 'restore' | 'prefer'; s: SourceId } | { op: 'volts'; s: SourceId; v: number };
  it.each<{ name: string; steps: Step[]; active: SourceId; redundancy: boolean; transfers: number }>([
    { name: 'both fine: preferred A', steps: [], active: 'A', redundancy: true, transfers: 0 },
    { name: 'A fails → B, redundancy lost', steps: [{ op: 'fail', s: 'A' }], active: 'B', redundancy: false, transfers: 1 },
    { name: 'A fails and returns → back to A', steps: [{ op: 'fail', s: 'A' }, { op: 'restore', s: 'A' }], active: 'A', redundancy: true, transfers: 2 },
    { name: 'B fails while on A → stays on A', steps: [{ op: 'fail', s: 'B' }], active: 'A', redundancy: false, transfers: 0 },
    { name: 'preferred B → transfers to B', steps: [{ op: 'prefer', s: 'B' }], active: 'B', redundancy: true, transfers: 1 },
    { name: 'A at 95 V (under-voltage) → B', steps: [{ op: 'volts', s: 'A', v: 95 }], active: 'B', redundancy: false, transfers: 1 },
    { name: 'A at 145 V (over-voltage) → B', steps: [{ op: 'volts', s: 'A', v: 145 }], active: 'B', redundancy: false, transfers: 1 },
    {
      name: 'both out of range but live → stays powered on preferred',
      steps: [{ op: 'volts', s: 'A', v: 95 }, { op: 'volts', s: 'B', v: 95 }], active: 'A', redundancy: false, transfers: 2,
    },
  ])('$name', ({ steps, active, redundancy, transfers }) => {
    const { m, now } = setup();
    for (const st of steps) {
      if (st.op === 'fail') m.failSource(st.s, now());
      else if (st.op === 'restore') m.restoreSource(st.s, now());
      else if (st.op === 'prefer') m.setPreferredSource(st.s, now());
      else if (st.op === 'volts') m.setSourceVoltage(st.s, st.v, now());
    }
    expect({ active: m.active, redundancy: m.redundancyOk, transfers: m.transfers, powered: m.powered }).toEqual({
      active, redundancy, transfers, powered: true,
    });
    expect(m.inputVoltage).toBe(m.sources[active].voltage);
  });

  it('a failed source reads 0 V and 0 Hz; outlets stay on through a transfer', () => {
    const { m, now } = setup();
    m.failSource('A', now());
    expect(m.sources.A.voltage).toBe(0);
    expect(m.sources.A.frequency).toBe(0);
    expect(m.sources.B.voltage).toBeGreaterThan(115);
    expect(m.outlets.every((o) => o.on)).toBe(true);
    expect(m.sysUpTimeCs(now())).toBe(0);
  });

  it.each([
    [101.9, 'underVoltage'],
    [102, 'normal'],
    [138, 'normal'],
    [138.1, 'overVoltage'],
  ] as const)('voltageStatusOf(%d) = %s', (v, s) => {
    expect(voltageStatusOf(v)).toBe(s);
  });

  it.each([
    [0, 'low'],
    [0.119, 'low'],
    [0.12, 'normal'],
    [9.59, 'normal'],
    [9.6, 'nearOverload'],
    [11.99, 'nearOverload'],
    [12, 'overload'],
  ] as const)('loadStateOf(%d A of 12 A) = %s', (a, s) => {
    expect(loadStateOf(a, 12)).toBe(s);
  });
});

describe('power loss and boot', () => {
  it('both sources failed → unpowered; power returns → boot, sysUpTime from 0, outlets all on', async () => {
    const { clock, m, now } = setup();
    await clock.advance(100_000);
    m.command(2, 'off', now());
    m.command(5, 'delayoff', now());
    expect(m.sysUpTimeCs(now())).toBe(10_000);
    m.failSource('A', now());
    m.failSource('B', now());
    expect(m.powered).toBe(false);
    expect(m.outlets.some((o) => o.on || o.pending)).toBe(false);
    expect(m.loadRows[0]!.currentA).toBe(0);
    const energy = m.loadRows[0]!.energyKWh;
    await clock.advance(60_000);
    m.step(now());
    expect(m.loadRows[0]!.energyKWh).toBe(energy); // nothing accumulates unpowered
    m.restoreSource('B', now());
    expect(m.powered).toBe(true);
    expect(m.active).toBe('B');
    expect(m.boots).toBe(2);
    expect(m.sysUpTimeCs(now())).toBe(0);
    await clock.advance(1500);
    expect(m.sysUpTimeCs(now())).toBe(150);
    expect(m.outlets.every((o) => o.on)).toBe(true); // coldstart allon (default)
  });

  it('setAllSourcesFailed(true) powers down without an intermediate transfer', () => {
    const { m, now } = setup();
    m.setAllSourcesFailed(true, now());
    expect(m.powered).toBe(false);
    expect(m.transfers).toBe(0);
    m.setAllSourcesFailed(false, now());
    expect(m.powered).toBe(true);
    expect(m.active).toBe('A');
  });

  it('coldstart prevstate restores the states from before the loss', () => {
    const { m, now } = setup();
    m.coldstart.state = 'prevstate';
    m.command(3, 'off', now());
    m.setAllSourcesFailed(true, now());
    m.setAllSourcesFailed(false, now());
    expect(m.outlets.map((o) => o.on)).toEqual([true, true, false, true, true, true, true, true, true, true]);
  });

  it('coldstart delay keeps the outlets off after boot, without a command pending', async () => {
    const { clock, m, now } = setup();
    m.coldstart.delayS = 10;
    m.setAllSourcesFailed(true, now());
    m.setAllSourcesFailed(false, now());
    expect(m.outlets.some((o) => o.on || o.pending)).toBe(false);
    await clock.advance(9_999);
    m.step(now());
    expect(m.outlets.some((o) => o.on)).toBe(false);
    await clock.advance(1);
    m.step(now());
    expect(m.outlets.every((o) => o.on)).toBe(true);
  });

  it('reboot (controller restart) resets sysUpTime and applies the coldstart state', async () => {
    const { clock, m, now } = setup();
    await clock.advance(30_000);
    m.command(7, 'off', now());
    m.reboot(now());
    expect(m.sysUpTimeCs(now())).toBe(0);
    expect(m.outlets[6]!.on).toBe(true); // allon
    expect(m.powered).toBe(true);
  });

  it('commands are refused while unpowered', () => {
    const { m, now } = setup();
    m.setAllSourcesFailed(true, now());
    expect(m.command(1, 'on', now())).toBe(false);
    expect(m.outlets[0]!.on).toBe(false);
  });
});
