import { request } from 'node:http';
import { digestAuthorization, parseDigestChallenge, type DigestChallenge } from './shelly/digest.js';
import { parseJsonObject } from './kasa/framing.js';

// A small HTTP/1.1 JSON client for plug local APIs (Shelly, Tasmota): keep-alive, bounded by
// the caller's AbortSignal (the poll deadline), no redirects (a 3xx is an error: a plug does not
// move), bodies over 64 KB refused, Basic or Digest (RFC 7616) auth when a password is set.

export const MAX_BODY_BYTES = 64 * 1024;

export interface HttpJsonOptions {
  host: string;
  port: number;
  username: string;
  password: string;
}

export class PlugHttpError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function raw(opts: HttpJsonOptions, path: string, headers: Record<string, string>, signal: AbortSignal): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: opts.host, port: opts.port, path, method: 'GET', headers: { Accept: 'application/json', ...headers }, signal }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY_BYTES) {
          req.destroy(new PlugHttpError(`response body over ${MAX_BODY_BYTES} bytes`, res.statusCode ?? null));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', (err: Error) => reject(err.name === 'AbortError' ? new Error('no answer before the poll deadline') : err));
    req.end();
  });
}

/** GET a JSON object from a plug; digest challenges are answered (and remembered) when a password is set. */
export class PlugHttpClient {
  private challenge: DigestChallenge | null = null;
  private nc = 0;
  private basic = false;

  constructor(private readonly opts: HttpJsonOptions) {}

  async getJson(path: string, signal: AbortSignal): Promise<Record<string, unknown>> {
    let res = await raw(this.opts, path, this.authHeaders(path), signal);
    if (res.status === 401 && this.opts.password !== '') {
      const www = res.headers['www-authenticate'];
      const header = Array.isArray(www) ? www.join(', ') : (www ?? '');
      const ch = parseDigestChallenge(header);
      if (ch) {
        this.challenge = ch;
        this.nc = 0;
      } else if (!/^\s*Basic/i.test(header)) {
        throw new PlugHttpError(`unsupported authentication challenge "${header.slice(0, 60)}"`, 401);
      } else {
        this.challenge = null;
        this.basic = true;
      }
      res = await raw(this.opts, path, this.authHeaders(path), signal);
    }
    if (res.status === 401) throw new PlugHttpError(this.opts.password === '' ? 'authentication required: set devices[].password' : 'password rejected (HTTP 401)', 401);
    if (res.status >= 300 && res.status < 400) throw new PlugHttpError(`HTTP ${res.status} redirect to "${String(res.headers.location ?? '')}" not followed`, res.status);
    if (res.status !== 200) throw new PlugHttpError(`HTTP ${res.status}: ${res.body.slice(0, 80)}`, res.status);
    const parsed = parseJsonObject(res.body);
    if (!parsed.ok) throw new PlugHttpError(parsed.error, res.status);
    return parsed.value;
  }

  private authHeaders(path: string): Record<string, string> {
    if (this.opts.password === '') return {};
    if (this.basic) return { Authorization: `Basic ${Buffer.from(`${this.opts.username}:${this.opts.password}`).toString('base64')}` };
    if (!this.challenge) return {};
    const r = digestAuthorization(this.challenge, { method: 'GET', uri: path, username: this.opts.username, password: this.opts.password, nc: ++this.nc });
    if (!r.ok) throw new PlugHttpError(r.error, 401);
    return { Authorization: r.header };
  }
}
