import { createApp } from '../app.js';
import { RealClock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import type { CliIO } from './io.js';
import { issuesText, loadFromProcess, takeConfigFlag } from './config-args.js';

const SHUTDOWN_LIMIT_MS = 8000;

/** `power2mqtt run`: start the service (SPEC §3). Resolves with the exit code after shutdown. */
export async function runCommand(argv: string[], io: CliIO): Promise<number> {
  const args = takeConfigFlag(argv);
  if (args.error || args.rest.length > 0) {
    io.err(`${args.error ?? `unexpected argument "${args.rest[0]}"`}\nusage: power2mqtt run [--config FILE]\n`);
    return 2;
  }
  const loaded = loadFromProcess(args.configPath);
  if (!loaded.ok) {
    io.err(issuesText(loaded));
    return 2;
  }
  const logger = createLogger(loaded.config.log.level);
  for (const w of loaded.warnings) logger.warn({ module: 'config' }, w);
  const clock = new RealClock();
  const app = createApp({ config: loaded.config, logger, clock, configFile: loaded.file });
  try {
    await app.start();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const hint =
      e.code === 'EADDRINUSE'
        ? ' (another program already uses that port: stop it, or change demo.snmp_port / mqtt.embedded.port; to use a broker that is already running, set mqtt.url)'
        : '';
    logger.fatal({ error: errorMessage(err) }, `start-up failed${hint}`);
    io.err(`power2mqtt: start-up failed: ${errorMessage(err)}${hint}\n`);
    await app.stop().catch(() => undefined);
    return 1;
  }
  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      // main.ts exits with the resolved code, so this timer never holds the process open.
      const force = clock.setTimeout(() => {
        logger.error({ limit_ms: SHUTDOWN_LIMIT_MS }, 'shutdown took too long: exiting anyway');
        resolve(1);
      }, SHUTDOWN_LIMIT_MS);
      app.stop().then(
        () => {
          clock.clearTimeout(force);
          resolve(0);
        },
        (err: unknown) => {
          clock.clearTimeout(force);
          logger.error({ error: errorMessage(err) }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  });
}
