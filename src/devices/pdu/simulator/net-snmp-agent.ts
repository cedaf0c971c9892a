import dgram from 'node:dgram';
import snmp from 'net-snmp';
import { refuseMissing, speedUp, type RawAgent, type RawMib, type RawMibRequest } from './net-snmp-internals.js';
import type { MibNodeRef, SnmpPduKind, SnmpSetError, SnmpValue, SnmpValueType } from './net-snmp-types.js';

// The only module that touches net-snmp's Agent and Mib, which @types/net-snmp types as `any`.
// It exposes a small typed surface and encodes the Agent pitfalls of SPEC §2.1:
// - a SET handler runs twice (test pass, then commit pass): onSet gets the phase, effects on commit;
// - a table provider's oid is the ENTRY oid (table + .1);
// - a scalar needs an initial setScalarValue before it answers;
// - per-community access needs accessControlModelType Simple + setCommunityAccess;
// - the Agent does not compare a SET varbind's type with the object's type (it casts "5" into an
//   Integer), so the received types are captured per request and checked in the test pass;
// - port 0 is replaced by 161 inside net-snmp's Listener, so a dgram shim binds the real port;
// - a SET of a missing instance and a v1 GET of one are answered without an error: corrected in
//   net-snmp-internals.ts (noCreation / noSuchName), as are two per-request costs (speedUp).

export type { MibNodeRef, SnmpPduKind, SnmpSetError, SnmpValue, SnmpValueType } from './net-snmp-types.js';

/** Test pass: validate only, return an error to refuse. Commit pass: apply the side effect. */
export type SetHandler = (req: { phase: 'test' | 'commit'; value: SnmpValue; column: number; row: number }) => SnmpSetError | null;

export interface ScalarDefinition {
  name: string;
  /** Instance OID (ending in `.0`). */
  oid: string;
  type: SnmpValueType;
  writable: boolean;
  value: SnmpValue;
  onSet?: SetHandler;
}

export interface ColumnDefinition {
  number: number;
  name: string;
  type: SnmpValueType;
  writable: boolean;
}

export interface TableDefinition {
  name: string;
  /** Entry OID (table OID + `.1`). */
  entryOid: string;
  /** The first column is the single integer index column. */
  columns: readonly ColumnDefinition[];
  /** Row values in column order; the first value is the row index. */
  rows: readonly (readonly SnmpValue[])[];
  onSet?: SetHandler;
}

export interface TypedAgentOptions {
  port: number;
  bind: string;
  readCommunity: string;
  writeCommunity: string;
  /** A request that threw is dropped (never crash the process hosting hundreds of agents). */
  onError?: (error: unknown) => void;
}

export interface TypedAgent {
  addScalar(def: ScalarDefinition): MibNodeRef;
  /** Returns a lookup of the instance node at (column number, row index). */
  addTable(def: TableDefinition): (column: number, row: number) => MibNodeRef;
  /** Runs before every request PDU; return false to drop the request unanswered. */
  onRequest(hook: (kind: SnmpPduKind) => boolean): void;
  /** Resolves with the bound UDP port once listening; rejects on a bind error. */
  listening(): Promise<number>;
  close(): Promise<void>;
}

const TYPE_CODES: Readonly<Record<SnmpValueType, number>> = {
  Integer: snmp.ObjectType.Integer,
  OctetString: snmp.ObjectType.OctetString,
  Gauge: snmp.ObjectType.Gauge,
  TimeTicks: snmp.ObjectType.TimeTicks,
  OID: snmp.ObjectType.OID,
};
const ERROR_CODES: Readonly<Record<SnmpSetError, number>> = {
  wrongType: snmp.ErrorStatus.WrongType,
  wrongLength: snmp.ErrorStatus.WrongLength,
  wrongValue: snmp.ErrorStatus.WrongValue,
  inconsistentValue: snmp.ErrorStatus.InconsistentValue,
  genErr: snmp.ErrorStatus.GeneralError,
};
const PDU_KINDS: ReadonlyMap<number, SnmpPduKind> = new Map([
  [snmp.PduType.GetRequest, 'get'],
  [snmp.PduType.GetNextRequest, 'getnext'],
  [snmp.PduType.GetBulkRequest, 'getbulk'],
  [snmp.PduType.SetRequest, 'set'],
]);
const READ_ONLY = snmp.MaxAccess['read-only'];
const READ_WRITE = snmp.MaxAccess['read-write'];

