import { describe, expect, it } from 'vitest';
import { cidrContains, formatCidr, hostCount, hostsOf, parseCidr, slash24Of } from '../../../src/core/cidr.js';

describe('IPv4 CIDR helpers', () => {
  it.each([
    ['192.168.1.0/24', '192.168.1.0/24'],
    ['192.168.1.77/24', '192.168.1.0/24'], // host bits cleared
    ['10.1.2.3/16', '10.1.0.0/16'],
    ['10.1.2.3/32', '10.1.2.3/32'],
    [' 127.0.0.5/29 ', '127.0.0.0/29'],
    ['0.0.0.0/0', '0.0.0.0/0'],
  ])('parses %j as %s', (text, net) => {
    expect(formatCidr(parseCidr(text)!)).toBe(net);
  });

  it.each(['192.168.1.0', '192.168.1.0/33', '256.1.1.1/24', '1.2.3/24', 'fe80::/64', 'nonsense', '192.168.1.0/-1'])('refuses %j', (text) => {
    expect(parseCidr(text)).toBeNull();
  });

  it.each<[string, number, string[]]>([
    ['127.0.0.0/29', 6, ['127.0.0.1', '127.0.0.6']],
    ['10.0.0.4/30', 2, ['10.0.0.5', '10.0.0.6']],
    ['10.0.0.4/31', 2, ['10.0.0.4', '10.0.0.5']],
    ['10.0.0.4/32', 1, ['10.0.0.4', '10.0.0.4']],
    ['192.168.1.0/24', 254, ['192.168.1.1', '192.168.1.254']],
    ['10.9.0.0/16', 65_534, ['10.9.0.1', '10.9.255.254']],
  ])('hosts of %s: %i, from %j', (text, n, [first, last]) => {
    const hosts = hostsOf(parseCidr(text)!);
    expect(hosts).toHaveLength(n);
    expect(hostCount(parseCidr(text)!.bits)).toBe(n);
    expect([hosts[0], hosts.at(-1)]).toEqual([first, last]);
  });

  it('the /24 around an address, and membership', () => {
    expect(formatCidr(slash24Of('192.168.7.200')!)).toBe('192.168.7.0/24');
    expect(slash24Of('pdu.local')).toBeNull();
    const net = parseCidr('127.0.0.0/29')!;
    expect(['127.0.0.0', '127.0.0.7', '127.0.0.8', 'x'].map((ip) => cidrContains(net, ip))).toEqual([true, true, false, false]);
  });
});
