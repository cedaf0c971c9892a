// history (SQLite), energy tariff and reports (§13).
import { z } from 'zod';
import { clockTime, doc, fail, int, section } from './common.js';

const retentionDays = (): z.ZodNumber => int().min(1).max(3650);
const RETENTION_META = { unit: 'days', hint: 'use a number of days from 1 to 3650 (10 years)' } as const;

export const historySchema = section(
  z
    .strictObject({
      path: doc(z.string().min(1).default('./data/power2mqtt.db'), 'SQLite database file'),
      retention_days: doc(retentionDays().default(730), 'rollups (1 min/15 min/1 h/1 day), outages, events', RETENTION_META),
      raw_retention_days: doc(retentionDays().default(60), '1 Hz data (§13.1: stored compactly)', RETENTION_META),
      commit_interval_ms: doc(
        int().min(10).max(60000).default(1000),
        'writes are batched into one transaction per interval (kill -9 loses ≤ ~1 s)',
        { unit: 'ms' },
      ),
    })
    .superRefine((h, ctx) => {
      if (typeof h.raw_retention_days === 'number' && typeof h.retention_days === 'number' && h.raw_retention_days > h.retention_days) {
        fail(
          ctx,
          ['raw_retention_days'],
          `must not exceed history.retention_days (${h.retention_days}; got ${h.raw_retention_days})`,
          `lower raw_retention_days to ${h.retention_days} or raise retention_days`,
        );
      }
    }),
  'SQLite history (§13.1-§13.3)',
);

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

const tariffPeriod = z.strictObject({
  name: doc(z.string().min(1), 'period name, e.g. peak', { example: 'peak' }),
  days: doc(z.array(z.enum(DAYS)).min(1).default([...DAYS]), 'days the period applies (mon..sun)'),
  start: doc(clockTime(), 'HH:MM local', { example: '17:00' }),
  end: doc(clockTime(), 'HH:MM local; may wrap midnight', { example: '21:00' }),
  price_per_kwh: doc(z.number().min(0), 'price inside the period', { example: 0.35 }),
});

const tariffSchema = section(
  z
    .strictObject({
      type: doc(z.enum(['flat', 'tou']).default('flat'), 'flat | tou (time of use, evaluated in `timezone`)'),
      price_per_kwh: doc(
        z.number().min(0).default(0),
        'flat price; tou: price outside every period. All prices 0 = costs not shown',
      ),
      currency: doc(z.string().min(1).max(8).default('USD'), 'shown next to costs'),
      periods: doc(
        z.array(tariffPeriod).default([]),
        'tou: [{name, days: [mon..sun], start: "HH:MM", end: "HH:MM", price_per_kwh}]',
      ),
    })
    .superRefine((t, ctx) => {
      if (t.type === 'flat' && Array.isArray(t.periods) && t.periods.length > 0) {
        fail(ctx, ['periods'], 'periods are only used with type: tou', 'set type: tou, or remove the periods');
      }
    }),
  'energy cost (§13.5)',
);

export const energySchema = section(z.strictObject({ tariff: tariffSchema }), 'energy accounting (§13.5)');

export const reportsSchema = section(
  z.strictObject({
    enabled: doc(z.boolean().default(true), 'generate weekly/monthly PDF and HTML reports'),
    path: doc(z.string().min(1).default('./data/reports'), 'files: {path}/{device_id}/{weekly|monthly}-{period}.{pdf,html}'),
    weekly: doc(z.boolean().default(true), 'previous Monday–Sunday, generated Monday 00:30 local'),
    monthly: doc(z.boolean().default(true), 'previous calendar month, generated on the 1st 00:30 local'),
  }),
  'energy reports (§13.7)',
);
