import type { SeriesCatalog } from './catalog.js';
import type { Db } from './db.js';
import { querySeries, resolveDevice, type SeriesResult } from './query.js';
import type { Window } from './range.js';

// Row shapes of the history endpoints (SPEC §13.4): banks {bucket, bank, voltage, current, power,
// apparent, pf} and outlets {bucket, outlet, current, power, energy}, each value with _min/_max.
// Values are bucket averages, except outlet energy (a counter): the bucket's maximum.

export type HistoryKind = 'banks' | 'outlets';

interface FieldMap {
  instance: 'bank' | 'outlet';
  fields: Readonly<Record<string, { series: string; pick: 'avg' | 'max' }>>;
}

export const VIEWS: Readonly<Record<HistoryKind, FieldMap>> = {
  banks: {
    instance: 'bank',
    fields: {
      voltage: { series: 'bank_voltage', pick: 'avg' },
      current: { series: 'bank_current', pick: 'avg' },
      power: { series: 'bank_power', pick: 'avg' },
      apparent: { series: 'bank_apparent_power', pick: 'avg' },
      pf: { series: 'bank_power_factor', pick: 'avg' },
    },
  },
  outlets: {
    instance: 'outlet',
    fields: {
      current: { series: 'outlet_current', pick: 'avg' },
      power: { series: 'outlet_power', pick: 'avg' },
      energy: { series: 'outlet_energy', pick: 'max' },
    },
  },
};

export type HistoryRow = Record<string, number | null>;

/** Column order of the rows (and of the CSV, SPEC §13.6, plus the _min/_max columns). */
export function viewColumns(kind: HistoryKind): string[] {
  const v = VIEWS[kind];
  const cols = ['bucket', v.instance];
  for (const f of Object.keys(v.fields)) cols.push(f, `${f}_min`, `${f}_max`);
  return cols;
}

export function historyRows(db: Db, catalog: SeriesCatalog, deviceId: string, kind: HistoryKind, w: Window, instance?: number): HistoryRow[] {
  const view = VIEWS[kind];
  const have = new Set(catalog.seriesOf(resolveDevice(catalog, deviceId).id).map((s) => s.name));
  const wanted = Object.values(view.fields).map((f) => f.series).filter((n) => have.has(n));
  const results: SeriesResult[] = wanted.length > 0 ? querySeries(db, catalog, deviceId, wanted, w, instance) : [];
  const byKey = new Map<string, HistoryRow>();
  for (const r of results) {
    const [field, spec] = Object.entries(view.fields).find(([, f]) => f.series === r.name) as [string, { pick: 'avg' | 'max' }];
    for (const p of r.points) {
      const key = `${p.t}:${r.n}`;
      let row = byKey.get(key);
      if (!row) {
        row = { bucket: p.t, [view.instance]: r.n };
        for (const f of Object.keys(view.fields)) Object.assign(row, { [f]: null, [`${f}_min`]: null, [`${f}_max`]: null });
        byKey.set(key, row);
      }
      row[field] = spec.pick === 'max' ? p.max : p.avg;
      row[`${field}_min`] = p.min;
      row[`${field}_max`] = p.max;
    }
  }
  return [...byKey.values()].sort((a, b) => (a.bucket as number) - (b.bucket as number) || (a[view.instance] as number) - (b[view.instance] as number));
}
