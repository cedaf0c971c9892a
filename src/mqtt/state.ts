import type { PduSnapshot, TransportState } from '../core/types.js';

// The retained summary and availability messages of one device (SPEC §9.2), from a snapshot. Pure.

export interface StateMessage {
  /** Sub-topic under `{base}/{id}/`. */
  sub: string;
  payload: string;
  /**
   * What decides "changed": the payload without its timestamp, so JSON summaries that carry a
   * time are not re-published every second (SPEC §9.1: on change + heartbeat).
   */
  changeKey: string;
  /** Heartbeat of this message in seconds (device summary: 300 s; others: mqtt.heartbeat_s). */
  heartbeatS?: number;
}

const iso = (ts: number): string => new Date(ts * 1000).toISOString();

function json(sub: string, body: Record<string, unknown>, ts: number, heartbeatS?: number): StateMessage {
  const changeKey = JSON.stringify(body);
  return { sub, payload: JSON.stringify({ ...body, timestamp: iso(ts) }), changeKey, ...(heartbeatS ? { heartbeatS } : {}) };
}

export interface DeviceMeta {
  host: string;
  state: TransportState;
  /** DeviceInfo.transport (`snmp`, or a plug's local API); absent = snmp. */
  transport?: string;
}

/** The JSON summaries and availability of a snapshot (the readings go through ReadingPublisher). */
export function summaryMessages(snap: PduSnapshot, meta: DeviceMeta): StateMessage[] {
  const out: StateMessage[] = [];
  const id = snap.identity;
  out.push(
    json('status', {
      device_name: id.name,
      outlet_count: id.outlet_count,
      phase_count: id.phase_count,
      input_voltage: snap.input.voltage,
      input_frequency: snap.input.frequency,
      identity: { serial: id.serial, model: id.model, firmware_main: id.firmware_main, firmware_secondary: id.firmware_secondary, hardware_rev: id.hardware_rev },
    }, snap.ts),
  );
  out.push(
    json('device', {
      device_id: snap.device_id, serial: id.serial, serial_numeric: id.serial_numeric, model: id.model, name: id.name,
      firmware_main: id.firmware_main, firmware_secondary: id.firmware_secondary, hardware_rev: id.hardware_rev,
      outlet_count: id.outlet_count, phase_count: id.phase_count, max_current: id.max_current, transport: meta.transport ?? 'snmp', state: meta.state,
      sys_name: id.sys_name, sys_location: id.sys_location, sys_contact: id.sys_contact, manufacture_date: id.manufacture_date,
      capabilities: snap.capabilities, source_voltage_scale: snap.source_voltage_scale, host: meta.host,
    }, snap.ts, 300),
  );
  out.push(...availabilityMessages(meta.state));
  return out;
}

/**
 * Availability follows the transport state (SPEC §7.7): online only while healthy, and only once
 * the device has answered (`answered`: a sample exists; a device never polled is not online).
 */
export function availabilityMessages(state: TransportState, answered = true): StateMessage[] {
  const availability = state === 'healthy' && answered ? 'online' : 'offline';
  return [
    { sub: 'availability', payload: availability, changeKey: availability },
    { sub: 'transport_state', payload: state, changeKey: state },
    { sub: 'bridge/status', payload: 'online', changeKey: 'online' },
  ];
}
