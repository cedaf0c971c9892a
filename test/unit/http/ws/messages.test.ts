// The /ws message builders and the client-message parsers (SPEC §15): one envelope
// `{type, ts, device_id?, data}`, the data objects REST and MQTT show, and errors that name the problem.
import { describe, expect, it } from 'vitest';
import type { HealthChange } from '../../../../src/core/bus.js';
import type { ProbeCycleEvent, SwitchStatus } from '../../../../src/core/power.js';
import type { RuleView } from '../../../../src/core/rules.js';
import type { CommandResult } from '../../../../src/core/types.js';
import { pduStatusSchema } from '../../../../src/http/schemas.js';
import { pduStatusView } from '../../../../src/http/views/pdu-status.js';
import { ruleJson } from '../../../../src/http/views/rules.js';
import {
  automationMessage, commandResultMessage, watchdogMessage, deviceEventMessage, deviceStateMessage, encode, errorMessage, helloMessage, MAX_FILTER_IDS, outageMessage,
  parseClientMessage, parseDeviceFilter, PONG, probeCycleMessage, rulesMessage, statusMessage, type OutMessage,
} from '../../../../src/http/ws/messages.js';
import { deviceInfo } from '../../../support/http-ports.js';
import { pduSnapshot } from '../../../support/pdu-snapshot.js';

const json = (m: OutMessage): Record<string, unknown> => JSON.parse(m.data.toString('utf8')) as Record<string, unknown>;

describe('envelope', () => {
  const cases: Array<{ name: string; m: OutMessage; key: string | null; body: Record<string, unknown> }> = [
    { name: 'a device message carries device_id', m: encode('event', 12.5, 'pdu-01', { a: 1 }), key: null, body: { type: 'event', ts: 12.5, device_id: 'pdu-01', data: { a: 1 } } },
    { name: 'a bridge message has no device_id', m: encode('outage', 3, null, { state: 'normal' }), key: null, body: { type: 'outage', ts: 3, data: { state: 'normal' } } },
    { name: 'a status is keyed by its device (latest-value)', m: encode('status', 1, 'pdu-02', {}), key: 'pdu-02', body: { type: 'status', ts: 1, device_id: 'pdu-02', data: {} } },
    { name: 'hello', m: helloMessage(5, { version: '1.2.3', devices: ['a'], auth_enabled: false, demo: true }), key: null, body: { type: 'hello', ts: 5, data: { version: '1.2.3', devices: ['a'], auth_enabled: false, demo: true } } },
    { name: 'error', m: errorMessage(7, 'nope'), key: null, body: { type: 'error', ts: 7, data: { error: 'nope' } } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(c.m.key).toBe(c.key);
      expect(json(c.m)).toEqual(c.body);
    });
  }

  it('pong is exactly {"type":"pong"}', () => {
    expect(PONG.data.toString()).toBe('{"type":"pong"}');
    expect(PONG.key).toBeNull();
  });
});

