import { describe, expect, it } from 'vitest';
import { P2mError } from '../../../src/core/errors.js';
import { mapError } from '../../../src/http/errors.js';

const fastifyError = (code: string, statusCode: number, message = 'x') => Object.assign(new Error(message), { code, statusCode });
const validation = (context: string, instancePath: string, keyword: string, message: string) =>
  Object.assign(new Error('v'), { code: 'FST_ERR_VALIDATION', statusCode: 400, validationContext: context, validation: [{ keyword, instancePath, schemaPath: '#', message, params: {} }] });

describe('mapError', () => {
  it('keeps the catalogue code, http status and field of a P2mError', () => {
    expect(mapError(new P2mError('P2M_ERR_READ_ONLY', 'switch "a" is defined in the config file'), 1024)).toEqual({
      status: 409, body: { error: 'switch "a" is defined in the config file', code: 'P2M_ERR_READ_ONLY' }, internal: false,
    });
    expect(mapError(new P2mError('P2M_ERR_CONFLICT', 'duplicate name', 'name'), 1024).body).toEqual({ error: 'name: duplicate name', code: 'P2M_ERR_CONFLICT', field: 'name' });
    // A message that already names the field is not prefixed twice.
    expect(mapError(new P2mError('P2M_ERR_UNKNOWN_DEVICE', 'device_id: unknown device "x"', 'device_id'), 1024).body.error).toBe('device_id: unknown device "x"');
  });

  it('names the first invalid field of a validation error, as a dotted path', () => {
    expect(mapError(validation('body', '/outlets/0/name', 'too_big', 'Too big'), 1024)).toEqual({
      status: 400, body: { error: 'outlets.0.name: Too big', code: 'P2M_ERR_VALIDATION', field: 'outlets.0.name' }, internal: false,
    });
    expect(mapError(validation('body', '/name', 'invalid_type', 'Invalid input: expected string, received undefined'), 1024).body.error).toBe('name: is required');
    expect(mapError(validation('querystring', '/hours', 'invalid_type', 'Invalid input: expected number, received NaN'), 1024).body.error).toBe('hours: is not a number');
    expect(mapError(validation('querystring', '', 'invalid_type', 'Invalid input'), 1024).body.field).toBe('query');
    expect(mapError(validation('body', '/a~1b', 'custom', 'bad'), 1024).body.field).toBe('a/b');
  });

  it('names the body for malformed, oversized and non-JSON bodies', () => {
    expect(mapError(fastifyError('FST_ERR_CTP_INVALID_JSON_BODY', 400), 1024)).toMatchObject({ status: 400, body: { field: 'body', error: 'body: is not valid JSON' } });
    expect(mapError(fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413), 1024)).toMatchObject({ status: 413, body: { field: 'body', error: 'body: is larger than 1024 bytes' } });
    expect(mapError(fastifyError('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415), 1024)).toMatchObject({ status: 415, body: { field: 'body' } });
  });

  it('hides everything else behind a bare 500 marked internal', () => {
    for (const err of [new TypeError('x is undefined'), 'a string', null, fastifyError('FST_ERR_SOMETHING', 500)]) {
      expect(mapError(err, 1024)).toEqual({ status: 500, body: { error: 'internal error' }, internal: true });
    }
  });
});
