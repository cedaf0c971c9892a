import { createApp, type App } from '../app.js';
import { RealClock, type Clock } from '../core/clock.js';
import { errorMessage, P2mError } from '../core/errors.js';
import { createLogger, LogRing, type Logger } from '../core/logger.js';
import type { CliIO } from './io.js';
import { formatIssues, type LoadResult } from '../config/index.js';
import { loadFromProcess, takeConfigFlag } from './config-args.js';

const SHUTDOWN_LIMIT_MS = 8000;
/** The restart request's HTTP reply goes out before the web server stops. */
const RESTART_DELAY_MS = 500;

type Loaded = Extract<LoadResult, { ok: true }>;
type StopReason = { kind: 'signal'; signal: string } | { kind: 'restart'; next: Loaded };

/**
 * `power2mqtt run`: start the service (SPEC §3). Resolves with the exit code after shutdown.
 * `POST /api/system/restart` stops and starts the whole app in this process with the config read
 * again (saved runtime settings included), so it works the same under docker, systemd or a shell.
 */
export async function runCommand(argv: string[], io: CliIO): Promise<number> {
  const args = takeConfigFlag(argv);
  if (args.error || args.rest.length > 0) {
    io.err(`${args.error ?? `unexpected argument "${args.rest[0]}"`}\nusage: power2mqtt run [--config FILE]\n`);
    return 2;
  }
  const loaded = loadFromProcess(args.configPath);
  if (!loaded.ok) {
    io.err(formatIssues(loaded));
    return 2;
  }
  const ring = new LogRing(loaded.config.log.buffer);
  const logger = createLogger(loaded.config.log.level, undefined, ring);
  const clock = new RealClock();
  let stop: ((r: StopReason) => void) | null = null;
  let stopping = false;
  // Kept for the whole run: a signal during a restart stops the next app as soon as it exists.
  let signalled: string | null = null;
  const onSignal = (signal: string): void => {
    signalled ??= signal;
    stop?.({ kind: 'signal', signal });
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  let current = loaded;
  for (;;) {
    for (const w of current.warnings) logger.warn({ module: 'config' }, w);
    const reason = new Promise<StopReason>((resolve) => {
      stop = resolve;
      if (signalled) resolve({ kind: 'signal', signal: signalled });
    });
    const app = createApp({
      config: current.config, logger, clock, configFile: current.file, origins: current.origins, logRing: ring,
      onRestart() {
        // The config is read again now: an invalid file refuses the restart instead of stopping the service.
        const next = loadFromProcess(args.configPath);
        if (!next.ok) return { ok: false, error: formatIssues(next).trim() };
        if (stopping) return { ok: false, error: 'already stopping' };
        stopping = true;
        clock.setTimeout(() => stop?.({ kind: 'restart', next }), RESTART_DELAY_MS);
        return { ok: true };
      },
    });
    const started = await startApp(app, logger, io);
    if (started !== 0) return started;
    const why = await reason;
    logger.info(why.kind === 'signal' ? { signal: why.signal } : { restart: true }, why.kind === 'signal' ? 'shutting down' : 'restarting');
    const code = await stopApp(app, logger, clock);
    if (why.kind === 'signal' || code !== 0) return code;
    current = why.next;
    logger.level = current.config.log.level;
    stopping = false;
  }
}

async function startApp(app: App, logger: Logger, io: CliIO): Promise<number> {
  try {
    await app.start();
    return 0;
  } catch (err) {
    if (err instanceof P2mError && err.code === 'P2M_ERR_CONFIG') {
      // Checks that need the running parts (e.g. runtime switches): reported like config errors, exit 2.
      logger.fatal({ error: err.message }, 'invalid configuration');
      io.err(`power2mqtt: invalid configuration:\n${err.message.split('\n').map((l) => `  ${l}`).join('\n')}\n`);
      await app.stop().catch(() => undefined);
      return 2;
    }
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
}

/** Stops within SHUTDOWN_LIMIT_MS: 0, or 1 when it failed or took too long. */
function stopApp(app: App, logger: Logger, clock: Clock): Promise<number> {
  return new Promise<number>((resolve) => {
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
  });
}
