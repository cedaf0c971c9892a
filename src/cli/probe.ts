import { EventBus } from '../core/bus.js';
import { RealClock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import { PduDevice } from '../devices/pdu/device.js';
import { discover } from '../devices/pdu/discover.js';
import { NetSnmpTransport } from '../devices/pdu/net-snmp-transport.js';
import { renderNotAPdu, renderProbeReport } from '../devices/pdu/probe-report.js';
import { PROFILES, getProfile } from '../devices/pdu/profiles/index.js';
import { parseCommandArgs, type CliIO } from './io.js';

export const PROBE_USAGE = `usage: power2mqtt probe HOST [--community C] [--port P] [--profile cps-mib|original] [--snmp-version 1|2c] [--timeout MS] [--json]

Reads identity, layout and capabilities of a CyberPower ePDU and prints one decoded sample with units.
Exit codes: 0 ok, 1 no answer / SNMP error, 2 usage error, 3 the agent is not a CyberPower ePDU.
`;

/** `power2mqtt probe HOST`: a field tool for a real PDU (SPEC §17). */
export async function probeCommand(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseCommandArgs(io, PROBE_USAGE, {
    args: argv,
    allowPositionals: true,
    options: {
      community: { type: 'string', default: 'public' },
      port: { type: 'string', default: '161' },
      profile: { type: 'string', default: 'cps-mib' },
      'snmp-version': { type: 'string', default: '2c' },
      timeout: { type: 'string', default: '2000' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const host = positionals[0];
  const port = Number(values.port);
  const timeoutMs = Number(values.timeout);
  const version = values['snmp-version'];
  const problems: string[] = [];
  if (!host) problems.push('HOST is required (an IP address or host name)');
  if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push(`--port must be 1..65535 (got "${values.port}")`);
  if (!(values.profile in PROFILES)) problems.push(`--profile must be one of ${Object.keys(PROFILES).join(', ')} (got "${values.profile}")`);
  if (version !== '1' && version !== '2c') problems.push(`--snmp-version must be 1 or 2c (got "${version}"; v3 needs a config file)`);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 200 || timeoutMs > 30000) problems.push(`--timeout must be 200..30000 ms (got "${values.timeout}")`);
  if (problems.length > 0 || !host) {
    io.err(`${problems.join('\n')}\n\n${PROBE_USAGE}`);
    return 2;
  }

  const profile = getProfile(values.profile);
  const target = { host, port, version: version as '1' | '2c' };
  const session = { host, port, version: target.version, community: values.community, timeoutMs, retries: 1 };
  const transport = new NetSnmpTransport(session);
  try {
    const found = await discover(transport, profile, { maxOids: 0 });
    if (!found.ok) {
      io.out(renderNotAPdu(target, found.sysDescr, found.sysObjectId, profile.identityProbe));
      return 3;
    }
  } catch (err) {
    io.err(`no usable answer from ${host}:${port}: ${errorMessage(err)}\n`);
    return 1;
  } finally {
    transport.close();
  }

  const device = new PduDevice(
    {
      id: 'probe', label: '', host, port, version: target.version, community: values.community, writeCommunity: '', profile,
      timeoutMs, retries: 1, pollIntervalMs: 1000, maxOidsPerRequest: 0, meteringFloor: true, expectedSerial: '',
      capabilityRecheckMs: 3_600_000, protectedOutlets: new Set(),
    },
    { clock: new RealClock(), bus: new EventBus(), logger: silentLogger(), transportFactory: (o) => new NetSnmpTransport(o) },
  );
  try {
    await device.cycle({ cycle: 1, dueAt: 0, startedAt: 0, deadlineMs: timeoutMs * 4, signal: new AbortController().signal });
    const snap = device.snapshot();
    if (!snap) {
      io.err(`poll of ${host}:${port} failed: ${device.healthState().lastError ?? 'unknown error'}\n`);
      return 1;
    }
    io.out(values.json ? `${JSON.stringify(snap, null, 2)}\n` : renderProbeReport(snap, profile, target));
    return 0;
  } finally {
    await device.stop();
  }
}
