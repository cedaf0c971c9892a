// Pure display and form helpers of the Watchdogs section (SPEC §12.7, §14.2 `/api/watchdogs`);
// import-free, so the unit tests load it as is.

/** `suppressed: network`; other states as they are (their reason is an explanation, shown apart). */
export function watchdogStateText(s: { state: string; reason: string | null }): string {
  return s.state === 'suppressed' && s.reason ? `suppressed: ${s.reason}` : s.state;
}

/** State → badge tone: calm when fine, amber while it waits or acts, red when it gave up. */
export function watchdogTone(state: string): 'ok' | 'warn' | 'bad' | 'muted' | 'info' {
  if (state === 'ok' || state === 'recovered') return 'ok';
  if (state === 'waiting' || state === 'suppressed') return 'warn';
  if (state === 'cycling' || state === 'booting') return 'info';
  if (state === 'gave_up') return 'bad';
  return 'muted';
}

export interface WatchdogForm { name: string; device: string; outlet: string; target: string; fail_after_s: string }

export const blankWatchdog: WatchdogForm = { name: '', device: '', outlet: '', target: '', fail_after_s: '180' };

/**
 * The POST body of a new runtime watchdog. Numbers are sent as numbers when they parse, else as
 * typed, so the server's validation names the field; empty optional fields are left out.
 */
export function watchdogBody(f: WatchdogForm): Record<string, unknown> {
  const n = (s: string): unknown => {
    const t = s.trim();
    if (t === '') return undefined;
    return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
  };
  const body: Record<string, unknown> = { name: f.name.trim(), outlet: n(f.outlet), target: f.target.trim(), fail_after_s: n(f.fail_after_s) };
  if (f.device.trim() !== '') body.device = f.device.trim();
  for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
  return body;
}

/** The answer of POST …/test as one line: `up in 12 ms`, `down (connect ECONNREFUSED)`. */
export function testResultText(r: { result: string; response_time: number | null; error: string | null }): string {
  const time = r.response_time !== null ? ` in ${Math.round(r.response_time)} ms` : '';
  return `${r.result}${time}${r.error ? ` (${r.error})` : ''}`;
}
