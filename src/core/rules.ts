// Contracts of the rules engine (SPEC §12): the rule as stored in rules.json, its runtime state,
// automation events and what a dry run answers. rules/ implements them; http/ and mqtt/ read
// them through RulesPort (core/ports.ts).

export const RULE_ACTIONS = ['on', 'off', 'reboot', 'delayon', 'delayoff'] as const;
export type RuleAction = (typeof RULE_ACTIONS)[number];

export const CONDITION_NAMES = [
  'voltage_below', 'voltage_above', 'ats_source_is', 'ats_preferred_lost', 'redundancy_lost',
  'time_after', 'time_before', 'time_between', 'outage_active', 'outage_start', 'outage_end',
  'bank_load_is', 'bank_current_above', 'bank_power_above', 'outlet_power_above', 'outlet_power_below',
  'device_health_is',
] as const;
export type ConditionName = (typeof CONDITION_NAMES)[number];

export type Threshold = number | string | string[] | null;

/** One leaf of a composite condition (SPEC §12.3). */
export interface ConditionLeaf {
  condition: ConditionName;
  input: number;
  threshold: Threshold;
  /** null = the condition's default (2 V, 0.5 A, 25 W; 0 for the others). */
  hysteresis: number | null;
}
export type ConditionNode = ConditionLeaf | { all: ConditionNode[] } | { any: ConditionNode[] };

/** A rule after validation, with every default filled in (SPEC §12.1). */
export interface Rule {
  name: string;
  /** Device id, `all`, or null = the default device (the only device / the only cyberpower one). */
  device: string | null;
  condition: ConditionName | { all: ConditionNode[] } | { any: ConditionNode[] };
  input: number;
  threshold: Threshold;
  /** As written (`"1,3,5-8"`, `"all"`, a number or a list); checked against the device once it reports. */
  outlet: string | number | number[];
  action: RuleAction;
  restore: boolean;
  delay: number;
  restore_delay: number;
  cooldown_s: number;
  hysteresis: number | null;
  stagger_s: number;
  notify: string | null;
  /** 0 = Monday … 6 = Sunday; null = every day. */
  days_of_week: number[] | null;
  schedule_type: 'continuous' | 'oneshot';
  enabled: boolean;
  /** Free text for people reading the file. */
  description?: string;
}

export type RulePhase = 'idle' | 'pending' | 'fired' | 'restoring';

/** Runtime state of a rule on one device; counters persist (SPEC §12.5). */
export interface RuleState {
  device_id: string;
  phase: RulePhase;
  triggered: boolean;
  /** Epoch seconds. */
  condition_since: number | null;
  fired_at: number | null;
  execution_count: number;
  last_execution: number | null;
  last_error: string | null;
  /** Not active: outlets beyond the device's count, protected outlet, device unknown (the reason). */
  inactive: string | null;
}

/** `GET /api/rules`, `automation/status`: a rule and its state (one per device for `device: all`). */
export interface RuleView extends Rule {
  state: RuleState;
}

export const AUTOMATION_EVENT_TYPES = [
  'created', 'updated', 'deleted', 'toggled', 'disabled', 'triggered', 'restored', 'command_failed', 'reload_failed', 'notify',
] as const;
export type AutomationEventType = (typeof AUTOMATION_EVENT_TYPES)[number];

export interface AutomationEvent {
  rule: string | null;
  type: AutomationEventType;
  details: string;
  /** Epoch seconds. */
  ts: number;
  device_id: string | null;
  /** Extra facts (outlets, errors, values) stored with the event. */
  data?: Record<string, unknown>;
}

/** A validation problem: which rule, which field, what is wrong and how to fix it. */
export interface RuleIssue {
  rule: string | null;
  /** Index in the file (0-based), for rules without a usable name. */
  index: number | null;
  field: string;
  message: string;
}

export interface DryRunResult {
  would_fire: boolean;
  phase: RulePhase;
  reasons: string[];
}

/** Persisted counters per rule name and device (SPEC §12.5). */
export interface RuleCounters {
  execution_count: number;
  last_execution: number | null;
  last_error: string | null;
}
