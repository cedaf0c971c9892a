import type Database from 'better-sqlite3';
import { stmt, type Db } from './db.js';
import type { SeriesDef, SeriesKind } from './series.js';

// Integer ids for devices, series and layouts (SPEC §13.1 "the profile table drives which series
// exist"): chunks and tail rows carry small integers, not names. Cached in memory; rows are added
// inside the writer's transaction, so a rolled-back commit must drop the cache (reset()).

export interface SeriesRow extends SeriesDef {
  id: number;
  dev: number;
}

export class SeriesCatalog {
  private devs = new Map<string, { id: number; poll: number }>();
  private series = new Map<string, number>();
  private layouts = new Map<string, number>();
  private layoutIds = new Map<number, number[]>();
  private seriesRows = new Map<number, SeriesRow[]>();

  constructor(private readonly db: Db) {}

  private q(sql: string): Database.Statement {
    return stmt(this.db, sql);
  }

  reset(): void {
    this.devs.clear();
    this.series.clear();
    this.layouts.clear();
    this.layoutIds.clear();
    this.seriesRows.clear();
  }

  /** The device's id, created on first use; records its poll interval (energy gap rule). */
  devId(deviceId: string, pollIntervalS = 1): number {
    let d = this.devs.get(deviceId);
    if (!d) {
      const row = this.q('SELECT id, poll_interval_s AS poll FROM hist_device WHERE device_id = ?').get(deviceId) as
        | { id: number; poll: number }
        | undefined;
      d = row ?? {
        id: Number(this.q('INSERT INTO hist_device (device_id, poll_interval_s) VALUES (?, ?)').run(deviceId, pollIntervalS).lastInsertRowid),
        poll: pollIntervalS,
      };
      this.devs.set(deviceId, d);
    }
    if (d.poll !== pollIntervalS) {
      this.q('UPDATE hist_device SET poll_interval_s = ? WHERE id = ?').run(pollIntervalS, d.id);
      d.poll = pollIntervalS;
    }
    return d.id;
  }

  /** The id of an existing device, or null (queries never create devices). */
  findDev(deviceId: string): { id: number; pollIntervalS: number } | null {
    const row = this.q('SELECT id, poll_interval_s AS poll FROM hist_device WHERE device_id = ?').get(deviceId) as
      | { id: number; poll: number }
      | undefined;
    return row ? { id: row.id, pollIntervalS: row.poll } : null;
  }

  deviceIds(): string[] {
    return (this.q('SELECT device_id FROM hist_device ORDER BY device_id').all() as Array<{ device_id: string }>).map((r) => r.device_id);
  }

  pollIntervalOf(dev: number): number {
    const row = this.q('SELECT poll_interval_s AS poll FROM hist_device WHERE id = ?').get(dev) as { poll: number } | undefined;
    return row?.poll ?? 1;
  }

  seriesId(dev: number, def: SeriesDef): number {
    const key = `${dev}:${def.name}:${def.n}`;
    let id = this.series.get(key);
    if (id === undefined) {
      const row = this.q('SELECT id FROM hist_series WHERE dev = ? AND name = ? AND n = ?').get(dev, def.name, def.n) as { id: number } | undefined;
      id = row
        ? row.id
        : Number(
            this
              .q('INSERT INTO hist_series (dev, name, n, scale, kind, power) VALUES (?, ?, ?, ?, ?, ?)')
              .run(dev, def.name, def.n, def.scale, def.kind, def.power ? 1 : 0).lastInsertRowid,
          );
      this.series.set(key, id);
      this.seriesRows.delete(dev);
    }
    return id;
  }

  seriesOf(dev: number): SeriesRow[] {
    const cached = this.seriesRows.get(dev);
    if (cached) return cached;
    const rows = this.q('SELECT id, dev, name, n, scale, kind, power FROM hist_series WHERE dev = ? ORDER BY id').all(dev) as Array<{
      id: number; dev: number; name: string; n: number; scale: number; kind: SeriesKind; power: number;
    }>;
    const out = rows.map((r) => ({ ...r, power: r.power === 1 }));
    this.seriesRows.set(dev, out);
    return out;
  }

  layoutId(dev: number, seriesIds: readonly number[]): number {
    const text = seriesIds.join(',');
    const key = `${dev}:${text}`;
    let id = this.layouts.get(key);
    if (id === undefined) {
      const row = this.q('SELECT id FROM hist_layout WHERE dev = ? AND series = ?').get(dev, text) as { id: number } | undefined;
      id = row ? row.id : Number(this.q('INSERT INTO hist_layout (dev, series) VALUES (?, ?)').run(dev, text).lastInsertRowid);
      this.layouts.set(key, id);
      this.layoutIds.set(id, [...seriesIds]);
    }
    return id;
  }

  layoutSeries(layout: number): number[] {
    let ids = this.layoutIds.get(layout);
    if (!ids) {
      const row = this.q('SELECT series FROM hist_layout WHERE id = ?').get(layout) as { series: string } | undefined;
      ids = row && row.series !== '' ? row.series.split(',').map(Number) : [];
      this.layoutIds.set(layout, ids);
    }
    return ids;
  }
}
