import { afterEach, describe, expect, it } from 'vitest';
import type { OutageRecord } from '../../../src/core/power.js';
import { FIRST_POLL_WAIT_MS } from '../../../src/outage/boot-watch.js';
import { T0, closeAll, outageHarness, type OutageHarness } from './service-harness.js';

// SPEC §11.3-§11.6 through the outage service, driven by PDU evidence: a lost utility source opens
// an outage on the first poll, a PDU reboot is recorded after the fact (and joins the outage that
// just closed), and the bridge's own downtime (restart gap) is examined at start. Real SQLite
// file, FakeClock, real Scheduler and EventBus.

let hs: OutageHarness[] = [];
afterEach(async () => {
  await closeAll(hs);
  hs = [];
});
async function harness(...args: Parameters<typeof outageHarness>): Promise<OutageHarness> {
  const h = await outageHarness(...args);
  hs.push(h);
  return h;
}

const stored = (h: OutageHarness): OutageRecord[] => h.store.listOutages({ since: 0, limit: 1000 });
const types = (h: OutageHarness, from = 0): string[] => h.events.slice(from).map((e) => `${e.type}:${e.state}`);

describe('outage service: PDU evidence', () => {
  it('opens a power outage on the first poll that sees the utility source (A) lost, scoped to it, and closes it after it is back', async () => {
    const h = await harness({ pdus: [{ id: 'pdu-01', utility: 'A' }] });
    await h.sample(0, 'pdu-01');
    await h.sample(1, 'pdu-01', (s) => {
      s.sources!.a = { voltage: 0, frequency: 0, status: 'normal' };
      s.ats = { ...s.ats!, current_source: 'B', redundancy: 'lost' };
    });
    const [open] = stored(h);
    expect(stored(h)).toHaveLength(1);
    expect(open).toMatchObject({ kind: 'power', started_at: T0 + 1, is_ongoing: true, cause: 'utility_source_lost', scope: 'source_a', confidence: 'medium', switches_affected: [] });
    expect(open?.evidence).toMatchObject({ pdu: { 'pdu-01': { source_a: { voltage: 0 }, current_source: 'B', redundancy: 'lost' } } });
    expect((open?.evidence.signals as Array<{ type: string }>).map((x) => x.type)).toEqual(['ats_transfer', 'redundancy_lost']);
    expect(types(h)).toEqual(['opened:outage', 'verdict:outage']);
    expect(h.svc.status()).toMatchObject({ state: 'outage', outage: open });
    // The signals are events of their own too.
    expect(h.storedEvents('ats_transfer')[0]).toMatchObject({ ts: T0 + 1, data: { device_id: 'pdu-01', from: 'A', to: 'B' } });
    expect(h.storedEvents('redundancy_lost')).toHaveLength(1);

    // Utility back at +5; two good probe cycles close the outage at the first good evaluation.
    await h.sample(5, 'pdu-01');
    await h.cycle(10, 'UUU');
    expect(stored(h)[0]?.is_ongoing).toBe(true);
    await h.cycle(20, 'UUU');
    const [rec] = stored(h);
    expect(rec).toMatchObject({ id: open?.id, is_ongoing: false, ended_at: T0 + 5, duration_seconds: 4, scope: 'source_a' });
    // The PDU's state during the loss is what the record keeps.
    expect(rec?.evidence).toMatchObject({ pdu: { 'pdu-01': { source_a: { voltage: 0 } } } });
    expect(types(h).slice(-2)).toEqual(['closed:normal', 'verdict:normal']);
    expect(h.svc.statistics(1)).toMatchObject({ total_outages: 1, total_outage_seconds: 4, ongoing_outage: null });
  });

  it('a source loss on a PDU without utility_source (registry) opens nothing', async () => {
    const h = await harness({ pdus: [{ id: 'pdu-01', utility: null }] });
    await h.sample(0, 'pdu-01');
    await h.sample(1, 'pdu-01', (s) => (s.sources!.a = { voltage: 0, frequency: 0, status: 'normal' }));
    expect(stored(h)).toEqual([]);
    expect(h.svc.status().state).toBe('normal');
  });

  it('a PDU reboot learnt just after an outage closed joins that closed record (update with closed: true)', async () => {
    const h = await harness({ pdus: [{ id: 'pdu-01', utility: 'A' }] });
    await h.cycle(0, 'UUU');
    await h.sample(5, 'pdu-01');
    await h.cycle(10, 'DDD');
    await h.cycle(20, 'DDD');
    await h.cycle(30, 'UUU');
    await h.cycle(40, 'UUU');
    const [closed] = stored(h);
    expect(closed).toMatchObject({ is_ongoing: false, started_at: T0 + 10, ended_at: T0 + 30, cause: 'switch_quorum', confidence: 'medium' });
    const before = h.events.length;

    // The PDU was silent meanwhile; its next poll shows it booted at +28 (the poller's event comes first).
    await h.at(45);
    h.reboot('pdu-01', 28);
    await h.sample(45, 'pdu-01', (s) => (s.identity.sys_uptime_cs = 17 * 100));
    const all = stored(h);
    expect(all).toHaveLength(1);
    const [rec] = all;
    expect(rec).toMatchObject({
      id: closed?.id, is_ongoing: false, started_at: T0 + 10, ended_at: T0 + 30, duration_seconds: 20, cause: 'pdu_reboot+switch_quorum', confidence: 'high',
    });
    expect(rec?.evidence).toMatchObject({ pdu: { 'pdu-01': { rebooted_at: T0 + 28 } } });
    expect(types(h, before)).toEqual(['updated:normal']);
    expect(h.events[before]?.outage).toEqual(rec);
    expect(h.svc.status()).toMatchObject({ state: 'normal', outage: null, last: rec });
  });

  it('a PDU reboot alone is recorded closed (low confidence); a second PDU rebooting with it joins that record', async () => {
    const h = await harness({ pdus: [{ id: 'pdu-01' }, { id: 'pdu-02' }] });
    await h.sample(1, 'pdu-01');
    await h.sample(2, 'pdu-02');
    await h.at(100);
    h.reboot('pdu-01', 60);
    await h.sample(100, 'pdu-01', (s) => (s.identity.sys_uptime_cs = 40 * 100));
    const [learnt] = stored(h);
    expect(stored(h)).toHaveLength(1);
    expect(learnt).toMatchObject({ kind: 'power', started_at: T0 + 1, ended_at: T0 + 60, is_ongoing: false, cause: 'pdu_reboot', scope: 'site', confidence: 'low' });
    expect(types(h)).toEqual(['opened:normal', 'closed:normal']);

    h.reboot('pdu-02', 61);
    await h.sample(101, 'pdu-02', (s) => (s.identity.sys_uptime_cs = 40 * 100));
    const all = stored(h);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ id: learnt?.id, ended_at: T0 + 60, cause: 'pdu_reboot', confidence: 'low' });
    expect(all[0]?.evidence).toMatchObject({ pdu: { 'pdu-01': { rebooted_at: T0 + 60 }, 'pdu-02': { rebooted_at: T0 + 61 } } });
    expect(types(h, 2)).toEqual(['updated:normal']);
  });
});

