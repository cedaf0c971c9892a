import type { TariffConfig } from '../config/schema.js';
import type { SeriesCatalog } from './catalog.js';
import type { Db } from './db.js';
import {
  costOf, dayBounds, hasPrices, hybridEnergy, powerIntervals, summarize, summaryPeriods, utcOffset,
  type CostInterval, type EnergyInterval, type EnergyPart, type EnergySummary, type Tariff,
} from './energy/index.js';
import { energySamples } from './energy-store.js';

// `/api/energy/summary` (SPEC §13.5): {today, this_week, this_month, all_time} + currency. Today is
// integrated live from raw samples (hybridEnergy: counter where it steps, power elsewhere); the
// other windows add the closed days stored in energy_daily (a day appears there once the daily
// job has run, at 00:05). Costs: flat = kWh × price_per_kwh. tou: a day's kWh is priced by the
// time profile of its integrated power, scaled to the day's kWh; for closed days the profile is
// read from raw samples while they exist (raw_retention_days) and cached per day, and a day
// without raw data (expired) is priced at price_per_kwh. Every price 0 → cost null.

export type SummaryTariff = Tariff & Pick<TariffConfig, 'currency'>;

/**
 * Intervals merged into bins that never straddle a price change: the bin (≥ 60 s) divides every
 * period edge, the zone's offsets and the day, so pricing 24 bins a day is exact and cheap.
 */
function bins(ivs: readonly EnergyInterval[], tariff: Tariff, tz: string): CostInterval[] {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  let size = 3_600;
  for (const p of tariff.periods) for (const hm of [p.start, p.end]) size = gcd(size, (Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3, 5))) * 60);
  for (const iv of ivs.length > 0 ? [ivs[0] as EnergyInterval, ivs[ivs.length - 1] as EnergyInterval] : []) size = gcd(size, Math.abs(utcOffset(iv.from, tz)));
  size = Math.max(60, size);
  const kwh = new Map<number, number>();
  for (const iv of ivs) {
    for (let t = iv.from; t < iv.to; ) {
      const b = Math.floor(t / size) * size;
      const next = Math.min(iv.to, b + size);
      kwh.set(b, (kwh.get(b) ?? 0) + (iv.kwh * (next - t)) / (iv.to - iv.from));
      t = next;
    }
  }
  return [...kwh].map(([from, e]) => ({ from, to: from + size, kwh: e }));
}

/**
 * Cost of `kwh` whose time profile is `ivs` (integrated power): tou prices the profile and scales
 * it to `kwh` (the counter may refine the total); without a profile, `price_per_kwh`.
 */
function priced(tariff: Tariff, tz: string, kwh: number, ivs: readonly EnergyInterval[]): number | null {
  if (!hasPrices(tariff)) return null;
  const total = ivs.reduce((a, iv) => a + iv.kwh, 0);
  if (tariff.type === 'flat' || total <= 0) return kwh * tariff.price_per_kwh;
  return ((costOf(tariff, bins(ivs, tariff, tz), tz) ?? 0) * kwh) / total;
}

function livePart(db: Db, catalog: SeriesCatalog, deviceId: string, from: number, to: number, tariff: Tariff, tz: string): EnergyPart {
  const dev = catalog.findDev(deviceId);
  if (!dev) return { kwh: 0, source_a_kwh: 0, source_b_kwh: 0, cost: hasPrices(tariff) ? 0 : null };
  const samples = energySamples(db, catalog, dev.id, from, to, 'pdu');
  const points = samples.pdu();
  const opts = { maxGapS: samples.maxGapS, from, to };
  const h = hybridEnergy(points, opts);
  const ivs = tariff.type === 'tou' ? powerIntervals(points, opts) : [];
  return { kwh: h.kwh, source_a_kwh: h.source_a_kwh, source_b_kwh: h.source_b_kwh, cost: priced(tariff, tz, h.kwh, ivs) };
}

/** tou cost of closed days (immutable for a given kWh, tariff and zone): read raw once per day. */
const dayCosts = new WeakMap<Db, Map<string, number | null>>();

/**
 * Closed days from energy_daily (PDU rows). tou: each day's kWh is priced by the time profile of
 * its raw samples while raw data exists (raw retention); older days fall back to price_per_kwh.
 */
function storedParts(db: Db, catalog: SeriesCatalog, deviceId: string | null, before: string, tariff: Tariff, tz: string): Array<{ date: string; part: EnergyPart }> {
  const rows = db
    .prepare(`SELECT date, device_id, source, kwh FROM energy_daily WHERE outlet IS NULL AND date < ? ${deviceId === null ? '' : 'AND device_id = ?'} ORDER BY date, device_id`)
    .all(...(deviceId === null ? [before] : [before, deviceId])) as Array<{ date: string; device_id: string; source: number | null; kwh: number }>;
  const days = new Map<string, { date: string; device_id: string; kwh: number; a: number; b: number }>();
  for (const r of rows) {
    const key = `${r.date}|${r.device_id}`;
    const d = days.get(key) ?? { date: r.date, device_id: r.device_id, kwh: 0, a: 0, b: 0 };
    days.set(key, d);
    if (r.source === null) d.kwh += r.kwh;
    else if (r.source === 1) d.a += r.kwh;
    else if (r.source === 2) d.b += r.kwh;
  }
  let cache = dayCosts.get(db);
  if (!cache) dayCosts.set(db, (cache = new Map()));
  const tou = tariff.type === 'tou' && hasPrices(tariff);
  return [...days.values()].map((d) => {
    const key = JSON.stringify([d.device_id, d.date, d.kwh, tz, tariff.type, tariff.price_per_kwh, tariff.periods]);
    let cost = tou ? cache.get(key) : priced(tariff, tz, d.kwh, []);
    if (cost === undefined) {
      const dev = catalog.findDev(d.device_id);
      const { start, end } = dayBounds(d.date, tz);
      const samples = dev ? energySamples(db, catalog, dev.id, start, end, 'power') : null;
      cost = priced(tariff, tz, d.kwh, samples ? powerIntervals(samples.pdu(), { maxGapS: samples.maxGapS, from: start, to: end }) : []);
      if (cache.size >= 20_000) cache.clear();
      cache.set(key, cost);
    }
    return { date: d.date, part: { kwh: d.kwh, source_a_kwh: d.a, source_b_kwh: d.b, cost } };
  });
}

/** `/api/energy/summary` (SPEC §13.5) for one device or all (null): stored closed days + today live. */
export function energySummary(db: Db, catalog: SeriesCatalog, deviceId: string | null, tariff: SummaryTariff, tz: string, nowS: number): EnergySummary {
  const p = summaryPeriods(nowS, tz);
  const to = Math.floor(nowS) + 1; // the sample taken at `now` counts
  const today = (deviceId === null ? catalog.deviceIds() : [deviceId]).map((id) => livePart(db, catalog, id, p.today.from as number, to, tariff, tz));
  const stored = storedParts(db, catalog, deviceId, p.today.end_date, tariff, tz);
  const since = (start: string | null): EnergyPart[] => [...stored.filter((d) => start === null || d.date >= start).map((d) => d.part), ...today];
  return summarize({
    currency: tariff.currency, priced: hasPrices(tariff), today,
    this_week: since(p.this_week.start_date), this_month: since(p.this_month.start_date), all_time: since(null),
  });
}
