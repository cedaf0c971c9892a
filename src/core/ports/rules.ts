import type { AutomationEvent, DryRunResult, RuleCounters, RuleIssue, RuleView } from '../rules.js';

// Ports: rules (SPEC §12).

export type RuleChange =
  | { ok: true; rule: RuleView }
  | { ok: false; error: string; issues?: RuleIssue[]; code: 'P2M_ERR_VALIDATION' | 'P2M_ERR_CONFLICT' | 'P2M_ERR_NOT_FOUND' };

/** The rules and their state; implemented by rules/. Changes rewrite rules.json atomically. */
export interface RulesPort {
  /** Every rule with its state (a `device: all` rule once per device); filtered by device when given. */
  list(deviceId?: string): RuleView[];
  get(name: string): RuleView | null;
  /** `input` is the JSON body: validated like a rules.json entry. */
  create(input: unknown): RuleChange;
  update(name: string, input: unknown): RuleChange;
  remove(name: string): RuleChange;
  toggle(name: string, enabled?: boolean): RuleChange;
  reload(): { ok: true; rules: number } | { ok: false; issues: RuleIssue[] };
  /** A saved rule by name, or an unsaved one (`input`), against the current state; sends nothing. */
  dryRun(nameOrInput: { name: string } | { rule: unknown }): { ok: true; result: DryRunResult } | { ok: false; error: string; issues?: RuleIssue[]; code: 'P2M_ERR_VALIDATION' | 'P2M_ERR_NOT_FOUND' };
}

/** Where counters and automation events are kept; implemented by the history store. */
export interface RuleStore {
  /** Keyed by `${rule}\u0000${device_id}`. */
  loadCounters(): Map<string, RuleCounters>;
  saveCounters(rule: string, deviceId: string, c: RuleCounters): void;
  deleteCounters(rule: string): void;
  addAutomationEvent(e: AutomationEvent): void;
}
