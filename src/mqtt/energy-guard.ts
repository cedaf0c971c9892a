import type { StateMessage } from './state.js';

/**
 * Energy topics feed Home Assistant sensors with state_class total_increasing, which treat ANY
 * decrease as the start of a new meter cycle. A counter that dips by a rounding step or a
 * glitchy read would add a whole second total to the energy dashboard, so a small decrease is
 * held at the previous value; a drop below half of it is a real reset (the PDU's counter was
 * cleared) and passes. Per topic, pure apart from its memory.
 */
export class EnergyGuard {
  private readonly last = new Map<string, { value: number; payload: string }>();

  apply(deviceId: string, messages: readonly StateMessage[]): StateMessage[] {
    return messages.map((m) => {
      if (!m.sub.endsWith('/energy')) return m;
      const value = Number(m.payload);
      if (!Number.isFinite(value)) return m;
      const key = `${deviceId}/${m.sub}`;
      const prev = this.last.get(key);
      if (prev && value < prev.value && value >= prev.value / 2) return { ...m, payload: prev.payload, changeKey: prev.payload };
      this.last.set(key, { value, payload: m.payload });
      return m;
    });
  }

  forget(deviceId: string): void {
    for (const k of this.last.keys()) if (k.startsWith(`${deviceId}/`)) this.last.delete(k);
  }
}
