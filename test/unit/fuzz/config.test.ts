// Fuzzing of the config loader (issue 10 "Bad input"): arbitrary YAML text, arbitrary trees and
// mutations of config.example.yaml (plus a device and a switch) through a real file and env
// overrides. loadConfig must never throw, and every rejection names a field and says what is wrong.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import YAML from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, type LoadResult } from '../../../src/config/load.js';
import { FUZZ_TIMEOUT_MS, fuzzParams, looksLikeCrash, nastyJson, nastyScalar } from './runs.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'p2m-fuzz-config-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type Tree = Record<string, unknown>;

/** config.example.yaml with one real device and one switch target, so their fields get mutated too. */
function baseTree(): Tree {
  const example = YAML.parse(fs.readFileSync(new URL('../../../config.example.yaml', import.meta.url), 'utf8')) as Tree;
  example.devices = [
    { id: 'rack-a', host: '192.0.2.10', kind: 'cyberpower', community: 'r3ad', write_community: 'wr1te', poll_interval_s: 1 },
    { id: 'plug-1', host: '192.0.2.20', kind: 'shelly' },
  ];
  (example.switches as Tree).targets = [{ name: 'sw1', url: 'http://192.0.2.30/' }];
  return example;
}
const BASE = baseTree();

/** Every path to a leaf (or an empty list/map) of the tree. */
function leafPaths(v: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  if (Array.isArray(v)) return v.length === 0 ? [at] : v.flatMap((x, i) => leafPaths(x, [...at, i]));
  if (typeof v === 'object' && v !== null) {
    const keys = Object.keys(v);
    return keys.length === 0 ? [at] : keys.flatMap((k) => leafPaths((v as Tree)[k], [...at, k]));
  }
  return [at];
}
const LEAVES = leafPaths(BASE).filter((p) => p.length > 0);

function setAt(tree: unknown, p: Array<string | number>, value: unknown, remove: boolean): void {
  let cur = tree as Record<string | number, unknown>;
  for (const seg of p.slice(0, -1)) cur = cur[seg] as Record<string | number, unknown>;
  const last = p[p.length - 1]!;
  if (remove) delete cur[last];
  else cur[last] = value;
}

let n = 0;
function load(text: string, env: Record<string, string> = {}): LoadResult {
  const file = path.join(dir, `c${n++ % 8}.yaml`);
  fs.writeFileSync(file, text);
  return loadConfig({ cwd: dir, configPath: file, env });
}

/** The invariant: a valid config, or issues that each name a field and say what is wrong. */
function expectClear(r: LoadResult): void {
  if (r.ok) return;
  expect(r.issues.length).toBeGreaterThan(0);
  for (const issue of r.issues) {
    expect(typeof issue.path).toBe('string');
    expect(issue.path.trim()).not.toBe('');
    expect(typeof issue.message).toBe('string');
    expect(issue.message.trim()).not.toBe('');
    expect(looksLikeCrash(issue.message), issue.message).toBe(false);
  }
}

const mutation = fc.record({
  leaf: fc.nat({ max: LEAVES.length - 1 }),
  value: fc.oneof(nastyScalar, nastyJson),
  remove: fc.boolean(),
});

/** YAML-ish text: fragments of the example file and YAML syntax shuffled together. */
const yamlish = fc.array(
  fc.oneof(
    fc.constantFrom('mqtt:', '  url: ', 'devices:', '  - id: x', '    host: ', '\t', '  ', '- ', ': ', '{', '}', '[', ']', '&a', '*a', '<<: *a', '!!binary', '!!int', '"', "'", '#', '---', '...', '|', '>', '?', '%YAML 1.2', '\n'),
    fc.string({ maxLength: 10 }),
  ),
  { maxLength: 30 },
).map((parts) => parts.join(''));

describe('config fuzzing: loadConfig never throws and names the field of every issue', () => {
  it('arbitrary text as the config file', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 400 }), yamlish), (text) => expectClear(load(text))), fuzzParams());
  }, FUZZ_TIMEOUT_MS);

  it('arbitrary trees serialised as YAML', () => {
    fc.assert(fc.property(nastyJson, (tree) => expectClear(load(YAML.stringify(tree)))), fuzzParams());
  }, FUZZ_TIMEOUT_MS);

  it('mutations of config.example.yaml (values replaced or removed)', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (muts) => {
        const tree = structuredClone(BASE);
        for (const m of muts) {
          try {
            setAt(tree, LEAVES[m.leaf]!, m.value, m.remove);
          } catch {
            // an earlier mutation replaced the parent by a scalar: skip this one
          }
        }
        expectClear(load(YAML.stringify(tree)));
      }),
      fuzzParams(),
    );
  }, FUZZ_TIMEOUT_MS);

  it('env overrides of example keys with arbitrary strings', () => {
    const envKey = fc.nat({ max: LEAVES.length - 1 }).map((i) => `POWER2MQTT_${LEAVES[i]!.map((s) => String(s).toUpperCase()).join('__')}`);
    const noise = fc.string({ maxLength: 12 }).map((s) => `POWER2MQTT_${s.toUpperCase()}`);
    fc.assert(
      fc.property(fc.dictionary(fc.oneof(envKey, noise), fc.oneof(fc.string({ maxLength: 30 }), nastyScalar.map(String)), { maxKeys: 4 }), (env) => {
        expectClear(load(YAML.stringify(BASE), env));
      }),
      fuzzParams(),
    );
  }, FUZZ_TIMEOUT_MS);

  it('the unmutated base tree is a valid config (the mutations start from a good file)', () => {
    const r = load(YAML.stringify(BASE));
    expect(r.ok ? [] : r.issues).toEqual([]);
  });
});
