import { SnmpError, SnmpType, type SnmpTransport, type Varbind } from '../../src/devices/pdu/transport.js';

/**
 * A map-backed SnmpTransport for faults a real agent will not produce on demand
 * (tooBig at a chosen size, SNMPv1 noSuchName). Everything else is tested against real agents.
 */
export class MapTransport implements SnmpTransport {
  readonly requests: string[][] = [];
  constructor(
    private readonly values: Map<string, Varbind>,
    private readonly opts: { tooBigAbove?: number; v1?: boolean } = {},
  ) {}

  async get(oids: readonly string[]): Promise<Varbind[]> {
    this.requests.push([...oids]);
    if (this.opts.tooBigAbove !== undefined && oids.length > this.opts.tooBigAbove) throw new SnmpError('tooBig', 'TooBig');
    return oids.map((oid) => {
      const v = this.values.get(oid);
      if (v) return v;
      if (this.opts.v1) throw new SnmpError('noSuchName', `NoSuchName: ${oid}`, oid);
      return { oid, type: SnmpType.NoSuchInstance, value: null };
    });
  }

  async walkColumn(column: string, maxRows: number): Promise<Varbind[]> {
    return [...this.values.values()].filter((v) => v.oid.startsWith(`${column}.`)).slice(0, maxRows);
  }

  async set(varbinds: readonly Varbind[]): Promise<Varbind[]> {
    for (const v of varbinds) this.values.set(v.oid, v);
    return [...varbinds];
  }

  close(): void {}
}

export function intVb(oid: string, value: number): Varbind {
  return { oid, type: SnmpType.Integer, value };
}
