import { useEffect } from 'preact/hooks';
import { api, get } from '../lib/api';
import { age, loadTone, num, parseOutletSpec } from '../lib/format';
import { useNow, useThrottledTicks } from '../lib/hooks';
import { deviceStates, setStatus, statusAt, statuses } from '../lib/live';
import { useStore } from '../lib/store';
import type { AtsView, BankView, PduInfo, PduStatus } from '../lib/types';
import { Badge, Card, Empty, ErrorBox, useFetch } from '../components/ui';
import { OutletTable } from './outlets';
import { IdentityFields, PreferredSource } from './pdu-controls';

// Overview (SPEC §18): per PDU identity, input, ATS, banks, totals, health and outlets, live from
// /ws `status` messages. Every value sits in a fixed-width cell so updates never move the layout.

export function OverviewPage() {
  const changes = useThrottledTicks(2000, 'hello', 'device_state');
  const pdus = useFetch(() => get<{ pdus: PduInfo[] }>('/api/pdus'), [changes]);
  const list = pdus.data?.pdus ?? [];
  // The first paint comes from REST; /ws `status` messages keep it current.
  useEffect(() => {
    for (const p of list) {
      if (statuses.value[p.device_id]) continue;
      api<PduStatus>('GET', `/api/pdus/${encodeURIComponent(p.device_id)}/status`).then((s) => {
        if (!statuses.value[p.device_id]) setStatus(p.device_id, s);
      }, () => undefined);
    }
  }, [pdus.data]);
  if (pdus.error && !pdus.data) return <ErrorBox error={pdus.error} />;
  if (!pdus.data) return <div class="skeleton" aria-busy="true" />;
  if (list.length === 0) return <Empty>No devices yet. Add one under Settings.</Empty>;
  return (
    <div class="stack">
      {list.map((p) => <PduPanel key={p.device_id} info={p} />)}
    </div>
  );
}

function healthTone(state: string | undefined): 'ok' | 'warn' | 'bad' | 'muted' {
  if (state === 'healthy') return 'ok';
  if (state === 'degraded' || state === 'recovering') return 'warn';
  if (state === 'lost' || state === 'error') return 'bad';
  return 'muted';
}

/** A performance mark when the first PDU's values are on screen (read by bench/dashboard-bench.ts). */
function markFirstRender(): void {
  if (performance.getEntriesByName('p2m:overview-data').length === 0) performance.mark('p2m:overview-data');
}

function PduPanel(props: { info: PduInfo }) {
  const id = props.info.device_id;
  const all = useStore(statuses);
  const at = useStore(statusAt);
  const ds = useStore(deviceStates);
  const now = useNow(1000);
  const s = all[id];
  const health = ds[id]?.state ?? props.info.status;
  const ageS = s?.data_age_seconds !== undefined && s.data_age_seconds !== null && at[id] !== undefined ? s.data_age_seconds + (now - at[id]) / 1000 : null;
  const ident = s?.identity ?? props.info.identity;
  const maxCurrent = Number((s?.identity as { max_current?: number } | null | undefined)?.max_current ?? 0) || 12;
  const outletCount = s?.device?.outlet_count ?? Object.keys(s?.outlets ?? {}).length;
  const protectedSet = parseOutletSpec(props.info.config?.protected_outlets, outletCount);
  const hasData = s !== undefined && !s.pdu_error;
  useEffect(() => {
    if (hasData) requestAnimationFrame(markFirstRender);
  }, [hasData]);
  return (
    <article class="pdu" data-device={id} aria-labelledby={`pdu-${id}`}>
      <header class="pdu-head">
        <div>
          <h2 id={`pdu-${id}`}>{s?.device?.name ?? props.info.label ?? id}</h2>
          <div class="muted small">
            {id}
            {ident?.model ? ` · ${ident.model}` : ''}
            {ident?.serial ? ` · SN ${ident.serial}` : ''}
            {ident?.firmware_main ? ` · fw ${ident.firmware_main}` : ''}
          </div>
          {s?.identity && <IdentityFields deviceId={id} identity={s.identity} />}
        </div>
        <div class="pdu-health">
          <Badge tone={healthTone(health)}>{health}</Badge>
          <span class="muted small age" data-testid="poll-age">{s?.pdu_error ?? age(ageS)}</span>
        </div>
      </header>
      {!s || s.pdu_error ? (
        <Empty>{s?.pdu_error ?? 'Waiting for the first poll…'}</Empty>
      ) : (
        <>
          <div class="pdu-body">
          <div class="pdu-side">
          <div class="tiles">
            <Card title="Input" class="tile">
              <div class="big"><span data-testid="input-voltage">{num(s.summary?.input_voltage, 1)}</span><small>V</small></div>
              <div class="muted">{num(s.summary?.input_frequency, 2, 'Hz')}</div>
            </Card>
            <Card title="Total" class="tile">
              <div class="big"><span data-testid="total-power">{num(s.summary?.total_power, 0)}</span><small>W</small></div>
              <div class="muted">{num(s.summary?.total_load, 1, 'A')} · {num(s.summary?.total_energy, 1, 'kWh')}</div>
              <div class="muted">{s.summary?.active_outlets ?? 0} / {s.summary?.total_outlets ?? 0} outlets on</div>
            </Card>
            {s.ats && <AtsCard deviceId={id} ats={s.ats} />}
          </div>
          <div class="banks">
            {Object.values(s.inputs ?? {}).map((b) => <BankCard key={b.number} bank={b} max={maxCurrent} />)}
          </div>
          </div>
          <OutletTable deviceId={id} status={s} protectedOutlets={protectedSet} />
          </div>
        </>
      )}
    </article>
  );
}

