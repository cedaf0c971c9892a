import { localParts } from '../core/calendar.js';
import { defaultDevice } from '../core/default-device.js';
import type { Clock } from '../core/clock.js';
import type { DeviceInfo, DeviceRegistryPort, DeviceSummary } from '../core/ports.js';
import type { Rule } from '../core/rules.js';
import type { PduSnapshot } from '../core/types.js';
import { conditionTree, hasTimeCondition, leafKind, leavesOf, type EvalContext, type EvalResult } from './conditions.js';

// Caches of the rules engine's hot path (every sample of every device; 1,000 rules × 100 PDUs
// at 1 Hz: bench/rules-bench.ts, docs/PERFORMANCE.md): which rules apply to which device (SPEC
// §12.1 `device`) instead of resolving each rule's devices against the registry per sample, the
// device facts the outlet checks need, and local-time lookups (a time-zone lookup costs ~4 µs).

/** The devices a rule applies to in `all` (the registry's list), or why none. */
export function devicesOf(rule: Pick<Rule, 'device'>, all: readonly DeviceSummary[]): { ids: string[]; problem: string | null } {
  if (rule.device === 'all') return { ids: all.map((d) => d.id), problem: null };
  if (rule.device !== null) {
    return all.some((d) => d.id === rule.device) ? { ids: [rule.device], problem: null } : { ids: [], problem: `device "${rule.device}" is not configured` };
  }
  const only = defaultDevice(all);
  if (only) return { ids: [only.id], problem: null };
  return { ids: [], problem: 'several devices: set "device" to a device id or "all"' };
}

/** One rule on one device; `rt` is the engine's runtime, filled on first use. */
export interface IndexEntry<R> {
  rule: Rule;
  /** Has a time condition: also evaluated by the 30 s time tick. */
  time: boolean;
  rt: R | null;
}

/** What the per-device checks of SPEC §12.2 need; `key` changes when any of it does. */
export interface DeviceFacts {
  id: string;
  outletCount: number;
  protectedOutlets: number[];
  key: string;
}

/** How long the registry's device list is reused (a device added meanwhile is seen after it). */
export const DEVICE_LIST_TTL_MS = 1000;

interface Built<R> {
  ids: string[];
  kinds: string[];
  byDevice: Map<string, Array<IndexEntry<R>>>;
}

/**
 * The rules of each device, in rule-file order. Rebuilt when the rules change (setRules) or the
 * registry's device list does; that list is re-read at most once per DEVICE_LIST_TTL_MS of the
 * clock, so a device added at runtime is evaluated within a second (before its first poll
 * completes, in practice).
 */
export class DeviceRuleIndex<R> {
  private rules: readonly Rule[] = [];
  private built: Built<R> | null = null;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private readonly facts = new Map<string, DeviceFacts>();

  constructor(
    private readonly registry: Pick<DeviceRegistryPort, 'list' | 'info'>,
    private readonly clock: Clock,
  ) {}

  setRules(rules: readonly Rule[]): void {
    this.rules = rules;
    this.built = null;
    this.facts.clear();
  }

  entries(deviceId: string): ReadonlyArray<IndexEntry<R>> {
    const now = this.clock.monotonic();
    if (!this.built || now - this.checkedAt >= DEVICE_LIST_TTL_MS) {
      const list = this.registry.list();
      this.checkedAt = now;
      if (!this.built || !same(this.built, list)) {
        this.built = build<R>(this.rules, list);
        this.facts.clear();
      }
    }
    return this.built.byDevice.get(deviceId) ?? [];
  }

  /**
   * The device's facts for the SPEC §12.2 checks, reused while its outlet count is unchanged:
   * protected outlets come from the config, so they only change with the device list.
   */
  factsOf(id: string, snap: PduSnapshot): DeviceFacts {
    const outletCount = snap.identity.outlet_count;
    const known = this.facts.get(id);
    if (known?.outletCount === outletCount) return known;
    const protectedOutlets = this.registry.info(id)?.protectedOutlets ?? [];
    const facts = { id, outletCount, protectedOutlets, key: `${outletCount}|${protectedOutlets.join(',')}` };
    this.facts.set(id, facts);
    return facts;
  }
}

function build<R>(rules: readonly Rule[], list: readonly DeviceSummary[]): Built<R> {
  const byDevice = new Map<string, Array<IndexEntry<R>>>();
  for (const rule of rules) {
    const time = hasTimeCondition(rule);
    for (const id of devicesOf(rule, list).ids) {
      const entry: IndexEntry<R> = { rule, time, rt: null };
      const at = byDevice.get(id);
      if (at) at.push(entry);
      else byDevice.set(id, [entry]);
    }
  }
  return { ids: list.map((d) => d.id), kinds: list.map((d) => d.kind), byDevice };
}

/** Built for these devices: ids and kinds in order, all that devicesOf depends on. */
function same(b: Built<unknown>, list: readonly DeviceSummary[]): boolean {
  if (list.length !== b.ids.length) return false;
  for (let i = 0; i < list.length; i++) if (list[i]?.id !== b.ids[i] || list[i]?.kind !== b.kinds[i]) return false;
  return true;
}

/**
 * Local time per minute: every zone's UTC offset is a whole number of minutes, so the local
 * weekday, hour and minute only change at whole UTC minutes.
 */
export class LocalMinuteMemo {
  private weekdayAt = { minute: Number.NaN, weekday: 0 };
  private readonly results = new WeakMap<Rule, { minute: number; result: EvalResult }>();

  constructor(private readonly tz: string) {}

  /** 0 = Monday … 6 = Sunday at `now` (epoch s). */
  weekday(now: number): number {
    const minute = Math.floor(now / 60);
    if (minute !== this.weekdayAt.minute) this.weekdayAt = { minute, weekday: localParts(minute * 60, this.tz).weekday };
    return this.weekdayAt.weekday;
  }

  /**
   * A rule made only of time conditions (HH:MM resolution, no hysteresis latch) has the same
   * value all minute on every device: `compute` runs once per minute and rule.
   */
  timeOnly(rule: Rule, now: number, compute: () => EvalResult): EvalResult {
    const minute = Math.floor(now / 60);
    const hit = this.results.get(rule);
    if (hit?.minute === minute) return hit.result;
    const result = compute();
    this.results.set(rule, { minute, result });
    return result;
  }
}

/** Only time conditions: the rule's value depends on the local minute alone (LocalMinuteMemo). */
export function isTimeOnly(rule: Pick<Rule, 'condition' | 'input' | 'threshold' | 'hysteresis'>): boolean {
  return leavesOf(conditionTree(rule)).every((l) => leafKind(l) === 'time');
}

/**
 * The evaluation context of one device. Its health is read from the registry only when a
 * device_health_is condition asks: most devices' rules have none, and info() builds an object.
 */
export function deviceContext(
  registry: Pick<DeviceRegistryPort, 'info' | 'snapshot'>, deviceId: string, now: number, tz: string, outageActive: boolean, edges: EvalContext['edges'],
): EvalContext {
  let health: DeviceInfo['state'] | null | undefined;
  return {
    snapshot: registry.snapshot(deviceId), now, tz, outageActive, edges, explain: false,
    get health() {
      if (health === undefined) health = registry.info(deviceId)?.state ?? null;
      return health;
    },
  };
}
