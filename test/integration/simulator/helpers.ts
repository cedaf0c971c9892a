import { execFile, spawnSync } from 'node:child_process';
import snmp from 'net-snmp';
import type { PduProfile } from '../../../src/devices/pdu/profiles/types.js';

// Test helpers for the simulated PDU: Debian net-snmp command-line tools and a net-snmp client.

export const IN_CI = process.env['CI'] === 'true';

/** True when Debian's `snmp` package tools are on PATH. */
export function snmpToolsAvailable(): boolean {
  const r = spawnSync('snmpget', ['--version'], { encoding: 'utf8', timeout: 5000 });
  return !r.error && r.status === 0;
}

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs snmpget/snmpwalk/snmpset/snmpbulkwalk against 127.0.0.1:port, v2c, no retries, 1 s timeout. */
export function snmpTool(tool: 'snmpget' | 'snmpwalk' | 'snmpset' | 'snmpbulkwalk', port: number, community: string, args: string[]): Promise<ToolResult> {
  const argv = ['-v2c', '-c', community, '-On', '-r0', '-t1', `127.0.0.1:${port}`, ...args];
  return new Promise((resolve) => {
    execFile(tool, argv, { timeout: 15_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Values only (`-Oqv`), one per line, quotes stripped. */
export async function snmpGetValues(port: number, oids: string[], community = 'public'): Promise<string[]> {
  const r = await snmpTool('snmpget', port, community, ['-Oqv', ...oids]);
  if (r.code !== 0) throw new Error(`snmpget failed (${r.code}): ${r.stderr || r.stdout}`);
  return r.stdout.trimEnd().split('\n').map((l) => l.replace(/^"(.*)"$/, '$1'));
}

/** Walk as [oid, value] pairs (`-Oq`). */
export async function snmpWalkPairs(port: number, oid: string, tool: 'snmpwalk' | 'snmpbulkwalk' = 'snmpwalk'): Promise<Array<[string, string]>> {
  const r = await snmpTool(tool, port, 'public', ['-Oq', oid]);
  if (r.code !== 0) throw new Error(`${tool} failed (${r.code}): ${r.stderr || r.stdout}`);
  return r.stdout
    .trimEnd()
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const i = l.indexOf(' ');
      return [l.slice(0, i).replace(/^\./, ''), l.slice(i + 1)];
    });
}

/** Instance OIDs of a profile's fast group for 10 outlets and 3 load rows (the ~85-varbind poll). */
export function fastGroupOids(profile: PduProfile): string[] {
  const oids = [profile.sysUpTime];
  for (const r of profile.rows) {
    if (r.group !== 'fast' || r.capability === 'environment') continue;
    if (r.scope === 'scalar') oids.push(r.oid);
    else if (r.scope === 'loadRow') for (let i = 1; i <= 3; i++) oids.push(`${r.oid}.${i}`);
    else if (r.scope === 'outlet') for (let i = 1; i <= 10; i++) oids.push(`${r.oid}.${i}`);
  }
  return oids;
}

export function openSession(port: number, community = 'public', version: 0 | 1 = snmp.Version2c): snmp.Session {
  return snmp.createSession('127.0.0.1', community, { port, version, retries: 0, timeout: 1000 });
}

export function get(session: snmp.Session, oids: string[]): Promise<snmp.Varbind[]> {
  return new Promise((resolve, reject) => session.get(oids, (e, vb) => (e ? reject(e) : resolve(vb ?? []))));
}

export function set(session: snmp.Session, varbinds: snmp.Varbind[]): Promise<snmp.Varbind[]> {
  return new Promise((resolve, reject) => session.set(varbinds, (e, vb) => (e ? reject(e) : resolve(vb ?? []))));
}

/** Value of a varbind as a number (throws on an error varbind). */
export function num(vb: snmp.Varbind | undefined): number {
  if (!vb || snmp.isVarbindError(vb)) throw new Error(`varbind error: ${vb ? snmp.varbindError(vb) : 'missing'}`);
  return Number(vb.value);
}

export function text(vb: snmp.Varbind | undefined): string {
  if (!vb || snmp.isVarbindError(vb)) throw new Error(`varbind error: ${vb ? snmp.varbindError(vb) : 'missing'}`);
  return String(vb.value);
}
