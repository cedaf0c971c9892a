import type { OutageBusEvent, ProbeCycleEvent } from './power.js';
import type { AutomationEvent } from './rules.js';
import type { CommandResult, DeviceEvent, PduSnapshot, TransportState } from './types.js';
import type { WatchdogBusEvent } from './watchdog.js';

export interface HealthChange {
  device_id: string;
  from: TransportState;
  to: TransportState;
  reason: string | null;
  consecutive_failures: number;
  ts: number;
}

/** Every event on the in-process bus, by name (ARCHITECTURE.md). Later services add entries here. */
export interface BusEvents {
  sample: PduSnapshot;
  health: HealthChange;
  'device.event': DeviceEvent;
  'command.result': CommandResult;
  /** After every probe cycle and manual check (devices/switch). */
  probe: ProbeCycleEvent;
  /** Outage transitions and verdict changes (outage/). */
  outage: OutageBusEvent;
  /** Rule firings, restores, failures and edits (rules/). */
  automation: AutomationEvent;
  /** A rule's state changed on this device: views re-read RulesPort.list(device_id). */
  'rules.state': { device_id: string };
  /** A runtime device was removed (REST): views drop it (MQTT clears its retained topics and HA configs, SPEC §10.4). */
  'device.removed': { device_id: string; ts: number };
  /** Watchdog checks, state changes, cycles and edits (watchdog/, SPEC §12.7). */
  watchdog: WatchdogBusEvent;
}

export type BusListener<K extends keyof BusEvents> = (payload: BusEvents[K]) => void;

/**
 * Typed synchronous event bus. A throwing subscriber never stops the others:
 * the error is counted and reported through onError (which the app rate-limits).
 */
export class EventBus {
  private readonly listeners = new Map<keyof BusEvents, Set<(p: never) => void>>();
  private errorCount = 0;

  constructor(private readonly onError: (event: string, err: unknown) => void = () => {}) {}

  on<K extends keyof BusEvents>(event: K, fn: BusListener<K>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(fn as (p: never) => void);
    return () => set.delete(fn as (p: never) => void);
  }

  emit<K extends keyof BusEvents>(event: K, payload: BusEvents[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const fn of set) {
      try {
        (fn as BusListener<K>)(payload);
      } catch (err) {
        this.errorCount++;
        this.onError(String(event), err);
      }
    }
  }

  listenerCount(event: keyof BusEvents): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  get subscriberErrors(): number {
    return this.errorCount;
  }
}
