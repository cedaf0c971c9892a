import { useState } from 'preact/hooks';
import { api, errorLines } from '../lib/api';
import { applyStatusPatch } from '../lib/live';
import type { AtsView, PduStatus } from '../lib/types';
import { Dialog } from '../components/ui';

// Device settings on the overview (SPEC §14.2): the PDU's name, location and contact edited in
// place (PUT /api/device/name|location|contact, an SNMP SET), and the ATS preferred source
// (PUT /api/pdu/ats/preferred-source, after a confirmation; 501 when the PDU cannot).

type IdentField = 'name' | 'location' | 'contact';
const IDENT: Array<{ field: IdentField; label: string; key: 'name' | 'sys_location' | 'sys_contact' }> = [
  { field: 'name', label: 'Name', key: 'name' },
  { field: 'location', label: 'Location', key: 'sys_location' },
  { field: 'contact', label: 'Contact', key: 'sys_contact' },
];

export function IdentityFields(props: { deviceId: string; identity: PduStatus['identity'] }) {
  return (
    <dl class="ident" data-testid="identity">
      {IDENT.map((f) => (
        <IdentityField key={f.field} deviceId={props.deviceId} field={f.field} label={f.label} statusKey={f.key} value={props.identity?.[f.key] ?? ''} />
      ))}
    </dl>
  );
}

function IdentityField(props: { deviceId: string; field: IdentField; label: string; statusKey: string; value: string }) {
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(props.value);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const save = async () => {
    if (busy) return;
    if (value === props.value) {
      setEditing(false);
      return;
    }
    setBusy(true);
    try {
      const r = await api<Record<string, string>>('PUT', `/api/device/${props.field}?device_id=${encodeURIComponent(props.deviceId)}`, { [props.field]: value.trim() });
      applyStatusPatch(props.deviceId, { identity: { [props.statusKey]: r[props.field] ?? value.trim() } });
      setEditing(false);
      setError(null);
    } catch (e) {
      setError(errorLines(e).join('; '));
    }
    setBusy(false);
  };
  return (
    <div class="ident-item">
      <dt>{props.label}</dt>
      <dd>
        {editing ? (
          <span class="rename">
            <input
              aria-label={props.label}
              value={value}
              maxLength={63}
              autoFocus
              disabled={busy}
              onInput={(e) => setValue(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') void save();
                if (e.key === 'Escape') setEditing(false);
              }}
              onBlur={() => void save()}
            />
          </span>
        ) : (
          <button class="link name-btn" type="button" aria-label={`Edit ${props.label.toLowerCase()}`} title={`Edit ${props.label.toLowerCase()}`} onClick={() => { setValue(props.value); setError(null); setEditing(true); }}>
            <span data-testid={`ident-${props.field}`}>{props.value || '—'}</span>
          </button>
        )}
        {error && <span class="tone-text-bad small" role="alert"> {error}</span>}
      </dd>
    </div>
  );
}

export function PreferredSource(props: { deviceId: string; ats: AtsView }) {
  const [asking, setAsking] = useState<'A' | 'B' | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ tone: 'ok' | 'bad'; text: string } | null>(null);
  const current = props.ats.preferred_label;
  const confirm = async () => {
    if (asking === null) return;
    const source = asking;
    setBusy(true);
    try {
      await api('PUT', `/api/pdu/ats/preferred-source?device_id=${encodeURIComponent(props.deviceId)}`, { source });
      applyStatusPatch(props.deviceId, { ats: { preferred_label: source, preferred_source: source === 'A' ? 1 : 2 } });
      setMessage({ tone: 'ok', text: `Preferred source ${source}` });
    } catch (e) {
      setMessage({ tone: 'bad', text: errorLines(e).join('; ') });
    }
    setBusy(false);
    setAsking(null);
  };
  return (
    <div class="ats-pref">
      <span class="muted small" id={`pref-${props.deviceId}`}>Preferred</span>
      <div class="seg" role="group" aria-labelledby={`pref-${props.deviceId}`}>
        {(['A', 'B'] as const).map((s) => (
          <button key={s} class="btn small" type="button" aria-pressed={current === s} aria-label={`Prefer source ${s}`} onClick={() => current !== s && setAsking(s)}>{s}</button>
        ))}
      </div>
      {message && <span class={`small tone-text-${message.tone}`} role="status" data-testid="pref-message">{message.text}</span>}
      <Dialog open={asking !== null} title={`Make source ${asking ?? ''} preferred?`} onClose={() => setAsking(null)}>
        <p>The ATS moves the load to source {asking} whenever that source is usable.</p>
        <div class="dialog-actions">
          <button class="btn" type="button" onClick={() => setAsking(null)}>Cancel</button>
          <button class="btn primary" type="button" disabled={busy} onClick={() => void confirm()}>Prefer {asking}</button>
        </div>
      </Dialog>
    </div>
  );
}
