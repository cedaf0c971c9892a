import {
  DROPOUT_V, OVER_VOLTAGE_V, UNDER_VOLTAGE_V, WS_PER_KWH, createRng, driftVoltageIntegral, formatPduTimestamp, type LoadStateName,
} from './physics.js';
import { sampleReadings } from './sample.js';
import {
  BANK_COUNT, DEFAULT_OFF_DELAY_S, DEFAULT_ON_DELAY_S, DEFAULT_REBOOT_S, DEVICE_RATING_A, OUTLET_COUNT, OUTLETS_PER_BANK,
  type ColdstartState, type LoadRow, type OutletCommand, type PduModelOptions, type SimEnvironment, type SimIdentity, type SimOutlet,
  type SimSource, type SourceId,
} from './model-types.js';

export * from './model-types.js';

// Physics and state of one simulated PDU44001 (SPEC §8). Pure: every entry point takes the time
// as an argument and the model never arms a timer. Time only moves in step(nowMs), which the agent
// calls when a request arrives, so 500 idle simulated PDUs cost nothing. Delayed outlet commands
// are plan steps applied in due order inside step(), integrating energy piecewise between them.

const other = (s: SourceId): SourceId => (s === 'A' ? 'B' : 'A');

export class PduModel {
  readonly identity: SimIdentity;
  readonly outlets: SimOutlet[];
  readonly sources: Record<SourceId, SimSource>;
  /** Load-table rows in table order: row 1 = total (bank 0), rows 2.. = banks 1.. */
  readonly loadRows: LoadRow[];
  readonly environment: SimEnvironment | null;
  readonly energyStart: string;
  readonly coldstart: { delayS: number; state: ColdstartState } = { delayS: 0, state: 'allon' };
  preferred: SourceId = 'A';
  active: SourceId = 'A';
  redundancyOk = true;
  powered = true;
  bootAtMs: number;
  inputVoltage = 0;
  inputFrequency = 0;
  /** Counters for tests and logs. */
  transfers = 0;
  boots = 1;
  private t: number;
  private readonly rng: () => number;
  private prevOn: boolean[];

  constructor(opts: PduModelOptions) {
    this.t = opts.nowMs;
    this.bootAtMs = opts.nowMs;
    this.rng = createRng(opts.seed ?? 1);
    const name = opts.name ?? 'Demo PDU';
    this.identity = {
      name, model: 'PDU44001', serial: opts.serial ?? 'SIM000001', firmware: '1.3.2', hardwareRev: '1.1',
      manufactureDate: '11/05/2023', ratingA: DEVICE_RATING_A, sysName: name, sysLocation: 'Demo Rack', sysContact: 'admin@example.com',
    };
    this.outlets = Array.from({ length: OUTLET_COUNT }, (_, i) => {
      const n = i + 1;
      // A plausible accumulated history, different per seed, so counters do not all start at 0.
      const energyKWh = Math.round(this.rng() * 500) / 10;
      return {
        n, bank: Math.ceil(n / OUTLETS_PER_BANK), name: `Outlet${n}`, on: true, pending: false, plan: [],
        loadA: 0.1 + 0.15 * n, pf: 0.95 + 0.04 * this.rng(), onDelayS: DEFAULT_ON_DELAY_S, offDelayS: DEFAULT_OFF_DELAY_S,
        rebootS: DEFAULT_REBOOT_S, energyKWh, currentA: 0, powerW: 0, apparentVA: 0,
      };
    });
    this.prevOn = this.outlets.map(() => true);
    const source = (id: SourceId): SimSource => ({ id, centerV: 120, failed: false, phaseS: this.rng() * 60, voltage: 0, frequency: 0 });
    this.sources = { A: source('A'), B: source('B') };
    this.loadRows = Array.from({ length: BANK_COUNT + 1 }, (_, bank) => ({
      bank, currentA: 0, powerW: 0, apparentVA: 0, powerFactor: 0, voltage: 0, loadState: 'low' as LoadStateName,
      energyKWh: this.outlets.filter((o) => bank === 0 || o.bank === bank).reduce((s, o) => s + o.energyKWh, 0),
    }));
    this.environment = opts.environment
      ? { temperatureC: 24, humidity: 40, contacts: [1, 2, 3, 4].map((c) => ({ name: `Contact#${c}`, abnormal: false, normallyClosed: false })) }
      : null;
    this.energyStart = formatPduTimestamp(opts.nowMs);
    this.sample(opts.nowMs);
  }

