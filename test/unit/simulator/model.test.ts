import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import { PduModel, type OutletCommand } from '../../../src/devices/pdu/simulator/model.js';
import { DRIFT_PERIOD_S, WS_PER_KWH } from '../../../src/devices/pdu/simulator/physics.js';

// The simulated PDU44001's physics (SPEC §8), driven by FakeClock time: loads, sums, energy,
// load states, delayed commands and coldstart. ATS and power loss live in model-ats.test.ts.

function setup(seed = 7): { clock: FakeClock; m: PduModel; at: (s: number) => Promise<void> } {
  const clock = new FakeClock();
  const m = new PduModel({ nowMs: clock.now(), seed });
  const start = clock.now();
  return {
    clock,
    m,
    // Move to `s` seconds after start and let the model catch up, as a request would.
    at: async (s: number) => {
      await clock.advance(start + s * 1000 - clock.now());
      m.step(clock.now());
    },
  };
}

describe('PduModel loads (SPEC §8: outlet n draws 0.1 + 0.15·n A ±2 %)', () => {
  it.each(Array.from({ length: 10 }, (_, i) => i + 1))('outlet %i', (n) => {
    const { m } = setup();
    const o = m.outlets[n - 1]!;
    const nominal = 0.1 + 0.15 * n;
    expect(o.bank).toBe(n <= 5 ? 1 : 2);
    expect(o.currentA).toBeGreaterThanOrEqual(nominal * 0.98);
    expect(o.currentA).toBeLessThanOrEqual(nominal * 1.02);
    expect(o.pf).toBeGreaterThanOrEqual(0.95);
    expect(o.pf).toBeLessThanOrEqual(0.99);
    expect(o.powerW).toBeCloseTo(m.inputVoltage * o.currentA * o.pf, 9);
    expect(o.apparentVA).toBeCloseTo(m.inputVoltage * o.currentA, 9);
  });

  it('an "off" outlet draws nothing', async () => {
    const { clock, m } = setup();
    m.command(4, 'off', clock.now());
    expect(m.outlets[3]!.currentA).toBe(0);
    expect(m.outlets[3]!.powerW).toBe(0);
  });

  it('banks are the sums of their outlets and the total row is the sum of the banks', () => {
    const { m } = setup();
    expect(m.loadRows.map((r) => r.bank)).toEqual([0, 1, 2]);
    for (const bank of [1, 2]) {
      const outlets = m.outlets.filter((o) => o.bank === bank);
      const row = m.loadRows[bank]!;
      expect(row.currentA).toBeCloseTo(outlets.reduce((s, o) => s + o.currentA, 0), 9);
      expect(row.powerW).toBeCloseTo(outlets.reduce((s, o) => s + o.powerW, 0), 9);
      expect(row.powerFactor).toBeGreaterThanOrEqual(0.95);
      expect(row.powerFactor).toBeLessThanOrEqual(0.99);
      expect(row.voltage).toBe(m.inputVoltage);
    }
    const [total, b1, b2] = m.loadRows;
    expect(total!.currentA).toBeCloseTo(b1!.currentA + b2!.currentA, 9);
    expect(total!.energyKWh).toBeCloseTo(b1!.energyKWh + b2!.energyKWh, 9);
  });

  it('readings are reproducible for a seed and differ between seeds', () => {
    const a = setup(42).m.outlets.map((o) => o.currentA);
    const b = setup(42).m.outlets.map((o) => o.currentA);
    const c = setup(43).m.outlets.map((o) => o.currentA);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('source voltage drifts around 120 V within ±2 V plus noise and frequency stays 60 ± 0.05 Hz', async () => {
    const { m, at } = setup();
    const volts: number[] = [];
    for (let s = 0; s < 60; s += 1) {
      await at(s);
      volts.push(m.sources.A.voltage);
      expect(m.sources.A.frequency).toBeGreaterThanOrEqual(59.95);
      expect(m.sources.A.frequency).toBeLessThanOrEqual(60.05);
      expect(m.inputVoltage).toBe(m.sources.A.voltage);
    }
    expect(Math.max(...volts)).toBeLessThanOrEqual(122.2);
    expect(Math.min(...volts)).toBeGreaterThanOrEqual(117.8);
    expect(Math.max(...volts) - Math.min(...volts)).toBeGreaterThan(3); // it does drift
  });
});

describe('PduModel energy integration', () => {
  // Over whole drift periods the sinusoid integrates to 0, so energy = Σ I·pf·120 V·t exactly.
  it.each([
    { seconds: DRIFT_PERIOD_S * 60, stepS: 3600 },
    { seconds: DRIFT_PERIOD_S * 60, stepS: 1 },
    { seconds: DRIFT_PERIOD_S * 5, stepS: 7 },
  ])('$seconds s in steps of $stepS s', async ({ seconds, stepS }) => {
    const { m, at } = setup();
    const before = m.outlets.map((o) => o.energyKWh);
    const bankBefore = m.loadRows.map((r) => r.energyKWh);
    for (let s = stepS; s < seconds; s += stepS) await at(s);
    await at(seconds);
    const expected = m.outlets.map((o) => (o.loadA * o.pf * 120 * seconds) / WS_PER_KWH);
    m.outlets.forEach((o, i) => expect(o.energyKWh - before[i]!).toBeCloseTo(expected[i]!, 9));
    const sum = expected.reduce((s, e) => s + e, 0);
    expect(m.loadRows[0]!.energyKWh - bankBefore[0]!).toBeCloseTo(sum, 9);
  });

  it('an outlet switched off half-way accumulates half the energy', async () => {
    const { clock, m, at } = setup();
    const e0 = m.outlets[9]!.energyKWh;
    await at(1800);
    m.command(10, 'off', clock.now());
    await at(3600);
    const o = m.outlets[9]!;
    expect(o.energyKWh - e0).toBeCloseTo((o.loadA * o.pf * 120 * 1800) / WS_PER_KWH, 9);
  });
});

describe('PduModel load state (ePDULoadStatusLoadState vs the 12 A rating)', () => {
  it.each([
    { label: 'all outlets off', amps: null, state: 'low' },
    { label: '5 A', amps: 1, state: 'normal' },
    { label: '10 A (83 %)', amps: 2, state: 'nearOverload' },
    { label: '13 A (108 %)', amps: 2.6, state: 'overload' },
  ])('bank 2 at $label → $state', ({ amps, state }) => {
    const { clock, m } = setup();
    for (const n of [6, 7, 8, 9, 10]) {
      if (amps === null) m.command(n, 'off', clock.now());
      else m.setOutletLoad(n, amps, clock.now());
    }
    expect(m.loadRows[2]!.loadState).toBe(state);
  });

  it('overloadBank puts the bank over its rating', () => {
    const { clock, m } = setup();
    m.overloadBank(1, clock.now());
    expect(m.loadRows[1]!.loadState).toBe('overload');
    expect(m.loadRows[1]!.currentA).toBeGreaterThanOrEqual(12);
  });
});

describe('PduModel outlet commands (ePDUOutletControlOutletCommand)', () => {
  type Check = [seconds: number, state: 'on' | 'off', pending: boolean];
  it.each<{ cmd: OutletCommand; from: 'on' | 'off'; checks: Check[] }>([
    { cmd: 'on', from: 'off', checks: [[0, 'on', false]] },
    { cmd: 'off', from: 'on', checks: [[0, 'off', false]] },
    { cmd: 'reboot', from: 'on', checks: [[0, 'off', true], [4.9, 'off', true], [5, 'on', false], [60, 'on', false]] },
    { cmd: 'delayon', from: 'off', checks: [[0, 'off', true], [2.9, 'off', true], [3, 'on', false]] },
    { cmd: 'delayoff', from: 'on', checks: [[0, 'on', true], [2.999, 'on', true], [3, 'off', false]] },
    { cmd: 'delayreboot', from: 'on', checks: [[0, 'on', true], [3, 'off', true], [7.9, 'off', true], [8, 'on', false]] },
    { cmd: 'cancel', from: 'on', checks: [[0, 'on', false], [10, 'on', false]] },
  ])('$cmd from $from', async ({ cmd, from, checks }) => {
    const { clock, m, at } = setup();
    m.command(3, from, clock.now());
    expect(m.command(3, cmd, clock.now())).toBe(true);
    for (const [s, state, pending] of checks) {
      await at(s);
      const o = m.outlets[2]!;
      expect({ s, state: o.on ? 'on' : 'off', pending: o.pending }).toEqual({ s, state, pending });
    }
    expect(m.outlets[1]!.on).toBe(true); // neighbours untouched
  });

  it('cancel clears a pending delayoff', async () => {
    const { clock, m, at } = setup();
    m.command(1, 'delayoff', clock.now());
    await at(1);
    m.command(1, 'cancel', clock.now());
    await at(10);
    expect(m.outlets[0]!.on).toBe(true);
    expect(m.outlets[0]!.pending).toBe(false);
  });

  it('uses the outlet’s configured delays (ePDUOutletConfigPowerOffTime / RebootDuration)', async () => {
    const { clock, m, at } = setup();
    m.outlets[0]!.rebootS = 2;
    m.outlets[1]!.offDelayS = 0;
    m.command(1, 'reboot', clock.now());
    m.command(2, 'delayoff', clock.now());
    expect(m.outlets[1]!.on).toBe(false); // zero delay applies at once
    await at(2);
    expect(m.outlets[0]!.on).toBe(true);
  });

  it('refuses unknown outlets', () => {
    const { clock, m } = setup();
    expect(m.command(11, 'off', clock.now())).toBe(false);
    expect(m.command(0, 'off', clock.now())).toBe(false);
  });
});
