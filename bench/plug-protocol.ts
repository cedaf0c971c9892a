// IPC messages of the plugs benchmark (bench/plug-bench.ts ↔ plug-agent.ts / plug-worker.ts).

export type PlugAgentMessage =
  | { type: 'ready'; kasa: number[]; shelly: number[]; startupMs: number }
  | { type: 'usage'; cpuUs: number; atMono: number }
  | { type: 'stopped' }
  | { type: 'error'; message: string };

export type PlugAgentRequest = { type: 'usage' } | { type: 'stop' };

export interface PlugWorkerStart {
  type: 'start';
  kasa: number[];
  shelly: number[];
  periodMs: number;
  warmupMs: number;
  windowMs: number;
}

export interface PlugWorkerResult {
  type: 'result';
  devices: number;
  /** Cycles due in the window (devices × window / period). */
  dueCycles: number;
  /** Cycles that started in the window. */
  startedCycles: number;
  /** Samples (successful polls) in the window. */
  okPolls: number;
  failedPolls: number;
  /** Due cycles the scheduler skipped (event loop blocked past them, or the previous one still running). */
  missedCycles: number;
  latenessMs: { p50: number; p99: number; max: number };
  pollMs: { p50: number; p99: number };
  cpuMs: number;
  windowMs: number;
  rssMb: number;
  heapUsedMb: number;
}

export type PlugWorkerMessage = { type: 'window-start' } | { type: 'window-end' } | PlugWorkerResult | { type: 'error'; message: string };
