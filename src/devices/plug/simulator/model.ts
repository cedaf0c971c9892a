import type { Clock } from '../../../core/clock.js';

// The physics shared by the plug simulators (Kasa, Shelly, Tasmota): outlets with a settable
// load and relay, a mains voltage, energy that accumulates from power × time, a counter reset,
// and the two ways a plug stops answering: `silent` (lost power: connections hang) and `refuse`
// (port closed, e.g. firmware without the legacy protocol).

export type SimMode = 'normal' | 'silent' | 'refuse';

export interface SimOutlet {
  name: string;
  on: boolean;
  /** Load drawn when on, W. */
  loadW: number;
  /** Device counter, Wh (what the plug reports; reset to 0 on counter reset). */
  energyWh: number;
}

export interface PlugSimOptions {
  outlets: number;
  names?: string[];
  loads?: number[];
  voltage?: number;
  frequency?: number;
  clock: Clock;
}

export class PlugSimModel {
  readonly outlets: SimOutlet[];
  voltage: number;
  frequency: number;
  mode: SimMode = 'normal';
  /** Extra delay before every answer (a slow plug), ms. */
  delayMs = 0;
  private lastMs: number;

  constructor(private readonly opts: PlugSimOptions) {
    this.outlets = Array.from({ length: opts.outlets }, (_, i) => ({
      name: opts.names?.[i] ?? `Plug ${i + 1}`, on: true, loadW: opts.loads?.[i] ?? 10 * (i + 1), energyWh: 0,
    }));
    this.voltage = opts.voltage ?? 230;
    this.frequency = opts.frequency ?? 50;
    this.lastMs = opts.clock.now();
  }

  /** Accumulate energy up to now (called before every answer). */
  advance(): void {
    const now = this.opts.clock.now();
    const dtH = Math.max(0, now - this.lastMs) / 3_600_000;
    this.lastMs = now;
    for (const o of this.outlets) if (o.on) o.energyWh += o.loadW * dtH;
  }

  outlet(n: number): SimOutlet {
    const o = this.outlets[n - 1];
    if (!o) throw new Error(`simulator has no outlet ${n}`);
    return o;
  }

  power(i: number): number {
    const o = this.outlets[i];
    return o && o.on && this.voltage > 0 ? o.loadW : 0;
  }

  current(i: number): number {
    return this.voltage > 0 ? this.power(i) / this.voltage : 0;
  }

  setLoad(n: number, watts: number): void {
    this.advance();
    this.outlet(n).loadW = watts;
  }

  setRelay(n: number, on: boolean): void {
    this.advance();
    this.outlet(n).on = on;
  }

  /** The plug lost power: its totals start again from 0. */
  resetCounters(): void {
    this.advance();
    for (const o of this.outlets) o.energyWh = 0;
  }
}

/** Wait `ms` on the clock (0 = answer at once). */
export function delay(clock: Clock, ms: number): Promise<void> {
  return ms > 0 ? clock.sleep(ms) : Promise.resolve();
}
