// PDU reboots (SPEC §7.8, §11.4) and the bridge restart gap (§11.6) in the outage engine, as
// table-driven scenarios on a fake timeline (see scenario.ts).
import { describe, expect, it } from 'vitest';
import { T0, checkScenario, cycles, ongoingRecord, timeline, type Scenario } from './scenario.js';

const normal = {} as const;

const scenarios: Scenario[] = [
  {
    name: 'a PDU reboot alone (no switch configured) is recorded closed, confidence low',
    steps: [
      { at: 0, poll: normal, expect: [] },
      { at: 1, poll: normal, expect: [] },
      { at: 2, poll: { ok: false }, expect: [] },
      { at: 100, poll: { reboot: { boot: 60, last_poll: 1 } }, expect: ['record_closed'] },
    ],
    records: [
      {
        kind: 'power', started_at: T0 + 1, ended_at: T0 + 60, is_ongoing: false, cause: 'pdu_reboot', scope: 'site', confidence: 'low',
        evidence: expect.objectContaining({ pdu: { 'pdu-1': expect.objectContaining({ rebooted_at: T0 + 60 }) } }),
      },
    ],
    events: [],
  },
  {
    name: 'a PDU reboot while the sensors went silent for one cycle (too short to open) is recorded closed, low',
    steps: timeline(cycles(0, 1, 'UUU'), cycles(10, 1, 'DDD'), cycles(20, 2, 'UUU'), { at: 1, poll: normal }, {
      at: 35, poll: { reboot: { boot: 15, last_poll: 1 } }, expect: ['record_closed'],
    }),
    records: [{ started_at: T0 + 1, ended_at: T0 + 15, cause: 'pdu_reboot', confidence: 'low' }],
  },
  {
    name: 'a PDU reboot while every sensor answered is a management-card restart: event only',
    steps: timeline(cycles(0, 10, 'UUU'), { at: 0.5, poll: normal }, {
      at: 90.5, poll: { reboot: { boot: 60, last_poll: 0.5 } }, expect: ['event:pdu_reboot'],
    }),
    records: [],
    events: ['pdu_reboot'],
  },
  {
    name: 'a PDU reboot overlapping an open outage joins it and raises confidence',
    steps: [
      { at: 0, cycle: 'UUU' },
      { at: 5, poll: normal },
      { at: 10, cycle: 'DDD', expect: [] },
      { at: 20, cycle: 'DDD', expect: ['open:power', 'verdict:outage'] },
      { at: 25, poll: { reboot: { boot: 22, last_poll: 5 } }, expect: ['update:power'] },
      { at: 30, cycle: 'UUU', expect: [] },
      { at: 40, cycle: 'UUU', expect: ['close:power', 'verdict:normal'] },
    ],
    records: [
      {
        started_at: T0 + 10, ended_at: T0 + 30, cause: 'pdu_reboot+switch_quorum', confidence: 'high', scope: 'site',
        evidence: expect.objectContaining({ pdu: { 'pdu-1': expect.objectContaining({ rebooted_at: T0 + 22 }) } }),
      },
    ],
  },
  {
    name: 'a PDU reboot learnt just after the outage closed joins that closed record',
    steps: [
      { at: 0, cycle: 'UUU' },
      { at: 5, poll: normal },
      ...cycles(10, 2, 'DDD'),
      ...cycles(30, 2, 'UUU'),
      { at: 45, poll: { reboot: { boot: 28, last_poll: 5 } }, expect: ['update:power:closed'] },
    ],
    records: [{ started_at: T0 + 10, ended_at: T0 + 30, cause: 'pdu_reboot+switch_quorum', confidence: 'high' }],
  },
  {
    name: 'bridge restart during an outage: resumed, the gap (a PDU booted in it) joins it, no second record',
    ongoing: ongoingRecord({ started: -600 }),
    steps: [
      { at: 0, gap: { last_seen: -400, boots: { 'pdu-1': -100 } }, expect: ['update:power'] },
      { at: 10, cycle: 'DDD', expect: ['update:power'] },
      { at: 20, cycle: 'UUU', expect: [] },
      { at: 30, cycle: 'UUU', expect: ['close:power', 'verdict:normal'] },
    ],
    records: [
      {
        started_at: T0 - 600, ended_at: T0 + 20, cause: 'bridge_restart_gap+switch_quorum', confidence: 'high', switches_affected: [1, 2, 3],
        evidence: expect.objectContaining({ restart_gap: { gap_s: 400, last_seen: T0 - 400, pdu_boot_times: { 'pdu-1': T0 - 100 } } }),
      },
    ],
    events: [],
  },
  {
    name: 'a resumed outage is re-evaluated on the first cycle: good polls alone do not close it before then',
    ongoing: ongoingRecord({ started: -600 }),
    startedAt: 0,
    steps: [
      // The PDU's first poll adds its state to the resumed record's evidence.
      { at: 1, poll: normal, expect: ['update:power'] },
      ...Array.from({ length: 4 }, (_, i) => ({ at: 2 + i, poll: normal, expect: [] })),
      { at: 10, cycle: 'UUU', expect: [] },
      { at: 20, cycle: 'UUU', expect: ['close:power', 'verdict:normal'] },
    ],
    // The clearing streak began with the first good poll after the restart.
    records: [{ started_at: T0 - 600, ended_at: T0 + 1 }],
  },
  {
    name: 'a resumed outage on a site without switches closes on good polls once no cycle came for 3 cycle lengths',
    ongoing: ongoingRecord({ started: -600, cause: 'utility_source_lost' }),
    startedAt: 0,
    steps: [
      { at: 1, poll: normal, expect: ['update:power'] },
      { at: 30, poll: normal, expect: [] },
      { at: 31, poll: normal, expect: [] },
      { at: 32, poll: normal, expect: ['close:power', 'verdict:normal'] },
    ],
    records: [{ started_at: T0 - 600, ended_at: T0 + 1 }],
  },
  {
    name: 'bridge restart during an outage without a PDU boot: gap attached, bridge_down event',
    ongoing: ongoingRecord({ started: -600 }),
    steps: [{ at: 0, gap: { last_seen: -400, boots: { 'pdu-1': -90_000 } }, expect: ['update:power', 'event:bridge_down'] }],
    records: [{ started_at: T0 - 600, ended_at: null, cause: 'switch_quorum', confidence: 'medium', evidence: expect.objectContaining({ restart_gap: expect.objectContaining({ gap_s: 400 }) }) }],
    events: ['bridge_down'],
  },
  {
    name: 'restart gap with a PDU boot inside: a closed outage, cause bridge_restart_gap, confidence high',
    steps: [{ at: 0, gap: { last_seen: -1000, boots: { 'pdu-1': -900, 'pdu-2': -5000, 'pdu-3': -950 } }, expect: ['record_closed'] }],
    records: [
      {
        kind: 'power', started_at: T0 - 1000, ended_at: T0 - 950, cause: 'bridge_restart_gap', scope: 'site', confidence: 'high',
        evidence: expect.objectContaining({ gap_s: 1000, pdu_boot_times: { 'pdu-3': T0 - 950, 'pdu-1': T0 - 900 } }),
      },
    ],
  },
  {
    name: 'restart gap without a PDU boot inside: event bridge_down only',
    steps: [{ at: 0, gap: { last_seen: -1000, boots: { 'pdu-1': -5000 } }, expect: ['event:bridge_down'] }],
    records: [],
    events: ['bridge_down'],
  },
  {
    name: 'a restart gap not longer than restart_gap_s is not examined',
    steps: [{ at: 0, gap: { last_seen: -300, boots: { 'pdu-1': -100 } }, expect: [] }],
    records: [],
    events: [],
  },
  {
    name: 'use_pdu_signals false: source loss and reboots are ignored',
    cfg: { use_pdu_signals: false },
    steps: [
      { at: 0, cycle: 'UUU' },
      { at: 1, poll: { a: 'lost' }, expect: [] },
      { at: 90, poll: { reboot: { boot: 60, last_poll: 1 } }, expect: [] },
    ],
    records: [],
  },
];

describe('PDU reboot and restart gap scenarios (SPEC §7.8, §11.4, §11.6)', () => {
  it.each(scenarios.map((s) => [s.name, s] as const))('%s', (_name, sc) => checkScenario(sc));
});
