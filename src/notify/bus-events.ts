import type { HealthChange } from '../core/bus.js';
import type { OutageBusEvent } from '../core/power.js';
import type { WatchdogBusEvent } from '../core/watchdog.js';

// Which webhook event a bus event is (SPEC §11.8). Pure mappings, so the service only routes.

export interface WebhookEventOf {
  event: string;
  data: unknown;
  /** Epoch seconds of the event. */
  ts: number;
}

/**
 * opened/closed transitions of an outage record: `outage.*` for kind power, `network_fault.*` for
 * kind network. An outage learnt after the fact (PDU reboot, restart gap) is published opened and
 * closed back to back, but webhooks get only its `outage.closed` (SPEC §11.4).
 */
export function outageWebhookEvent(e: OutageBusEvent): WebhookEventOf | null {
  const o = e.outage;
  if (o === null) return null;
  const phase =
    e.type === 'opened' || e.type === 'network_fault_opened' ? 'opened' : e.type === 'closed' || e.type === 'network_fault_closed' ? 'closed' : null;
  if (phase === null || (phase === 'opened' && !o.is_ongoing)) return null;
  return { event: `${o.kind === 'network' ? 'network_fault' : 'outage'}.${phase}`, data: o, ts: e.ts };
}

/** A PDU transport entering `lost` → device.lost; its first successful cycle after it → device.recovered. */
export function healthWebhookEvent(c: HealthChange): WebhookEventOf | null {
  if (c.to === 'lost' && c.from !== 'lost') return { event: 'device.lost', data: c, ts: c.ts };
  if (c.from === 'lost' && c.to === 'healthy') return { event: 'device.recovered', data: c, ts: c.ts };
  return null;
}

/** When an open condition began: the outage's started_at, else the event time. */
export function conditionSince(data: unknown, ts: number): number {
  const started = (data as { started_at?: unknown } | null)?.started_at;
  return typeof started === 'number' ? started : ts;
}

/** A watchdog entering `cycling` → watchdog.cycling; entering `gave_up` → watchdog.gave_up (SPEC §11.8). */
export function watchdogWebhookEvent(e: WatchdogBusEvent): WebhookEventOf | null {
  if (e.kind !== 'state' || !e.status) return null;
  if (e.status.state !== 'cycling' && e.status.state !== 'gave_up') return null;
  // cycling: `cycles` is the number of the cycle starting (the count includes finished cycles only).
  const cycles = e.status.state === 'cycling' ? e.status.cycles + 1 : e.status.cycles;
  const data = {
    name: e.name, state: e.status.state, reason: e.status.reason, cycles, last_cycle_at: e.status.last_cycle_at,
    device_id: e.device_id, outlet: e.outlet,
  };
  return { event: `watchdog.${e.status.state}`, data, ts: e.ts };
}
