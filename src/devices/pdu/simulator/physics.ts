// Pure helpers of the simulated PDU44001 (SPEC §8): seeded noise, the source voltage curve and its
// exact integral (so energy over a long gap does not depend on how often the agent was asked),
// and the MIB's threshold enums. No clock, no I/O.

export type LoadStateName = 'normal' | 'low' | 'nearOverload' | 'overload';
export type VoltageStatusName = 'normal' | 'overVoltage' | 'underVoltage';

/** Nominal mains: ±2 V sinusoidal drift with a 60 s period around the source's set voltage. */
export const DRIFT_AMPLITUDE_V = 2;
export const DRIFT_PERIOD_S = 60;
export const VOLTAGE_NOISE_V = 0.2;
export const NOMINAL_FREQUENCY_HZ = 60;
export const FREQUENCY_NOISE_HZ = 0.05;
/** ±2 % current noise on every reading of an "on" outlet. */
export const CURRENT_NOISE = 0.02;

/** Outside 102–138 V (±15 % of 120 V) a source is not "normal" and the ATS avoids it. */
export const UNDER_VOLTAGE_V = 102;
export const OVER_VOLTAGE_V = 138;
/** Below this the input relay drops out: the source delivers nothing. */
export const DROPOUT_V = 60;

const OMEGA = (2 * Math.PI) / DRIFT_PERIOD_S;

/** mulberry32: small, fast, good enough for reproducible simulation noise. Returns [0, 1). */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform noise in [-1, 1). */
export function symmetric(rng: () => number): number {
  return rng() * 2 - 1;
}

/** Noise-free source voltage at `tMs` (the curve energy integrates over). */
export function driftVoltage(centerV: number, phaseS: number, tMs: number): number {
  return centerV + DRIFT_AMPLITUDE_V * Math.sin(OMEGA * (tMs / 1000 + phaseS));
}

/** ∫ driftVoltage dt over [t0Ms, t1Ms], in volt-seconds (closed form of the sinusoid). */
export function driftVoltageIntegral(centerV: number, phaseS: number, t0Ms: number, t1Ms: number): number {
  const a = OMEGA * (t0Ms / 1000 + phaseS);
  const b = OMEGA * (t1Ms / 1000 + phaseS);
  return centerV * ((t1Ms - t0Ms) / 1000) + (DRIFT_AMPLITUDE_V / OMEGA) * (Math.cos(a) - Math.cos(b));
}

/** ePDULoadStatusLoadState from current vs rating: ≥ 100 % overload, ≥ 80 % near, < 1 % low (SPEC §8). */
export function loadStateOf(currentA: number, ratingA: number): LoadStateName {
  // Compared in percent (9.6 / 12 is 0.7999… in floating point, 960 ≥ 960 is not).
  const pct = currentA * 100;
  if (pct >= ratingA * 100) return 'overload';
  if (pct >= ratingA * 80) return 'nearOverload';
  if (pct < ratingA * 1) return 'low';
  return 'normal';
}

export function voltageStatusOf(volts: number): VoltageStatusName {
  if (volts < UNDER_VOLTAGE_V) return 'underVoltage';
  if (volts > OVER_VOLTAGE_V) return 'overVoltage';
  return 'normal';
}

/** "MM/DD/YYYY HH:MM:SS" in UTC, the format a real PDU44005 uses for energy start times. */
export function formatPduTimestamp(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number): string => String(n).padStart(2, '0');
  return (
    `${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${d.getUTCFullYear()} ` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`
  );
}

/** W·s → kWh. */
export const WS_PER_KWH = 3_600_000;
