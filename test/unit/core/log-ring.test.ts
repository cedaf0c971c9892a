// The in-memory log behind GET /api/system/logs (SPEC §19): newest first, bounded, filtered, redacted.
import { describe, expect, it } from 'vitest';
import { createLogger, LogRing } from '../../../src/core/logger.js';

function logged(capacity: number, level: 'debug' | 'info' = 'debug') {
  const ring = new LogRing(capacity);
  const out: string[] = [];
  const logger = createLogger(level, { write: (s: string) => void out.push(s) }, ring);
  return { ring, out, logger };
}

describe('LogRing', () => {
  it('keeps the last `capacity` lines, newest first, and still writes every line to the main stream', () => {
    const { ring, out, logger } = logged(3);
    for (let i = 1; i <= 5; i++) logger.info({ i }, `line ${i}`);
    expect(out).toHaveLength(5);
    expect(ring.query({ level: 'trace', search: '', limit: 10 }).map((e) => e.msg)).toEqual(['line 5', 'line 4', 'line 3']);
  });

  it('filters by lowest level, by text (case-insensitive) and limits', () => {
    const { ring, logger } = logged(100);
    logger.debug('polling detail');
    logger.info({ device_id: 'rack-a' }, 'pdu polling');
    logger.warn({ device_id: 'rack-b' }, 'pdu slow');
    logger.error('MQTT disconnected');
    expect(ring.query({ level: 'warn', search: '', limit: 10 }).map((e) => [e.level, e.msg])).toEqual([
      ['error', 'MQTT disconnected'],
      ['warn', 'pdu slow'],
    ]);
    expect(ring.query({ level: 'debug', search: 'RACK-', limit: 10 }).map((e) => e.device_id)).toEqual(['rack-b', 'rack-a']);
    expect(ring.query({ level: 'trace', search: '', limit: 2 })).toHaveLength(2);
    const entry = ring.query({ level: 'trace', search: 'mqtt', limit: 1 })[0];
    expect(entry).toMatchObject({ level: 'error', msg: 'MQTT disconnected', app: 'power2mqtt' });
    expect(typeof entry?.ts).toBe('string');
  });

  it('holds what the logger level lets through, and follows a level change of the root (PUT /api/config log.level)', () => {
    const { ring, logger } = logged(10, 'info');
    const child = logger.child({ module: 'pdu' });
    child.debug('hidden');
    logger.level = 'debug';
    child.debug('shown');
    expect(ring.query({ level: 'trace', search: '', limit: 10 }).map((e) => e.msg)).toEqual(['shown']);
  });

  it('keeps secrets redacted as on stdout', () => {
    const { ring, logger } = logged(10);
    logger.info({ password: 'hunter2', device: { community: 'private' } }, 'login');
    const text = JSON.stringify(ring.query({ level: 'trace', search: '', limit: 10 }));
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('private');
    expect(text).toContain('***');
  });

  it('capacity 0 keeps nothing (log.buffer: 0)', () => {
    const { ring, logger, out } = logged(0);
    logger.info('x');
    expect(out).toHaveLength(1);
    expect(ring.query({ level: 'trace', search: '', limit: 10 })).toEqual([]);
  });
});