  /** Model time (epoch ms) of the last step. */
  get time(): number {
    return this.t;
  }

  /** sysUpTime in centiseconds since the agent last (re)booted. */
  sysUpTimeCs(nowMs: number): number {
    return Math.max(0, Math.floor((nowMs - this.bootAtMs) / 10));
  }

  /** Advance to nowMs: apply due outlet plan steps in order, integrate energy, resample readings. */
  step(nowMs: number): void {
    for (;;) {
      const due = this.nextDue(nowMs);
      if (!due) break;
      const at = Math.max(this.t, due.at);
      this.integrate(this.t, at);
      this.t = at;
      const s = due.outlet.plan.shift();
      if (s) due.outlet.on = s.on;
      if (due.outlet.plan.length === 0) due.outlet.pending = false;
    }
    // A clock that steps backwards (NTP) must not un-count energy: model time never decreases.
    if (nowMs > this.t) {
      this.integrate(this.t, nowMs);
      this.t = nowMs;
    }
    this.sample(this.t);
  }

  /** ePDUOutletControlOutletCommand semantics; false when the outlet does not exist or the PDU is unpowered. */
  command(n: number, cmd: OutletCommand, nowMs: number): boolean {
    this.step(nowMs);
    const o = this.outlets[n - 1];
    if (!o || !this.powered) return false;
    const at = (s: number): number => nowMs + s * 1000;
    switch (cmd) {
      case 'on':
      case 'off':
        o.plan = [];
        o.pending = false;
        o.on = cmd === 'on';
        break;
      case 'reboot':
        o.on = false;
        o.plan = [{ at: at(o.rebootS), on: true }];
        o.pending = true;
        break;
      case 'delayon':
      case 'delayoff':
        o.plan = [{ at: at(cmd === 'delayon' ? o.onDelayS : o.offDelayS), on: cmd === 'delayon' }];
        o.pending = true;
        break;
      case 'delayreboot':
        o.plan = [{ at: at(o.offDelayS), on: false }, { at: at(o.offDelayS + o.rebootS), on: true }];
        o.pending = true;
        break;
      case 'cancel':
        o.plan = [];
        o.pending = false;
        break;
      case 'identify':
        break;
    }
    this.step(nowMs); // zero delays take effect now
    return true;
  }

  setSourceVoltage(s: SourceId, volts: number, nowMs: number): void {
    this.mutate(nowMs, () => void (this.sources[s].centerV = volts));
  }

  failSource(s: SourceId, nowMs: number): void {
    this.mutate(nowMs, () => void (this.sources[s].failed = true));
  }

  restoreSource(s: SourceId, nowMs: number): void {
    this.mutate(nowMs, () => void (this.sources[s].failed = false));
  }

  /** Both inputs at once (a site power cut / its return), without an intermediate ATS transfer. */
  setAllSourcesFailed(failed: boolean, nowMs: number): void {
    this.mutate(nowMs, () => {
      this.sources.A.failed = failed;
      this.sources.B.failed = failed;
    });
  }

  setPreferredSource(s: SourceId, nowMs: number): void {
    this.mutate(nowMs, () => void (this.preferred = s));
  }

  setOutletLoad(n: number, amps: number, nowMs: number): void {
    const o = this.outlets[n - 1];
    if (o) this.mutate(nowMs, () => void (o.loadA = Math.max(0, amps)));
  }

