// /api/rules (SPEC §14.2, §12) against the whole real app: the demo copies rules.json.example to
// a temp rules file (6 rules), the simulated PDU reports, and every change must reach the file.
// The tests run in order on one app: create → update → toggle → delete → reload.
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { api, rulesOnDisk, waitForActiveRules } from './rules-api.js';

const EXAMPLE = ['brownout-shed', 'shed-on-backup', 'night-lights', 'outage-shed', 'after-outage-reboot-modem', 'bank2-overload'];
const NEW_RULE = { name: 'api-shed', condition: 'voltage_below', input: 2, threshold: 100, outlet: '3-4', action: 'off', delay: 7 };

let t: TestApp;
beforeAll(async () => {
  // No watcher: the hand edits below must be picked up by POST /api/rules/reload, not by the file watcher.
  t = await startTestApp({ rules: { watch: false } });
  await waitForActiveRules(t, EXAMPLE.length);
}, 40_000);
afterAll(() => t?.stop());

describe('reading rules', () => {
  it('lists the example rules with their state, filtered by device_id', async () => {
    const all = await api(t, 'GET', '/api/rules');
    expect(all.status).toBe(200);
    expect(all.body.map((r: { name: string }) => r.name)).toEqual(EXAMPLE);
    for (const r of all.body) {
      expect(r.state).toMatchObject({ device_id: 'demo-pdu', triggered: false, last_error: null, inactive: null });
      expect(['idle', 'pending', 'fired', 'restoring']).toContain(r.state.phase);
      for (const k of ['condition_since', 'fired_at', 'last_execution']) if (r.state[k] !== null) expect(typeof r.state[k]).toBe('number');
    }
    expect((await api(t, 'GET', '/api/rules?device_id=demo-pdu')).body).toHaveLength(EXAMPLE.length);
    expect(await api(t, 'GET', '/api/rules?device_id=other-pdu')).toEqual({ status: 200, body: [] });
  });

  it('gets one rule with every default filled in, 404 naming the rule otherwise', async () => {
    const r = await api(t, 'GET', '/api/rules/brownout-shed');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      name: 'brownout-shed', device: null, condition: 'voltage_below', input: 1, threshold: 108, outlet: '6-10', action: 'off', restore: true,
      delay: 10, restore_delay: 0, cooldown_s: 0, stagger_s: 0, notify: null, days_of_week: null, schedule_type: 'continuous', enabled: true,
      state: { device_id: 'demo-pdu', execution_count: 0 },
    });
    const missing = await api(t, 'GET', '/api/rules/no-such-rule');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 'P2M_ERR_NOT_FOUND', field: 'name' });
    expect(missing.body.error).toContain('no-such-rule');
  });
});

