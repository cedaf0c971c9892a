// Forward-only schema migrations, versioned by PRAGMA user_version (SPEC §13.1). Each entry is
// applied once, in order, inside a transaction; a database with a higher version than the last
// entry was written by a newer power2mqtt and is refused (db.ts). Never edit a shipped entry:
// append a new one.

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'compact 1 Hz series: devices, series, layouts, raw tail rows, raw chunks, rollups, kv',
    sql: `
      CREATE TABLE hist_device (
        id INTEGER PRIMARY KEY,
        device_id TEXT NOT NULL UNIQUE,
        poll_interval_s REAL NOT NULL DEFAULT 1
      );
      CREATE TABLE hist_series (
        id INTEGER PRIMARY KEY,
        dev INTEGER NOT NULL REFERENCES hist_device(id),
        name TEXT NOT NULL,
        n INTEGER NOT NULL,
        scale INTEGER NOT NULL,
        kind TEXT NOT NULL,
        power INTEGER NOT NULL,
        UNIQUE (dev, name, n)
      );
      -- The series of one device in the order of a tail row's values.
      CREATE TABLE hist_layout (
        id INTEGER PRIMARY KEY,
        dev INTEGER NOT NULL REFERENCES hist_device(id),
        series TEXT NOT NULL
      );
      -- The open chunk: one packed row per device and second, appended (rowid order = time order),
      -- compacted into raw_chunk and deleted when the chunk closes.
      CREATE TABLE raw_tail (
        id INTEGER PRIMARY KEY,
        dev INTEGER NOT NULL,
        ts INTEGER NOT NULL,
        layout INTEGER NOT NULL,
        vals BLOB NOT NULL
      );
      CREATE INDEX raw_tail_dev_ts ON raw_tail (dev, ts);
      CREATE TABLE raw_chunk (
        id INTEGER PRIMARY KEY,
        dev INTEGER NOT NULL,
        t0 INTEGER NOT NULL,
        t1 INTEGER NOT NULL,
        k INTEGER NOT NULL,
        data BLOB NOT NULL
      );
      CREATE UNIQUE INDEX raw_chunk_dev_t0 ON raw_chunk (dev, t0);
      CREATE TABLE rollup (
        id INTEGER PRIMARY KEY,
        dev INTEGER NOT NULL,
        size INTEGER NOT NULL,
        t0 INTEGER NOT NULL,
        t1 INTEGER NOT NULL,
        data BLOB NOT NULL
      );
      CREATE UNIQUE INDEX rollup_dev_size_t0 ON rollup (dev, size, t0);
      CREATE TABLE kv (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: 'events, outages, switches, power checks, energy, runtime devices and overrides, HA discovery, settings',
    sql: `
      CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        ts INTEGER NOT NULL,
        device_id TEXT,
        kind TEXT NOT NULL,
        type TEXT NOT NULL,
        source TEXT,
        details TEXT,
        data TEXT
      );
      CREATE INDEX events_ts ON events (ts);
      CREATE INDEX events_device_ts ON events (device_id, ts);
      CREATE TABLE switches (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        url TEXT NOT NULL,
        ip TEXT NOT NULL,
        role TEXT NOT NULL DEFAULT 'sensor',
        active INTEGER NOT NULL DEFAULT 1,
        source TEXT NOT NULL DEFAULT 'runtime',
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE power_checks (
        id INTEGER PRIMARY KEY,
        switch_id INTEGER NOT NULL,
        result TEXT NOT NULL,
        is_online INTEGER,
        http_status INTEGER,
        response_time REAL,
        error_message TEXT,
        checked_at INTEGER NOT NULL
      );
      CREATE INDEX power_checks_switch ON power_checks (switch_id, checked_at);
      CREATE INDEX power_checks_at ON power_checks (checked_at);
      CREATE TABLE outages (
        id INTEGER PRIMARY KEY,
        started_at INTEGER NOT NULL,
        ended_at INTEGER,
        is_ongoing INTEGER NOT NULL DEFAULT 1,
        kind TEXT NOT NULL DEFAULT 'power',
        cause TEXT,
        scope TEXT,
        confidence TEXT,
        switches_affected TEXT NOT NULL DEFAULT '[]',
        outlets_shed TEXT NOT NULL DEFAULT '{}',
        evidence TEXT
      );
      CREATE INDEX outages_started ON outages (started_at, is_ongoing);
      CREATE TABLE energy_daily (
        date TEXT NOT NULL,
        device_id TEXT NOT NULL,
        source INTEGER,
        outlet INTEGER,
        kwh REAL NOT NULL,
        peak_power_w REAL,
        avg_power_w REAL,
        samples INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX energy_daily_key ON energy_daily (date, device_id, IFNULL(source, 0), IFNULL(outlet, 0));
      CREATE TABLE energy_monthly (
        month TEXT NOT NULL,
        device_id TEXT NOT NULL,
        source INTEGER,
        outlet INTEGER,
        kwh REAL NOT NULL,
        peak_power_w REAL,
        avg_power_w REAL,
        days INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX energy_monthly_key ON energy_monthly (month, device_id, IFNULL(source, 0), IFNULL(outlet, 0));
      CREATE TABLE devices_runtime (
        device_id TEXT PRIMARY KEY,
        spec TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE outlet_names (
        device_id TEXT NOT NULL,
        outlet INTEGER NOT NULL,
        name TEXT NOT NULL,
        PRIMARY KEY (device_id, outlet)
      );
      CREATE TABLE ha_discovery (
        topic TEXT PRIMARY KEY,
        device_id TEXT,
        published_at INTEGER NOT NULL
      );
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 3,
    description: 'switch groups, probe reasons, webhook queue (§11.8)',
    sql: `
      ALTER TABLE switches ADD COLUMN grp TEXT NOT NULL DEFAULT '';
      ALTER TABLE power_checks ADD COLUMN reason TEXT;
      CREATE TABLE notify_queue (
        id INTEGER PRIMARY KEY,
        webhook TEXT NOT NULL,
        event TEXT NOT NULL,
        dedupe_key TEXT,
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT
      );
      CREATE INDEX notify_queue_due ON notify_queue (webhook, next_attempt_at);
    `,
  },
  {
    version: 4,
    description: 'rule counters per rule and device (§12.5)',
    // Counters outlive restarts but not the rule: rows are deleted with the rule, never by
    // retention. last_execution is REAL because the engine keeps sub-second epoch seconds.
    sql: `
      CREATE TABLE rule_stats (
        rule TEXT NOT NULL,
        device_id TEXT NOT NULL,
        execution_count INTEGER NOT NULL DEFAULT 0,
        last_execution REAL,
        last_error TEXT,
        PRIMARY KEY (rule, device_id)
      );
    `,
  },
  {
    version: 5,
    description: 'web authentication: runtime users, sessions, API tokens (§16)',
    // Sessions and tokens are stored as SHA-256 hex of the secret, never the secret. Token ids
    // are AUTOINCREMENT so a revoked token's id is never handed to a new one (`token revoke ID`).
    sql: `
      CREATE TABLE users (
        username TEXT PRIMARY KEY,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        username TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX sessions_user ON sessions (username);
      CREATE INDEX sessions_expires ON sessions (expires_at);
      CREATE TABLE api_tokens (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE,
        scope TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        last_used_at INTEGER,
        expires_at INTEGER
      );
    `,
  },
  {
    version: 6,
    description: 'outlet watchdogs: state per watchdog, runtime watchdogs (§12.7)',
    // State survives restarts; reset_seq is bumped by a reset from another process (CLI) and
    // applied by the service at its next check. Times are REAL epoch seconds.
    sql: `
      CREATE TABLE watchdog_state (
        name TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        reason TEXT,
        failing_since REAL,
        boot_until REAL,
        cycle_times TEXT NOT NULL DEFAULT '[]',
        last_cycle_at REAL,
        last_result TEXT,
        last_check_at REAL,
        reset_seq INTEGER NOT NULL DEFAULT 0,
        updated_at REAL NOT NULL
      );
      CREATE TABLE watchdogs_runtime (
        name TEXT PRIMARY KEY,
        spec TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `,
  },
];

export const SCHEMA_VERSION = (MIGRATIONS[MIGRATIONS.length - 1] as Migration).version;
