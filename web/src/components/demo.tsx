import { useState } from 'preact/hooks';
import { api, errorLines } from '../lib/api';

// Demo mode (SPEC §8): the simulator's scenarios, one click each.
const SCENARIOS: Array<{ label: string; body: Record<string, unknown>; then?: Record<string, unknown> }> = [
  { label: 'Fail source A', body: { action: 'fail_source', source: 'A' } },
  { label: 'Fail source B', body: { action: 'fail_source', source: 'B' } },
  { label: 'Restore sources', body: { action: 'restore_source', source: 'A' }, then: { action: 'restore_source', source: 'B' } },
  { label: 'Overload bank 2', body: { action: 'overload_bank', bank: 2 } },
  { label: 'PDU reboot', body: { action: 'pdu_reboot' } },
  { label: 'SNMP silence 20 s', body: { action: 'snmp_silence', seconds: 20 } },
  { label: '2 switches down', body: { action: 'switches_down', count: 2 } },
  { label: 'Switches up', body: { action: 'switches_up' } },
  { label: 'Power cut (all down)', body: { action: 'all_down' } },
  { label: 'All up', body: { action: 'all_up' } },
  { label: 'LAN down', body: { action: 'lan_down' } },
];

export function DemoBanner() {
  const [msg, setMsg] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const run = async (s: (typeof SCENARIOS)[number]) => {
    try {
      const r = await api<{ detail?: string }>('POST', '/api/demo/scenario', s.body);
      if (s.then) await api('POST', '/api/demo/scenario', s.then);
      setMsg(`${s.label}: ${s.then ? 'done' : (r?.detail ?? 'done')}`);
    } catch (e) {
      setMsg(`${s.label}: ${errorLines(e).join('; ')}`);
    }
  };
  return (
    <aside class="demo" aria-label="Demo scenarios">
      <div class="demo-row">
        <strong>Demo mode</strong>
        <span class="demo-text">a simulated PDU, switches and plugs.</span>
        <button class="btn small" type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? 'Hide scenarios' : 'Scenarios'}
        </button>
        {msg && <span class="demo-msg" role="status">{msg}</span>}
      </div>
      {open && (
        <div class="demo-buttons">
          {SCENARIOS.map((s) => (
            <button key={s.label} class="btn small" type="button" onClick={() => void run(s)}>{s.label}</button>
          ))}
        </div>
      )}
    </aside>
  );
}
