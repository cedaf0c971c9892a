import type { Clock } from '../../../core/clock.js';
import { installBerOidSpeedups } from '../ber-oid-speedup.js';
import { buildSimulatorMib } from './mib-tables.js';
import { columnNumber, type ColumnSpec, type ScalarSpec } from './mib-spec.js';
import { PduModel, type SourceId } from './model.js';
import { createTypedAgent, type MibNodeRef, type SetHandler, type SnmpValue } from './net-snmp-agent.js';

// The simulated PDU44001 served as a real SNMP agent (SPEC §8). Values are refreshed from the model
// once per request, just before net-snmp answers it, so there is no per-agent timer: an idle agent
// costs a socket and its MIB tree. Time is the injected Clock's, so tests drive it with FakeClock.

export interface SimulatedPduOptions {
  /** UDP port; 0 = an ephemeral port (read it back from `port`). */
  port: number;
  /** Default 127.0.0.1. */
  bind?: string;
  clock: Clock;
  /** Default `SIM` + the bound port, so agents on different ports differ. */
  serial?: string;
  /** PRNG seed of the noise; default the bound port. */
  seed?: number;
  /** Default `public` (read-only). */
  readCommunity?: string;
  /** Default `private` (read-write). */
  writeCommunity?: string;
  /** Serve the environment sensor (temperature, humidity, 4 dry contacts). */
  environment?: boolean;
}

export interface SimulatedPdu {
  readonly port: number;
  readonly serial: string;
  /** The physics model, for tests (call model.step(clock.now()) before reading it). */
  readonly model: PduModel;
  /** Requests answered, dropped (silence, unpowered) and failed inside the simulator. */
  readonly stats: { answered: number; dropped: number; errors: number; lastError: string | null };
  close(): Promise<void>;
  setSourceVoltage(source: SourceId, volts: number): void;
  /** Voltage 0, status underVoltage, redundancy lost, the ATS transfers to the other source. */
  failSource(source: SourceId): void;
  restoreSource(source: SourceId): void;
  setOutletLoad(outlet: number, amps: number): void;
  /** Both sources fail: the PDU is unpowered and does not answer at all. */
  powerLoss(): void;
  /** Power returns: the PDU boots (sysUpTime from 0, outlets per coldstart state). */
  powerRestore(): void;
  /** Controller restart: sysUpTime restarts, outlets follow the coldstart state. */
  reboot(): void;
  /** Stop answering for `ms` on the clock. */
  silence(ms: number): void;
  overloadBank(bank: number): void;
  outletState(outlet: number): 'on' | 'off';
}

interface Cell {
  node: MibNodeRef;
  row: number;
  get(m: PduModel, row: number): SnmpValue;
}

export async function createSimulatedPdu(opts: SimulatedPduOptions): Promise<SimulatedPdu> {
  installBerOidSpeedups(); // the agent encodes ~85 OIDs per answer too
  const { clock } = opts;
  const stats = { answered: 0, dropped: 0, errors: 0, lastError: null as string | null };
  const agent = createTypedAgent({
    port: opts.port, bind: opts.bind ?? '127.0.0.1', readCommunity: opts.readCommunity ?? 'public', writeCommunity: opts.writeCommunity ?? 'private',
    onError: (e) => {
      stats.errors++;
      stats.lastError = e instanceof Error ? e.message : String(e);
    },
  });
  let model: PduModel | null = null; // null until the MIB is registered: requests before that are dropped
  let silentUntil = -Infinity;
  const cells: Cell[] = [];

  agent.onRequest(() => {
    const now = clock.now();
    if (!model || now < silentUntil || !model.powered) {
      stats.dropped++;
      return false;
    }
    model.step(now);
    for (const c of cells) c.node.value = c.get(model, c.row);
    stats.answered++;
    return true;
  });

  let port: number;
  try {
    port = await agent.listening();
  } catch (e) {
    await agent.close();
    throw e;
  }
  const m = new PduModel({ nowMs: clock.now(), seed: opts.seed ?? port, serial: opts.serial ?? `SIM${port}`, environment: opts.environment ?? false });
  registerMib(agent, m, opts.environment ?? false, cells, () => clock.now());
  model = m;

  const now = (): number => clock.now();
  return {
    port,
    serial: m.identity.serial,
    model: m,
    stats,
    close: () => agent.close(),
    setSourceVoltage: (s, volts) => m.setSourceVoltage(s, volts, now()),
    failSource: (s) => m.failSource(s, now()),
    restoreSource: (s) => m.restoreSource(s, now()),
    setOutletLoad: (n, amps) => m.setOutletLoad(n, amps, now()),
    powerLoss: () => m.setAllSourcesFailed(true, now()),
    powerRestore: () => m.setAllSourcesFailed(false, now()),
    reboot: () => m.reboot(now()),
    silence: (ms) => void (silentUntil = now() + ms),
    overloadBank: (bank) => m.overloadBank(bank, now()),
    outletState: (n) => {
      m.step(now());
      const o = m.outlets[n - 1];
      if (!o) throw new RangeError(`outlet ${n} does not exist (1..${m.outlets.length})`);
      return o.on ? 'on' : 'off';
    },
  };
}

