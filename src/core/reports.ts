import type { EnergyDay } from './ports.js';
import type { OutageRecord } from './power.js';

// Energy reports (SPEC §13.7, §14.2): the ports between reports/ (builds and stores the files),
// history/ (the energy rows, costs and outages it reads) and http/ (lists, generates, serves).

export type ReportType = 'weekly' | 'monthly';
export type ReportFormat = 'pdf' | 'html';

/** One stored report file (`GET /api/reports`); `created` in epoch seconds (§14.1). */
export interface ReportFileInfo {
  filename: string;
  device_id: string;
  report_type: ReportType;
  /** weekly: its Monday (YYYY-MM-DD); monthly: YYYY-MM. */
  period: string;
  format: ReportFormat;
  size_bytes: number;
  created: number;
}

/**
 * What a report reads from the history store; implemented by history/. Dates are local
 * (config `timezone`), inclusive; methods throw P2mError naming the field on bad input.
 */
export interface ReportDataPort {
  /** Devices with stored history. */
  devices(): string[];
  /** Every energy_daily row of the device with start ≤ date ≤ end (PDU and outlet rows, all sources). */
  energyDays(deviceId: string, start: string, end: string): EnergyDay[];
  /** Cost of the device's stored energy of one day under `energy.tariff`; null when every price is 0. */
  dayCost(deviceId: string, date: string): number | null;
  /** Power outages overlapping [since, until) (epoch seconds), oldest first. */
  outages(since: number, until: number): OutageRecord[];
  /** Local outlet name overrides of the device. */
  outletNames(deviceId: string): Array<{ outlet: number; name: string }>;
}

export interface GenerateRequest {
  device_id: string;
  type: ReportType;
  /** weekly: any date of the week (YYYY-MM-DD, stored as its Monday); monthly: YYYY-MM. Default: the last complete one. */
  period?: string | undefined;
}

/** `filenames` = [pdf, html]; ok:false only when the period has no energy data (no file is written). */
export type GenerateResult = { ok: true; filenames: [string, string] } | { ok: false; error: string };

/** A stored report ready to be sent. */
export interface ReportDownload {
  path: string;
  size: number;
  format: ReportFormat;
}

/** The reports service as the web server and the CLI see it; implemented by reports/. */
export interface ReportsPort {
  /** Stored files, newest period first; only one device's when given. */
  list(deviceId?: string): Promise<ReportFileInfo[]>;
  /** Build both files of one period now (replacing them). Bad input (period, unknown device) throws P2mError. */
  generate(req: GenerateRequest): Promise<GenerateResult>;
  /** A stored file: P2mError (400) for a device id or name outside the naming pattern, null when absent. */
  download(deviceId: string, filename: string): Promise<ReportDownload | null>;
}
