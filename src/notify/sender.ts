import http from 'node:http';
import https from 'node:https';
import type { Clock, TimerHandle } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import { webhookHeaders } from './sign.js';

// One webhook POST (SPEC §11.8): JSON body, signature header when a secret is set, a deadline on
// the injected clock, at most 4 KB of the answer read (a misbehaving endpoint cannot make us
// buffer megabytes), 2xx = delivered. Never throws: faults are results. A fresh connection per
// POST (agent: false): notifications are rare, and a pooled socket to an endpoint that went away
// would only turn the next attempt into a confusing reset.

export interface SendRequest {
  url: string;
  /** Exact JSON text; signed and sent as UTF-8. */
  body: string;
  /** '' = unsigned. */
  secret: string;
}

export interface SendResult {
  ok: boolean;
  /** HTTP status, null when no status line arrived. */
  status: number | null;
  /** Why it was not delivered (null when ok). Never contains the URL's path, query or the secret. */
  error: string | null;
  /** Duration on the clock's monotonic time. */
  ms: number;
}

export type SendFn = (req: SendRequest) => Promise<SendResult>;

export interface SenderOptions {
  clock: Clock;
  timeoutMs?: number;
  maxAnswerBytes?: number;
}

export const SEND_TIMEOUT_MS = 10_000;
export const MAX_ANSWER_BYTES = 4096;

/** `https://hooks.example.net` — what logs may show of a webhook URL (its path often is the token). */
export function endpointLabel(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '(invalid URL)';
  }
}

function answerSnippet(chunks: Buffer[]): string {
  const text = Buffer.concat(chunks).toString('utf8').replace(/[^\x20-\x7e]+/g, ' ').trim();
  return text === '' ? '' : `: ${text.slice(0, 100)}`;
}

export function createSender(opts: SenderOptions): SendFn {
  const { clock } = opts;
  const timeoutMs = opts.timeoutMs ?? SEND_TIMEOUT_MS;
  const maxAnswer = opts.maxAnswerBytes ?? MAX_ANSWER_BYTES;

  return (req) =>
    new Promise<SendResult>((resolve) => {
      const started = clock.monotonic();
      let done = false;
      let timer: TimerHandle | undefined;
      let request: http.ClientRequest | undefined;
      let status: number | null = null;
      const chunks: Buffer[] = [];
      const finish = (ok: boolean, error: string | null): void => {
        if (done) return;
        done = true;
        clock.clearTimeout(timer);
        request?.destroy();
        resolve({ ok, status, error: ok ? null : error, ms: Math.max(0, Math.round(clock.monotonic() - started)) });
      };
      const answered = (): void => {
        const ok = status !== null && status >= 200 && status < 300;
        finish(ok, `HTTP ${status}${answerSnippet(chunks)}`);
      };

      let url: URL;
      try {
        url = new URL(req.url);
      } catch {
        finish(false, 'invalid URL');
        return;
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        finish(false, `unsupported scheme ${url.protocol}`);
        return;
      }
      const body = Buffer.from(req.body, 'utf8');
      const mod = url.protocol === 'https:' ? https : http;
      try {
        request = mod.request(url, { method: 'POST', headers: webhookHeaders(body, req.secret), agent: false }, (res) => {
          status = res.statusCode ?? null;
          let read = 0;
          res.on('data', (chunk: Buffer) => {
            if (read < maxAnswer) chunks.push(chunk.subarray(0, maxAnswer - read));
            read += chunk.length;
            if (read >= maxAnswer) answered(); // enough: the rest is not read (the socket is destroyed)
          });
          res.on('end', answered);
          res.on('error', answered);
        });
      } catch (err) {
        finish(false, errorMessage(err));
        return;
      }
      request.on('error', (err) => finish(false, errorMessage(err)));
      timer = clock.setTimeout(() => {
        // A 2xx status line already arrived: the endpoint accepted it, only its body is slow.
        if (status !== null) answered();
        else finish(false, `no answer within ${timeoutMs / 1000} s`);
      }, timeoutMs);
      request.end(body);
    });
}