/** Registers every served object; dynamic ones go into `cells` for the per-request refresh. */
function registerMib(agent: ReturnType<typeof createTypedAgent>, m: PduModel, environment: boolean, cells: Cell[], now: () => number): void {
  const mib = buildSimulatorMib({ environment });
  for (const s of mib.scalars) {
    const node = agent.addScalar({ name: s.name, oid: s.oid, type: s.type, writable: !!s.write, value: s.get(m), onSet: scalarSetHandler(s, m, now) });
    if (!s.fixed) cells.push({ node, row: 0, get: (model) => s.get(model) });
  }
  for (const t of mib.tables) {
    const rows = Array.from({ length: t.rowCount }, (_, i) => t.columns.map((c) => c.get(m, i + 1)));
    const byNumber = new Map(t.columns.map((c) => [columnNumber(t.entry, c.oid), c]));
    const cell = agent.addTable({
      name: t.name, entryOid: t.entry, rows,
      columns: [...byNumber].map(([number, c]) => ({ number, name: c.name, type: c.type, writable: !!c.write })),
      onSet: t.columns.some((c) => c.write) ? tableSetHandler(byNumber, m, now) : undefined,
    });
    for (const [number, c] of byNumber) {
      if (c.fixed) continue;
      for (let row = 1; row <= t.rowCount; row++) cells.push({ node: cell(number, row), row, get: c.get });
    }
  }
}

function scalarSetHandler(s: ScalarSpec, m: PduModel, now: () => number): SetHandler | undefined {
  const w = s.write;
  if (!w) return undefined;
  return ({ phase, value }) => {
    if (phase === 'test') return w.validate(value);
    w.apply(m, value, now());
    return null;
  };
}

function tableSetHandler(columns: ReadonlyMap<number, ColumnSpec>, m: PduModel, now: () => number): SetHandler {
  return ({ phase, value, column, row }) => {
    const w = columns.get(column)?.write;
    if (!w) return 'wrongValue'; // unreachable: net-snmp answers notWritable for read-only columns first
    if (phase === 'test') return w.validate(value);
    w.apply(m, value, now(), row);
    return null;
  };
}

export interface MockPdus {
  pdus: SimulatedPdu[];
  close(): Promise<void>;
}

/** N agents on consecutive UDP ports with distinct serials (`power2mqtt mock-pdu`). */
export async function runMockPdus(opts: { port: number; count: number; bind?: string; clock: Clock }): Promise<MockPdus> {
  const results = await Promise.allSettled(
    Array.from({ length: opts.count }, (_, i) =>
      createSimulatedPdu({ port: opts.port + i, bind: opts.bind, clock: opts.clock, serial: `SIM${String(i + 1).padStart(6, '0')}`, seed: i + 1 }),
    ),
  );
  const pdus = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  const close = async (): Promise<void> => {
    await Promise.all(pdus.map((p) => p.close()));
  };
  if (failed) {
    await close();
    throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
  }
  return { pdus, close };
}
