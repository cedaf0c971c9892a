import { describe, expect, it } from 'vitest';
import { brokerSecurity, isLoopbackBind, mayPublish } from '../../../src/mqtt/acl.js';

describe('isLoopbackBind (SPEC §16.3: never anonymous beyond loopback)', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.0.0.2', true],
    ['127.255.255.254', true],
    ['localhost', true],
    ['LOCALHOST', true],
    ['::1', true],
    ['[::1]', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:127.1.2.3', true],
    ['0.0.0.0', false],
    ['::', false],
    ['', false],
    ['192.168.1.10', false],
    ['10.0.0.1', false],
    ['128.0.0.1', false],
    ['::ffff:192.168.1.1', false],
    ['fe80::1', false],
    ['127.0.0.1.example.com', false],
    ['broker.lan', false],
    ['localhost.evil.com', false],
    ['1270.0.0.1', false],
  ])('%j → %s', (bind, loopback) => {
    expect(isLoopbackBind(bind)).toBe(loopback);
  });
});

describe('brokerSecurity: auth mode from bind, users and allow_anonymous', () => {
  it.each([
    // bind, users, allowAnonymous, exposed override → mode, anonymous, acl
    ['127.0.0.1', 0, false, undefined, 'open', true, false],
    ['127.0.0.1', 0, true, undefined, 'open', true, false],
    ['127.0.0.1', 2, false, undefined, 'users', false, true],
    ['127.0.0.1', 2, true, undefined, 'users', true, true],
    ['0.0.0.0', 0, false, undefined, 'generated', false, true],
    ['0.0.0.0', 0, true, undefined, 'open', true, false],
    ['0.0.0.0', 1, false, undefined, 'users', false, true],
    ['0.0.0.0', 1, true, undefined, 'users', true, true],
    ['192.168.1.5', 0, false, undefined, 'generated', false, true],
    // the test override: exposed mode on a loopback address
    ['127.0.0.1', 0, false, true, 'generated', false, true],
    ['0.0.0.0', 0, false, false, 'open', true, false],
  ] as const)('%s users=%d allow_anonymous=%s exposed=%s → %s', (bind, userCount, allowAnonymous, exposed, mode, anonymous, acl) => {
    const s = brokerSecurity({ bind, userCount, allowAnonymous, ...(exposed === undefined ? {} : { exposed }) });
    expect(s).toEqual({ exposed: exposed ?? !isLoopbackBind(bind), mode, anonymous, acl });
  });
});

describe('mayPublish: only the bridge publishes state topics (SPEC §16.3)', () => {
  const acl = { acl: true, baseTopic: 'pdu' };
  it.each([
    // topic, allowed for another client
    ['pdu/rack1/outlet/3/command', true],
    ['pdu/rack1/outlet/3/name/set', true],
    ['pdu/rack1/ats/preferred_source/set', true],
    ['pdu/rack1/device/name/set', true],
    ['pdu/bridge/request/device/add', true],
    ['pdu/bridge/request', true],
    ['homeassistant/status', true],
    ['homeassistant/switch/x/config', true],
    ['zigbee2mqtt/lamp/set', true],
    ['pdux/rack1/outlet/1/state', true], // a different root that merely starts with "pdu"
    ['pdu/rack1/outlet/3/state', false],
    ['pdu/rack1/outlet/3/command/response', false],
    ['pdu/rack1/status', false],
    ['pdu/rack1/availability', false],
    ['pdu/bridge/state', false],
    ['pdu/bridge/info', false],
    ['pdu/bridge/response/devices', false],
    ['pdu/bridge/requests', false],
    ['pdu/rack1/settings', false], // ends with "set"tings, not the level "set"
    ['pdu', false],
    ['$SYS/broker/uptime', false],
  ])('%s → %s for a non-bridge client', (topic, allowed) => {
    expect(mayPublish(topic, { bridge: false }, acl)).toBe(allowed);
  });

  it('the bridge may publish anything but $-topics; without the ACL everybody may', () => {
    for (const topic of ['pdu/rack1/outlet/3/state', 'pdu/bridge/state', 'homeassistant/x/config']) {
      expect(mayPublish(topic, { bridge: true }, acl)).toBe(true);
      expect(mayPublish(topic, { bridge: false }, { acl: false, baseTopic: 'pdu' })).toBe(true);
    }
    expect(mayPublish('$SYS/x', { bridge: true }, acl)).toBe(false);
    expect(mayPublish('$SYS/x', { bridge: false }, { acl: false, baseTopic: 'pdu' })).toBe(false);
  });

  it('follows a multi-level base topic', () => {
    const home = { acl: true, baseTopic: 'home/pdu' };
    expect(mayPublish('home/pdu/r/outlet/1/state', { bridge: false }, home)).toBe(false);
    expect(mayPublish('home/pdu/r/outlet/1/command', { bridge: false }, home)).toBe(true);
    expect(mayPublish('home/pdu/bridge/request/devices', { bridge: false }, home)).toBe(true);
    expect(mayPublish('pdu/r/outlet/1/state', { bridge: false }, home)).toBe(true);
    expect(mayPublish('home/other', { bridge: false }, home)).toBe(true);
  });
});
