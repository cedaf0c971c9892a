import { describe, expect, it } from 'vitest';
import { statusView } from '../../../src/http/schemas.js';
import { NO_DATA_YET, pduStatusView } from '../../../src/http/views/pdu-status.js';
import { deviceInfo } from '../../support/http-ports.js';
import { pduSnapshot, reducedSnapshot } from '../../support/pdu-snapshot.js';

const NOW = 1_700_000_002.34;

describe('pduStatusView (SPEC §14.3 part A)', () => {
  it('maps a full PDU44001 snapshot to the original status shape', () => {
    const snap = pduSnapshot();
    const v = pduStatusView(snap, deviceInfo('pdu-01'), NOW);
    expect(v.device).toEqual({ name: 'Rack PDU', id: 'pdu-01', outlet_count: 10, phase_count: 1 });
    expect(v.ats).toEqual({
      preferred_source: 1, preferred_label: 'A', current_source: 1, current_label: 'A', auto_transfer: true, transferred: false,
      redundancy_ok: true,
      source_a: { voltage: 120.1, frequency: 60, voltage_status: 'normal' },
      source_b: { voltage: 120.1, frequency: 60, voltage_status: 'normal' },
      coldstart_delay: 5, coldstart_state: 'allon',
    });
    expect(Object.keys(v.inputs!)).toEqual(['1', '2']);
    expect(v.inputs!['2']).toEqual({
      number: 2, voltage: 120.4, current: 1.2, power: 140, apparent_power: 145, power_factor: 0.97, load_state: 'normal', energy: 12.3,
      last_update: snap.ts,
    });
    expect(Object.keys(v.outlets!)).toHaveLength(10);
    expect(v.outlets!['3']).toEqual({
      number: 3, name: 'Outlet3', state: 'off', current: 0.4, power: 45, energy: 1.5, bank_assignment: 1, max_load: 10, pending: false,
    });
    // Outlets 3, 6, 9 are off in the fixture.
    expect(v.summary).toEqual({
      total_power: 280, total_load: 2.4, total_energy: 24.6, input_voltage: 120.4, input_frequency: 60, active_outlets: 7, total_outlets: 10,
    });
    expect(v.environment).toEqual({ temperature: 24.5, humidity: 40, contacts: { '1': 'closed', '2': 'open' } });
    expect(v.identity).toMatchObject({ serial: 'NA1234567890', model: 'PDU44001', firmware_main: '1.3.2' });
    expect(v.mqtt).toBeNull();
    expect(v.data_age_seconds).toBe(2.3);
    expect(v.ts).toBe(snap.ts);
    expect(v.pdu_error).toBeUndefined();
  });

  it('reports a transfer away from the preferred source and lost redundancy', () => {
    const snap = pduSnapshot();
    snap.ats = { current_source: 'B', preferred_source: 'A', auto_transfer: true, redundancy: 'lost' };
    snap.sources = { a: { voltage: 0, frequency: 0, status: 'underVoltage' }, b: { voltage: 121, frequency: 60, status: 'normal' } };
    const ats = pduStatusView(snap, deviceInfo('pdu-01'), NOW).ats!;
    expect(ats).toMatchObject({ current_source: 2, current_label: 'B', transferred: true, redundancy_ok: false });
    expect(ats.source_a).toEqual({ voltage: 0, frequency: 0, voltage_status: 'underVoltage' });
  });

  it('leaves out what the device cannot measure (no ATS, no metering, no sensor)', () => {
    const v = pduStatusView(reducedSnapshot(), deviceInfo('pdu-01'), NOW);
    expect(v.ats).toBeNull();
    expect(v.environment).toBeUndefined();
    expect(v.outlets!['1']).toMatchObject({ current: null, power: null, energy: null });
    expect(v.inputs!['1']!.energy).toBeNull();
    expect(v.summary).toMatchObject({ total_energy: null, total_outlets: 8 });
  });

  it('uses the local outlet name override and the configured label', () => {
    const snap = pduSnapshot();
    snap.outlets[1]!.name_override = 'File Server';
    snap.outlets[2]!.name_override = '';
    const v = pduStatusView(snap, deviceInfo('pdu-01', { label: 'Rack A' }), NOW);
    expect(v.outlets!['1']!.name).toBe('File Server');
    expect(v.outlets!['2']!.name).toBe('Outlet2');
    expect(v.device!.name).toBe('Rack A');
  });

  it('never reports a negative data age (PDU clock ahead of ours)', () => {
    expect(pduStatusView(pduSnapshot(), deviceInfo('pdu-01'), 1_699_999_990).data_age_seconds).toBe(0);
  });

  it('says "no data yet" and carries none of the data keys before the first poll', () => {
    const v = pduStatusView(null, deviceInfo('pdu-01'), NOW);
    expect(v).toEqual({ pdu_error: NO_DATA_YET });
  });

  it('produces what the /api/status response schema accepts', () => {
    const partB = { power_status: null, current_outage: null, switches_total: 0, switches_online: 0, switches_offline: 0, switches: [], last_check_at: null, pdus: [] };
    for (const snap of [pduSnapshot(), reducedSnapshot(), null]) {
      const r = statusView.safeParse({ ...partB, ...pduStatusView(snap, deviceInfo('pdu-01'), NOW) });
      expect(r.success, JSON.stringify(r.error?.issues)).toBe(true);
    }
  });
});
