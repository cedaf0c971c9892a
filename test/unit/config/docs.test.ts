// config.example.yaml and docs/CONFIG.md are generated from the schema. This test fails when the
// committed files are stale; `UPDATE_CONFIG_DOCS=1 npx vitest run test/unit/config/docs.test.ts`
// rewrites them instead.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { renderConfigMarkdown, renderExampleYaml } from '../../../src/config/docs.js';
import { loadConfig } from '../../../src/config/load.js';
import { configSchema } from '../../../src/config/schema.js';
import { leaves } from '../../../src/config/tree.js';
import { expectOk } from './helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const EXAMPLE = path.join(ROOT, 'config.example.yaml');
const MARKDOWN = path.join(ROOT, 'docs/CONFIG.md');
const update = process.env.UPDATE_CONFIG_DOCS === '1';

describe('generated config docs', () => {
  it.each([
    [EXAMPLE, renderExampleYaml],
    [MARKDOWN, renderConfigMarkdown],
  ])('%s matches the schema', (file, render) => {
    const generated = render();
    if (update) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, generated);
    }
    const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    expect(committed, `${path.relative(ROOT, file)} is stale: run npm run gen:docs`).toBe(generated);
  });

  it('config.example.yaml loads, validates and equals the defaults', () => {
    const result = expectOk(loadConfig({ cwd: ROOT, configPath: EXAMPLE, env: {} }));
    expect(result.warnings).toEqual([]);
    expect(configSchema.parse(YAML.parse(fs.readFileSync(EXAMPLE, 'utf8')))).toEqual(configSchema.parse({}));
    // Every key is written out, so every leaf is attributed to the file (lists stay empty).
    expect([...result.origins.values()].every((o) => o === 'file')).toBe(true);
  });

  it('the example names every key of the schema, list items included', () => {
    const text = renderExampleYaml();
    const keys = new Set(leaves(configSchema.parse({})).flatMap((l) => l.path.filter((s): s is string => typeof s === 'string')));
    for (const item of ['community', 'auth_key', 'quiet_hours', 'depends_on', 'password_hash', 'price_per_kwh', 'subnet_scan']) keys.add(item);
    for (const key of keys) expect(text, key).toMatch(new RegExp(`^[ #-]*${key}:`, 'm'));
  });

  it('the markdown documents every key with its default', () => {
    const md = renderConfigMarkdown();
    expect(md).toContain('| `devices[].poll_interval_s` | a whole number between 1 and 300 seconds or null | `null` |');
    expect(md).toContain('| `outage.threshold` | a number greater than 0 and at most 1 | `0.5` |');
    expect(md).toContain('| `notify.webhooks[].name` | a string | **required** |');
    expect(md).toMatch(/\| `web\.auth\.password_hash` .*secret/);
  });
});
