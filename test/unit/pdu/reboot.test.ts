import { describe, expect, it } from 'vitest';
import { TIMETICKS_WRAP, detectReboot } from '../../../src/devices/pdu/reboot.js';

const NOW = Date.UTC(2026, 5, 1);

describe('reboot detection from sysUpTime (SPEC §7.8)', () => {
  it.each([
    ['first poll', null, 100, 1000, false, null],
    ['normal progress', 10_000, 10_100, 1000, false, null],
    ['uptime went back', 10_000_000, 500, 1000, true, 'uptime_went_back'],
    ['32-bit wrap is not a reboot', TIMETICKS_WRAP - 50, 50, 1000, false, null],
    ['back by a lot near the wrap but new value large = reboot', TIMETICKS_WRAP - 50, 9_000_000, 1000, true, 'uptime_went_back'],
    ['reboot during a polling gap', 1000, 3000, 120_000, true, 'uptime_shorter_than_gap'],
    ['long gap, uptime longer than the gap', 1000, 20_000_000, 120_000, false, null],
  ] as const)('%s', (_name, prev, next, gap, rebooted, reason) => {
    const r = detectReboot(prev, next, gap, NOW);
    expect(r.rebooted).toBe(rebooted);
    expect(r.reason).toBe(reason);
    if (rebooted) expect(r.bootAtMs).toBe(NOW - next * 10);
  });
});
