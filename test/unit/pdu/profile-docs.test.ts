// docs/PROFILES.md is generated from the profile tables; `npm run gen:docs` rewrites it.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderProfilesMarkdown } from '../../../src/devices/pdu/profile-docs.js';
import { PROFILES } from '../../../src/devices/pdu/profiles/index.js';

const FILE = path.resolve(import.meta.dirname, '../../../docs/PROFILES.md');

describe('docs/PROFILES.md', () => {
  it('matches the profile tables', () => {
    const generated = renderProfilesMarkdown();
    if (process.env.UPDATE_DOCS === '1') fs.writeFileSync(FILE, generated);
    const committed = fs.existsSync(FILE) ? fs.readFileSync(FILE, 'utf8') : '';
    expect(committed, 'docs/PROFILES.md is stale: run npm run gen:docs').toBe(generated);
  });

  it('lists every row of every profile with its OID', () => {
    const md = renderProfilesMarkdown();
    for (const p of Object.values(PROFILES)) for (const r of p.rows) expect(md, `${p.name} ${r.field}`).toContain(r.oid);
  });
});
