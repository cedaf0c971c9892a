// Ports: the interfaces services use to reach each other's data without importing each other
// (ARCHITECTURE.md "Direction"). Implementations live in their own folders; app.ts wires them.
// One file per concern under ports/; this module re-exports them so imports stay `core/ports.js`.
export * from './ports/devices.js';
export * from './ports/power.js';
export * from './ports/health.js';
export * from './ports/rules.js';
export * from './ports/watchdogs.js';
export * from './ports/history.js';
export * from './ports/auth.js';
