import type { OutageStore } from '../core/ports.js';
import type { OutageRecord } from '../core/power.js';
import type { ReportDataPort } from '../core/reports.js';
import type { HistoryStore } from './store.js';

// The ReportDataPort (core/reports.ts) over the history store: what energy reports read
// (SPEC §13.7). No SQL of its own.

/** listOutages answers at most this many per call (events.ts). */
const PAGE = 1000;

export function reportData(store: HistoryStore, outages: Pick<OutageStore, 'listOutages'>): ReportDataPort {
  return {
    devices: () => store.devices(),
    energyDays: (deviceId, start, end) => store.energyDaily({ device_id: deviceId, start, end }),
    dayCost: (deviceId, date) => store.energyDayCost(deviceId, date),
    outages(since, until) {
      // Newest first from the store; page backwards until a short page (bounded by the period).
      const out: OutageRecord[] = [];
      for (let before = until; ; ) {
        const page = outages.listOutages({ since, until: before, kind: 'power', limit: PAGE });
        out.push(...page);
        const oldest = page.at(-1);
        if (page.length < PAGE || !oldest || oldest.started_at <= since) break;
        before = oldest.started_at;
      }
      const seen = new Set<number>();
      return out.filter((o) => !seen.has(o.id) && seen.add(o.id)).sort((a, b) => a.started_at - b.started_at || a.id - b.id);
    },
    outletNames: (deviceId) => store.outletNames(deviceId),
  };
}
