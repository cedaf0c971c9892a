import { describe, expect, it } from 'vitest';
import type { PduDescription } from '../../../src/core/pdu-tools.js';
import { configShape } from '../../../src/devices/pdu/tools.js';
import { getProfile } from '../../../src/devices/pdu/profiles/index.js';
import { discoverBody, hostProblem, pduCreateBody, pduItem, pduItemView, subnetProblem } from '../../../src/http/views/pdus.js';
import { deviceInfo } from '../../support/http-ports.js';
import { pduSnapshot } from '../../support/pdu-snapshot.js';

// The pure parts of /api/pdus… (SPEC §14.2, §7.9): input checks, the list entry, masking.

describe('hostProblem', () => {
  it.each(['192.168.1.50', '127.0.0.3', 'pdu-1', 'pdu.rack.example.net', 'pdu.local.', '::1', 'fe80::1'])('accepts %j', (h) => {
    expect(hostProblem(h)).toBeNull();
  });
  it.each(['300.1.2.3', '1.2.3', 'pdu 1', 'pdu_1', '10.0.0.1:161', 'http://pdu/', '-pdu', 'a'.repeat(254)])('refuses %j', (h) => {
    expect(hostProblem(h)).toMatch(/^is not/);
  });
});

describe('subnetProblem', () => {
  it.each([['127.0.0.0/29', null], ['192.168.1.0/24', null], ['10.0.0.7/32', null]])('%s → %s', (s, p) => {
    expect(subnetProblem(s)).toBe(p);
  });
  it.each([['10.0.0.0/16', /wider than \/24/], ['10.0.0.0/23', /wider than \/24/], ['10.0.0.0', /not an IPv4 CIDR/], ['fe80::/64', /not an IPv4 CIDR/]])(
    '%s refused',
    (s, p) => {
      expect(subnetProblem(s)).toMatch(p);
    },
  );
  it('the discover body names subnets, and allows no body at all', () => {
    const r = discoverBody.safeParse({ subnets: ['10.0.0.0/16'] });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(['subnets']);
    expect(discoverBody.parse(null)).toBeNull();
    expect(discoverBody.parse({})).toEqual({ community: 'public', port: 161, timeout_ms: 1000 });
  });
  it('an unknown device field is named, not a bare "unrecognized key"', () => {
    const r = pduCreateBody.safeParse({ host: '10.0.0.1', profile: 'original' });
    expect(r.error!.issues.map((i) => i.path)).toEqual([['profile']]);
  });
});

describe('pduItem', () => {
  const desc: PduDescription = {
    source: 'config', consecutive_failures: 0, last_error: null, last_success_ts: 1_700_000_000, poll_count: 42,
    config: {
      ...configShape(
        {
          id: 'pdu-01', label: 'Rack', host: '10.0.0.5', port: 161, version: '3', community: 'c0mmunity', writeCommunity: 'wr1te', profile: getProfile('cps-mib'),
          v3: { username: 'u', security_level: 'authPriv', auth_protocol: 'sha', auth_key: 'authsecret', priv_protocol: 'aes', priv_key: 'privsecret', context: '' },
          timeoutMs: 800, retries: 0, pollIntervalMs: 1000, maxOidsPerRequest: 0, meteringFloor: true, expectedSerial: 'NA1', capabilityRecheckMs: 1,
          protectedOutlets: new Set([2, 1]), recovery: { subnetScan: true, subnet: '' },
        },
        '10.0.0.5',
      ),
    },
  };

  it('masks communities and SNMPv3 keys, keeps the rest of the device config', () => {
    const item = pduItem(deviceInfo('pdu-01'), pduSnapshot(), desc, 1_700_000_002);
    expect(pduItemView.parse(item)).toEqual(item);
    expect(item.config).toMatchObject({
      id: 'pdu-01', host: '10.0.0.5', community: '***', write_community: '***', snmp_version: '3', protected_outlets: '1,2', expected_serial: 'NA1',
      v3: { username: 'u', auth_key: '***', priv_key: '***' }, recovery: { subnet_scan: true, subnet: '' }, poll_interval_s: 1,
    });
    expect(JSON.stringify(item)).not.toMatch(/c0mmunity|wr1te|authsecret|privsecret/);
    expect(desc.config.community).toBe('c0mmunity'); // the description itself is not changed
    expect(item).toMatchObject({ status: 'healthy', status_detail: 'polling', has_data: true, poll_count: 42, source: 'config' });
  });

  it('no data yet, and a lost device with its last error', () => {
    expect(pduItem(deviceInfo('pdu-01'), null, desc, 0)).toMatchObject({ status: 'no_data', has_data: false, identity: null, capabilities: [], data_age_seconds: null });
    const lost = pduItem(deviceInfo('pdu-01', { state: 'lost' }), null, { ...desc, consecutive_failures: 77, last_error: 'request timed out' }, 0);
    expect(lost).toMatchObject({ status: 'lost', status_detail: 'request timed out', consecutive_failures: 77, transport: { state: 'lost', consecutive_failures: 77 } });
  });
});