export function createTypedAgent(opts: TypedAgentOptions): TypedAgent {
  let socket: dgram.Socket | undefined;
  let bound = false;
  let bindError: Error | undefined;
  let startError: ((e: Error) => void) | undefined;
  // net-snmp's Listener turns port 0 into 161; bind the socket it creates to the port we asked for.
  const dgramModule = {
    createSocket(type: dgram.SocketType): dgram.Socket {
      const s = dgram.createSocket(type);
      const bind = s.bind.bind(s) as (port: number, address: string) => dgram.Socket;
      Object.assign(s, { bind: (_port: number, address: string) => bind(opts.port, address) });
      socket = s;
      return s;
    },
  };
  // Bind errors arrive here; once bound, per-packet errors (e.g. an unknown community) are ignored.
  const onAgentEvent = (error: Error | null): void => {
    if (!error || bound) return;
    bindError ??= error;
    startError?.(error);
  };
  const raw = snmp.createAgent(
    { port: opts.port, address: opts.bind, dgramModule, accessControlModelType: snmp.AccessControlModelType.Simple },
    onAgentEvent,
  ) as RawAgent;
  const auth = raw.getAuthorizer();
  auth.addCommunity(opts.readCommunity);
  auth.addCommunity(opts.writeCommunity);
  const acm = auth.getAccessControlModel();
  acm.setCommunityAccess(opts.readCommunity, snmp.AccessLevel.ReadOnly);
  acm.setCommunityAccess(opts.writeCommunity, snmp.AccessLevel.ReadWrite);
  const mib = raw.getMib();
  speedUp(mib);

  let hook: (kind: SnmpPduKind) => boolean = () => true;
  /** Types of the varbinds of the SET being processed (the test pass runs synchronously inside request). */
  let setTypes = new Map<string, number>();
  const originalRequest = raw.request;
  raw.request = function (this: RawAgent, sock, message, rinfo) {
    // Runs inside the socket's 'message' event: an exception here would take the process down.
    try {
      const kind = PDU_KINDS.get(message.pdu.type) ?? 'other';
      if (!hook(kind)) return;
      const refusal = refuseMissing(kind, message, mib, opts.writeCommunity);
      if (refusal) return this.sendResponse(sock, rinfo, message, refusal);
      if (kind === 'set') setTypes = new Map(message.pdu.varbinds.map((v) => [v.oid, v.type]));
      originalRequest.call(this, sock, message, rinfo);
    } catch (e) {
      opts.onError?.(e);
    }
  };

  const setHandler =
    (expectedType: (column: number) => number | undefined, locate: (oid: string) => [number, number], onSet: SetHandler) =>
    (req: RawMibRequest): void => {
      if (req.operation !== snmp.PduType.SetRequest) return req.done();
      const [column, row] = locate(req.oid);
      const fail = (e: SnmpSetError): void => req.done({ errorStatus: ERROR_CODES[e], type: snmp.ObjectType.Null, value: null });
      const phase = req.testSet ? 'test' : 'commit';
      if (phase === 'test') {
        const got = setTypes.get(req.oid);
        if (got !== undefined && got !== expectedType(column)) return fail('wrongType');
      }
      const value = req.setValue;
      if (typeof value !== 'number' && typeof value !== 'string') return fail('wrongType');
      let err: SnmpSetError | null;
      try {
        err = onSet({ phase, value, column, row });
      } catch (e) {
        opts.onError?.(e);
        err = 'genErr';
      }
      if (err) return fail(err);
      req.done();
    };

  return {
    addScalar(def) {
      const objectOid = def.oid.replace(/\.0$/, '');
      const provider: Record<string, unknown> = {
        name: def.name, type: snmp.MibProviderType.Scalar, oid: objectOid, scalarType: TYPE_CODES[def.type],
        maxAccess: def.writable ? READ_WRITE : READ_ONLY,
      };
      if (def.onSet) provider['handler'] = setHandler(() => TYPE_CODES[def.type], () => [0, 0], def.onSet);
      mib.registerProvider(provider);
      mib.setScalarValue(def.name, def.value);
      return mustLookup(mib, def.oid);
    },
    addTable(def) {
      const indexColumn = def.columns[0];
      if (!indexColumn) throw new Error(`table ${def.name} has no columns`);
      const provider: Record<string, unknown> = {
        name: def.name, type: snmp.MibProviderType.Table, oid: def.entryOid, maxAccess: snmp.MaxAccess['not-accessible'],
        tableColumns: def.columns.map((c) => ({
          number: c.number, name: c.name, type: TYPE_CODES[c.type], maxAccess: c.writable ? READ_WRITE : READ_ONLY,
        })),
        tableIndex: [{ columnName: indexColumn.name }],
      };
      const typeByColumn = new Map(def.columns.map((c) => [c.number, TYPE_CODES[c.type]]));
      const locate = (oid: string): [number, number] => {
        const [col, row] = oid.slice(def.entryOid.length + 1).split('.');
        return [Number(col), Number(row)];
      };
      if (def.onSet) provider['handler'] = setHandler((c) => typeByColumn.get(c), locate, def.onSet);
      mib.registerProvider(provider);
      for (const row of def.rows) mib.addTableRow(def.name, [...row]);
      return (column, row) => mustLookup(mib, `${def.entryOid}.${column}.${row}`);
    },
    onRequest(h) {
      hook = h;
    },
    listening() {
      return new Promise<number>((resolve, reject) => {
        if (!socket) return reject(new Error('net-snmp did not create a socket'));
        if (bindError) return reject(bindError);
        const s = socket;
        startError = reject;
        const done = (): void => {
          bound = true;
          resolve(s.address().port);
        };
        try {
          s.address();
          done(); // already bound
        } catch {
          s.once('listening', done);
        }
      });
    },
    close() {
      return new Promise<void>((resolve) => {
        try {
          raw.close(() => resolve());
        } catch {
          resolve(); // socket never bound or already closed
        }
      });
    },
  };
}

function mustLookup(mib: RawMib, oid: string): MibNodeRef {
  const node = mib.lookup(oid);
  if (!node) throw new Error(`net-snmp did not create instance ${oid}`);
  return node;
}
