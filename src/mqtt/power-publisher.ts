import type { OutageBusEvent, ProbeCycleEvent, SwitchState } from '../core/power.js';
import type { OutagePort, SwitchesPort } from '../core/ports.js';
import { bridgeTopic } from './topics.js';

// Bridge topics of the switch prober and the outage engine (SPEC §9.3): `bridge/outage`
// (retained current state), `bridge/outage/event` (transitions, not retained) and
// `bridge/switches/{id}/state` (retained, published when it changes).

type Publish = (topic: string, payload: string, opts: { retain: boolean; qos: 0 | 1 }) => void;

const EVENT_TYPES: ReadonlySet<OutageBusEvent['type']> = new Set(['opened', 'closed', 'network_fault_opened', 'network_fault_closed', 'device_down']);

export class PowerPublisher {
  private readonly states = new Map<number, SwitchState>();

  constructor(
    private readonly publish: Publish,
    private readonly base: string,
    private readonly switches: SwitchesPort | null,
    private readonly outages: OutagePort | null,
  ) {}

  /** (Re)connect: everything again. */
  publishAll(): void {
    this.states.clear();
    this.publishOutage();
    for (const s of this.switches?.list() ?? []) this.publishSwitch(s.target.id, s.state);
  }

  publishOutage(): void {
    if (!this.outages) return;
    this.publish(bridgeTopic(this.base, 'outage'), JSON.stringify(this.outages.status()), { retain: true, qos: 1 });
  }

  onProbe(e: ProbeCycleEvent): void {
    for (const s of e.switches) if (this.states.get(s.target.id) !== s.state) this.publishSwitch(s.target.id, s.state);
  }

  onOutage(e: OutageBusEvent): void {
    this.publishOutage();
    if (!EVENT_TYPES.has(e.type)) return;
    const body = { type: e.type, outage: e.outage, ts: e.ts, ...(e.switch_id !== undefined ? { switch_id: e.switch_id } : {}) };
    this.publish(bridgeTopic(this.base, 'outage/event'), JSON.stringify(body), { retain: false, qos: 1 });
  }

  /** A switch was added, changed or removed: its retained state follows (removed = cleared). */
  switchChanged(id: number): void {
    const s = this.switches?.get(id) ?? null;
    if (s) this.publishSwitch(id, s.state);
    else {
      this.states.delete(id);
      this.publish(bridgeTopic(this.base, `switches/${id}/state`), '', { retain: true, qos: 1 });
    }
  }

  private publishSwitch(id: number, state: SwitchState): void {
    this.states.set(id, state);
    this.publish(bridgeTopic(this.base, `switches/${id}/state`), state, { retain: true, qos: 1 });
  }
}
