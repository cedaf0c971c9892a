import { DEMO_DEVICE_ID } from '../config/schema.js';
import type { Watchdog } from '../core/watchdog.js';

// The demo's watchdog (SPEC §8, §12.7): `demo-modem` on demo-pdu outlet 2, watching the simulated
// modem. Demo-only timings, short enough to watch a whole hang → cycle → recovery in about a
// minute (scenario `hang_target`); a real modem gets the defaults (180 s, 300 s boot grace).

export const DEMO_WATCHDOG_NAME = 'demo-modem';
export const DEMO_WATCHDOG_OUTLET = 2;

export function demoWatchdog(targetUrl: string): Watchdog {
  return {
    name: DEMO_WATCHDOG_NAME, device: DEMO_DEVICE_ID, outlet: DEMO_WATCHDOG_OUTLET, target: targetUrl, interval_s: 5, timeout_ms: 2000,
    fail_after_s: 30, action: 'reboot', off_s: 10, boot_grace_s: 30, max_cycles: 3, window_h: 1, depends_on: '',
  };
}
