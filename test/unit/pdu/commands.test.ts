import { describe, expect, it } from 'vitest';
import { checkCommand, SerialQueue } from '../../../src/devices/pdu/commands.js';
import { getBatched } from '../../../src/devices/pdu/get-batched.js';
import { MapTransport, intVb } from '../../support/map-transport.js';

const ctx = { available: true, outletCount: 10, readOnly: false, protectedOutlets: new Set([1, 2]) };

describe('outlet command validation (SPEC §9.2)', () => {
  it.each([
    [3, 'off', false, true, null],
    [3, ' ON ', false, true, null],
    [3, 'DelayOff', false, true, null],
    [3, 'explode', false, false, 'P2M_ERR_BAD_COMMAND'],
    [0, 'on', false, false, 'P2M_ERR_UNKNOWN_OUTLET'],
    [11, 'on', false, false, 'P2M_ERR_UNKNOWN_OUTLET'],
    [2.5, 'on', false, false, 'P2M_ERR_UNKNOWN_OUTLET'],
    [1, 'off', false, false, 'P2M_ERR_PROTECTED_OUTLET'],
    [1, 'reboot', false, false, 'P2M_ERR_PROTECTED_OUTLET'],
    [1, 'delayoff', false, false, 'P2M_ERR_PROTECTED_OUTLET'],
    [1, 'off', true, true, null],
    [1, 'on', false, true, null],
    [1, 'cancel', false, true, null],
  ] as const)('outlet %s %j force=%s → ok=%s %s', (outlet, action, force, ok, code) => {
    const r = checkCommand(ctx, outlet, action, force);
    expect(r.ok).toBe(ok);
    if (!r.ok) expect(r.code).toBe(code);
  });

  it('read-only and unavailable devices refuse every command', () => {
    expect(checkCommand({ ...ctx, readOnly: true }, 3, 'on', false)).toMatchObject({ ok: false, code: 'P2M_ERR_READ_ONLY' });
    expect(checkCommand({ ...ctx, available: false }, 3, 'on', false)).toMatchObject({ ok: false, code: 'P2M_ERR_DEVICE_UNAVAILABLE' });
  });

  it('the serial queue runs jobs one at a time, in order, even when one fails', async () => {
    const q = new SerialQueue();
    const log: string[] = [];
    let concurrent = 0;
    const job = (name: string, fail = false) => async () => {
      concurrent++;
      expect(concurrent).toBe(1);
      await new Promise((r) => setImmediate(r));
      log.push(name);
      concurrent--;
      if (fail) throw new Error(name);
      return name;
    };
    const results = await Promise.allSettled([q.run(job('a')), q.run(job('b', true)), q.run(job('c'))]);
    expect(log).toEqual(['a', 'b', 'c']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});

describe('batched GET (SPEC §7.6, §7.3)', () => {
  const oids = Array.from({ length: 40 }, (_, i) => `1.3.${i + 1}`);
  const values = () => new Map(oids.map((o, i) => [o, intVb(o, i)]));

  it('one GET for all OIDs by default', async () => {
    const t = new MapTransport(values());
    const vbs = await getBatched(t, oids, { maxOids: 0 });
    expect(t.requests).toHaveLength(1);
    expect(vbs.map((v) => v.value)).toEqual(oids.map((_, i) => i));
  });

  it('halves the chunk on tooBig, remembers it, and keeps the values aligned', async () => {
    const t = new MapTransport(values(), { tooBigAbove: 12 });
    const state = { maxOids: 0 };
    const vbs = await getBatched(t, oids, state);
    expect(state.maxOids).toBe(10);
    expect(vbs.map((v) => v.value)).toEqual(oids.map((_, i) => i));
    t.requests.length = 0;
    await getBatched(t, oids, state);
    expect(t.requests.map((r) => r.length)).toEqual([10, 10, 10, 10]);
  });

  it('SNMPv1 noSuchName drops the named OID as absent and retries the rest', async () => {
    const v = values();
    v.delete('1.3.5');
    v.delete('1.3.30');
    const t = new MapTransport(v, { v1: true });
    const vbs = await getBatched(t, oids, { maxOids: 0 });
    expect(vbs).toHaveLength(40);
    expect(vbs[4]!.type).toBe(128);
    expect(vbs[29]!.type).toBe(128);
    expect(vbs[5]!.value).toBe(5);
    expect(vbs[39]!.value).toBe(39);
  });

  it('remembers the OIDs refused with noSuchName: the next GET asks once, without them; cleared, they are asked again', async () => {
    const v = values();
    v.delete('1.3.5');
    v.delete('1.3.30');
    const t = new MapTransport(v, { v1: true });
    const state = { maxOids: 0, unsupported: new Set<string>() };
    await getBatched(t, oids, state);
    expect([...state.unsupported].sort()).toEqual(['1.3.30', '1.3.5']);
    expect(t.requests.length).toBeGreaterThan(1);
    t.requests.length = 0;
    const again = await getBatched(t, oids, state);
    expect(t.requests).toHaveLength(1);
    expect(t.requests[0]).toHaveLength(38);
    expect(again.map((x) => (x.type === 128 ? null : x.value))).toEqual(oids.map((o, i) => (o === '1.3.5' || o === '1.3.30' ? null : i)));
    // The device clears the set at rediscovery: asked again (still missing here, so remembered again).
    state.unsupported.clear();
    t.requests.length = 0;
    await getBatched(t, oids, state);
    expect(t.requests[0]).toHaveLength(40);
  });
});
