import { describe, expect, it } from 'vitest';
import { DEFAULT_ENGINE_CONFIG } from '../../../src/outage/config.js';
import { deviceSensorEvidence, type SensorDevice } from '../../../src/outage/device-sensors.js';
import { initialEngineState, step, type EngineState } from '../../../src/outage/engine.js';

const dev = (o: Partial<SensorDevice>): SensorDevice => ({ device_id: 'p', poll_interval_s: 2, state: 'healthy', last_sample_ts: 100, voltage: 230, ...o });
const cfg = { source_lost_voltage: 80 };

describe('plugs with role sensor as outage evidence', () => {
  it.each([
    ['answered in the last poll interval', dev({}), 'up'],
    ['answered 5 s ago at 2 s polls (= 2 × interval + 1)', dev({ last_sample_ts: 95 }), 'up'],
    ['silent for more than two polls', dev({ last_sample_ts: 94 }), 'down'],
    ['answers with a brownout voltage', dev({ voltage: 60 }), 'down'],
    ['answers without a voltage reading', dev({ voltage: null }), 'up'],
    ['degraded but still answering', dev({ state: 'degraded' }), 'up'],
  ])('%s → %s', (_n, d, result) => {
    expect(deviceSensorEvidence([d], 100, cfg)).toEqual([{ id: 'device:p', result }]);
  });

  it.each([
    ['never sampled since start', dev({ last_sample_ts: null })],
    ['in health error (needs credentials)', dev({ state: 'error' })],
  ])('%s → no evidence', (_n, d) => {
    expect(deviceSensorEvidence([d], 100, cfg)).toEqual([]);
  });

  it('the engine opens a power outage when the sensor plugs go silent, like sensor switches', () => {
    const config = { ...DEFAULT_ENGINE_CONFIG, confirm_cycles: 2 };
    let s: EngineState = initialEngineState([], 0, config);
    const effects: string[] = [];
    const cycle = (ts: number, lastSample: number): void => {
      const sensors = deviceSensorEvidence([dev({ device_id: 'a', last_sample_ts: lastSample }), dev({ device_id: 'b', last_sample_ts: lastSample })], ts, cfg);
      const r = step(s, { kind: 'cycle', evidence: { ts, sensors, controls: [] } }, config);
      s = r.state;
      effects.push(...r.effects.map((e) => e.type));
    };
    cycle(10, 10);
    cycle(20, 20);
    expect(s.verdict).toBe('normal');
    cycle(30, 20); // both plugs silent for 10 s at 2 s polls
    cycle(40, 20);
    expect(s.verdict).toBe('outage');
    expect(effects).toContain('open');
    expect(s.open.power?.switches_affected).toEqual(['device:a', 'device:b']);
  });
});
