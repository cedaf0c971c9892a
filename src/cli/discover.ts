import { networkInterfaces } from 'node:os';
import { formatCidr, hostsOf, intToIp, parseCidr, type Cidr } from '../core/cidr.js';
import { RealClock } from '../core/clock.js';
import type { DiscoveredPdu } from '../core/pdu-tools.js';
import { NetSnmpTransport } from '../devices/pdu/net-snmp-transport.js';
import { DISCOVERY_CONCURRENCY, discoveryBudgetMs, localInterfaces, scanForPdus } from '../devices/pdu/network-discovery.js';
import { getProfile } from '../devices/pdu/profiles/index.js';
import { discoverHttpPlugs, discoverKasa, type DiscoveredPlug } from '../devices/plug/discover.js';
import { parseCommandArgs, type CliIO } from './io.js';
import { table } from './store.js';

export const DISCOVER_USAGE = `usage: power2mqtt discover [--subnet CIDR]… [--community C] [--port 161] [--plugs]
                          [--broadcast ADDR]… [--kasa-port 9999] [--http-port 80]… [--timeout MS] [--json]

Looks for CyberPower PDUs (SNMP, SPEC §7.9: 50 addresses at a time, 1 s each, no retries) on the
given subnets (default: the /24 of the first 4 local IPv4 interfaces; at most 4 subnets, none wider
than /24). --plugs also looks for metered smart plugs: Kasa by a UDP broadcast on port 9999 (to the
broadcast address of each subnet, or --broadcast), Shelly and Tasmota by an HTTP request to every
host of the subnets (--http-port). The scan takes as long as every address needs (a /24: about
12 s) up to 60 s; --timeout MS sets a shorter limit, and says which part was left unscanned.
Prints a devices[] line for each plug found.
Exit codes: 0 ok (also when nothing was found), 2 bad arguments.
`;

/** As many subnets as the REST scan takes (SPEC §7.9). */
const MAX_SUBNETS = 4;
/** HTTP requests in flight at once when looking for Shelly and Tasmota plugs. */
const HTTP_CONCURRENCY = 32;

function broadcastOf(c: Cidr): string {
  return intToIp((c.network + 2 ** (32 - c.bits) - 1) >>> 0);
}

export async function discoverCommand(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseCommandArgs(io, DISCOVER_USAGE, {
    args: argv,
    options: {
      subnet: { type: 'string', multiple: true },
      community: { type: 'string', default: 'public' },
      port: { type: 'string', default: '161' },
      plugs: { type: 'boolean', default: false },
      broadcast: { type: 'string', multiple: true },
      'kasa-port': { type: 'string', default: '9999' },
      'http-port': { type: 'string', multiple: true },
      timeout: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const problems: string[] = [];
  const portOf = (name: string, v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 65535) problems.push(`--${name} must be 1..65535 (got "${v}")`);
    return n;
  };
  const snmpPort = portOf('port', values.port);
  const kasaPort = portOf('kasa-port', values['kasa-port']);
  const httpPorts = (values['http-port'] ?? ['80']).map((p) => portOf('http-port', p));
  const limitMs = values.timeout === undefined ? null : Number(values.timeout);
  if (limitMs !== null && (!Number.isInteger(limitMs) || limitMs < 200 || limitMs > 60_000)) problems.push(`--timeout must be 200..60000 ms (got "${values.timeout}")`);
  // Without --subnet: the interfaces' /24s, the first MAX_SUBNETS of them (as the REST scan).
  const subnetTexts = values.subnet ?? [...new Set(localInterfaces(networkInterfaces()).map((i) => i.subnet))].slice(0, MAX_SUBNETS);
  const subnets: Cidr[] = [];
  for (const s of subnetTexts) {
    const c = parseCidr(s);
    if (!c) problems.push(`--subnet "${s}" is not an IPv4 CIDR (e.g. 192.168.1.0/24)`);
    else if (c.bits < 24) problems.push(`--subnet "${s}" is wider than /24; scan it as several /24s`);
    else subnets.push(c);
  }
  if (subnets.length > MAX_SUBNETS) problems.push(`at most ${MAX_SUBNETS} subnets (got ${subnets.length})`);
  if (problems.length > 0) {
    io.err(`${problems.join('\n')}\n\n${DISCOVER_USAGE}`);
    return 2;
  }

  const clock = new RealClock();
  const hosts = [...new Set(subnets.flatMap(hostsOf))];
  const limit = (needMs: number): number => Math.min(needMs, limitMs ?? needMs);
  const httpJobs = hosts.length * httpPorts.length;
  const tasks: [Promise<{ found: DiscoveredPdu[]; asked: number; complete: boolean }>, Promise<DiscoveredPlug[]>, Promise<DiscoveredPlug[]>] = [
    scanForPdus({
      hosts, session: { port: snmpPort, version: '2c', community: values.community, timeoutMs: 1000, retries: 0 }, profile: getProfile('cps-mib'),
      concurrency: DISCOVERY_CONCURRENCY, budgetMs: limit(discoveryBudgetMs(hosts.length, 1000)), transportFactory: (o) => new NetSnmpTransport(o), clock,
    }),
    values.plugs
      ? discoverKasa({ targets: values.broadcast ?? subnets.map((c) => (c.bits >= 31 ? intToIp(c.network) : broadcastOf(c))), port: kasaPort, budgetMs: limit(2000), clock })
      : Promise.resolve([]),
    values.plugs ? discoverHttpPlugs({ hosts, ports: httpPorts, budgetMs: limit(discoveryBudgetMs(httpJobs, 1000, HTTP_CONCURRENCY)), perHostMs: 1000, concurrency: HTTP_CONCURRENCY, clock }) : Promise.resolve([]),
  ];
  const [scan, kasa, http] = await Promise.all(tasks);
  const pdus = scan.found;
  const plugs = [...kasa, ...http];
  if (values.json) {
    io.out(`${JSON.stringify({ subnets: subnets.map(formatCidr), hosts_scanned: scan.asked, complete: scan.complete, pdus, plugs }, null, 2)}\n`);
    return 0;
  }
  io.out(`scanned ${subnets.map(formatCidr).join(', ')}${values.plugs ? ' for PDUs and plugs' : ' for PDUs'}\n`);
  if (!scan.complete) io.out(`the time limit ended the SNMP scan: ${scan.asked} of ${hosts.length} addresses asked (raise --timeout)\n`);
  io.out('\n');
  if (pdus.length > 0) {
    io.out(table(['HOST', 'PORT', 'MODEL', 'SERIAL', 'NAME', 'OUTLETS'], pdus.map((p) => [p.host, String(p.port), p.model, p.serial, p.device_name, String(p.outlet_count ?? '-')])));
  } else io.out('no PDU answered\n');
  if (!values.plugs) return 0;
  io.out('\n');
  if (plugs.length === 0) {
    io.out('no plug answered\n');
    return 0;
  }
  io.out(table(['KIND', 'HOST', 'PORT', 'MODEL', 'SERIAL', 'NAME', 'OUTLETS'], plugs.map((p) => [p.kind, p.host, String(p.port), p.model, p.serial, p.name, String(p.outlets ?? '-')])));
  io.out('\nconfig.yaml devices[] lines:\n');
  for (const p of plugs) io.out(`  - {kind: ${p.kind}, host: ${p.host}${p.port === (p.kind === 'kasa' ? 9999 : 80) ? '' : `, port: ${p.port}`}, label: ${JSON.stringify(p.name || p.model)}}\n`);
  return 0;
}
