import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** The low end of the kernel's ephemeral port range (what a bind to port 0 is given). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 12_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago, for a server started later on a fixed port
 * (a child process, Mosquitto, a restart that must keep its port). Taken below the ephemeral range:
 * a port from there could be handed to another test's bind to port 0 (tests run in parallel
 * workers) between this check and the server's listen.
 */
export async function freeTcpPort(): Promise<number> {
  const low = 10_000;
  const high = ephemeralLow();
  for (let i = 0; i < 50; i++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free TCP port on 127.0.0.1 in ${low}–${high - 1} after 50 tries`);
}
