import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRODUCT_NODE_FLAGS } from '../../bench/protocol.js';

describe('the benchmark measures the product as it starts', () => {
  it('every Node flag of the benchmarked processes is in package.json "start"', () => {
    const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { scripts: { start: string } };
    expect(PRODUCT_NODE_FLAGS.length).toBeGreaterThan(0);
    for (const flag of PRODUCT_NODE_FLAGS) expect(pkg.scripts.start).toContain(flag);
  });
});
