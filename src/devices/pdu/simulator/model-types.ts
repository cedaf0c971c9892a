import type { LoadStateName } from './physics.js';

// Shapes and constants of the simulated PDU44001 state (SPEC §8), shared by the model and the agent.

export type SourceId = 'A' | 'B';
export type OutletCommand = 'on' | 'off' | 'reboot' | 'delayon' | 'delayoff' | 'delayreboot' | 'cancel' | 'identify';
export type ColdstartState = 'allon' | 'prevstate';

export const OUTLET_COUNT = 10;
export const BANK_COUNT = 2;
export const OUTLETS_PER_BANK = OUTLET_COUNT / BANK_COUNT;
/** ePDUIdentDeviceRating (A); bank and total load states are judged against it (SPEC §8). */
export const DEVICE_RATING_A = 12;
export const DEFAULT_ON_DELAY_S = 3;
export const DEFAULT_OFF_DELAY_S = 3;
export const DEFAULT_REBOOT_S = 5;

export interface PduModelOptions {
  /** Epoch ms of agent start: sysUpTime counts from here. */
  nowMs: number;
  seed?: number;
  serial?: string;
  name?: string;
  environment?: boolean;
}

export interface PlanStep {
  at: number;
  on: boolean;
}

export interface SimOutlet {
  readonly n: number;
  readonly bank: number;
  name: string;
  /** Relay state, what ePDUOutletStatusOutletState reports. */
  on: boolean;
  /** ePDUOutletStatusCommandPending: a delayed command or reboot is under way. */
  pending: boolean;
  plan: PlanStep[];
  /** Nominal current when on (A). */
  loadA: number;
  readonly pf: number;
  onDelayS: number;
  offDelayS: number;
  rebootS: number;
  energyKWh: number;
  currentA: number;
  powerW: number;
  apparentVA: number;
}

export interface SimSource {
  readonly id: SourceId;
  /** Voltage the drift curve centres on; 0 or below DROPOUT_V means no supply. */
  centerV: number;
  failed: boolean;
  readonly phaseS: number;
  voltage: number;
  frequency: number;
}

export interface LoadRow {
  /** ePDULoadStatusBankNumber: 0 = phase/total row, ≥ 1 = bank. */
  readonly bank: number;
  currentA: number;
  powerW: number;
  apparentVA: number;
  powerFactor: number;
  energyKWh: number;
  voltage: number;
  loadState: LoadStateName;
}

export interface SimContact {
  name: string;
  abnormal: boolean;
  normallyClosed: boolean;
}

export interface SimEnvironment {
  temperatureC: number;
  humidity: number;
  contacts: SimContact[];
}

export interface SimIdentity {
  name: string;
  readonly model: string;
  readonly serial: string;
  readonly firmware: string;
  readonly hardwareRev: string;
  readonly manufactureDate: string;
  readonly ratingA: number;
  sysName: string;
  sysLocation: string;
  sysContact: string;
}
