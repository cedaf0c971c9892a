import type { DemoPort } from '../core/ports.js';
import type { SimulatedPdu } from './pdu/simulator/agent.js';

// Demo scenarios (SPEC §8): what `POST /api/demo/scenario` can do to the simulated PDU and the
// simulated switches. One table entry per scenario; parameters are checked with the field named.

/** What the scenarios need of the switch simulator. */
export interface DemoSwitches {
  /** Sensor switches in order (demo-switch-1..N). */
  readonly names: readonly string[];
  readonly gateway: string;
  setMode(name: string, mode: 'answer' | 'hang'): void;
}

type Params = Record<string, unknown>;
type Result = { ok: true; detail: string } | { ok: false; error: string; field?: string };
type Scenario = (p: Params) => Result;

const bad = (field: string, error: string): Result => ({ ok: false, field, error: `${field}: ${error}` });

function sourceParam(p: Params): 'A' | 'B' | null {
  const s = typeof p.source === 'string' ? p.source.toUpperCase() : p.source === undefined ? 'A' : null;
  return s === 'A' || s === 'B' ? s : null;
}

/** What the scenarios need of the simulated modem (devices/demo-modem.ts). */
export interface DemoTarget {
  setHung(hung: boolean): void;
}

export function demoScenarios(pdu: SimulatedPdu, switches: DemoSwitches, modem: DemoTarget | null = null): DemoPort {
  const sensors = (which: readonly string[], mode: 'answer' | 'hang'): void => {
    for (const n of which) switches.setMode(n, mode);
  };
  const table: Readonly<Record<string, Scenario>> = {
    fail_source: (p) => {
      const s = sourceParam(p);
      if (!s) return bad('source', 'must be "A" or "B"');
      pdu.failSource(s);
      return { ok: true, detail: `source ${s} failed: voltage 0, ATS transfers to the other source` };
    },
    restore_source: (p) => {
      const s = sourceParam(p);
      if (!s) return bad('source', 'must be "A" or "B"');
      pdu.restoreSource(s);
      return { ok: true, detail: `source ${s} restored` };
    },
    pdu_reboot: () => {
      pdu.reboot();
      return { ok: true, detail: 'PDU controller restarted (sysUpTime from 0)' };
    },
    snmp_silence: (p) => {
      const s = p.seconds === undefined ? 30 : p.seconds;
      if (typeof s !== 'number' || !Number.isFinite(s) || s < 1 || s > 3600) return bad('seconds', 'must be a number from 1 to 3600');
      pdu.silence(s * 1000);
      return { ok: true, detail: `PDU silent for ${s} s` };
    },
    overload_bank: (p) => {
      const b = p.bank === undefined ? 1 : p.bank;
      if (b !== 1 && b !== 2) return bad('bank', 'must be 1 or 2');
      pdu.overloadBank(b);
      return { ok: true, detail: `bank ${b} overloaded` };
    },
    switches_down: (p) => {
      const ids = p.ids;
      if (ids !== undefined) {
        if (!Array.isArray(ids) || ids.some((n) => typeof n !== 'string' || !switches.names.includes(n))) {
          return bad('ids', `must list switch names among ${switches.names.join(', ')}`);
        }
        sensors(ids as string[], 'hang');
        return { ok: true, detail: `switches silent: ${ids.join(', ')}` };
      }
      const count = p.count === undefined ? switches.names.length : p.count;
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > switches.names.length) {
        return bad('count', `must be a whole number from 1 to ${switches.names.length}`);
      }
      sensors(switches.names.slice(0, count), 'hang');
      return { ok: true, detail: `${count} of ${switches.names.length} switches silent` };
    },
    switches_up: () => {
      sensors([...switches.names, switches.gateway], 'answer');
      return { ok: true, detail: 'every switch answers' };
    },
    all_down: () => {
      // A full power cut: the PDU loses both inputs (and goes silent), the mains-powered switches
      // go silent; the gateway is on a UPS and keeps answering.
      pdu.powerLoss();
      sensors(switches.names, 'hang');
      return { ok: true, detail: 'power cut: both PDU inputs and every sensor switch down, gateway (UPS) up' };
    },
    all_up: () => {
      pdu.powerRestore();
      sensors([...switches.names, switches.gateway], 'answer');
      return { ok: true, detail: 'power back: the PDU boots, every switch answers' };
    },
    lan_down: () => {
      sensors([...switches.names, switches.gateway], 'hang');
      return { ok: true, detail: 'LAN down: every switch and the gateway silent, the PDU fine' };
    },
    // The simulated modem on outlet 2 wedges: silent until its outlet is switched off (the
    // watchdog demo-modem power-cycles it, SPEC §12.7); {hung:false} (or unhang_target) un-wedges it.
    hang_target: (p) => {
      if (!modem) return bad('name', 'the simulated modem is not running');
      const hung = p.hung === undefined ? true : p.hung;
      if (typeof hung !== 'boolean') return bad('hung', 'must be true (stop answering) or false (answer again)');
      modem.setHung(hung);
      return { ok: true, detail: hung ? 'the modem on outlet 2 hangs until its outlet is switched off' : 'the modem answers again' };
    },
    unhang_target: () => {
      if (!modem) return bad('name', 'the simulated modem is not running');
      modem.setHung(false);
      return { ok: true, detail: 'the modem answers again' };
    },
  };
  return {
    scenarios: () => Object.keys(table),
    async run(name, params) {
      const fn = table[name];
      if (!fn) return bad('name', `unknown scenario "${name}" (known: ${Object.keys(table).join(', ')})`);
      return fn(params);
    },
  };
}