function sourceTone(status: string | null): 'ok' | 'warn' | 'bad' | 'muted' {
  if (status === 'normal') return 'ok';
  if (status === null) return 'muted';
  return status.toLowerCase().includes('under') || status.toLowerCase().includes('over') ? 'bad' : 'warn';
}

function AtsCard(props: { deviceId: string; ats: AtsView }) {
  const a = props.ats;
  const src = (label: 'A' | 'B', v: AtsView['source_a'], n: number) => (
    <div class={`ats-src ${a.current_source === n ? 'active' : ''}`} data-testid={`source-${label}`}>
      <div class="ats-label">
        Source {label}
        {a.preferred_source === n && <span class="pref" title="Preferred source">preferred</span>}
      </div>
      <div class="ats-volt">{num(v.voltage, 1, 'V')}</div>
      <Badge tone={sourceTone(v.voltage_status)}>{v.voltage_status ?? '—'}</Badge>
    </div>
  );
  return (
    <Card title="ATS" class="tile ats">
      <div class="ats-diagram" role="group" aria-label={`Active source ${a.current_label ?? 'unknown'}, preferred ${a.preferred_label ?? 'unknown'}`}>
        {src('A', a.source_a, 1)}
        <div class="ats-arrow" aria-hidden="true">{a.current_source === 1 ? '◀' : a.current_source === 2 ? '▶' : '•'}</div>
        {src('B', a.source_b, 2)}
      </div>
      <div class="ats-foot">
        <span>Active <strong data-testid="ats-current">{a.current_label ?? '—'}</strong></span>
        <Badge tone={a.redundancy_ok === false ? 'bad' : a.redundancy_ok ? 'ok' : 'muted'}>
          {a.redundancy_ok === false ? 'redundancy lost' : a.redundancy_ok ? 'redundant' : 'redundancy ?'}
        </Badge>
        {a.transferred && <Badge tone="warn">transferred</Badge>}
        <PreferredSource deviceId={props.deviceId} ats={a} />
      </div>
    </Card>
  );
}

function BankCard(props: { bank: BankView; max: number }) {
  const b = props.bank;
  const pct = b.current === null ? 0 : Math.min(100, (b.current / props.max) * 100);
  const tone = loadTone(b.load_state);
  return (
    <Card title={`Bank ${b.number}`} class={`tile bank load-${tone}`} actions={<Badge tone={tone}>{b.load_state ?? '—'}</Badge>}>
      <div class="big"><span>{num(b.current, 1)}</span><small>A</small></div>
      <div class="meter" role="meter" aria-valuemin={0} aria-valuemax={props.max} aria-valuenow={b.current ?? 0} aria-label={`Bank ${b.number} current`}>
        <div class={`meter-fill tone-${tone}`} style={{ width: `${pct}%` }} />
      </div>
      <dl class="kv">
        <dt>Power</dt><dd>{num(b.power, 0, 'W')}</dd>
        <dt>PF</dt><dd>{num(b.power_factor, 2)}</dd>
        <dt>Voltage</dt><dd>{num(b.voltage, 1, 'V')}</dd>
      </dl>
    </Card>
  );
}
