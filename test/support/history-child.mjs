// Child process for the kill -9 test: records synthetic PDU samples through the real (built)
// history writer as fast as it can, and reports each committed second on stdout.
import { RealClock } from '../../dist/core/clock.js';
import { createLogger } from '../../dist/core/logger.js';
import { getProfile } from '../../dist/devices/pdu/profiles/index.js';
import { DbHandle } from '../../dist/history/handle.js';
import { HistoryWriter } from '../../dist/history/writer.js';

const [path, startArg] = process.argv.slice(2);
const start = Number(startArg);
const clock = new RealClock();
const handle = new DbHandle(path, 20);
const writer = new HistoryWriter(handle, {
  clock, logger: createLogger('error'), commitIntervalMs: 1000,
  profileOf: () => getProfile('cps-mib'), pollIntervalOf: () => 1,
});

function snapshot(i) {
  const banks = {};
  for (const b of [1, 2]) banks[b] = { current: 1 + (i % 5) / 10, voltage: 120, power: 100 + b + (i % 9), apparent_power: 110, power_factor: 0.95, energy: 10, load_state: 'normal', energy_start: null };
  const outlets = {};
  for (let n = 1; n <= 10; n++) outlets[n] = { name: `Outlet${n}`, name_override: null, state: 'on', pending: false, bank: n <= 5 ? 1 : 2, max_load: 10, current: 0.4, power: 40 + (i % 4), energy: 1.5 };
  return {
    device_id: 'crash-pdu', ts: start + i, identity: {}, capabilities: ['ats', 'sources', 'outlet_metering', 'bank_energy', 'total_row'],
    input: { voltage: 120 + (i % 3) / 10, frequency: 60 }, banks, totals: { load: 2, power: 200 + (i % 9), energy: 20 }, outlets,
    ats: { current_source: 'A', preferred_source: 'A', auto_transfer: true, redundancy: 'ok' },
    sources: { a: { voltage: 120, frequency: 60, status: 'normal' }, b: { voltage: 121, frequency: 60, status: 'normal' } },
    coldstart: null, environment: null, transport: { state: 'healthy' }, source_voltage_scale: 10, errors: [],
  };
}

let i = 0;
function loop() {
  for (let k = 0; k < 50; k++) writer.ingest(snapshot(i++));
  writer.commit();
  process.stdout.write(`committed ${start + i - 1}\n`);
  setImmediate(loop);
}
loop();
