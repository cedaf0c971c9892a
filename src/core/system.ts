// Ports of the system endpoints (SPEC §14.2 `/api/config`, `/api/system/*`): runtime settings,
// the in-memory log, backup/restore and restart. Implemented at the composition root (app.ts) and by
// config/settings-service.ts; read by http/.

import type { LogQuery } from './logger.js';

export type SettingOrigin = 'default' | 'file' | 'runtime' | 'env' | 'cli';

/** One runtime setting as `GET /api/config` shows it. */
export interface SettingView {
  key: string;
  /** The value that applies once everything has (re)started: saved, file, env or default. */
  value: unknown;
  /** The value the process runs with now (differs from `value` until a restart for `effect: restart`). */
  running: unknown;
  origin: SettingOrigin;
  effect: 'live' | 'restart';
}

export interface SettingsUpdate {
  /** Key → the value saved. */
  updated: Record<string, unknown>;
  /** Keys saved but set by an environment variable or flag, which wins (SPEC §3.1). */
  overridden_by_env: string[];
  /** Keys whose saved value applies at the next restart. */
  restart_required: string[];
}

export interface SettingsPort {
  list(): SettingView[];
  /** `values` are validated already (config/runtime-settings.ts parseSettingsUpdate); saves, then applies the live ones. */
  update(values: Record<string, unknown>): SettingsUpdate;
  /** Keys saved with a value the process does not run with yet. */
  restartRequired(): string[];
}

/** `GET /api/system/backup` (SPEC §14.2): what a user made at runtime; no secrets, no auth data. */
export interface BackupDocument {
  format: 'power2mqtt-backup';
  version: number;
  created_at: string;
  app_version: string;
  sections: Record<string, unknown>;
}

/** One section of the backup (runtime devices, switches, rules, …), contributed by its owner. */
export interface BackupSection {
  readonly name: string;
  export(): unknown;
  /** Item by item through the owner's own validation; stops at the first refusal, naming the item. */
  restore(data: unknown): Promise<{ ok: true; count: number } | { ok: false; error: string; field?: string }>;
}

export interface SystemPort {
  logs(q: LogQuery): Array<Record<string, unknown>>;
  /** Stops and starts the whole service in-process after a short delay (the reply goes out first). */
  restart(): { ok: true } | { ok: false; error: string };
  /** Connects to an MQTT broker once (5 s limit) with the given or the running connection settings. */
  testMqtt(input: { url?: string | undefined; username?: string | undefined; password?: string | undefined }): Promise<{ success: boolean; message?: string; error?: string }>;
  /** The embedded broker's generated user (SPEC §16.3), or null when it has none. */
  brokerCredentials(): GeneratedBrokerUser | null;
}

export interface GeneratedBrokerUser {
  username: string;
  password: string;
  /** where it is stored (`mqtt-credentials.yaml` in the data dir) */
  file: string;
  bind: string;
  port: number;
}
