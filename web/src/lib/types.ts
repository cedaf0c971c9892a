// The shapes of the public API the dashboard reads (SPEC §14, §15); only the fields it uses.

export interface SourceView { voltage: number | null; frequency: number | null; voltage_status: string | null }
export interface AtsView {
  preferred_source: number | null; preferred_label: string | null; current_source: number | null; current_label: string | null;
  auto_transfer: boolean | null; transferred: boolean | null; redundancy_ok: boolean | null;
  source_a: SourceView; source_b: SourceView;
}
export interface BankView {
  number: number; voltage: number | null; current: number | null; power: number | null; apparent_power: number | null;
  power_factor: number | null; load_state: string | null; energy: number | null;
}
export interface OutletView {
  number: number; name: string; state: string | null; current: number | null; power: number | null; energy: number | null;
  bank_assignment: number | null; pending: boolean | null;
}
export interface PduStatus {
  device?: { name: string; id: string; outlet_count: number };
  ats?: AtsView | null;
  inputs?: Record<string, BankView>;
  outlets?: Record<string, OutletView>;
  summary?: { total_power: number | null; total_load: number | null; total_energy: number | null; input_voltage: number | null; input_frequency: number | null; active_outlets: number; total_outlets: number };
  identity?: { name?: string; model?: string; serial?: string; firmware_main?: string; sys_location?: string; sys_contact?: string } | null;
  data_age_seconds?: number | null;
  ts?: number;
  pdu_error?: string;
}
export interface PduInfo {
  device_id: string; label?: string; host?: string; source: 'config' | 'runtime';
  config: (Record<string, unknown> & { protected_outlets?: string; kind?: string }) | null;
  identity: { model?: string; serial?: string; firmware_main?: string; name?: string } | null;
  capabilities: string[]; status: string; status_detail?: string; data_age_seconds: number | null; has_data: boolean;
}
export interface Hello { version: string; devices: string[]; auth_enabled: boolean; demo: boolean }
export interface AuthStatus { auth_enabled: boolean; setup_required: boolean; authenticated: boolean; username?: string; role?: string }
export interface Check { result: string; is_online: boolean | null; http_status: number | null; response_time: number | null; error_message: string | null; checked_at: string }
export interface Switch {
  id: number; name: string; ip_address: string | null; url: string; role: string; is_active: boolean; stale: boolean; source: string;
  last_check: Check | null;
}
export interface Outage {
  id: number; kind: string; started_at: string; ended_at: string | null; duration_seconds: number | null; switches_affected: number | null;
  is_ongoing: boolean; cause: string | null; scope: string | null; confidence: string | number | null; evidence: unknown;
}
export interface Statistics {
  window_hours: number; uptime_percentage: number | null; total_outages: number; total_outage_seconds: number; longest_outage_seconds: number;
  switches: Array<{ id: number; name: string; uptime_percentage: number | null; checks: number; avg_response_time_ms: number | null }>;
}
export interface PowerStatus {
  power_status: string; current_outage: Outage | null; switches_total: number; switches_online: number; switches_offline: number; last_check_at: string | null;
}
export interface RuleState { phase: string; triggered: boolean; execution_count: number; last_execution: number | null; last_error: string | null; inactive?: string | null }
export interface Rule {
  name: string; device: string | null; condition: unknown; input: number; threshold: unknown; outlet: unknown; action: string;
  restore: boolean; delay: number; restore_delay: number; cooldown_s: number; hysteresis: number | null; stagger_s: number;
  notify: string | null; days_of_week: number[] | null; schedule_type: string; enabled: boolean; state?: RuleState;
}
export interface EventRow { id?: number; rule?: string | null; source?: string; kind?: string; type: string; details: string; ts: number; device_id: string | null; system?: boolean }
export interface WsMessage { type: string; ts?: number; device_id?: string; data?: unknown }
export interface WatchdogStateView {
  state: string; reason: string | null; cycles: number; last_cycle_at: number | null; last_result: 'up' | 'down' | null; last_check_at: number | null;
  failing_since: number | null; inactive: string | null;
}
export interface Watchdog {
  name: string; device: string; device_id: string; outlet: number; target: string; interval_s: number; timeout_ms: number; fail_after_s: number;
  action: string; max_cycles: number; window_h: number; depends_on: string; source: 'config' | 'runtime'; state: WatchdogStateView;
}
