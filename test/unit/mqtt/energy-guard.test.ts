import { describe, expect, it } from 'vitest';
import { EnergyGuard } from '../../../src/mqtt/energy-guard.js';

const e = (payload: string) => ({ sub: 'bank/1/energy', payload, changeKey: payload });

describe('energy never decreases for total_increasing, except a real reset', () => {
  it.each([
    ['increase passes', ['10.0', '10.1'], ['10.0', '10.1']],
    ['small dip is held', ['10.1', '10.0', '10.2'], ['10.1', '10.1', '10.2']],
    ['reset to zero passes', ['10.1', '0.0', '0.1'], ['10.1', '0.0', '0.1']],
    ['drop below half is a reset', ['100.0', '40.0'], ['100.0', '40.0']],
  ])('%s', (_n, inputs, expected) => {
    const g = new EnergyGuard();
    expect(inputs.map((v) => g.apply('d', [e(v)])[0]!.payload)).toEqual(expected);
  });

  it('only energy topics, per device', () => {
    const g = new EnergyGuard();
    g.apply('a', [e('10.0')]);
    expect(g.apply('b', [e('5.0')])[0]!.payload).toBe('5.0');
    expect(g.apply('a', [{ sub: 'bank/1/power', payload: '1', changeKey: '1' }])[0]!.payload).toBe('1');
  });
});
