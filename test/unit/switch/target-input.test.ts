import { describe, expect, it } from 'vitest';
import type { SwitchInput } from '../../../src/core/power.js';
import { normalizeSwitchInput, type NormalizedSwitch } from '../../../src/devices/switch/target-input.js';

// SPEC §11.1: a switch target as a user gives it (config, REST, CLI, MQTT), validated once when
// it is added; an invalid one is never probed (§11.2).

const base = { name: 'plug', role: 'sensor', active: true, group: '' } as const;

describe('normalizeSwitchInput: addresses', () => {
  it.each<[string, Partial<SwitchInput>, Pick<NormalizedSwitch, 'url' | 'ip'>]>([
    ['http url', { url: 'http://192.168.1.20/' }, { url: 'http://192.168.1.20/', ip: '192.168.1.20' }],
    ['https url with port and path', { url: 'https://nas.lan:8443/status' }, { url: 'https://nas.lan:8443/status', ip: 'nas.lan' }],
    ['url with query kept', { url: 'http://plug/cm?cmnd=Status' }, { url: 'http://plug/cm?cmnd=Status', ip: 'plug' }],
    ['scheme and host lower-cased, default port dropped', { url: 'HTTP://Plug.LAN:80' }, { url: 'http://plug.lan/', ip: 'plug.lan' }],
    ['fragment dropped', { url: 'http://plug/#x' }, { url: 'http://plug/', ip: 'plug' }],
    ['surrounding spaces trimmed', { url: '  http://plug/ ' }, { url: 'http://plug/', ip: 'plug' }],
    ['IPv6 url', { url: 'http://[fd00::1]:8080/' }, { url: 'http://[fd00::1]:8080/', ip: 'fd00::1' }],
    ['only ip', { ip: '192.168.1.20' }, { url: 'http://192.168.1.20/', ip: '192.168.1.20' }],
    ['ip host name', { ip: 'shelly-plug.local' }, { url: 'http://shelly-plug.local/', ip: 'shelly-plug.local' }],
    ['ip host:port', { ip: '192.168.1.20:8080' }, { url: 'http://192.168.1.20:8080/', ip: '192.168.1.20' }],
    ['ip bracketed IPv6 with port', { ip: '[::1]:8080' }, { url: 'http://[::1]:8080/', ip: '::1' }],
    ['ip bare IPv6', { ip: 'fe80::1' }, { url: 'http://[fe80::1]/', ip: 'fe80::1' }],
    ['url wins over ip', { url: 'http://a.lan/', ip: 'b.lan' }, { url: 'http://a.lan/', ip: 'a.lan' }],
    ['empty url falls back to ip (an update that replaces the address)', { url: '', ip: '10.0.0.2' }, { url: 'http://10.0.0.2/', ip: '10.0.0.2' }],
  ])('%s', (_name, input, expected) => {
    const r = normalizeSwitchInput({ name: 'plug', ...input });
    expect(r).toEqual({ ok: true, value: { ...base, ...expected } });
  });

  it.each<[string, Partial<SwitchInput>, 'url' | 'ip', RegExp]>([
    ['neither url nor ip', {}, 'url', /needs a url .* or an ip/],
    ['both empty', { url: '', ip: ' ' }, 'url', /needs a url/],
    ['ftp scheme', { url: 'ftp://nas/' }, 'url', /must start with http:\/\/ or https:\/\//],
    ['no scheme', { url: '192.168.1.20/status' }, 'url', /must start with http:\/\/ .*http:\/\/192\.168\.1\.20\/status/],
    ['javascript: url', { url: 'javascript:alert(1)' }, 'url', /must start with http/],
    ['credentials', { url: 'http://admin:secret@plug/' }, 'url', /user name or password/],
    ['user only', { url: 'http://admin@plug/' }, 'url', /user name or password/],
    ['space in host', { url: 'http://my plug/' }, 'url', /not a valid URL/],
    ['port out of range', { url: 'http://plug:70000/' }, 'url', /not a valid URL/],
    ['too long', { url: `http://plug/${'a'.repeat(2100)}` }, 'url', /at most 2048/],
    ['ip with scheme', { ip: 'http://plug/' }, 'ip', /put a scheme or path in url/],
    ['ip with path', { ip: 'plug/status' }, 'ip', /only a host or host:port/],
    ['ip with credentials', { ip: 'admin@plug' }, 'ip', /only a host/],
    ['ip with space', { ip: 'my plug' }, 'ip', /only a host/],
    ['ip with bad port', { ip: 'plug:99999' }, 'ip', /not a host name, IP address or host:port/],
    ['ip with zone id', { ip: 'fe80::1%eth0' }, 'ip', /zone ids/],
    ['url not a string', { url: 42 as unknown as string }, 'url', /must be a string, got 42/],
    ['ip not a string', { ip: ['a'] as unknown as string }, 'ip', /must be a string, got a list/],
  ])('rejects %s', (_name, input, field, message) => {
    const r = normalizeSwitchInput({ name: 'plug', ...input });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.field).toBe(field);
    expect(r.error.startsWith(`${field}: `)).toBe(true);
    expect(r.error).toMatch(message);
  });
});

describe('normalizeSwitchInput: name, role, active, group', () => {
  it('defaults: role sensor, active, no group; name trimmed', () => {
    expect(normalizeSwitchInput({ name: '  Living room  ', ip: '10.0.0.1' })).toEqual({
      ok: true, value: { name: 'Living room', url: 'http://10.0.0.1/', ip: '10.0.0.1', role: 'sensor', active: true, group: '' },
    });
  });

  it('keeps given role, active and (trimmed) group', () => {
    const r = normalizeSwitchInput({ name: 'router', ip: '10.0.0.1', role: 'control', active: false, group: ' feed-a ' });
    expect(r).toMatchObject({ ok: true, value: { role: 'control', active: false, group: 'feed-a' } });
  });

  it('accepts a 100-character name and a 64-character group', () => {
    expect(normalizeSwitchInput({ name: 'n'.repeat(100), ip: 'x', group: 'g'.repeat(64) }).ok).toBe(true);
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['empty name', { name: '' }, 'name', /must not be empty/],
    ['blank name', { name: '   ' }, 'name', /must not be empty/],
    ['name too long', { name: 'n'.repeat(101) }, 'name', /101 characters long; at most 100/],
    ['name with newline', { name: 'a\nb' }, 'name', /control character/],
    ['name with tab', { name: 'a\tb' }, 'name', /control character/],
    ['name with DEL', { name: 'a\u007fb' }, 'name', /control character/],
    ['name missing', { name: undefined }, 'name', /must be a string, got undefined/],
    ['name a number', { name: 7 }, 'name', /must be a string, got 7/],
    ['role unknown', { role: 'gateway' }, 'role', /"sensor" .* or "control" .*got "gateway"/],
    ['active a string', { active: 'yes' }, 'active', /true or false, got "yes"/],
    ['group too long', { group: 'g'.repeat(65) }, 'group', /at most 64/],
    ['group with control char', { group: 'a\u0000' }, 'group', /control character/],
    ['group an object', { group: {} }, 'group', /must be a string, got an object/],
  ])('rejects %s', (_name, patch, field, message) => {
    const r = normalizeSwitchInput({ name: 'plug', ip: '10.0.0.1', ...patch } as unknown as SwitchInput);
    expect(r).toMatchObject({ ok: false, field });
    if (!r.ok) expect(r.error).toMatch(message);
  });

  it('checks the name before the address', () => {
    expect(normalizeSwitchInput({ name: '', url: 'ftp://x/' })).toMatchObject({ ok: false, field: 'name' });
  });
});
