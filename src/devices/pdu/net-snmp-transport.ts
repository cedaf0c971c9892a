import snmp from 'net-snmp';
import type { SnmpV3Input } from '../../core/pdu-tools.js';
import { installBerOidSpeedups } from './ber-oid-speedup.js';
import { SnmpError, type SnmpTransport, type Varbind } from './transport.js';

/** SNMPv3 USM credentials: the same shape as the config's `devices[].v3`. */
export type V3Credentials = SnmpV3Input;

export interface SessionOptions {
  host: string;
  port: number;
  version: '1' | '2c' | '3';
  community: string;
  v3?: V3Credentials;
  timeoutMs: number;
  retries: number;
}

const AUTH = {
  md5: snmp.AuthProtocols.md5,
  sha: snmp.AuthProtocols.sha,
  sha224: snmp.AuthProtocols.sha224,
  sha256: snmp.AuthProtocols.sha256,
  sha384: snmp.AuthProtocols.sha384,
  sha512: snmp.AuthProtocols.sha512,
} as const;

const PRIV = {
  des: snmp.PrivProtocols.des,
  aes: snmp.PrivProtocols.aes,
  aes256b: snmp.PrivProtocols.aes256b,
  aes256r: snmp.PrivProtocols.aes256r,
} as const;

/** Maps net-snmp's error classes onto our small classification. */
export function classifySnmpError(err: unknown): SnmpError {
  if (err instanceof SnmpError) return err;
  const e = err as { name?: string; message?: string; status?: number; code?: string } | undefined;
  const message = e?.message ?? String(err);
  // SNMPv3 USM report PDUs (RFC 3414 §3.2) surface as these messages.
  if (/Wrong Digest|Unknown User Name|Unsupported Security Level|Not In Time Window|Decryption Error/i.test(message)) {
    return new SnmpError('authorization', `SNMPv3: ${message}; check devices[].v3 username, security_level, auth_protocol and auth_key`);
  }
  // OpenSSL 3 (Node >= 17) has no DES unless started with --openssl-legacy-provider: net-snmp's
  // DES privacy then fails with this bare OpenSSL code, which says nothing to the user.
  if (/0308010C|digital envelope routines::unsupported/i.test(message)) {
    return new SnmpError('authorization', 'SNMPv3: priv_protocol des is not available in this Node.js (OpenSSL 3 has no DES); use aes for devices[].v3.priv_protocol (and on the PDU), or run node with --openssl-legacy-provider');
  }
  switch (e?.name) {
    case 'RequestTimedOutError':
      return new SnmpError('timeout', 'request timed out (no answer: host down, wrong port, wrong community, or a wrong SNMPv3 priv_key)');
    case 'RequestFailedError': {
      const status = e.status;
      if (status === snmp.ErrorStatus.TooBig) return new SnmpError('tooBig', message);
      if (status === snmp.ErrorStatus.NoSuchName) {
        const oid = /:\s*([0-9.]+)\s*$/.exec(message)?.[1];
        return new SnmpError('noSuchName', message, oid);
      }
      if (status === snmp.ErrorStatus.AuthorizationError || status === snmp.ErrorStatus.NoAccess) {
        return new SnmpError('authorization', `${message} (check the community / credentials)`);
      }
      if (status === snmp.ErrorStatus.NotWritable || status === snmp.ErrorStatus.ReadOnly) {
        return new SnmpError('notWritable', `${message} (is this the write community?)`);
      }
      if (
        status === snmp.ErrorStatus.WrongType ||
        status === snmp.ErrorStatus.WrongValue ||
        status === snmp.ErrorStatus.BadValue ||
        status === snmp.ErrorStatus.InconsistentValue
      ) {
        return new SnmpError('wrongValue', message);
      }
      return new SnmpError('other', message);
    }
    case 'ResponseInvalidError':
      return new SnmpError('invalidResponse', message);
    default:
      if (e?.code && /^E[A-Z]+$/.test(e.code)) return new SnmpError('socket', `${e.code}: ${message}`);
      return new SnmpError('other', message);
  }
}

type RawSession = ReturnType<typeof snmp.createSession>;
type RawCallback = (err: Error | null, varbinds?: snmp.Varbind[]) => void;

/** net-snmp's varbinds, seen through our narrower type (type is always set on responses). */
function ours(varbinds: snmp.Varbind[] | undefined): Varbind[] {
  return (varbinds ?? []) as unknown as Varbind[];
}

export class NetSnmpTransport implements SnmpTransport {
  private readonly session: RawSession;
  private lastSocketError: Error | undefined;

  constructor(opts: SessionOptions) {
    installBerOidSpeedups(); // once per process; see ber-oid-speedup.ts
    const common = {
      port: opts.port,
      retries: opts.retries,
      timeout: opts.timeoutMs,
      transport: opts.host.includes(':') ? 'udp6' : 'udp4',
      backwardsGetNexts: false,
    };
    if (opts.version === '3' && opts.v3) {
      const v3 = opts.v3;
      const level =
        v3.security_level === 'authPriv'
          ? snmp.SecurityLevel.authPriv
          : v3.security_level === 'authNoPriv'
            ? snmp.SecurityLevel.authNoPriv
            : snmp.SecurityLevel.noAuthNoPriv;
      const user = {
        name: v3.username,
        level,
        authProtocol: AUTH[v3.auth_protocol],
        authKey: v3.auth_key,
        privProtocol: PRIV[v3.priv_protocol],
        privKey: v3.priv_key,
      };
      this.session = snmp.createV3Session(opts.host, user, { ...common, context: v3.context } as never);
    } else {
      const version = opts.version === '1' ? snmp.Version1 : snmp.Version2c;
      this.session = snmp.createSession(opts.host, opts.community, { ...common, version } as never);
    }
    // Socket errors arrive as events; without a listener they would crash the process.
    this.session.on('error', (err: Error) => {
      this.lastSocketError = err;
    });
  }

  get(oids: readonly string[]): Promise<Varbind[]> {
    return new Promise((resolve, reject) => {
      const cb: RawCallback = (err, varbinds) => (err ? reject(classifySnmpError(err)) : resolve(ours(varbinds)));
      this.session.get([...oids], cb);
    });
  }

  async walkColumn(column: string, maxRows: number): Promise<Varbind[]> {
    const out: Varbind[] = [];
    let cursor = column;
    const prefix = `${column}.`;
    for (let i = 0; i < maxRows; i++) {
      const [vb] = await new Promise<Varbind[]>((resolve, reject) => {
        const cb: RawCallback = (err, varbinds) => (err ? reject(classifySnmpError(err)) : resolve(ours(varbinds)));
        this.session.getNext([cursor], cb);
      });
      if (!vb || !vb.oid.startsWith(prefix) || snmp.isVarbindError(vb as never)) break;
      out.push(vb);
      cursor = vb.oid;
    }
    return out;
  }

  set(varbinds: readonly Varbind[]): Promise<Varbind[]> {
    return new Promise((resolve, reject) => {
      const cb: RawCallback = (err, result) => (err ? reject(classifySnmpError(err)) : resolve(ours(result)));
      this.session.set(varbinds.map((v) => ({ ...v })) as never, cb);
    });
  }

  close(): void {
    try {
      this.session.close();
    } catch {
      // already closed: closing twice is harmless for us
    }
  }

  /** The last asynchronous socket error (e.g. EHOSTUNREACH), for diagnostics. */
  get socketError(): Error | undefined {
    return this.lastSocketError;
  }
}