describe('data of each message type', () => {
  it('status: the §14.3 part A object of /api/status, built by the same function', () => {
    const snap = pduSnapshot({ deviceId: 'pdu-01' });
    const info = deviceInfo('pdu-01');
    const m = statusMessage(snap, info, snap.ts + 2);
    const body = json(m);
    expect(body).toMatchObject({ type: 'status', ts: snap.ts, device_id: 'pdu-01' });
    expect(body.data).toEqual(JSON.parse(JSON.stringify(pduStatusView(snap, info, snap.ts + 2))));
    expect(pduStatusSchema.safeParse(body.data).success).toBe(true);
    expect(m.key).toBe('pdu-01');
  });

  const health = (to: HealthChange['to']): HealthChange => ({ device_id: 'pdu-01', from: 'healthy', to, reason: 'timeout', consecutive_failures: 3, ts: 9 });
  for (const [state, availability] of [['healthy', 'online'], ['degraded', 'offline'], ['lost', 'offline'], ['recovering', 'offline'], ['error', 'offline']] as const) {
    it(`device_state ${state} → availability ${availability}`, () => {
      expect(json(deviceStateMessage(health(state)))).toEqual({
        type: 'device_state', ts: 9, device_id: 'pdu-01',
        data: { state, availability, previous: 'healthy', reason: 'timeout', consecutive_failures: 3 },
      });
    });
  }

  it('event (system): the /api/events row shape', () => {
    const m = deviceEventMessage({ type: 'outlet_change', device_id: 'pdu-01', source: 'pdu', details: 'outlet 3 off', ts: 4, data: { outlet: 3 } });
    expect(json(m)).toEqual({
      type: 'event', ts: 4, device_id: 'pdu-01',
      data: { rule: null, source: 'pdu', kind: 'system', type: 'outlet_change', details: 'outlet 3 off', ts: 4, device_id: 'pdu-01', system: true, data: { outlet: 3 } },
    });
  });

  it('event (automation): rule name and source rule:<name>; a rule-set event has no device', () => {
    expect(json(automationMessage({ rule: 'shed', type: 'triggered', details: 'd', ts: 2, device_id: 'pdu-01', data: { outlets: [3] } })).data).toEqual({
      rule: 'shed', source: 'rule:shed', kind: 'automation', type: 'triggered', details: 'd', ts: 2, device_id: 'pdu-01', system: false, data: { outlets: [3] },
    });
    const set = json(automationMessage({ rule: null, type: 'reload_failed', details: 'bad', ts: 2, device_id: null }));
    expect(set.device_id).toBeUndefined();
    expect(set.data).toMatchObject({ rule: null, source: 'rules', device_id: null, data: {} });
  });

  it('event (watchdog): the row /api/events stores, source watchdog:<name>, type watchdog_<state>', () => {
    const status = { state: 'cycling' as const, reason: 'target silent 35 s', cycles: 1, last_cycle_at: 5 };
    const m = json(watchdogMessage({ kind: 'state', name: 'modem', status, device_id: 'pdu-01', outlet: 2, details: 'watchdog "modem" cycling', ts: 7 }));
    expect(m).toMatchObject({ type: 'event', ts: 7, device_id: 'pdu-01' });
    expect(m.data).toEqual({
      rule: null, source: 'watchdog:modem', kind: 'automation', type: 'watchdog_cycling', details: 'watchdog "modem" cycling', ts: 7, device_id: 'pdu-01',
      system: false, data: { name: 'modem', outlet: 2, ...status },
    });
    const cycle = json(watchdogMessage({ kind: 'cycle', name: 'modem', status, device_id: 'pdu-01', outlet: 2, details: 'reboot', ts: 8, success: true }));
    expect(cycle.data).toMatchObject({ type: 'watchdog_cycle', data: { success: true } });
  });

  it('command_result: {outlet, command, success, error} and the read-back', () => {
    const r: CommandResult = { device_id: 'pdu-01', outlet: 3, command: 'off', success: true, error: null, code: null, ts: 8, duration_ms: 12, state: 'off', pending: false };
    expect(json(commandResultMessage(r))).toEqual({
      type: 'command_result', ts: 8, device_id: 'pdu-01',
      data: { outlet: 3, command: 'off', success: true, error: null, code: null, state: 'off', pending: false, duration_ms: 12 },
    });
    expect((json(commandResultMessage({ ...r, transaction: 't1' })).data as Record<string, unknown>).transaction).toBe('t1');
  });

  it('probe_cycle: every switch with its state and response time; unknown counts unknown and stale', () => {
    const sw = (id: number, state: SwitchStatus['state'], rt: number | null): SwitchStatus => ({
      target: { id, name: `s${id}`, url: 'http://10.0.0.1/', ip: '10.0.0.1', role: 'sensor', active: true, group: '', source: 'config', created_at: 0, updated_at: 0 },
      state, stale: state === 'stale', last_up_at: null,
      last_check: rt === null ? null : { id: 1, switch_id: id, result: 'up', is_online: true, http_status: 200, response_time: rt, error_message: null, reason: 'http', checked_at: 1 },
    });
    const e: ProbeCycleEvent = { ts: 6, cycle: 4, switches: [sw(1, 'up', 3.5), sw(2, 'down', null), sw(3, 'unknown', null), sw(4, 'stale', null)], checks: [], manual: false };
    expect(json(probeCycleMessage(e))).toEqual({
      type: 'probe_cycle', ts: 6,
      data: {
        cycle: 4, up: 1, down: 1, unknown: 2,
        switches: [
          { id: 1, name: 's1', result: 'up', response_time: 3.5 }, { id: 2, name: 's2', result: 'down', response_time: null },
          { id: 3, name: 's3', result: 'unknown', response_time: null }, { id: 4, name: 's4', result: 'stale', response_time: null },
        ],
      },
    });
  });

  it('outage: the pdu/bridge/outage payload as is', () => {
    const s = { state: 'normal' as const, outage: null, last: null, ts: 11 };
    expect(json(outageMessage(s))).toEqual({ type: 'outage', ts: 11, data: s });
  });

  it('rules: the /api/rules rows of one device', () => {
    const rule: RuleView = {
      name: 'shed', device: null, condition: 'voltage_below', input: 1, threshold: 108, outlet: '6-10', action: 'off', restore: true, delay: 10,
      restore_delay: 0, cooldown_s: 0, hysteresis: null, stagger_s: 0, notify: null, days_of_week: null, schedule_type: 'continuous', enabled: true,
      state: { device_id: 'pdu-01', phase: 'idle', triggered: false, condition_since: null, fired_at: null, execution_count: 0, last_execution: null, last_error: null, inactive: null },
    };
    expect(json(rulesMessage('pdu-01', [rule], 13))).toEqual({ type: 'rules', ts: 13, device_id: 'pdu-01', data: [ruleJson(rule)] });
  });
});

