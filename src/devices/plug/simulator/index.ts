export { PlugSimModel, type SimMode } from './model.js';
export { KasaSimulator, startKasaSimulator, type KasaSimOptions } from './kasa.js';
export { ShellySimulator, startShellySimulator, type ShellySimOptions } from './shelly.js';
export { TasmotaSimulator, startTasmotaSimulator, type TasmotaSimOptions } from './tasmota.js';
