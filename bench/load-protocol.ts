import type { LoadFinal, LoadInterval } from './load-app.js';
import type { MessageCounts } from './load-counter.js';

// IPC between the load-run orchestrator (bench/load-suite.ts) and its children: the app
// (bench/load-worker.ts) and the MQTT consumer (bench/load-subscriber.ts). Each child also has a
// hard lifetime bound of its own.

export type LoadWorkerRequest =
  /** mqttUrl '' = the embedded broker; otherwise the external broker the orchestrator started. */
  | { type: 'start'; host: string; portBase: number; count: number; mqttUrl: string; maxLifetimeMs: number }
  | { type: 'read' }
  | { type: 'finish' }
  | { type: 'stop' };

export type LoadWorkerMessage =
  | { type: 'ready'; mqttUrl: string; devices: number; startupMs: number; allocator: string }
  | ({ type: 'interval' } & LoadInterval)
  | ({ type: 'final' } & LoadFinal)
  | { type: 'error'; message: string }
  | { type: 'stopped' };

export type LoadSubscriberRequest =
  | { type: 'start'; url: string; topic: string; maxLifetimeMs: number }
  | { type: 'counts' }
  | { type: 'stop' };

export type LoadSubscriberMessage =
  | { type: 'ready' }
  | ({ type: 'counts'; cpuMs: number } & MessageCounts)
  | { type: 'error'; message: string }
  | { type: 'stopped' };
