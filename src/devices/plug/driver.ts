import { KasaDriver } from './kasa/driver.js';
import type { PlugDeviceSettings } from './settings.js';
import { ShellyDriver } from './shelly/driver.js';
import { TasmotaDriver } from './tasmota/driver.js';
import type { PlugDriver } from './types.js';

/** The local-API driver for a plug's kind. */
export function createPlugDriver(s: Pick<PlugDeviceSettings, 'kind' | 'host' | 'port' | 'password'>): PlugDriver {
  switch (s.kind) {
    case 'kasa': return new KasaDriver(s.host, s.port);
    case 'shelly': return new ShellyDriver(s.host, s.port, s.password);
    case 'tasmota': return new TasmotaDriver(s.host, s.port, s.password);
  }
}