describe('changing rules', () => {
  it('creates a rule (201), written to the file; a duplicate name is 409', async () => {
    const r = await api(t, 'POST', '/api/rules', NEW_RULE);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ ...NEW_RULE, enabled: true, restore: true, state: { phase: 'idle', execution_count: 0 } });
    const file = rulesOnDisk(t);
    expect(file.map((x) => x.name)).toEqual([...EXAMPLE, 'api-shed']);
    expect(file.at(-1)).toMatchObject({ name: 'api-shed', threshold: 100, outlet: '3-4', delay: 7 });
    expect((await api(t, 'GET', '/api/rules/api-shed')).body.input).toBe(2);

    const dup = await api(t, 'POST', '/api/rules', { ...NEW_RULE, name: 'API-SHED' });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ code: 'P2M_ERR_CONFLICT', field: 'name' });
    expect(rulesOnDisk(t)).toHaveLength(EXAMPLE.length + 1);
  });

  it.each([
    ['an unknown condition', { condition: 'voltage_bellow' }, 'condition'],
    ['overlapping outlets', { outlet: '1-5,3' }, 'outlet'],
    ['a negative delay', { delay: -5 }, 'delay'],
    ['an unknown action', { action: 'explode' }, 'action'],
  ])('refuses %s with 400 naming the field, every issue in details', async (_what, change, field) => {
    const r = await api(t, 'POST', '/api/rules', { ...NEW_RULE, name: 'bad-rule', ...change });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 'P2M_ERR_VALIDATION', field });
    expect(r.body.error).toContain(field);
    expect(r.body.details[0]).toMatchObject({ rule: 'bad-rule', field, message: expect.any(String) });
    expect(rulesOnDisk(t).map((x) => x.name)).not.toContain('bad-rule');
  });

  it('reports every issue of a rule at once, and refuses a body that is no object', async () => {
    const r = await api(t, 'POST', '/api/rules', { name: 'worse', condition: 'voltage_below', threshold: 100, outlet: '1-5,3', action: 'off', delay: -1 });
    expect(r.status).toBe(400);
    expect(r.body.details.map((d: { field: string }) => d.field)).toEqual(expect.arrayContaining(['outlet', 'delay']));
    const list = await api(t, 'POST', '/api/rules', [NEW_RULE]);
    expect(list.status).toBe(400);
    expect(list.body.field).toBe('body');
  });

  it('updates a rule, keeping the name from the URL; 404 for an unknown one', async () => {
    const r = await api(t, 'PUT', '/api/rules/api-shed', { ...NEW_RULE, name: 'renamed', threshold: 95, outlet: [3], delay: 3 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ name: 'api-shed', threshold: 95, outlet: [3], delay: 3 });
    expect(rulesOnDisk(t).find((x) => x.name === 'api-shed')).toMatchObject({ threshold: 95, outlet: [3], delay: 3 });
    expect(rulesOnDisk(t).some((x) => x.name === 'renamed')).toBe(false);
    expect((await api(t, 'PUT', '/api/rules/nope', NEW_RULE)).status).toBe(404);
    const bad = await api(t, 'PUT', '/api/rules/api-shed', { ...NEW_RULE, stagger_s: 'slow' });
    expect(bad).toMatchObject({ status: 400, body: { field: 'stagger_s' } });
    expect(rulesOnDisk(t).find((x) => x.name === 'api-shed')).toMatchObject({ threshold: 95 });
  });

  it('toggles a rule: no body flips, {enabled} sets; written to the file', async () => {
    expect(await api(t, 'PUT', '/api/rules/api-shed/toggle')).toEqual({ status: 200, body: { name: 'api-shed', enabled: false } });
    expect(rulesOnDisk(t).find((x) => x.name === 'api-shed')?.enabled).toBe(false);
    expect((await api(t, 'GET', '/api/rules/api-shed')).body.enabled).toBe(false);
    expect((await api(t, 'PUT', '/api/rules/api-shed/toggle', {})).body).toEqual({ name: 'api-shed', enabled: true });
    expect((await api(t, 'PUT', '/api/rules/api-shed/toggle', { enabled: true })).body).toEqual({ name: 'api-shed', enabled: true });
    expect((await api(t, 'PUT', '/api/rules/api-shed/toggle', { enabled: false })).body).toEqual({ name: 'api-shed', enabled: false });
    expect(rulesOnDisk(t).find((x) => x.name === 'api-shed')?.enabled).toBe(false);
    expect(await api(t, 'PUT', '/api/rules/api-shed/toggle', { enabled: 'yes' })).toMatchObject({ status: 400, body: { field: 'enabled' } });
    expect((await api(t, 'PUT', '/api/rules/nope/toggle')).status).toBe(404);
  });

  it('deletes a rule → {deleted}, gone from the file; then 404', async () => {
    expect(await api(t, 'DELETE', '/api/rules/api-shed')).toEqual({ status: 200, body: { deleted: 'api-shed' } });
    expect(rulesOnDisk(t).map((x) => x.name)).toEqual(EXAMPLE);
    expect((await api(t, 'GET', '/api/rules/api-shed')).status).toBe(404);
    expect((await api(t, 'DELETE', '/api/rules/api-shed')).status).toBe(404);
  });
});

