import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/index.js';
import type { Watchdog } from '../../../src/core/watchdog.js';
import { parseTarget, switchInUse } from '../../../src/core/watchdog-target.js';
import { checkOutlet, checkSet, parseWatchdog, resolveDevice } from '../../../src/watchdog/validate.js';

// Load errors of SPEC §12.7, each naming the watchdog and the field.

const base = (over: Partial<Watchdog>): Watchdog => {
  const p = parseWatchdog({ name: 'modem', outlet: 2, target: 'http://192.168.1.1/', ...over });
  if (!p.ok) throw new Error(JSON.stringify(p.issues));
  return p.watchdog;
};

describe('parseTarget', () => {
  it.each([
    ['http://192.168.1.1', { kind: 'url', url: 'http://192.168.1.1/' }],
    ['https://modem.lan:8443/status', { kind: 'url', url: 'https://modem.lan:8443/status' }],
    ['192.168.100.1:80', { kind: 'tcp', host: '192.168.100.1', port: 80 }],
    ['nas.lan:445', { kind: 'tcp', host: 'nas.lan', port: 445 }],
    ['[fd00::1]:22', { kind: 'tcp', host: 'fd00::1', port: 22 }],
    ['demo-gateway', { kind: 'switch', name: 'demo-gateway' }],
  ])('%s', (raw, target) => {
    expect(parseTarget(raw)).toEqual({ ok: true, target });
  });

  it.each([
    ['ftp://x/', /not an http\(s\) URL/],
    ['http://', /not a valid URL/],
    ['host:0', /port must be 1-65535/],
    ['host:99999', /port must be 1-65535/],
    ['bad host:80', /not a host name/],
    ['', /is empty/],
    ['two words', /neither a URL/],
  ])('rejects %j', (raw, message) => {
    const r = parseTarget(raw);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(message);
    expect(!r.ok && r.message).toMatch(/write e\.g\./);
  });
});

describe('parseWatchdog', () => {
  it('fills the defaults of SPEC §12.7', () => {
    expect(base({})).toEqual({
      name: 'modem', device: '', outlet: 2, target: 'http://192.168.1.1/', interval_s: 10, timeout_ms: 5000, fail_after_s: 180, action: 'reboot',
      off_s: 10, boot_grace_s: 300, max_cycles: 3, window_h: 6, depends_on: '',
    });
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['max_cycles 0', { max_cycles: 0 }, 'max_cycles', /1/],
    ['max_cycles negative', { max_cycles: -2 }, 'max_cycles', /1/],
    ['an outlet of 0', { outlet: 0 }, 'outlet', /1/],
    ['a name with a slash', { name: 'a/b' }, 'name', /./],
    ['an unknown field', { colour: 'red' }, '(body)', /colour/],
    ['a malformed URL', { target: 'http://exa mple/' }, 'target', /./],
    ['depends_on not a string', { depends_on: 3 }, 'depends_on', /watchdog name/],
  ])('rejects %s, naming the field', (_what, over, field, message) => {
    const r = parseWatchdog({ name: 'modem', outlet: 2, target: 'x:1', ...over });
    expect(r.ok).toBe(false);
    const issue = !r.ok ? r.issues.find((i) => i.field === field) : undefined;
    expect(issue, JSON.stringify(r)).toBeDefined();
    expect(issue?.message).toMatch(message);
  });

  it('rejects what is not an object', () => {
    expect(parseWatchdog([1])).toMatchObject({ ok: false, issues: [{ field: '(body)' }] });
  });
});

