import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { summarizeProfile, type CpuProfile, type ProfileSummary } from './cpu-profile.js';

// The V8 sampling CPU profiler of the measured process (poller, bridge), via node:inspector.

function post<T>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => {
    session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T)));
  });
}

/** Start profiling this process at a 0.5 ms sampling interval. */
export async function startCpuProfile(): Promise<Session> {
  const session = new Session();
  session.connect();
  await post(session, 'Profiler.enable');
  await post(session, 'Profiler.setSamplingInterval', { interval: 500 });
  await post(session, 'Profiler.start');
  return session;
}

/** Stop, write the raw profile to `path` (for DevTools / speedscope) and summarise it. */
export async function stopCpuProfile(session: Session, path: string): Promise<ProfileSummary> {
  const { profile: raw } = await post<{ profile: CpuProfile }>(session, 'Profiler.stop');
  session.disconnect();
  writeFileSync(path, JSON.stringify(raw));
  return { ...summarizeProfile(raw), path };
}
