import { describe, expect, it } from 'vitest';
import { parseInbound, subscriptions } from '../../../src/mqtt/topics.js';

describe('inbound topics (SPEC §9.1, §9.2)', () => {
  it.each([
    ['pdu/rack1/outlet/3/command', { kind: 'outlet_command', deviceId: 'rack1', outlet: 3 }],
    ['pdu/rack1/outlet/10/name/set', { kind: 'outlet_name_set', deviceId: 'rack1', outlet: 10 }],
    ['pdu/rack1/ats/preferred_source/set', { kind: 'preferred_source_set', deviceId: 'rack1' }],
    ['pdu/rack1/device/location/set', { kind: 'device_set', deviceId: 'rack1', field: 'location' }],
    ['pdu/bridge/request/devices', { kind: 'bridge_request', action: 'devices' }],
    ['pdu/bridge/request/device/add', { kind: 'bridge_request', action: 'device/add' }],
    ['homeassistant/status', { kind: 'ha_status' }],
  ])('%s', (topic, expected) => {
    expect(parseInbound(topic, 'pdu', 'homeassistant/status')).toEqual(expected);
  });

  it.each([
    ['pdu/rack1/outlet/0/command', /not an outlet number/],
    ['pdu/rack1/outlet/x/command', /not an outlet number/],
    ['pdu/rack1/outlet/03/command', /not an outlet number/],
    ['pdu/rack1/outlet/3/command/extra', /unknown topic/],
    ['pdu/rack1/device/serial/set', /unknown topic/],
    ['pdu/bridge/request/', /unknown bridge topic/],
    ['other/rack1/outlet/1/command', /not under the base topic/],
  ])('%s is ignored (%s)', (topic, reason) => {
    const r = parseInbound(topic, 'pdu', 'homeassistant/status');
    expect(r.kind).toBe('ignored');
    if (r.kind === 'ignored') expect(r.reason).toMatch(reason);
  });

  it('subscribes to commands, sets, bridge requests and the HA status topic', () => {
    expect(subscriptions('pdu', 'homeassistant/status')).toEqual([
      'pdu/+/outlet/+/command', 'pdu/+/outlet/+/name/set', 'pdu/+/ats/preferred_source/set', 'pdu/+/device/+/set',
      'pdu/bridge/request/#', 'homeassistant/status',
    ]);
    expect(subscriptions('x', null)).toHaveLength(5);
  });
});
