// The per-client queue of /ws (SPEC §15 slow clients): latest-value statuses per device, a
// byte-bounded FIFO for everything else, and the overflow signal the hub closes 1013 on.
import { describe, expect, it } from 'vitest';
import { ClientQueue, MAX_QUEUE_BYTES, type PushResult } from '../../../../src/http/ws/client-queue.js';
import type { OutMessage } from '../../../../src/http/ws/messages.js';

/** `s:dev:label` = a status of dev; `e:label` = another message; the body is padded to `size` bytes. */
function msg(spec: string, size = 10): OutMessage {
  const [kind, a, b] = spec.split(':');
  const label = kind === 's' ? `${a}:${b}` : a!;
  const data = Buffer.alloc(size, ' ');
  data.write(label);
  return { type: kind === 's' ? 'status' : 'event', key: kind === 's' ? a! : null, data };
}
const labelOf = (m: OutMessage): string => m.data.toString().trim();

function drain(q: ClientQueue): string[] {
  const out: string[] = [];
  for (let m = q.shift(); m; m = q.shift()) out.push(labelOf(m));
  return out;
}

describe('ClientQueue order and latest-value statuses', () => {
  const cases: Array<{ name: string; push: string[]; results: PushResult[]; order: string[] }> = [
    { name: 'FIFO of other messages', push: ['e:a', 'e:b', 'e:c'], results: ['queued', 'queued', 'queued'], order: ['a', 'b', 'c'] },
    { name: 'a newer status of a device replaces the queued one', push: ['s:p1:1', 's:p1:2', 's:p1:3'], results: ['queued', 'replaced', 'replaced'], order: ['p1:3'] },
    { name: 'statuses of different devices are all kept', push: ['s:p1:1', 's:p2:1', 's:p1:2'], results: ['queued', 'queued', 'replaced'], order: ['p2:1', 'p1:2'] },
    {
      name: 'a replacing status moves behind messages queued after the old one (never overtakes them)',
      push: ['s:p1:1', 'e:cmd', 's:p1:2', 'e:evt'],
      results: ['queued', 'queued', 'replaced', 'queued'],
      order: ['cmd', 'p1:2', 'evt'],
    },
    { name: 'empty', push: [], results: [], order: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const q = new ClientQueue();
      expect(c.push.map((p) => q.push(msg(p)))).toEqual(c.results);
      expect(q.length).toBe(c.order.length);
      expect(drain(q)).toEqual(c.order);
      expect(q.bytes).toBe(0);
      expect(q.fifoBytes).toBe(0);
      expect(q.shift()).toBeUndefined();
    });
  }

  it('counts replaced statuses', () => {
    const q = new ClientQueue();
    for (let i = 0; i < 5; i++) q.push(msg(`s:p1:${i}`));
    expect(q.replaced).toBe(4);
    expect(q.bytes).toBe(10);
  });
});

describe('ClientQueue byte bound (1 MB of non-status messages)', () => {
  it('defaults to 1 MiB', () => {
    expect(MAX_QUEUE_BYTES).toBe(1024 * 1024);
    expect(new ClientQueue().maxFifoBytes).toBe(MAX_QUEUE_BYTES);
  });

  const cases: Array<{ name: string; max: number; sizes: number[]; results: PushResult[]; fifo: number }> = [
    { name: 'up to the bound exactly is accepted', max: 100, sizes: [40, 60], results: ['queued', 'queued'], fifo: 100 },
    { name: 'one byte beyond is an overflow, and nothing is queued for it', max: 100, sizes: [40, 60, 1], results: ['queued', 'queued', 'overflow'], fifo: 100 },
    { name: 'one message larger than the bound overflows at once', max: 100, sizes: [101], results: ['overflow'], fifo: 0 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const q = new ClientQueue(c.max);
      expect(c.sizes.map((s, i) => q.push(msg(`e:${i}`, s)))).toEqual(c.results);
      expect(q.fifoBytes).toBe(c.fifo);
      expect(q.peakBytes).toBeLessThanOrEqual(c.max);
    });
  }

  it('statuses do not count against the bound (they are bounded by the number of devices)', () => {
    const q = new ClientQueue(100);
    expect(q.push(msg('e:a', 100))).toBe('queued');
    expect(q.push(msg('s:p1:1', 50))).toBe('queued');
    expect(q.push(msg('s:p1:2', 60))).toBe('replaced');
    expect(q.push(msg('e:b', 1))).toBe('overflow');
    expect(q.fifoBytes).toBe(100);
    expect(q.bytes).toBe(160);
    expect(q.peakBytes).toBe(160);
  });

  it('frees bytes as messages are taken, so the bound applies to what waits', () => {
    const q = new ClientQueue(100);
    q.push(msg('e:a', 60));
    expect(q.push(msg('e:b', 60))).toBe('overflow');
    q.shift();
    expect(q.push(msg('e:b', 60))).toBe('queued');
    expect(q.fifoBytes).toBe(60);
  });

  it('clear() empties everything', () => {
    const q = new ClientQueue(100);
    q.push(msg('e:a', 60));
    q.push(msg('s:p1:1', 60));
    q.clear();
    expect([q.length, q.bytes, q.fifoBytes]).toEqual([0, 0, 0]);
    expect(q.shift()).toBeUndefined();
  });
});
