import type { TariffConfig } from '../config/schema.js';
import type { SeriesCatalog } from './catalog.js';
import type { Db } from './db.js';
import {
  addDays, costOf, dayBounds, hasPrices, localDay, summarize, summaryPeriods, utcOffset,
  type CostInterval, type EnergyPart, type EnergySummary, type Tariff,
} from './energy/index.js';
import type { IntervalVisitor } from './energy/integrate.js';
import { oldestRawTs, pduEnergy } from './energy-store.js';

// `/api/energy/summary` (SPEC §13.5): {today, this_week, this_month, all_time} + currency. Today is
// integrated live from raw samples (hybridEnergy: counter where it steps, power elsewhere); the
// other windows add the closed days stored in energy_daily (a day appears there once the daily
// job has run, at 00:05). Costs: flat = kWh × price_per_kwh. tou: a day's kWh is priced by the
// time profile of its integrated power, scaled to the day's kWh; for closed days the profile is
// read from raw samples while they exist (raw_retention_days) and cached per day (the cache
// follows raw retention), and a day without raw data (expired) is priced at price_per_kwh.
// Every price 0 → cost null.

export type SummaryTariff = Tariff & Pick<TariffConfig, 'currency'>;

const WS_PER_KWH = 3_600_000;

/**
 * The time profile of integrated power, binned while the samples stream by (no interval list):
 * a bin (≥ 60 s) divides every period edge, the zone's offsets at both ends of the window and the
 * day, so it never straddles a price change and pricing 24 bins a day is exact and cheap.
 */
class Profile {
  total = 0;
  private readonly size: number;
  private readonly kwh = new Map<number, number>();

  constructor(tariff: Tariff, tz: string, from: number, to: number) {
    const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
    let size = 3_600;
    for (const p of tariff.periods) for (const hm of [p.start, p.end]) size = gcd(size, (Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3, 5))) * 60);
    for (const t of [from, to - 1]) size = gcd(size, Math.abs(utcOffset(t, tz)));
    this.size = Math.max(60, size);
  }

  readonly add: IntervalVisitor = (from, to, watts) => {
    const kwh = (watts * (to - from)) / WS_PER_KWH;
    this.total += kwh;
    for (let t = from; t < to; ) {
      const b = Math.floor(t / this.size) * this.size;
      const next = Math.min(to, b + this.size);
      this.kwh.set(b, (this.kwh.get(b) ?? 0) + (kwh * (next - t)) / (to - from));
      t = next;
    }
  };

  bins(): CostInterval[] {
    return [...this.kwh].map(([from, kwh]) => ({ from, to: from + this.size, kwh }));
  }
}

/**
 * Cost of `kwh` whose time profile is `profile` (integrated power): tou prices the profile and
 * scales it to `kwh` (the counter may refine the total); without a profile, `price_per_kwh`.
 */
function priced(tariff: Tariff, tz: string, kwh: number, profile: Profile | null): number | null {
  if (!hasPrices(tariff)) return null;
  if (tariff.type === 'flat' || !profile || profile.total <= 0) return kwh * tariff.price_per_kwh;
  return ((costOf(tariff, profile.bins(), tz) ?? 0) * kwh) / profile.total;
}

function livePart(db: Db, catalog: SeriesCatalog, deviceId: string, from: number, to: number, tariff: Tariff, tz: string): EnergyPart {
  const dev = catalog.findDev(deviceId);
  if (!dev) return { kwh: 0, source_a_kwh: 0, source_b_kwh: 0, cost: hasPrices(tariff) ? 0 : null };
  const profile = tariff.type === 'tou' && hasPrices(tariff) ? new Profile(tariff, tz, from, to) : null;
  const h = pduEnergy(db, catalog, dev.id, from, to, false, profile?.add);
  return { kwh: h.kwh, source_a_kwh: h.source_a_kwh, source_b_kwh: h.source_b_kwh, cost: priced(tariff, tz, h.kwh, profile) };
}

/**
 * tou costs of closed days (fixed for a given kWh, tariff and zone), per database: one tariff's
 * map of `device|date` → cost. Only days that still have raw data are kept (an entry is dropped
 * once its day is wholly older than the device's oldest raw sample), so the map follows raw
 * retention; MAX_CACHED_DAYS bounds it besides (least recently used dropped first).
 */
type DayCosts = Map<string, { kwh: number; cost: number | null }>;
const dayCosts = new WeakMap<Db, { tariff: string; days: DayCosts }>();
const MAX_CACHED_DAYS = 20_000;

