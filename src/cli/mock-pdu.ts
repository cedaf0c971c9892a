import { RealClock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import { runMockPdus } from '../devices/pdu/simulator/agent.js';
import { parseCommandArgs, type CliIO } from './io.js';

export const MOCK_PDU_USAGE = `usage: power2mqtt mock-pdu [--port 1161] [--count N] [--bind 127.0.0.1]

Runs N simulated CyberPower PDU44001 SNMP agents on consecutive UDP ports
(communities: public read, private write) until interrupted.
`;

/** `power2mqtt mock-pdu`: N simulated PDU44001 agents on consecutive UDP ports (SPEC §8, §17). */
export async function mockPduCommand(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseCommandArgs(io, MOCK_PDU_USAGE, {
    args: argv,
    options: {
      port: { type: 'string', default: '1161' },
      count: { type: 'string', default: '1' },
      bind: { type: 'string', default: '127.0.0.1' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const port = Number(values.port);
  const count = Number(values.count);
  if (!Number.isInteger(port) || port < 1 || port > 65535 || !Number.isInteger(count) || count < 1 || port + count - 1 > 65535) {
    io.err(`--port must be 1..65535 and --count ≥ 1 with every port ≤ 65535 (got --port ${values.port} --count ${values.count})\n${MOCK_PDU_USAGE}`);
    return 2;
  }
  let mock;
  try {
    mock = await runMockPdus({ port, count, bind: values.bind, clock: new RealClock() });
  } catch (err) {
    io.err(`cannot start the simulated PDUs: ${errorMessage(err)}\n`);
    return 1;
  }
  const last = port + count - 1;
  io.out(`mock-pdu: ${count} simulated PDU44001 agent${count === 1 ? '' : 's'} on udp://${values.bind}:${port}${count > 1 ? `-${last}` : ''} (read community "public", write "private"); Ctrl-C to stop\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await mock.close();
  return 0;
}
