import { networkInterfaces } from 'node:os';
import type { Clock } from '../../core/clock.js';
import { deadlineSignal } from '../../core/concurrency.js';
import { hostsOf, parseCidr } from '../../core/cidr.js';
import { errorMessage } from '../../core/errors.js';
import type { ConnectionTest, DiscoverRequest, DiscoverResult, PduDescription, PduToolsPort, SnmpTarget } from '../../core/pdu-tools.js';
import { plugConfigShape } from '../plug/settings.js';
import type { DeviceRegistry } from '../registry.js';
import { discover } from './discover.js';
import { abortable } from './get-batched.js';
import type { SessionOptions } from './net-snmp-transport.js';
import { DISCOVERY_CONCURRENCY, discoveryBudgetMs, localInterfaces, scanForPdus } from './network-discovery.js';
import type { PduProfile } from './profiles/types.js';
import type { SnmpTransport } from './transport.js';
import type { PduDeviceSettings } from './types.js';

// The PDU tools port (core/pdu-tools.ts) over the registry and SNMP: what a device runs with,
// the connection test and the discovery scan of SPEC §7.9.

/** A whole connection test takes at most this many request timeouts (GET name, identity, two walks, layout). */
const TEST_TIMEOUTS = 4;

export interface PduToolsDeps {
  registry: DeviceRegistry;
  /** `snmp.profile`: the OIDs discovery and the connection test read. */
  profile: PduProfile;
  transportFactory: (o: SessionOptions) => SnmpTransport;
  /** Deadlines of the connection test and the scan run on it. */
  clock: Clock;
  /** os.networkInterfaces by default (tests pass their own). */
  interfaces?: typeof networkInterfaces;
}

/** A device's settings in the shape of a config-file `devices[]` entry (SPEC §4.2). Pure. */
export function configShape(s: PduDeviceSettings, host: string): Record<string, unknown> {
  return {
    id: s.id, kind: 'cyberpower', label: s.label, host, port: s.port, snmp_version: s.version, community: s.community,
    write_community: s.writeCommunity, ...(s.v3 ? { v3: { ...s.v3 } } : {}), poll_interval_s: s.pollIntervalMs / 1000, enabled: true,
    homeassistant: s.homeassistant ?? true, profile: s.profile.name, timeout_ms: s.timeoutMs, retries: s.retries,
    utility_source: s.utilitySource ?? null, protected_outlets: [...s.protectedOutlets].sort((a, b) => a - b).join(','),
    expected_serial: s.expectedSerial, recovery: { subnet_scan: s.recovery?.subnetScan ?? false, subnet: s.recovery?.subnet ?? '' },
  };
}

export function createPduTools(deps: PduToolsDeps): PduToolsPort {
  const { registry, profile, transportFactory } = deps;
  return {
    describe(deviceId): PduDescription | null {
      const d = registry.get(deviceId);
      if (!d) return null;
      const spec = registry.runtimeSpec(deviceId);
      const host = spec?.host ?? d.settings.host;
      const h = d.healthState();
      const stats = d.schedulerTarget()?.stats();
      return {
        source: spec ? 'runtime' : 'config',
        config: d.kind === 'cyberpower' ? configShape(d.settings, host) : plugConfigShape(d.settings, host),
        consecutive_failures: h.consecutiveFailures,
        last_error: h.lastError,
        last_success_ts: h.lastSuccessAt === null ? null : h.lastSuccessAt / 1000,
        poll_count: stats ? stats.completed + stats.failed + stats.deadlineExceeded : 0,
      };
    },

    async testConnection(t: SnmpTarget): Promise<ConnectionTest> {
      const transport = transportFactory({
        host: t.host, port: t.port, version: t.snmp_version, community: t.community, ...(t.v3 ? { v3: t.v3 } : {}), timeoutMs: t.timeout_ms, retries: 0,
      });
      const bound = t.timeout_ms * TEST_TIMEOUTS;
      const deadline = deadlineSignal(deps.clock, bound, `no complete answer within ${bound} ms`);
      try {
        // Name first (SPEC §7.9): the cheapest "is anyone there", then the full identity.
        await abortable(transport.get([profile.identityProbe]), deadline.signal);
        const r = await discover(transport, profile, { maxOids: 0 }, deadline.signal);
        if (!r.ok) return { success: false, error: `not a CyberPower ePDU (sysDescr "${r.sysDescr}", sysObjectID ${r.sysObjectId || '—'})` };
        const id = r.identity;
        return { success: true, device_name: id.name, model: id.model, serial: id.serial, outlet_count: id.outlet_count };
      } catch (err) {
        return { success: false, error: `${t.host}:${t.port}: ${errorMessage(err)}` };
      } finally {
        deadline.cancel();
        transport.close();
      }
    },

    async discover(req: DiscoverRequest): Promise<DiscoverResult> {
      const hosts = [...new Set(req.subnets.flatMap((s) => {
        const net = parseCidr(s);
        return net ? hostsOf(net) : [];
      }))];
      const budgetMs = discoveryBudgetMs(hosts.length, req.timeout_ms);
      const r = await scanForPdus({
        hosts, profile, concurrency: DISCOVERY_CONCURRENCY, budgetMs, transportFactory, clock: deps.clock,
        session: { port: req.port, version: '2c', community: req.community, timeoutMs: req.timeout_ms, retries: 0 },
      });
      return { discovered: r.found, hosts_scanned: r.asked, complete: r.complete };
    },

    interfaces() {
      return localInterfaces((deps.interfaces ?? networkInterfaces)());
    },
  };
}
