import { describe, expect, it } from 'vitest';
import { scanHosts } from '../../../src/devices/pdu/subnet-scan.js';

describe('subnet scan hosts (SPEC §7.7)', () => {
  it('the /24 around an IPv4 literal, without network, broadcast and the host itself', () => {
    const hosts = scanHosts('192.0.2.10', '')!;
    expect(hosts).toHaveLength(253);
    expect(hosts[0]).toBe('192.0.2.1');
    expect(hosts.at(-1)).toBe('192.0.2.254');
    expect(hosts).not.toContain('192.0.2.10');
  });
  it.each([
    ['10.1.2.3', '10.1.2.128/25', 126, '10.1.2.129', '10.1.2.254'],
    ['10.1.2.3', '10.9.0.4/30', 2, '10.9.0.5', '10.9.0.6'],
    ['10.1.2.3', '10.9.0.4/31', 2, '10.9.0.4', '10.9.0.5'],
    ['10.1.2.3', '10.9.0.4/32', 1, '10.9.0.4', '10.9.0.4'],
    // The config accepts /16 … /32 (devices[].recovery.subnet): a /16 is scanned, in the background.
    ['10.0.0.1', '10.0.0.0/16', 65_533, '10.0.0.2', '10.0.255.254'],
  ])('%s with subnet %s', (host, subnet, n, first, last) => {
    const hosts = scanHosts(host, subnet)!;
    expect(hosts).toHaveLength(n);
    expect([hosts[0], hosts.at(-1)]).toEqual([first, last]);
  });
  it.each([
    ['pdu.example.net', ''], // host names are re-resolved instead
    ['::1', ''],
    ['10.0.0.1', '10.0.0.0/15'], // wider than the config allows (/16)
    ['10.0.0.1', 'nonsense'],
  ])('%s / %j → not scanned', (host, subnet) => {
    expect(scanHosts(host, subnet)).toBeNull();
  });
});
