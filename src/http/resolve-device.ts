import { P2mError } from '../core/errors.js';
import { defaultDevice } from '../core/default-device.js';
import type { DeviceInfo, DeviceRegistryPort } from '../core/ports.js';

// Device resolution for device-scoped endpoints (SPEC §14.1, the original's rule): `?device_id=`
// if given (unknown → 404 naming device_id); else the only device; else the only `cyberpower`
// device; else none, and the caller decides (400 with the available ids, or omit, as /api/status).

export type DeviceResolution = { found: true; info: DeviceInfo } | { found: false; available: string[] };

export function resolveDevice(registry: DeviceRegistryPort, deviceId: string | undefined): DeviceResolution {
  if (deviceId !== undefined) {
    const info = registry.info(deviceId);
    if (!info) throw new P2mError('P2M_ERR_UNKNOWN_DEVICE', `device_id: unknown device "${deviceId}"`, 'device_id');
    return { found: true, info };
  }
  const all = registry.list();
  const pick = defaultDevice(all);
  const info = pick ? registry.info(pick.id) : null;
  return info ? { found: true, info } : { found: false, available: all.map((d) => d.id) };
}