describe('outage service: bridge restart gap (SPEC §11.6)', () => {
  it('a PDU that booted inside the gap gives a closed outage from last seen to its boot, confidence high', async () => {
    const h = await harness({ pdus: [{ id: 'pdu-01' }], lastSeenAt: -1000 });
    expect(stored(h)).toEqual([]); // waits for the PDU's first poll
    await h.sample(1, 'pdu-01', (s) => (s.identity.sys_uptime_cs = 501 * 100)); // booted at T0-500
    const [rec] = stored(h);
    expect(stored(h)).toHaveLength(1);
    expect(rec).toMatchObject({
      kind: 'power', started_at: T0 - 1000, ended_at: T0 - 500, duration_seconds: 500, is_ongoing: false, cause: 'bridge_restart_gap', scope: 'site', confidence: 'high',
    });
    expect(rec?.evidence).toMatchObject({ gap_s: 1000, last_seen: T0 - 1000, pdu_boot_times: { 'pdu-01': T0 - 500 } });
    expect(types(h)).toEqual(['opened:normal', 'closed:normal']);
    expect(h.storedEvents('bridge_down')).toEqual([]);
    expect(h.svc.status()).toMatchObject({ state: 'normal', outage: null, last: rec });
    expect(h.svc.statistics(1)).toMatchObject({ total_outages: 1, total_outage_seconds: 500, longest_outage_seconds: 500 });
  });

  it.each([
    ['the PDU ran through the gap', 'answers' as const],
    ['the PDU stays silent for the first-poll wait', 'silent' as const],
    ['no PDU is configured', 'none' as const],
  ])('bridge_down event only when %s', async (_name, pdu) => {
    const h = await harness({ pdus: pdu === 'none' ? [] : [{ id: 'pdu-01' }], lastSeenAt: -1000 });
    if (pdu === 'answers') await h.sample(1, 'pdu-01');
    if (pdu === 'silent') {
      await h.at(FIRST_POLL_WAIT_MS / 1000 - 1);
      expect(h.storedEvents('bridge_down')).toEqual([]);
      await h.at(FIRST_POLL_WAIT_MS / 1000);
    }
    const rows = h.storedEvents('bridge_down');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ ts: T0, kind: 'outage', device_id: null, data: { gap_s: 1000, last_seen: T0 - 1000 } });
    expect(rows[0]?.details).toMatch(/down for 1000 s/);
    expect(stored(h)).toEqual([]);
    expect(h.events).toEqual([]);
  });

  it('no gap record when the bridge was down for at most restart_gap_s; the heartbeat keeps last seen current', async () => {
    const h = await harness({ pdus: [{ id: 'pdu-01' }], lastSeenAt: -300 });
    await h.sample(1, 'pdu-01', (s) => (s.identity.sys_uptime_cs = 100 * 100)); // booted inside the 300 s
    expect(stored(h)).toEqual([]);
    expect(h.storedEvents('bridge_down')).toEqual([]);
    expect(h.store.lastSeen()).toBe(T0); // saved at start
    await h.at(60);
    expect(h.store.lastSeen()).toBe(T0 + 60);
    await h.at(125);
    expect(h.store.lastSeen()).toBe(T0 + 120);
  });
});