describe('dry runs (send nothing)', () => {
  const unsaved = { condition: 'voltage_below', input: 0, outlet: '1', action: 'off' };

  it('evaluates an unsaved rule against the live input voltage', async () => {
    const yes = await api(t, 'POST', '/api/rules/dry-run', { ...unsaved, threshold: 300 });
    expect(yes.status).toBe(200);
    expect(yes.body).toMatchObject({ would_fire: true, phase: 'idle' });
    expect(yes.body.reasons.join(' ')).toMatch(/input voltage [\d.]+ V < 300 V/);
    const no = await api(t, 'POST', '/api/rules/dry-run', { ...unsaved, name: 'probe', threshold: 10 });
    expect(no.body).toMatchObject({ would_fire: false, phase: 'idle' });
    expect(no.body.reasons.join(' ')).toMatch(/input voltage [\d.]+ V ≥ 10 V/);
    // Nothing was switched and the rule was not saved.
    expect(t.app.simulator?.outletState(1)).toBe('on');
    expect(rulesOnDisk(t).map((x) => x.name)).toEqual(EXAMPLE);
    const bad = await api(t, 'POST', '/api/rules/dry-run', { ...unsaved, threshold: 300, outlet: '1-5,3' });
    expect(bad).toMatchObject({ status: 400, body: { field: 'outlet', details: [expect.objectContaining({ field: 'outlet' })] } });
  });

  it('evaluates a saved rule by name; 404 for an unknown name', async () => {
    const r = await api(t, 'POST', '/api/rules/brownout-shed/dry-run');
    expect(r.status).toBe(200);
    // Source A of the demo is ~120 V, above the rule's 108 V.
    expect(r.body).toMatchObject({ would_fire: false, phase: 'idle' });
    expect(r.body.reasons.join(' ')).toMatch(/source A voltage [\d.]+ V ≥ 108 V/);
    expect((await api(t, 'POST', '/api/rules/nope/dry-run')).status).toBe(404);
  });
});

describe('reload', () => {
  const HAND = [
    { name: 'hand-one', condition: 'outage_active', outlet: 4, action: 'off' },
    { name: 'hand-two', condition: 'redundancy_lost', outlet: '9-10', action: 'off' },
  ];

  it('reloads a file edited by hand → {rules: n}', async () => {
    writeFileSync(t.config.rules.path, JSON.stringify(HAND));
    expect(await api(t, 'POST', '/api/rules/reload')).toEqual({ status: 200, body: { rules: 2 } });
    expect((await api(t, 'GET', '/api/rules')).body.map((r: { name: string }) => r.name)).toEqual(['hand-one', 'hand-two']);
  });

  it('keeps the previous rules when the file is invalid JSON or has an invalid rule (400 with the issues)', async () => {
    writeFileSync(t.config.rules.path, '[{"name": "broken",');
    const json = await api(t, 'POST', '/api/rules/reload');
    expect(json.status).toBe(400);
    expect(json.body).toMatchObject({ code: 'P2M_ERR_VALIDATION', field: '(file)', details: [expect.objectContaining({ rule: null })] });
    expect(json.body.error).toContain('is not valid JSON');
    expect((await api(t, 'GET', '/api/rules')).body.map((r: { name: string }) => r.name)).toEqual(['hand-one', 'hand-two']);

    writeFileSync(t.config.rules.path, JSON.stringify([...HAND, { name: 'hand-three', condition: 'outage_active', outlet: 1, action: 'explode' }]));
    const rule = await api(t, 'POST', '/api/rules/reload');
    expect(rule.status).toBe(400);
    expect(rule.body).toMatchObject({ field: 'action', details: [expect.objectContaining({ rule: 'hand-three', field: 'action' })] });
    expect(rule.body.error).toMatch(/^action \(rule "hand-three"\): .*the previous rules stay active$/);
    expect((await api(t, 'GET', '/api/rules')).body).toHaveLength(2);
  });
});

describe('/api/openapi.json', () => {
  it('lists every rules and events route', async () => {
    const doc = await api(t, 'GET', '/api/openapi.json');
    const paths = doc.body.paths as Record<string, Record<string, unknown>>;
    const listed = Object.entries(paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`));
    expect(listed).toEqual(
      expect.arrayContaining([
        'get /api/rules', 'post /api/rules', 'get /api/rules/{name}', 'put /api/rules/{name}', 'delete /api/rules/{name}',
        'put /api/rules/{name}/toggle', 'post /api/rules/reload', 'post /api/rules/{name}/dry-run', 'post /api/rules/dry-run', 'get /api/events',
      ]),
    );
    const limit = (paths['/api/events']!.get as { parameters: Array<{ name: string; schema: Record<string, unknown> }> }).parameters.find((p) => p.name === 'limit');
    expect(limit?.schema).toMatchObject({ minimum: 1, maximum: 1000, default: 100 });
  });
});
