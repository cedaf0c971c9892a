import { readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import type { Clock } from '../src/core/clock.js';
import type { AgentMessage, AgentRequest, AgentUsage } from './protocol.js';

// Small helpers shared by the benchmark's processes.

/** Rejects with `what` when `p` does not settle within `ms` on the clock (every wait is bounded). */
export function withTimeout<T>(clock: Clock, p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = clock.setTimeout(() => reject(new Error(`${what}: no answer within ${Math.round(ms / 1000)} s`)), ms);
    p.then(
      (v) => {
        clock.clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clock.clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** Send one message to the parent process; resolves when it is handed over (or there is no parent). */
export function sendToParent<M>(m: M): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected || !process.send) return resolve();
    process.send(m, undefined, {}, () => resolve());
  });
}

export const mb = (bytes: number): number => bytes / 2 ** 20;

/** Fields of /proc/<pid>/status given in kB (VmRSS, RssAnon, …), in MB; null when unreadable (not Linux, process gone). */
export function procStatusMb<K extends string>(pid: number | 'self', keys: readonly K[]): Record<K, number> | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const out = {} as Record<K, number>;
  for (const k of keys) {
    const m = new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(text);
    if (!m) return null;
    out[k] = Number(m[1]) / 1024;
  }
  return out;
}

/** The first message of `type`; rejects on an `error` message or when the child exits first. */
export function nextMessage<M extends { type: string }, K extends M['type']>(child: ChildProcess, type: K, name = 'child'): Promise<Extract<M, { type: K }>> {
  const p = new Promise<Extract<M, { type: K }>>((resolve, reject) => {
    const onMessage = (m: M): void => {
      if (m.type === type) {
        cleanup();
        resolve(m as Extract<M, { type: K }>);
      } else if (m.type === 'error') {
        cleanup();
        reject(new Error(`${name}: ${(m as unknown as { message: string }).message}`));
      }
    };
    const onExit = (code: number | null, signal: string | null): void => {
      cleanup();
      reject(new Error(`${name} (pid ${child.pid}) exited (code ${code}, signal ${signal}) before "${type}"`));
    };
    const cleanup = (): void => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
  p.catch(() => {}); // awaited by the caller; never an unhandled rejection if it is raced away
  return p;
}

export const exited = (c: ChildProcess): boolean => c.exitCode !== null || c.signalCode !== null;

/**
 * Ask politely (IPC request), then SIGTERM, then SIGKILL this child by its own handle. Without a
 * request, a child finishing on its own gets `graceMs` before the SIGTERM.
 */
export async function stopChild(clock: Clock, child: ChildProcess, request: object | null, ms: number, graceMs = 0): Promise<void> {
  if (exited(child)) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (request && child.connected) {
    child.send(request);
  } else {
    if (graceMs > 0 && (await withTimeout(clock, gone, graceMs, 'child exit').then(() => true, () => false))) return;
    child.kill('SIGTERM');
  }
  try {
    await withTimeout(clock, gone, ms, 'child exit');
  } catch {
    child.kill('SIGKILL');
    await withTimeout(clock, gone, 5000, 'child exit after SIGKILL').catch(() => {});
  }
}

/** The agent process's own CPU and answer counts (null when it does not answer in time). */
export async function agentUsage(clock: Clock, agent: ChildProcess): Promise<AgentUsage | null> {
  if (!agent.connected) return null;
  const p = nextMessage<AgentMessage, 'usage'>(agent, 'usage', 'agent');
  agent.send({ type: 'usage' } satisfies AgentRequest);
  return withTimeout(clock, p, 5000, 'agent usage').catch(() => null);
}
