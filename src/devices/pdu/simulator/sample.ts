import {
  CURRENT_NOISE, FREQUENCY_NOISE_HZ, NOMINAL_FREQUENCY_HZ, VOLTAGE_NOISE_V, driftVoltage, loadStateOf, symmetric,
} from './physics.js';
import { DEVICE_RATING_A, type LoadRow, type SimEnvironment, type SimOutlet, type SimSource, type SourceId } from './model-types.js';

/** The part of the model state that readings are written into. */
export interface SampleTarget {
  readonly sources: Record<SourceId, SimSource>;
  readonly outlets: readonly SimOutlet[];
  readonly loadRows: readonly LoadRow[];
  readonly environment: SimEnvironment | null;
  readonly powered: boolean;
  readonly active: SourceId;
  inputVoltage: number;
  inputFrequency: number;
}

/**
 * Instantaneous readings with noise (SPEC §8): sources drift around their set voltage, each "on"
 * outlet draws its nominal current ±2 %, outlet power = V·I·pf, banks and the total row are sums.
 */
export function sampleReadings(m: SampleTarget, liveA: boolean, liveB: boolean, nowMs: number, rng: () => number): void {
  for (const s of [m.sources.A, m.sources.B]) {
    const live = s.id === 'A' ? liveA : liveB;
    s.voltage = live ? driftVoltage(s.centerV, s.phaseS, nowMs) + VOLTAGE_NOISE_V * symmetric(rng) : 0;
    s.frequency = live ? NOMINAL_FREQUENCY_HZ + FREQUENCY_NOISE_HZ * symmetric(rng) : 0;
  }
  const src = m.sources[m.active];
  m.inputVoltage = m.powered ? src.voltage : 0;
  m.inputFrequency = m.powered ? src.frequency : 0;
  const v = m.inputVoltage;
  for (const row of m.loadRows) {
    row.currentA = 0;
    row.powerW = 0;
    row.apparentVA = 0;
  }
  const total = m.loadRows[0];
  for (const o of m.outlets) {
    o.currentA = m.powered && o.on ? o.loadA * (1 + CURRENT_NOISE * symmetric(rng)) : 0;
    o.apparentVA = v * o.currentA;
    o.powerW = o.apparentVA * o.pf;
    addTo(total, o);
    addTo(m.loadRows[o.bank], o);
  }
  for (const row of m.loadRows) {
    row.voltage = v;
    row.powerFactor = row.apparentVA > 0 ? row.powerW / row.apparentVA : 0;
    row.loadState = loadStateOf(row.currentA, DEVICE_RATING_A);
  }
  const env = m.environment;
  if (env) {
    const slow = Math.sin((2 * Math.PI * nowMs) / 600_000);
    env.temperatureC = 24 + 0.5 * slow + 0.1 * symmetric(rng);
    env.humidity = 40 + 2 * slow + 0.3 * symmetric(rng);
  }
}

function addTo(row: LoadRow | undefined, o: SimOutlet): void {
  if (!row) return;
  row.currentA += o.currentA;
  row.powerW += o.powerW;
  row.apparentVA += o.apparentVA;
}
