// DiscoveryPublisher with its records (SPEC §10.4): what an earlier run published is the previous
// entity set of a device the first time it is seen, is cleared when its device is gone or removed,
// and a failing store is logged once while discovery goes on. Ports are in-memory; the clock is fake.
import { describe, expect, it } from 'vitest';
import { configSchema, resolveConfig } from '../../../src/config/index.js';
import { FakeClock } from '../../../src/core/clock.js';
import type { DiscoveryRecord, DiscoveryRecordStore } from '../../../src/core/ports.js';
import { DiscoveryPublisher } from '../../../src/mqtt/discovery-publisher.js';
import { capturedLogger } from '../../support/auth.js';
import { deviceInfo, FakeRegistry } from '../../support/http-ports.js';
import { pduSnapshot } from '../../support/pdu-snapshot.js';

class MemoryRecords implements DiscoveryRecordStore {
  readonly rows = new Map<string, string | null>();
  writes = 0;
  failing = false;
  discoveryTopics(): DiscoveryRecord[] {
    return [...this.rows].map(([topic, device_id]) => ({ topic, device_id }));
  }
  recordDiscoveryTopics(records: DiscoveryRecord[]): void {
    if (this.failing) throw new Error('database is locked');
    this.writes++;
    for (const r of records) this.rows.set(r.topic, r.device_id);
  }
  forgetDiscoveryTopics(topics: string[]): void {
    if (this.failing) throw new Error('database is locked');
    this.writes++;
    for (const t of topics) this.rows.delete(t);
  }
}

function setup(records: MemoryRecords, devices: Array<{ id: string; serial: string; outlets: number }>) {
  const config = resolveConfig(configSchema.parse({ demo: { enabled: false } }), { fileLoaded: false });
  const registry = new FakeRegistry();
  for (const d of devices) registry.put(deviceInfo(d.id, { serial: d.serial }), pduSnapshot({ deviceId: d.id, serial: d.serial, outlets: d.outlets }));
  const sent = new Map<string, string>();
  const clock = new FakeClock(0);
  const { logger, lines } = capturedLogger();
  const publisher = new DiscoveryPublisher({
    config, registry, clock, logger, version: 'test', records,
    publish: (topic, payload) => void sent.set(topic, String(payload)),
  });
  const see = (id: string): boolean => publisher.deviceSeen(registry.snapshot(id)!, registry.info(id)!);
  return { publisher, registry, sent, clock, lines, see };
}

const of = (m: Map<string, string>, what: 'set' | 'cleared'): string[] => [...m].filter(([, p]) => (what === 'cleared') === (p === '')).map(([t]) => t).sort();

describe('DiscoveryPublisher records', () => {
  it('records what it publishes, once, and forgets what it clears', () => {
    const rec = new MemoryRecords();
    const { publisher, registry, sent, see } = setup(rec, [{ id: 'rack', serial: 'SER1', outlets: 10 }]);
    expect(see('rack')).toBe(true);
    const topics = of(sent, 'set');
    expect(topics.length).toBeGreaterThan(20);
    expect([...rec.rows.keys()].sort()).toEqual(topics);
    expect(new Set(rec.rows.values())).toEqual(new Set(['rack']));
    const writes = rec.writes;
    publisher.publishAll(); // the bridge device's topics are new; the PDU's are already recorded
    expect(rec.writes).toBe(writes + 1);
    expect([...rec.rows.values()].filter((d) => d === null).length).toBeGreaterThan(0);
    publisher.publishAll(); // a reconnect re-publishes everything and writes nothing
    expect(rec.writes).toBe(writes + 1);
    expect([...rec.rows].filter(([, d]) => d === 'rack').length).toBe(topics.length);
    // Fewer outlets: the lost outlets' entities are cleared and their records go.
    registry.put(deviceInfo('rack', { serial: 'SER1' }), pduSnapshot({ deviceId: 'rack', serial: 'SER1', outlets: 8 }));
    sent.clear();
    see('rack');
    const gone = of(sent, 'cleared');
    expect(gone.length).toBeGreaterThan(0);
    expect(gone.filter((t) => !/_outlet_(9|10)(_|\/config)/.test(t))).toEqual([]);
    for (const t of gone) expect(rec.rows.has(t)).toBe(false);
  });

  it('the first sample of a run clears what an earlier run published for the device and no longer applies (PDU replaced)', () => {
    const rec = new MemoryRecords();
    const first = setup(rec, [{ id: 'rack', serial: 'OLD1', outlets: 10 }]);
    first.see('rack');
    const old = of(first.sent, 'set');
    // Next run: same device id, another PDU (new serial, so new unique_ids).
    const next = setup(rec, [{ id: 'rack', serial: 'NEW2', outlets: 10 }]);
    next.see('rack');
    expect(of(next.sent, 'cleared')).toEqual(old);
    expect([...rec.rows.keys()].some((t) => t.includes('OLD1'))).toBe(false);
    expect([...rec.rows.keys()].filter((t) => t.includes('NEW2')).length).toBe(old.length);
  });

  it('removeDevice clears the recorded entities of a device that has not answered in this run', () => {
    const rec = new MemoryRecords();
    setup(rec, [{ id: 'rack', serial: 'SER1', outlets: 4 }]).see('rack');
    const old = [...rec.rows.keys()].sort();
    const next = setup(rec, [{ id: 'rack', serial: 'SER1', outlets: 4 }]);
    next.publisher.removeDevice('rack');
    expect(of(next.sent, 'cleared')).toEqual(old);
    expect(rec.rows.size).toBe(0);
  });

  it('a failing store is logged once per failure streak; discovery is published all the same', () => {
    const rec = new MemoryRecords();
    rec.failing = true;
    const { sent, lines, see, registry } = setup(rec, [{ id: 'a', serial: 'S1', outlets: 2 }, { id: 'b', serial: 'S2', outlets: 2 }]);
    see('a');
    see('b');
    expect(of(sent, 'set').length).toBeGreaterThan(10);
    const warned = () => lines.filter((l) => String(l.msg).startsWith('home assistant discovery records not saved'));
    expect(warned()).toHaveLength(1);
    rec.failing = false;
    registry.put(deviceInfo('a', { serial: 'S1', label: 'renamed' }), pduSnapshot({ deviceId: 'a', serial: 'S1', outlets: 2 }));
    see('a');
    expect([...rec.rows.values()]).toContain('a');
    rec.failing = true;
    registry.put(deviceInfo('b', { serial: 'S2', label: 'renamed' }), pduSnapshot({ deviceId: 'b', serial: 'S2', outlets: 3 }));
    see('b');
    expect(warned()).toHaveLength(2); // a new streak after a success
  });
});
