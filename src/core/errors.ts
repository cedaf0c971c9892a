// One catalogue of input-error codes, shared by REST, MQTT and the CLI (ARCHITECTURE.md "Errors").
// Device and network faults are states, not errors; programmer errors throw.

export const ERRORS = {
  P2M_ERR_UNKNOWN_DEVICE: { http: 404, message: 'unknown device' },
  P2M_ERR_UNKNOWN_OUTLET: { http: 404, message: 'unknown outlet' },
  P2M_ERR_BAD_COMMAND: { http: 400, message: 'unknown command' },
  P2M_ERR_PROTECTED_OUTLET: { http: 409, message: 'protected outlet' },
  P2M_ERR_READ_ONLY: { http: 409, message: 'read-only device' },
  P2M_ERR_DEVICE_UNAVAILABLE: { http: 503, message: 'device unavailable' },
  P2M_ERR_NOT_SUPPORTED: { http: 409, message: 'not supported by this device' },
  P2M_ERR_SNMP: { http: 502, message: 'snmp error' },
  P2M_ERR_VALIDATION: { http: 400, message: 'invalid input' },
  P2M_ERR_CONFIG: { http: 400, message: 'invalid configuration' },
  P2M_ERR_NOT_FOUND: { http: 404, message: 'not found' },
  P2M_ERR_CONFLICT: { http: 409, message: 'conflict' },
  // Web authentication and request checks (SPEC §14.1, §16).
  P2M_ERR_AUTH_REQUIRED: { http: 401, message: 'authentication required' },
  P2M_ERR_FORBIDDEN: { http: 403, message: 'forbidden' },
  P2M_ERR_UNKNOWN_HOST: { http: 421, message: 'unknown Host name' },
  P2M_ERR_RATE_LIMITED: { http: 429, message: 'too many attempts' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

/** An input error with a stable code and the offending field named. */
export class P2mError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly http: number;

  constructor(code: ErrorCode, message?: string, field?: string) {
    super(message ?? ERRORS[code].message);
    this.name = 'P2mError';
    this.code = code;
    this.field = field;
    this.http = ERRORS[code].http;
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