  /** Loads every outlet of the bank to 110 % of the rating in total and switches them on. */
  overloadBank(bank: number, nowMs: number): void {
    this.mutate(nowMs, () => {
      for (const o of this.outlets.filter((x) => x.bank === bank)) {
        o.loadA = (DEVICE_RATING_A * 1.1) / OUTLETS_PER_BANK;
        o.on = true;
        o.plan = [];
        o.pending = false;
      }
    });
  }

  /** Controller restart (scenario `pdu_reboot`): sysUpTime restarts, outlets follow the coldstart state. */
  reboot(nowMs: number): void {
    this.mutate(nowMs, () => {
      if (!this.powered) return;
      this.powerDown();
      this.boot(nowMs);
    });
  }

  /** Source usable by the ATS: present and within 102–138 V. */
  sourceOk(s: SourceId): boolean {
    const src = this.sources[s];
    return !src.failed && src.centerV >= UNDER_VOLTAGE_V && src.centerV <= OVER_VOLTAGE_V;
  }

  /** Source delivers anything at all (the PDU stays powered from it, even out of range). */
  sourceLive(s: SourceId): boolean {
    const src = this.sources[s];
    return !src.failed && src.centerV >= DROPOUT_V;
  }

  private mutate(nowMs: number, change: () => void): void {
    this.step(nowMs);
    change();
    this.settle(nowMs);
    this.step(nowMs);
  }

  /** ATS decision (no retransfer delay): the preferred source when usable, else the other, else whichever is live. */
  private settle(nowMs: number): void {
    const wasPowered = this.powered;
    this.powered = this.sourceLive('A') || this.sourceLive('B');
    if (!this.powered) {
      if (wasPowered) this.powerDown();
      return;
    }
    if (!wasPowered) this.boot(nowMs);
    const order: SourceId[] = [this.preferred, other(this.preferred)];
    const choice = order.find((s) => this.sourceOk(s)) ?? order.find((s) => this.sourceLive(s)) ?? this.active;
    if (choice !== this.active) this.transfers++;
    this.active = choice;
    this.redundancyOk = this.sourceOk('A') && this.sourceOk('B');
  }

  private powerDown(): void {
    this.prevOn = this.outlets.map((o) => o.on);
    for (const o of this.outlets) {
      o.on = false;
      o.plan = [];
      o.pending = false;
    }
  }

  /** Power returns (or the controller restarts): outlets come back per coldstart state after the coldstart delay. */
  private boot(nowMs: number): void {
    this.bootAtMs = nowMs;
    this.boots++;
    this.outlets.forEach((o, i) => {
      const target = this.coldstart.state === 'allon' || (this.prevOn[i] ?? true);
      if (this.coldstart.delayS <= 0) o.on = target;
      else if (target) o.plan = [{ at: nowMs + this.coldstart.delayS * 1000, on: true }];
    });
  }

  private nextDue(nowMs: number): { outlet: SimOutlet; at: number } | null {
    let best: { outlet: SimOutlet; at: number } | null = null;
    for (const o of this.outlets) {
      const s = o.plan[0];
      if (s && s.at <= nowMs && (!best || s.at < best.at)) best = { outlet: o, at: s.at };
    }
    return best;
  }

  /** Energy over [t0, t1] from nominal currents and the noise-free voltage curve, in closed form. */
  private integrate(t0: number, t1: number): void {
    if (!this.powered || t1 <= t0) return;
    const src = this.sources[this.active];
    const voltSeconds = driftVoltageIntegral(src.centerV, src.phaseS, t0, t1);
    const total = this.loadRows[0];
    for (const o of this.outlets) {
      if (!o.on) continue;
      const kwh = (o.loadA * o.pf * voltSeconds) / WS_PER_KWH;
      o.energyKWh += kwh;
      const bankRow = this.loadRows[o.bank];
      if (bankRow) bankRow.energyKWh += kwh;
      if (total) total.energyKWh += kwh;
    }
  }

  private sample(nowMs: number): void {
    sampleReadings(this, this.sourceLive('A'), this.sourceLive('B'), nowMs, this.rng);
  }
}
