import { describe, expect, it } from 'vitest';
import { RECOVERY_SCAN, movedTo, planRecoveryScan, scanBudgetMs, type ScanContext } from '../../../src/devices/pdu/recovery.js';

// Address recovery decisions (SPEC §7.7, issue 8 item 7): when a silent PDU's subnet is scanned.

const MIN = RECOVERY_SCAN.minIntervalMs;
const base: ScanContext = {
  state: 'lost', subnetScan: true, subnet: '', host: '192.0.2.10', serial: 'NA1234', running: false, lastScanAtMs: null, nowMs: 10 * MIN,
};

describe('planRecoveryScan', () => {
  it.each<[string, Partial<ScanContext>, string | true]>([
    ['lost, serial known, never scanned', {}, true],
    ['recovering counts as lost', { state: 'recovering' }, true],
    ['healthy', { state: 'healthy' }, 'not_lost'],
    ['degraded (not yet recovering)', { state: 'degraded' }, 'not_lost'],
    ['error (wrong device)', { state: 'error' }, 'not_lost'],
    ['recovery.subnet_scan: false', { subnetScan: false }, 'disabled'],
    ['serial unknown (never read, no expected_serial)', { serial: null }, 'no_serial'],
    ['empty serial', { serial: '' }, 'no_serial'],
    ['a scan still running', { running: true }, 'running'],
    ['last scan 1 minute ago', { lastScanAtMs: 9 * MIN + MIN / 5 }, 'rate_limited'],
    ['last scan just under the interval ago', { lastScanAtMs: 9 * MIN + 1 }, 'rate_limited'],
    ['last scan exactly the interval ago', { lastScanAtMs: 9 * MIN }, true],
    ['a shorter interval allows it', { lastScanAtMs: 9 * MIN + MIN / 5, minIntervalMs: 1000 }, true],
    ['host name without a subnet', { host: 'pdu.example.net' }, 'no_subnet'],
    ['IPv6 host without a subnet', { host: 'fe80::1' }, 'no_subnet'],
    ['host name with an explicit subnet', { host: 'pdu.example.net', subnet: '192.0.2.0/29' }, true],
    ['subnet wider than /16', { subnet: '10.0.0.0/15' }, 'no_subnet'],
    ['a /32 that is the host itself', { subnet: '192.0.2.10/32' }, 'no_subnet'],
  ])('%s', (_name, over, expected) => {
    const plan = planRecoveryScan({ ...base, ...over });
    if (expected === true) expect(plan.scan).toBe(true);
    else expect(plan).toMatchObject({ scan: false, reason: expected });
  });

  it('scans the /24 around the host without the host; the budget covers every host', () => {
    const plan = planRecoveryScan(base);
    if (!plan.scan) throw new Error('expected a scan');
    expect(plan.hosts).toHaveLength(253);
    expect(plan.hosts).not.toContain('192.0.2.10');
    expect(plan.budgetMs).toBe(scanBudgetMs(253));
  });

  it('an explicit subnet replaces the /24 (e.g. a /22 of 1022 hosts)', () => {
    const plan = planRecoveryScan({ ...base, subnet: '192.0.0.0/22' });
    if (!plan.scan) throw new Error('expected a scan');
    expect(plan.hosts).toHaveLength(1021);
    expect([plan.hosts[0], plan.hosts.at(-1)]).toEqual(['192.0.0.1', '192.0.3.254']);
  });

  it('says when the rate limit lets the next scan run', () => {
    expect(planRecoveryScan({ ...base, lastScanAtMs: base.nowMs - 60_000 })).toEqual({ scan: false, reason: 'rate_limited', retryInMs: MIN - 60_000 });
  });
});

describe('scanBudgetMs', () => {
  it.each([
    [1, 32, 1000, 7000],
    [32, 32, 1000, 7000],
    [33, 32, 1000, 9000],
    [253, 32, 1000, 21_000],
    [65_533, 32, 1000, 2048 * 2000 + 5000],
  ])('%i hosts, %i at a time, %i ms → %i ms', (n, c, t, ms) => {
    expect(scanBudgetMs(n, c, t)).toBe(ms);
  });
});

describe('movedTo', () => {
  it.each<[string | null, { from: string; current: string; stopped: boolean }, string | null]>([
    ['10.0.0.7', { from: '10.0.0.5', current: '10.0.0.5', stopped: false }, '10.0.0.7'],
    [null, { from: '10.0.0.5', current: '10.0.0.5', stopped: false }, null],
    ['10.0.0.7', { from: '10.0.0.5', current: '10.0.0.5', stopped: true }, null],
    ['10.0.0.7', { from: '10.0.0.5', current: '10.0.0.9', stopped: false }, null], // moved meanwhile
    ['10.0.0.5', { from: '10.0.0.5', current: '10.0.0.5', stopped: false }, null], // answered where it is
  ])('found %s with %j → %s', (found, o, expected) => {
    expect(movedTo(found, o)).toBe(expected);
  });
});
