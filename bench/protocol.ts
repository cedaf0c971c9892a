import type { WindowCounts } from './pollers.js';
import type { ProfileSummary } from './cpu-profile.js';

// IPC messages between bench/run.ts (the orchestrator) and its two children per run:
// bench/agent.ts (the simulated PDUs) and bench/poll-worker.ts (the poller being measured).

export type AgentRequest = { type: 'usage' } | { type: 'stop' };

export interface AgentUsage {
  type: 'usage';
  /** process.cpuUsage() of the agent process, user + system, microseconds. */
  cpuUs: number;
  /** Monotonic ms in the agent process. */
  atMono: number;
  answered: number;
  dropped: number;
  rssMb: number;
}

export type AgentMessage =
  | { type: 'ready'; port: number; count: number; startupMs: number }
  | { type: 'error'; message: string }
  | AgentUsage
  | { type: 'stopped' };

export interface WorkerStart {
  type: 'start';
  host: string;
  port: number;
  count: number;
  warmupMs: number;
  windowMs: number;
  timeoutMs: number;
  retries: number;
  /** Record a V8 CPU profile of the measurement window (inspector Profiler). */
  cpuProfile: boolean;
  /** Where to write the raw .cpuprofile (when cpuProfile). */
  profilePath: string;
}

export interface WorkerResult {
  type: 'result';
  counts: WindowCounts;
  /** Poller process CPU (user + system) over the window, ms. */
  cpuMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  rssMb: number;
  heapUsedMb: number;
  /** Devices that never produced a sample, even during warm-up. */
  silentDevices: number;
  stoppedCleanly: boolean;
  profile: ProfileSummary | null;
}

export type WorkerMessage =
  | { type: 'window-start' }
  | { type: 'window-end' }
  | WorkerResult
  | { type: 'error'; message: string };
