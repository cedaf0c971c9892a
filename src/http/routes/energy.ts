import { z } from 'zod';
import type { HttpApp, HttpContext } from '../context.js';
import { deviceIdQuery } from '../schemas.js';
import { csvResponse, historyErrors, historyPort, pickDevice, sendCsv } from './history.js';

// Stored energy (SPEC §14.2 `/api/energy/daily` · `/monthly` (+ `.csv`), `/api/energy/summary`;
// rows of §13.1 energy_daily / energy_monthly, summary of §13.5), through the HistoryQueries port.
// Dates are local (config `timezone`); the store checks their format and names start or end.

const TAG = ['energy'];
const num = z.number().nullable();

const rowFields = {
  device_id: z.string(),
  source: z.union([z.literal(1), z.literal(2)]).nullable().describe('null = all sources, 1 = A, 2 = B'),
  outlet: z.number().int().nullable().describe('null = whole PDU'),
  kwh: z.number(),
  peak_power_w: num,
  avg_power_w: num,
};
const dayRow = z.object({ date: z.string().describe('YYYY-MM-DD, local'), ...rowFields, samples: z.number().int() });
const monthRow = z.object({ month: z.string().describe('YYYY-MM, local'), ...rowFields, days: z.number().int() });

const windowView = z.object({ total_kwh: z.number(), source_a_kwh: z.number(), source_b_kwh: z.number(), cost: num.describe('null when every price is 0') });
const summaryView = z.object({ today: windowView, this_week: windowView, this_month: windowView, all_time: windowView, currency: z.string() });

const dailyQuery = z.object({
  device_id: deviceIdQuery.optional(),
  start: z.string().max(32).optional().describe('YYYY-MM-DD (default: 29 days before end)'),
  end: z.string().max(32).optional().describe('YYYY-MM-DD (default: today)'),
});
const monthlyQuery = z.object({
  device_id: deviceIdQuery.optional(),
  start: z.string().max(32).optional().describe('YYYY-MM (default: 11 months before this one)'),
  end: z.string().max(32).optional().describe('YYYY-MM (default: this month)'),
});

export function energyRoutes(app: HttpApp, ctx: HttpContext): void {
  app.get(
    '/api/energy/daily',
    { schema: { tags: TAG, summary: 'energy_daily rows, start ≤ date ≤ end (default: the last 30 days)', querystring: dailyQuery, response: { 200: z.array(dayRow), ...historyErrors } } },
    async (req, reply) => {
      const history = historyPort(ctx);
      const device = pickDevice(ctx, history, req.query.device_id);
      if (!('id' in device)) return reply.code(400).send(device);
      return history.energyDaily({ device_id: device.id, start: req.query.start, end: req.query.end }).rows;
    },
  );

  app.get(
    '/api/energy/monthly',
    { schema: { tags: TAG, summary: 'energy_monthly rows, start ≤ month ≤ end (default: the last 12 months)', querystring: monthlyQuery, response: { 200: z.array(monthRow), ...historyErrors } } },
    async (req, reply) => {
      const history = historyPort(ctx);
      const device = pickDevice(ctx, history, req.query.device_id);
      if (!('id' in device)) return reply.code(400).send(device);
      return history.energyMonthly({ device_id: device.id, start: req.query.start, end: req.query.end }).rows;
    },
  );

  for (const [kind, querystring] of [['daily', dailyQuery], ['monthly', monthlyQuery]] as const) {
    app.get(
      `/api/energy/${kind}.csv`,
      { schema: { tags: TAG, summary: `energy_${kind} rows as CSV (SPEC §13.6), streamed`, querystring, response: { 200: csvResponse, ...historyErrors } } },
      async (req, reply) => {
        const history = historyPort(ctx);
        const device = pickDevice(ctx, history, req.query.device_id);
        if (!('id' in device)) return reply.code(400).send(device);
        return sendCsv(reply, history.energyCsv(kind, { device_id: device.id, start: req.query.start, end: req.query.end }));
      },
    );
  }

  app.get(
    '/api/energy/summary',
    {
      schema: {
        tags: TAG, summary: 'Energy today, this week (Mon–today), this month and all time, with cost (SPEC §13.5)',
        querystring: z.object({ device_id: deviceIdQuery.optional() }), response: { 200: summaryView, ...historyErrors },
      },
    },
    async (req, reply) => {
      const history = historyPort(ctx);
      const device = pickDevice(ctx, history, req.query.device_id);
      if (!('id' in device)) return reply.code(400).send(device);
      return history.energySummary(device.id);
    },
  );
}
