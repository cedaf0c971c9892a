import { describe, expect, it } from 'vitest';
import type { WatchdogsPort } from '../../../src/core/ports.js';
import type { WatchdogView } from '../../../src/core/watchdog.js';
import { WatchdogPublisher } from '../../../src/mqtt/watchdog-publisher.js';

// SPEC §9.3: `bridge/watchdog/{name}/state` retained when it changes and on every (re)connect,
// `…/event` not retained on state changes; a removed watchdog's retained state is cleared.

const view = (name: string, state: WatchdogView['state']['state'] = 'ok', cycles = 0): WatchdogView => ({
  name, device: '', device_id: 'pdu1', outlet: 2, target: 'x:1', interval_s: 10, timeout_ms: 5000, fail_after_s: 180, action: 'reboot', off_s: 10,
  boot_grace_s: 300, max_cycles: 3, window_h: 6, depends_on: '', source: 'config',
  state: { state, reason: null, cycles, last_cycle_at: null, last_result: null, last_check_at: null, failing_since: null, inactive: null },
});

describe('WatchdogPublisher', () => {
  it('publishes retained states on connect, changes and events, and clears removed ones', () => {
    let views = [view('modem'), view('nas')];
    const port = { list: () => views, get: (n: string) => views.find((v) => v.name === n) ?? null } as unknown as WatchdogsPort;
    const sent: string[] = [];
    const p = new WatchdogPublisher((topic, payload, o) => sent.push(`${o.retain ? 'R' : '-'} ${topic} ${payload}`), 'pdu', port);
    p.publishAll();
    expect(sent).toEqual([
      'R pdu/bridge/watchdog/modem/state {"state":"ok","reason":null,"cycles":0,"last_cycle_at":null}',
      'R pdu/bridge/watchdog/nas/state {"state":"ok","reason":null,"cycles":0,"last_cycle_at":null}',
    ]);
    sent.length = 0;
    const status = { state: 'cycling' as const, reason: 'target silent 180 s', cycles: 0, last_cycle_at: null };
    p.onEvent({ kind: 'check', name: 'modem', status: { ...status, state: 'ok', reason: null }, device_id: 'pdu1', outlet: 2, details: '', ts: 5 });
    expect(sent).toEqual([]); // unchanged: nothing
    p.onEvent({ kind: 'state', name: 'modem', status, device_id: 'pdu1', outlet: 2, details: '', ts: 6 });
    expect(sent).toEqual([
      'R pdu/bridge/watchdog/modem/state {"state":"cycling","reason":"target silent 180 s","cycles":0,"last_cycle_at":null}',
      '- pdu/bridge/watchdog/modem/event {"name":"modem","state":"cycling","reason":"target silent 180 s","cycles":0,"ts":6}',
    ]);
    sent.length = 0;
    views = [view('modem')];
    expect(p.onEvent({ kind: 'changed', name: 'nas', status: null, device_id: null, outlet: null, details: '', ts: 7 })).toBe(true);
    expect(sent).toEqual(['R pdu/bridge/watchdog/nas/state ']);
    expect(p.names()).toEqual(['modem']);
  });
});
