// Run Debian's net-snmp `snmpd` as a test agent: it serves an snmprec fixture of a real
// CyberPower PDU through its `pass_persist` hook (./pass-persist.mjs) on UDP 127.0.0.1 at a
// random high port, with a private config and state directory. It never reads the system
// configuration (-C) and never touches the system snmpd or port 161.
//
//   const agent = await startSnmpd({ fixture: 'test/fixtures/snmprec/cyberpower-pdu44005-ats.snmprec' });
//   // ... SNMP v1/v2c to agent.host:agent.port, communities 'public' (read) / 'private' (write)
//   await agent.stop();
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { runSnmpTool } from './tools.js';

export const SNMPD_PATH = '/usr/sbin/snmpd';
/** Subtree handed to pass_persist: everything CyberPower (ePDU .1.1.3, envir .1.1.4, ePDU2 .1.1.6, ...). */
export const PASS_BASE_OID = '1.3.6.1.4.1.3808';

const here = dirname(fileURLToPath(import.meta.url));
const PASS_SCRIPT = join(here, 'pass-persist.mjs');

export interface StartSnmpdOptions {
  /** path to the .snmprec fixture */
  fixture: string;
  /** read-only community, default 'public' */
  readCommunity?: string;
  /** read-write community, default 'private' */
  writeCommunity?: string;
  /** pass-persist reboot off-time / pending duration in ms, default 2000 */
  commandDelayMs?: number;
  /** how long to wait for the agent to answer, default 10 000 ms */
  startTimeoutMs?: number;
  /** SNMPv3 users (USM): `createUser` + `rouser`/`rwuser` at authPriv (priv given) or authNoPriv */
  v3Users?: Array<{ name: string; auth: 'MD5' | 'SHA' | 'SHA-256'; authKey: string; priv?: 'AES' | 'DES'; privKey?: string; access: 'ro' | 'rw' }>;
}

export interface SnmpdHandle {
  port: number;
  host: '127.0.0.1';
  /** stop snmpd and its pass_persist child, remove the temp dir; idempotent */
  stop(): Promise<void>;
  /** snmpd log, its stdout/stderr and the pass_persist request trace */
  logs(): string;
}

export type SnmpdAvailability = { ok: true } | { ok: false; reason: string };

function onPath(cmd: string): boolean {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const d of [...dirs, '/usr/bin', '/bin']) {
    try {
      accessSync(join(d, cmd), constants.X_OK);
      return true;
    } catch {
      // keep looking
    }
  }
  return false;
}

/** Is Debian's snmpd and the net-snmp client tools installed? (packages `snmpd` and `snmp`) */
export function snmpdAvailable(): SnmpdAvailability {
  try {
    accessSync(SNMPD_PATH, constants.X_OK);
  } catch {
    return { ok: false, reason: `${SNMPD_PATH} not found (apt-get install --no-install-recommends snmpd)` };
  }
  const missing = ['snmpget', 'snmpwalk', 'snmpbulkwalk', 'snmpset'].filter((t) => !onPath(t));
  if (missing.length > 0) {
    return { ok: false, reason: `${missing.join(', ')} not found (apt-get install --no-install-recommends snmp)` };
  }
  return { ok: true };
}

// ---- fixture ---------------------------------------------------------------------------------

interface SystemValues {
  sysDescr?: string;
  sysObjectID?: string;
  sysContact?: string;
  sysName?: string;
  sysLocation?: string;
  sysServices?: string;
}

const SYSTEM_OIDS: Record<string, keyof SystemValues> = {
  '1.3.6.1.2.1.1.1.0': 'sysDescr',
  '1.3.6.1.2.1.1.2.0': 'sysObjectID',
  '1.3.6.1.2.1.1.4.0': 'sysContact',
  '1.3.6.1.2.1.1.5.0': 'sysName',
  '1.3.6.1.2.1.1.6.0': 'sysLocation',
  '1.3.6.1.2.1.1.7.0': 'sysServices',
};

