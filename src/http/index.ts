// Public surface of the web server (app.ts wires it; tests build it without listening).
export { buildHttpServer, createHttpService, exposureDecision, isLoopback, BODY_LIMIT, SECURITY_HEADERS } from './server.js';
export type { HttpService, ExposureDecision } from './server.js';
export type { HttpContext, HttpApp, PowerChecksReader } from './context.js';
export { mapError, type ErrorBody, type MappedError } from './errors.js';
export { pduStatusView, NO_DATA_YET } from './views/pdu-status.js';
export { resolveDevice, type DeviceResolution } from './resolve-device.js';
export { OPENAPI_PATH } from './openapi.js';