describe('parseClientMessage', () => {
  const cases: Array<[string, RegExp | 'ping']> = [
    ['{"type":"ping"}', 'ping'],
    [' { "type" : "ping", "extra": 1 } ', 'ping'],
    ['{"type":', /^message is not valid JSON \(.+\): the server accepts \{"type":"ping"\}$/],
    ['not json', /^message is not valid JSON/],
    ['', /^message is not valid JSON/],
    ['[1,2]', /^message must be a JSON object/],
    ['null', /^message must be a JSON object/],
    ['"ping"', /^message must be a JSON object/],
    ['{}', /^type: missing or not a string/],
    ['{"type":5}', /^type: missing or not a string/],
    ['{"type":"subscribe"}', /^type: unknown message type "subscribe": the server accepts/],
    ['{"type":"PING"}', /^type: unknown message type "PING"/],
  ];
  for (const [text, want] of cases) {
    it(`${JSON.stringify(text)} → ${want === 'ping' ? 'ping' : 'error'}`, () => {
      const r = parseClientMessage(text);
      if (want === 'ping') expect(r).toEqual({ ok: true, type: 'ping' });
      else {
        expect(r.ok).toBe(false);
        expect(r.ok ? '' : r.error).toMatch(want);
      }
    });
  }
  it('cuts a long unknown type in the error', () => {
    const r = parseClientMessage(JSON.stringify({ type: 'x'.repeat(1000) }));
    expect(r.ok ? '' : r.error.length).toBeLessThan(200);
  });
});

describe('parseDeviceFilter (?device_id=a,b)', () => {
  const cases: Array<[string | undefined, string[] | null | RegExp]> = [
    [undefined, null],
    ['pdu-01', ['pdu-01']],
    ['a,b', ['a', 'b']],
    [' a , b ,a,', ['a', 'b']],
    ['', /^device_id: lists no device id/],
    [',, ,', /^device_id: lists no device id/],
    [`ok,${'x'.repeat(65)}`, /^device_id: "x{20}…" is longer than 64 characters$/],
    [Array.from({ length: MAX_FILTER_IDS + 1 }, (_, i) => `d${i}`).join(','), /^device_id: lists 257 ids, at most 256$/],
  ];
  for (const [raw, want] of cases) {
    it(`${JSON.stringify(raw)?.slice(0, 40)}`, () => {
      const r = parseDeviceFilter(raw);
      if (want === null) expect(r).toEqual({ ok: true, ids: null });
      else if (Array.isArray(want)) expect(r.ok && r.ids ? [...r.ids] : r).toEqual(want);
      else expect(r.ok ? '' : r.error).toMatch(want);
    });
  }
});