/** The MIB-II system values of a fixture, made safe for one snmpd.conf line. */
function readSystemValues(fixture: string): SystemValues {
  const values: SystemValues = {};
  for (const line of readFileSync(fixture, 'utf8').split(/\r?\n/)) {
    const [oid, type, ...rest] = line.split('|');
    if (oid === undefined || type === undefined) continue;
    const key = SYSTEM_OIDS[oid.replace(/^\./, '')];
    if (key === undefined) continue;
    let value = rest.join('|');
    if (type === '4x') value = Buffer.from(value, 'hex').toString('latin1');
    // one config line: printable ASCII only, no leading/trailing blanks
    value = value.replace(/[^\x20-\x7e]/g, ' ').trim();
    if (value === '') continue;
    if (key === 'sysObjectID') {
      if (!/^\.?\d+(\.\d+)*$/.test(value)) continue;
      value = '.' + value.replace(/^\./, '');
    }
    if (key === 'sysServices' && !/^\d+$/.test(value)) continue;
    values[key] = value;
  }
  return values;
}

// ---- process helpers -------------------------------------------------------------------------

function freeUdpPort(): Promise<number> {
  return new Promise((res, rej) => {
    const sock = createSocket('udp4');
    sock.once('error', rej);
    sock.bind(0, '127.0.0.1', () => {
      const { port } = sock.address();
      sock.close(() => res(port));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((res) => {
    const t = setTimeout(() => {
      child.off('exit', onExit);
      res(false);
    }, ms);
    const onExit = () => {
      clearTimeout(t);
      res(true);
    };
    child.once('exit', onExit);
  });
}

/** PIDs of live processes whose command line mentions `marker` (our unique temp dir). */
function pidsMentioning(marker: string): number[] {
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    if (pid === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8');
      if (!cmd.includes(marker)) continue;
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state !== 'Z') pids.push(pid);
    } catch {
      // process went away
    }
  }
  return pids;
}

function readIf(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

// ---- startSnmpd ------------------------------------------------------------------------------

/**
 * Start snmpd serving `fixture` (snmprec) under .1.3.6.1.4.1.3808 via pass_persist, and the
 * MIB-II system group itself (sysDescr/sysObjectID/sysName/sysLocation/sysContact taken from
 * the fixture; sysUpTime is snmpd's own). Resolves once the agent answers both a system GET and
 * a pass_persist GET. Rejects with snmpd's log if it does not within `startTimeoutMs`.
 */
export async function startSnmpd(opts: StartSnmpdOptions): Promise<SnmpdHandle> {
  const avail = snmpdAvailable();
  if (!avail.ok) throw new Error(`cannot start snmpd: ${avail.reason}`);
  const readCommunity = opts.readCommunity ?? 'public';
  const writeCommunity = opts.writeCommunity ?? 'private';
  for (const c of [readCommunity, writeCommunity]) {
    if (!/^[\x21-\x7e]+$/.test(c) || c.includes('#')) throw new Error(`unsupported community ${JSON.stringify(c)}`);
  }
  const fixturePath = resolve(opts.fixture);
  if (!existsSync(fixturePath)) throw new Error(`fixture not found: ${fixturePath}`);
  const startTimeoutMs = opts.startTimeoutMs ?? 10_000;

  const dir = mkdtempSync(join(tmpdir(), 'p2m-snmpd-'));
  if (/\s/.test(dir) || /\s/.test(process.execPath)) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error('snmpd pass_persist cannot run commands whose path contains whitespace');
  }
  // snmpd splits the pass_persist command on whitespace: run copies from the temp dir.
  const script = join(dir, 'pass-persist.mjs');
  const fixture = join(dir, 'fixture.snmprec');
  copyFileSync(PASS_SCRIPT, script);
  copyFileSync(fixturePath, fixture);
  const confPath = join(dir, 'snmpd.conf');
  const pidPath = join(dir, 'snmpd.pid');
  const logPath = join(dir, 'snmpd.log');
  const tracePath = join(dir, 'pass-persist.log');
  const stateDir = join(dir, 'state');

  const sys = readSystemValues(fixturePath);
  const passArgs = [process.execPath, script, fixture, '--base', PASS_BASE_OID, '--log', tracePath];
  if (opts.commandDelayMs !== undefined) passArgs.push('--delay-ms', String(opts.commandDelayMs));
  const conf = [
    '# generated by test/support/snmpd/index.ts',
    // The listening address is given on the command line (giving it here as well as
    // agentAddress makes snmpd open it twice and fail with "Error opening specified endpoint").
    `rocommunity ${readCommunity} 127.0.0.1`,
    `rwcommunity ${writeCommunity} 127.0.0.1`,
    ...(opts.v3Users ?? []).flatMap((u) => [
      `createUser ${u.name} ${u.auth} "${u.authKey}"${u.priv ? ` ${u.priv} "${u.privKey ?? ''}"` : ''}`,
      `${u.access}user ${u.name} ${u.priv ? 'priv' : 'auth'}`,
    ]),
    // Objects set here become read-only (notWritable) in snmpd, unlike on the PDU.
    ...(['sysDescr', 'sysObjectID', 'sysContact', 'sysName', 'sysLocation', 'sysServices'] as const)
      .filter((k) => sys[k] !== undefined)
      .map((k) => `${k} ${sys[k]}`),
    'dontLogTCPWrappersConnects yes',
    `pass_persist .${PASS_BASE_OID} ${passArgs.join(' ')}`,
    '',
  ].join('\n');
  writeFileSync(confPath, conf);

  let child: ChildProcess | undefined;
  let output = '';
  let stopped = false;

  const logs = (): string =>
    [
      `--- snmpd.conf\n${readIf(confPath)}`,
      `--- snmpd log (-Lf)\n${readIf(logPath)}`,
      `--- snmpd stdout/stderr\n${output}`,
      `--- pass-persist trace (last 200 lines)\n${readIf(tracePath).split('\n').slice(-200).join('\n')}`,
    ].join('\n');

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitExit(child, 3000))) {
        child.kill('SIGKILL');
        await waitExit(child, 2000);
      }
    }
    // The pass_persist child exits on EOF when snmpd closes its pipe; make sure of it.
    for (let i = 0; i < 20 && pidsMentioning(dir).length > 0; i++) await sleep(50);
    for (const pid of pidsMentioning(dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + startTimeoutMs;
  let lastError = '';
  for (let attempt = 1; attempt <= 5; attempt++) {
    const port = await freeUdpPort();
    output = '';
    rmSync(logPath, { force: true });
    const args = [
      '-f', // stay in the foreground
      '-r', // do not insist on root-only files
      '-C', // read no config file but ours (no /etc/snmp/snmpd.conf, no persistent conf)
      '-c', confPath,
      '-m', '', // load no MIB modules: nothing to resolve, no "Cannot find module" noise
      '-I', '-smux', // no SMUX: as root snmpd would otherwise also listen on TCP 0.0.0.0:199
      '-p', pidPath,
      '-Lf', logPath,
      `udp:127.0.0.1:${port}`,
    ];
    const proc = spawn(SNMPD_PATH, args, {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SNMP_PERSISTENT_DIR: stateDir, SNMPCONFPATH: dir, MIBS: '' },
    });
    child = proc;
    proc.stdout?.setEncoding('utf8').on('data', (d: string) => (output += d));
    proc.stderr?.setEncoding('utf8').on('data', (d: string) => (output += d));
    proc.on('error', (e) => (output += `spawn error: ${e.message}\n`));

    const handle: SnmpdHandle = { port, host: '127.0.0.1', stop, logs };
    let bindFailed = false;
    let ready = false;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        bindFailed = /Error opening specified endpoint/i.test(readIf(logPath) + output);
        break;
      }
      const up = await runSnmpTool('snmpget', ['-v2c', '-c', readCommunity, '-t', '1', '-r', '0', `127.0.0.1:${port}`, '1.3.6.1.2.1.1.3.0'], 3000);
      if (up.code === 0 && /^\.1\.3\.6\.1\.2\.1\.1\.3\.0 = \d+\s*$/m.test(up.stdout)) {
        // First pass_persist request starts the node child: give it time, then it stays up.
        const pp = await runSnmpTool('snmpgetnext', ['-v2c', '-c', readCommunity, '-t', '5', '-r', '0', `127.0.0.1:${port}`, `.${PASS_BASE_OID}`], 8000);
        if (pp.code === 0 && pp.stdout.includes(`.${PASS_BASE_OID}.`)) {
          ready = true;
          break;
        }
        lastError = `pass_persist did not answer: ${pp.stdout}${pp.stderr}`;
      } else {
        lastError = `${up.stdout}${up.stderr}`.trim();
      }
      await sleep(100);
    }
    if (ready) return handle;
    if (bindFailed && Date.now() < deadline) {
      await waitExit(proc, 1000);
      continue; // port taken between our probe and snmpd's bind: try another one
    }
    const detail = logs();
    await stop();
    throw new Error(`snmpd did not become ready on 127.0.0.1:${port} (${lastError || 'exited'})\n${detail}`);
  }
  const detail = logs();
  await stop();
  throw new Error(`snmpd could not bind a UDP port after 5 attempts\n${detail}`);
}
