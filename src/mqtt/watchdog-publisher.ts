import type { WatchdogsPort } from '../core/ports.js';
import type { WatchdogBusEvent, WatchdogStatus } from '../core/watchdog.js';
import type { PublishFn } from './publisher.js';
import { bridgeTopic } from './topics.js';

// Bridge topics of the outlet watchdogs (SPEC §9.3, §12.7): `bridge/watchdog/{name}/state`
// (retained `{state, reason, cycles, last_cycle_at}`, published when it changes and on every
// (re)connect) and `bridge/watchdog/{name}/event` (not retained, on every state change).

export class WatchdogPublisher {
  /** Last retained payload per watchdog name. */
  private readonly last = new Map<string, string>();

  constructor(
    private readonly publish: PublishFn,
    private readonly base: string,
    private readonly watchdogs: WatchdogsPort | null,
  ) {}

  names(): string[] {
    return this.watchdogs?.list().map((w) => w.name) ?? [];
  }

  /** (Re)connect: every state again; names no longer defined are cleared. */
  publishAll(): void {
    const views = this.watchdogs?.list() ?? [];
    const names = new Set(views.map((v) => v.name));
    for (const name of [...this.last.keys()]) if (!names.has(name)) this.clear(name);
    this.last.clear();
    for (const v of views) this.state(v.name, v.state);
  }

  /** A bus event: state topic when the payload changed; event topic on state changes; set changes. */
  onEvent(e: WatchdogBusEvent): boolean {
    if (e.kind === 'changed') {
      const v = this.watchdogs?.get(e.name) ?? null;
      if (v) this.state(v.name, v.state);
      else if (this.last.has(e.name)) this.clear(e.name);
      return true;
    }
    if (e.status) this.state(e.name, e.status);
    if (e.kind === 'state' && e.status) {
      const body = { name: e.name, state: e.status.state, reason: e.status.reason, cycles: e.status.cycles, ts: e.ts };
      this.publish(bridgeTopic(this.base, `watchdog/${e.name}/event`), JSON.stringify(body), { retain: false, qos: 1 });
    }
    return false;
  }

  private state(name: string, s: WatchdogStatus): void {
    const payload = JSON.stringify({ state: s.state, reason: s.reason, cycles: s.cycles, last_cycle_at: s.last_cycle_at });
    if (this.last.get(name) === payload) return;
    this.last.set(name, payload);
    this.publish(bridgeTopic(this.base, `watchdog/${name}/state`), payload, { retain: true, qos: 1 });
  }

  private clear(name: string): void {
    this.last.delete(name);
    this.publish(bridgeTopic(this.base, `watchdog/${name}/state`), '', { retain: true, qos: 1 });
  }
}
