// Thin wrappers around Debian's net-snmp command line tools (snmpget, snmpwalk, snmpset...),
// used to check an agent with a client we did not write.
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type SnmpTool = 'snmpget' | 'snmpgetnext' | 'snmpwalk' | 'snmpbulkwalk' | 'snmpset';

export interface SnmpToolResult {
  /** process exit code (a timeout or spawn failure is reported as -1) */
  code: number;
  stdout: string;
  stderr: string;
}

export interface Varbind {
  /** numeric OID without the leading dot */
  oid: string;
  /** net-snmp type label (INTEGER, STRING, Gauge32, OID, Timeticks, Hex-STRING...), or
   *  `noSuchObject` / `noSuchInstance` / `endOfMibView` */
  type: string;
  /** value as printed, strings unquoted; '' for the exceptions */
  value: string;
}

// The client tools keep state (engine ids, cert index) in a persistent directory that defaults
// to /var/lib/snmp; give them a private one so tests never write outside the temp dir.
const clientStateDir = join(tmpdir(), 'p2m-snmp-client');

/**
 * Options put in front of every command: numeric OIDs, numeric timeticks and enums, no MIB
 * loading (so no warnings about missing MIB modules), bounded timeouts: `-t 1 -r 1`.
 */
export const COMMON_ARGS: readonly string[] = ['-m', '', '-On', '-Ot', '-Oe', '-t', '1', '-r', '1'];

/** Run one net-snmp tool with `args` (after COMMON_ARGS). Never rejects. */
export function runSnmpTool(tool: SnmpTool, args: readonly string[], timeoutMs = 15_000): Promise<SnmpToolResult> {
  mkdirSync(join(clientStateDir, 'cert_indexes'), { recursive: true });
  return new Promise((resolve) => {
    execFile(
      tool,
      [...COMMON_ARGS, ...args],
      {
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        encoding: 'utf8',
        env: { ...process.env, SNMP_PERSISTENT_DIR: clientStateDir, SNMPCONFPATH: clientStateDir, MIBS: '' },
      },
      (error, stdout, stderr) => {
        let code = 0;
        if (error) code = typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const EXCEPTIONS: Record<string, string> = {
  'No Such Object available on this agent at this OID': 'noSuchObject',
  'No Such Instance currently exists at this OID': 'noSuchInstance',
  'No more variables left in this MIB View (It is past the end of the MIB tree)': 'endOfMibView',
};

/** Parse `-On -Ot` output (`.1.2.3 = TYPE: value` lines; TimeTicks as a bare number) into varbinds. */
export function parseVarbinds(stdout: string): Varbind[] {
  const out: Varbind[] = [];
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^\.?(\d+(?:\.\d+)*) = (.*)$/.exec(line);
    if (!m) {
      // continuation of a wrapped Hex-STRING or multi-line string
      const last = out[out.length - 1];
      if (last) last.value += (last.type === 'Hex-STRING' ? ' ' : '\n') + line.trim();
      continue;
    }
    const oid = m[1] ?? '';
    const rest = m[2] ?? '';
    const exception = EXCEPTIONS[rest];
    if (exception !== undefined) {
      out.push({ oid, type: exception, value: '' });
      continue;
    }
    if (rest === '""') {
      out.push({ oid, type: 'STRING', value: '' });
      continue;
    }
    if (/^\d+$/.test(rest)) {
      // with -Ot net-snmp prints TimeTicks as a bare number, without a type label
      out.push({ oid, type: 'Timeticks', value: rest });
      continue;
    }
    const t = /^([A-Za-z0-9-]+): ?(.*)$/.exec(rest);
    if (!t) {
      out.push({ oid, type: 'unknown', value: rest });
      continue;
    }
    const type = t[1] ?? '';
    let value = t[2] ?? '';
    if (type === 'STRING' && value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1).replace(/\\"/g, '"');
    }
    if (type === 'OID') value = value.replace(/^\./, '');
    if (type === 'Hex-STRING') value = value.trim();
    out.push({ oid, type, value });
  }
  return out;
}
