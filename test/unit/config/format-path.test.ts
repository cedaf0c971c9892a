// Issue paths name keys so that they cannot be misread: an empty key, or one with spaces or dots,
// is quoted (found by test/unit/fuzz/config.test.ts: a key " " was reported as path " ").
import { describe, expect, it } from 'vitest';
import { formatPath } from '../../../src/config/issues.js';
import { loadYaml } from './helpers.js';

describe('formatPath', () => {
  it.each([
    [[], '(top level)'],
    [['mqtt', 'url'], 'mqtt.url'],
    [['devices', 0, 'poll_interval_s'], 'devices[0].poll_interval_s'],
    [['web', 'auth-x'], 'web.auth-x'],
    [[''], '""'],
    [[' '], '" "'],
    [['mqtt', ''], 'mqtt.""'],
    [['mqtt', 'a.b'], 'mqtt."a.b"'],
    [['devices', 0, 'x y'], 'devices[0]."x y"'],
  ] as const)('%j → %s', (path, text) => {
    expect(formatPath(path as unknown as Array<string | number>)).toBe(text);
  });

  it('an empty or blank key in the file is named visibly, not as "(top level)"', () => {
    const r = loadYaml('"": 1\nmqtt:\n  " ": 2\n');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.path).sort()).toEqual(['""', 'mqtt." "']);
  });
});
