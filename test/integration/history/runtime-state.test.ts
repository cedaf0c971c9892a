import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../../support/app.js';

// Outlet-name overrides and devices added at runtime survive a restart (SQLite outlet_names and
// devices_runtime, SPEC §13.1); removing a runtime device forgets it.

const dir = mkdtempSync(join(tmpdir(), 'p2m-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runtime state in the history database', () => {
  it('keeps overrides and runtime devices across a restart', async () => {
    const history = { path: join(dir, 'state.db') };
    const first = await startTestApp({ history });
    const port = first.app.simulator!.port;
    for (let i = 0; i < 50 && !first.app.registry.snapshot('demo-pdu'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(first.app.registry.setOutletNameOverride('demo-pdu', 2, 'NAS').success).toBe(true);
    expect(first.app.registry.addDevice({ id: 'extra', host: '127.0.0.1', port, label: 'Extra' }).ok).toBe(true);
    expect(first.app.registry.addDevice({ id: 'gone', host: '127.0.0.1', port, label: 'Gone' }).ok).toBe(true);
    expect((await first.app.registry.removeDevice('gone')).ok).toBe(true);
    await first.app.stop();
    rmSync(first.dir, { recursive: true, force: true });

    const second = await startTestApp({ history });
    try {
      expect(second.app.registry.get('demo-pdu')!.nameOverrides.get(2)).toBe('NAS');
      expect(second.app.registry.info('extra')).toMatchObject({ id: 'extra', label: 'Extra', fromConfig: false });
      expect(second.app.registry.info('gone')).toBeNull();
      for (let i = 0; i < 50 && !second.app.registry.snapshot('demo-pdu'); i++) await new Promise((r) => setTimeout(r, 100));
      expect(second.app.registry.setOutletNameOverride('demo-pdu', 2, '').success).toBe(true);
    } finally {
      await second.app.stop();
      rmSync(second.dir, { recursive: true, force: true });
    }
    const third = await startTestApp({ history });
    try {
      expect(third.app.registry.get('demo-pdu')!.nameOverrides.has(2)).toBe(false);
    } finally {
      await third.stop();
    }
  }, 30_000);
});
