// The rule set of the rules benchmark (issue 7): a realistic mix of every condition kind, as
// rules.json entries. Per-device rules are spread round-robin over the PDUs; `device: "all"`
// rules apply to every PDU. Thresholds are chosen so that a part of them fires on the simulated
// data (the ATS transfer, the switched outlets, the night window), as on a real site.

type Entry = Record<string, unknown>;

/** Templates of per-device rules; `i` varies thresholds and outlets so rules are not copies. */
const PER_DEVICE: ReadonlyArray<(i: number) => Entry> = [
  (i) => ({ condition: 'voltage_below', input: 1, threshold: 100 + (i % 10), outlet: '6-10', action: 'off', delay: 10, restore_delay: 30 }),
  (i) => ({ condition: 'voltage_below', input: 0, threshold: 105 + (i % 5), outlet: 9, action: 'off', delay: 0 }),
  (i) => ({ condition: 'voltage_above', input: 2, threshold: 128 + (i % 4), outlet: '1,3', action: 'off', delay: 5, hysteresis: 1 }),
  () => ({ condition: 'ats_preferred_lost', threshold: 0, outlet: [9, 10], action: 'off', delay: 5 }),
  () => ({ condition: 'ats_source_is', threshold: 'B', outlet: 8, action: 'off', delay: 0 }),
  () => ({ condition: 'redundancy_lost', outlet: 7, action: 'off', delay: 20, cooldown_s: 300 }),
  (i) => ({ condition: 'bank_load_is', input: 1 + (i % 2), threshold: ['nearOverload', 'overload'], outlet: '4-5', action: 'off', schedule_type: 'oneshot' }),
  (i) => ({ condition: 'bank_current_above', input: i % 3, threshold: 6 + (i % 4), outlet: 2, action: 'off', delay: 5 }),
  (i) => ({ condition: 'bank_power_above', input: i % 3, threshold: 300 + 50 * (i % 6), outlet: 10, action: 'off', delay: 10 }),
  (i) => ({ condition: 'outlet_power_above', input: 1 + (i % 10), threshold: 60 + (i % 7) * 10, outlet: 1 + ((i + 3) % 10), action: 'off', delay: 5 }),
  (i) => ({ condition: 'outlet_power_below', input: 1 + (i % 10), threshold: 2, outlet: 1 + ((i + 5) % 10), action: 'on', delay: 30, restore: false }),
  (i) => ({ condition: 'time_between', threshold: '22:00-06:00', outlet: 8, action: 'off', days_of_week: i % 2 ? [0, 1, 2, 3, 4] : null }),
  () => ({ condition: 'time_after', threshold: '21:59', outlet: 6, action: 'off', delay: 0 }),
  () => ({ condition: 'outage_active', outlet: '1,3,5-7', action: 'off', delay: 60, restore_delay: 300 }),
  () => ({ condition: 'outage_end', outlet: 2, action: 'reboot', delay: 120 }),
  () => ({ condition: 'device_health_is', threshold: 'lost', outlet: 4, action: 'on', restore: false }),
  (i) => ({
    condition: { all: [{ condition: 'voltage_below', input: 1, threshold: 110 + (i % 3) }, { condition: 'time_between', threshold: '08:00-23:00' }] },
    outlet: '6-7', action: 'off', delay: 5,
  }),
  () => ({ condition: { any: [{ condition: 'ats_preferred_lost' }, { condition: 'redundancy_lost' }, { condition: 'outage_active' }] }, outlet: 10, action: 'off', delay: 0 }),
  (i) => ({
    condition: { all: [{ any: [{ condition: 'bank_load_is', input: 0, threshold: 'overload' }, { condition: 'bank_power_above', input: 0, threshold: 900 + i }] }, { condition: 'time_before', threshold: '23:30' }] },
    outlet: '3-4', action: 'delayoff', delay: 10, stagger_s: 0.5,
  }),
];

/** Fleet-wide rules (`device: "all"`), the kind a site sets once for every PDU. */
const FLEET: ReadonlyArray<(i: number) => Entry> = [
  (i) => ({ condition: 'voltage_below', input: 1, threshold: 104 + (i % 4), outlet: '6-10', action: 'off', delay: 10 }),
  () => ({ condition: 'ats_preferred_lost', outlet: 10, action: 'off', delay: 5 }),
  () => ({ condition: 'outage_active', outlet: '5-7', action: 'off', delay: 60 }),
  () => ({ condition: 'outage_start', outlet: 1, action: 'on', delay: 0 }),
  () => ({ condition: 'device_health_is', threshold: 'recovered', outlet: 2, action: 'reboot', delay: 30 }),
  (i) => ({ condition: 'bank_current_above', input: 0, threshold: 9 + (i % 3), outlet: 9, action: 'off', delay: 5 }),
  () => ({ condition: 'time_between', threshold: '21:00-07:00', outlet: 8, action: 'off' }),
  (i) => ({ condition: { all: [{ condition: 'redundancy_lost' }, { condition: 'bank_power_above', input: 0, threshold: 400 + i }] }, outlet: 9, action: 'off', delay: 0 }),
];

export interface RuleMix {
  /** rules.json entries, in file order. */
  entries: Entry[];
  perDevice: number;
  fleet: number;
}

/** `total` rules over `deviceIds`, `fleet` of them `device: "all"`, the rest per device round-robin. */
export function ruleMix(total: number, fleet: number, deviceIds: readonly string[]): RuleMix {
  const entries: Entry[] = [];
  const allCount = Math.min(fleet, total);
  for (let i = 0; i < allCount; i++) entries.push({ name: `fleet-${i}`, device: 'all', ...(FLEET[i % FLEET.length] as (i: number) => Entry)(i) });
  for (let i = 0; i < total - allCount; i++) {
    const device = deviceIds[i % deviceIds.length] as string;
    // Template by round (i / devices) so every PDU gets a spread of condition kinds.
    const template = PER_DEVICE[(Math.floor(i / deviceIds.length) + i) % PER_DEVICE.length] as (i: number) => Entry;
    entries.push({ name: `r${i}-${device}`, device, ...template(i) });
  }
  return { entries, perDevice: total - allCount, fleet: allCount };
}
