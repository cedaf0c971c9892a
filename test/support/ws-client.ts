// A /ws test client over the `ws` package (Node 20 has no global WebSocket, SPEC §2.1): collects
// every JSON message and waits, bounded, for the ones a test expects.
import { vi } from 'vitest';
import WebSocket from 'ws';

export interface WsMsg {
  type: string;
  ts?: number;
  device_id?: string;
  data?: any;
}

export class WsTestClient {
  readonly messages: WsMsg[] = [];
  closeCode: number | null = null;
  closeReason = '';
  private readonly closed: Promise<number>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.messages.push(JSON.parse(data.toString()) as WsMsg));
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        resolve(code);
      }),
    );
    ws.on('error', () => {});
  }

  /** Opens (rejects with the HTTP status when the upgrade is refused, within 5 s). */
  static open(url: string): Promise<WsTestClient> {
    const ws = new WebSocket(url, { handshakeTimeout: 5000 });
    const c = new WsTestClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(c));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`Unexpected server response: ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  of(type: string, deviceId?: string): WsMsg[] {
    return this.messages.filter((m) => m.type === type && (deviceId === undefined || m.device_id === deviceId));
  }

  /** The first message from `from` on that passes `pred`. */
  async waitFor(pred: (m: WsMsg) => boolean, timeoutMs = 5000, from = 0): Promise<WsMsg> {
    let hit: WsMsg | undefined;
    await vi.waitFor(
      () => {
        hit = this.messages.slice(from).find(pred);
        if (!hit) throw new Error(`no matching message among ${this.messages.length - from} (types: ${[...new Set(this.messages.slice(from).map((m) => m.type))].join(', ')})`);
      },
      { timeout: timeoutMs, interval: 20 },
    );
    return hit!;
  }

  send(text: string): void {
    this.ws.send(text);
  }

  /** The close code, once the socket closed within `timeoutMs` (null otherwise). */
  async closedWithin(timeoutMs: number): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), timeoutMs);
    });
    const code = await Promise.race([this.closed, late]);
    clearTimeout(timer);
    return code;
  }

  /** Close and wait (bounded); terminate when the server does not answer. */
  async close(): Promise<void> {
    if (this.closeCode !== null) return;
    this.ws.close(1000);
    if ((await this.closedWithin(2000)) === null) this.ws.terminate();
  }
}