/** This database's cache for this tariff and zone (a new tariff starts afresh). */
function dayCostsOf(db: Db, tariff: Tariff, tz: string): DayCosts {
  const key = JSON.stringify([tz, tariff.price_per_kwh, tariff.periods]);
  let cache = dayCosts.get(db);
  if (cache?.tariff !== key) dayCosts.set(db, (cache = { tariff: key, days: new Map() }));
  return cache.days;
}

/** tou cost of one closed day: from its raw profile (cached) while raw data exists, else flat. */
function closedDayCost(db: Db, catalog: SeriesCatalog, d: { date: string; device_id: string; kwh: number }, tariff: Tariff, tz: string, cache: DayCosts, raw: { dev: number; day: string } | null): number | null {
  const id = `${d.device_id}|${d.date}`;
  if (!raw || d.date < raw.day) {
    cache.delete(id);
    return priced(tariff, tz, d.kwh, null);
  }
  const hit = cache.get(id);
  cache.delete(id); // re-inserted last: Map order is the LRU order
  let cost = hit?.kwh === d.kwh ? hit.cost : undefined;
  if (cost === undefined) {
    const { start, end } = dayBounds(d.date, tz);
    const profile = new Profile(tariff, tz, start, end);
    pduEnergy(db, catalog, raw.dev, start, end, true, profile.add);
    cost = priced(tariff, tz, d.kwh, profile);
  }
  cache.set(id, { kwh: d.kwh, cost });
  for (const old of cache.keys()) {
    if (cache.size <= MAX_CACHED_DAYS) break;
    cache.delete(old);
  }
  return cost;
}

/**
 * Closed days from energy_daily (PDU rows). tou: each day's kWh is priced by the time profile of
 * its raw samples while raw data exists (raw retention); older days fall back to price_per_kwh.
 */
function storedParts(db: Db, catalog: SeriesCatalog, deviceId: string | null, before: string, tariff: Tariff, tz: string, from = ''): Array<{ date: string; part: EnergyPart }> {
  const rows = db
    .prepare(`SELECT date, device_id, source, kwh FROM energy_daily WHERE outlet IS NULL AND date < ? AND date >= ? ${deviceId === null ? '' : 'AND device_id = ?'} ORDER BY date, device_id`)
    .all(...(deviceId === null ? [before, from] : [before, from, deviceId])) as Array<{ date: string; device_id: string; source: number | null; kwh: number }>;
  const days = new Map<string, { date: string; device_id: string; kwh: number; a: number; b: number }>();
  for (const r of rows) {
    const key = `${r.date}|${r.device_id}`;
    const d = days.get(key) ?? { date: r.date, device_id: r.device_id, kwh: 0, a: 0, b: 0 };
    days.set(key, d);
    if (r.source === null) d.kwh += r.kwh;
    else if (r.source === 1) d.a += r.kwh;
    else if (r.source === 2) d.b += r.kwh;
  }
  const cache = tariff.type === 'tou' && hasPrices(tariff) ? dayCostsOf(db, tariff, tz) : null;
  // Per device: the local date of its oldest raw sample (days before it have no raw data left).
  const oldest = new Map<string, { dev: number; day: string } | null>();
  const rawFrom = (id: string): { dev: number; day: string } | null => {
    if (!oldest.has(id)) {
      const dev = catalog.findDev(id);
      const t = dev ? oldestRawTs(db, dev.id) : null;
      oldest.set(id, dev && t !== null ? { dev: dev.id, day: localDay(t, tz) } : null);
    }
    return oldest.get(id) ?? null;
  };
  return [...days.values()].map((d) => {
    const cost = cache ? closedDayCost(db, catalog, d, tariff, tz, cache, rawFrom(d.device_id)) : priced(tariff, tz, d.kwh, null);
    return { date: d.date, part: { kwh: d.kwh, source_a_kwh: d.a, source_b_kwh: d.b, cost } };
  });
}

/**
 * Cost of one device's stored day (energy_daily, priced as in the summary: tou from the day's raw
 * profile while raw data exists); 0 without a row; null when every price is 0. Reports use it.
 */
export function storedDayCost(db: Db, catalog: SeriesCatalog, deviceId: string, date: string, tariff: Tariff, tz: string): number | null {
  if (!hasPrices(tariff)) return null;
  return storedParts(db, catalog, deviceId, addDays(date, 1), tariff, tz, date)[0]?.part.cost ?? 0;
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
