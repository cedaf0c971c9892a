import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { P2mError, type ErrorCode } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { redactUrl } from './auth/guards.js';
import { applyResponseHeaders } from './headers.js';

// The one error mapper of the REST API (ARCHITECTURE.md "Errors"): catalogue errors keep their
// code and http status, schema validation names the field, everything unexpected is a bare 500
// whose stack goes to the log once and never to the client.

/** JSON body of every error response. `field` is present when one input is to blame. */
export interface ErrorBody {
  error: string;
  code?: ErrorCode;
  field?: string;
  /** Every problem when there are several (e.g. the validation issues of a rule). */
  details?: unknown[];
  /** A device-scoped request that did not say which device: the choices (SPEC §14.1). */
  available_devices?: string[];
}

/** 400 naming device_id with the devices to choose from (SPEC §14.1 `{error, available_devices}`). */
export class DeviceChoiceError extends P2mError {
  constructor(readonly available: string[]) {
    super(
      'P2M_ERR_VALIDATION',
      available.length === 0 ? 'device_id: no device is configured' : `device_id: several devices (${available.join(', ')}): say which with ?device_id=`,
      'device_id',
    );
    this.name = 'DeviceChoiceError';
  }
}

/** A catalogue error that carries the full list of problems to the client as `details`. */
export class DetailedError extends P2mError {
  readonly details: unknown[];

  constructor(code: ErrorCode, message: string, field: string | undefined, details: unknown[]) {
    super(code, message, field);
    this.name = 'DetailedError';
    this.details = details;
  }
}

export interface MappedError {
  status: number;
  body: ErrorBody;
  /** A programmer error or an unknown fault: log it with its stack. */
  internal: boolean;
}

const INTERNAL: MappedError = { status: 500, body: { error: 'internal error' }, internal: true };

/** Where fastify reports a validation failure → the name clients know the input by. */
const CONTEXT_FIELD: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'headers' };

/** `/a/0/b` (JSON pointer, as the zod type provider reports paths) → `a.0.b`. */
function pointerToField(pointer: string): string {
  return pointer
    .split('/')
    .filter((s) => s !== '')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

function validationMessage(message: string, keyword: string): string {
  // zod says "Invalid input: expected string, received undefined" for a missing key.
  if (keyword === 'invalid_type' && /received undefined$/.test(message)) return 'is required';
  // Query numbers are coerced: "abc" arrives as NaN.
  if (keyword === 'invalid_type' && /expected number, received NaN$/.test(message)) return 'is not a number';
  return message;
}

function body(error: string, code: ErrorCode, field?: string): ErrorBody {
  return field === undefined ? { error, code } : { error, code, field };
}

/** Pure: any thrown value → status and JSON body. */
export function mapError(err: unknown, bodyLimit: number): MappedError {
  if (err instanceof P2mError) {
    const msg = err.field && !err.message.startsWith(err.field) ? `${err.field}: ${err.message}` : err.message;
    const b = body(msg, err.code, err.field);
    if (err instanceof DetailedError) b.details = err.details;
    if (err instanceof DeviceChoiceError) b.available_devices = err.available;
    return { status: err.http, body: b, internal: false };
  }
  if (typeof err !== 'object' || err === null) return INTERNAL;
  const fe = err as Partial<FastifyError>;
  // Request validation (the zod type provider reports issues in fastify's shape). A response that
  // fails its schema is a programmer error and falls through to the 500 below.
  if (fe.code === 'FST_ERR_VALIDATION' && Array.isArray(fe.validation)) {
    const first = fe.validation[0];
    const context = CONTEXT_FIELD[fe.validationContext ?? 'body'] ?? 'body';
    const field = (first && pointerToField(first.instancePath)) || context;
    const message = first ? validationMessage(first.message ?? 'is invalid', first.keyword) : 'is invalid';
    return { status: 400, body: body(`${field}: ${message}`, 'P2M_ERR_VALIDATION', field), internal: false };
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, body: body('body: is not valid JSON', 'P2M_ERR_VALIDATION', 'body'), internal: false };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, body: body(`body: is larger than ${bodyLimit} bytes`, 'P2M_ERR_VALIDATION', 'body'), internal: false };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, body: body('body: send application/json', 'P2M_ERR_VALIDATION', 'body'), internal: false };
  }
  // Other client errors fastify detects itself (bad URL encoding, bad content-length, …).
  if (typeof fe.code === 'string' && fe.code.startsWith('FST_') && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, body: body(fe.message ?? 'bad request', 'P2M_ERR_VALIDATION'), internal: false };
  }
  return INTERNAL;
}

/** Installs the error and not-found handlers on the root instance (they apply to every route). */
export function installErrorHandlers(app: FastifyInstance, log: Logger, bodyLimit: number): void {
  app.setErrorHandler((err, req, reply) => {
    const mapped = mapError(err, bodyLimit);
    if (mapped.internal) log.error({ method: req.method, url: redactUrl(req.url), err }, 'request failed');
    return reply.code(mapped.status).type('application/json; charset=utf-8').send(mapped.body);
  });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? req.url;
    return reply.code(404).send(body(`no route ${req.method} ${path}`, 'P2M_ERR_NOT_FOUND'));
  });
}

/** fastify's `frameworkErrors` option: errors raised before routing (bad URL encoding), same mapper. */
export function frameworkErrorHandler(bodyLimit: number): (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => void {
  return (err, req, reply) => {
    const mapped = mapError(err, bodyLimit);
    // Hooks do not run before routing: the headers are set here.
    applyResponseHeaders(reply, req.url);
    void reply.code(mapped.status).send(mapped.body);
  };
}