describe('checkSet', () => {
  it('names the watchdog and the field: invalid target, unknown switch, unknown depends_on, cycle', () => {
    const set = [
      // parseWatchdog refuses this target already; checkSet also guards watchdogs built elsewhere.
      { ...base({ name: 'bad-url' }), target: 'gopher://x/' },
      base({ name: 'by-switch', target: 'no-such-switch' }),
      base({ name: 'orphan', depends_on: 'ghost' }),
      base({ name: 'a', depends_on: 'b' }),
      base({ name: 'b', depends_on: 'c' }),
      base({ name: 'c', depends_on: 'a' }),
      base({ name: 'fine', target: 'demo-gateway', depends_on: 'by-switch' }),
    ];
    const issues = checkSet(set, new Set(['demo-gateway']));
    expect(issues.map((i) => `${i.watchdog}.${i.field}`)).toEqual(['bad-url.target', 'by-switch.target', 'orphan.depends_on', 'a.depends_on', 'b.depends_on', 'c.depends_on']);
    expect(issues.find((i) => i.watchdog === 'a')?.message).toContain('a → b → c → a');
    expect(issues.find((i) => i.watchdog === 'orphan')?.message).toContain('names no watchdog "ghost"');
    expect(issues.find((i) => i.watchdog === 'by-switch')?.message).toContain('known: demo-gateway');
  });

  it('a chain without a loop is fine; switch names are not checked when unknown (null)', () => {
    expect(checkSet([base({ name: 'modem' }), base({ name: 'router', depends_on: 'modem', target: 'rtr' })], null)).toEqual([]);
  });
});

describe('checkOutlet and resolveDevice', () => {
  const dev = { id: 'pdu1', outletCount: 8, protectedOutlets: [1, 5] };
  it.each<[number, RegExp | null]>([
    [2, null],
    [8, null],
    [9, /outlet 9 is beyond the 8 outlets of pdu1 \(valid: 1-8\)/],
    [5, /outlet 5 of pdu1 is protected/],
  ])('outlet %i', (outlet, message) => {
    const issue = checkOutlet({ name: 'w', outlet }, dev);
    if (message === null) expect(issue).toBeNull();
    else expect(issue).toMatchObject({ watchdog: 'w', field: 'outlet', message: expect.stringMatching(message) });
  });

  it('an outlet beyond an unknown count is not judged yet; protected ones are', () => {
    expect(checkOutlet({ name: 'w', outlet: 40 }, { ...dev, outletCount: null })).toBeNull();
    expect(checkOutlet({ name: 'w', outlet: 1 }, { ...dev, outletCount: null })?.field).toBe('outlet');
  });

  it('resolves the device like a rule does', () => {
    const d = (id: string, kind = 'cyberpower') => ({ id, kind, label: id, host: 'h', model: null, serial: null, state: 'healthy' as const, availability: 'online' as const });
    expect(resolveDevice('', [d('a')])).toEqual({ id: 'a' });
    expect(resolveDevice('', [d('a'), d('k', 'kasa')])).toEqual({ id: 'a' });
    expect(resolveDevice('', [d('a'), d('b')])).toEqual({ problem: expect.stringContaining('several devices') });
    expect(resolveDevice('x', [d('a')])).toEqual({ problem: 'device "x" is not configured' });
  });
});

describe('config file (exit 2 on these, SPEC §12.7)', () => {
  it.each<[string, unknown[], string]>([
    ['unknown depends_on', [{ name: 'a', outlet: 1, target: 'x:1', depends_on: 'nope' }], 'watchdogs.0.depends_on'],
    ['a depends_on cycle', [{ name: 'a', outlet: 1, target: 'x:1', depends_on: 'b' }, { name: 'b', outlet: 2, target: 'y:1', depends_on: 'a' }], 'watchdogs.0.depends_on'],
    ['max_cycles 0', [{ name: 'a', outlet: 1, target: 'x:1', max_cycles: 0 }], 'watchdogs.0.max_cycles'],
    ['an invalid URL', [{ name: 'a', outlet: 1, target: 'http://bad host/' }], 'watchdogs.0.target'],
  ])('%s', (_what, watchdogs, path) => {
    const r = configSchema.safeParse({ watchdogs });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toContain(path);
  });
});

describe('switchInUse (a switch that watchdogs target is not removed or renamed)', () => {
  const wds = [
    { name: 'modem', target: 'gateway' },
    { name: 'router', target: ' gateway ' },
    { name: 'nas', target: 'http://gateway/' },
    { name: 'ap', target: 'gateway:80' },
  ];
  it.each([
    ['gateway', 'switch "gateway" is the target of watchdogs modem, router: point them at another target or remove them first'],
    ['lan', null],
  ])('%s → %s', (name, expected) => {
    expect(switchInUse(name, wds)).toBe(expected);
  });
  it('one watchdog reads in the singular', () => {
    expect(switchInUse('gw', [{ name: 'modem', target: 'gw' }])).toBe('switch "gw" is the target of watchdog modem: point it at another target or remove it first');
  });
});
