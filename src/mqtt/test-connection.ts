import { connect, type IClientOptions } from 'mqtt';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import { explain, redactUrl } from './client.js';

// `POST /api/config/test-mqtt` (SPEC §14.2): one connection attempt to a broker, bounded in time,
// then closed. Nothing is published or subscribed; the bridge's own connection is not touched.

export interface MqttTestInput {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  protocolVersion: 4 | 5;
  rejectUnauthorized: boolean;
  timeoutMs: number;
  clock: Clock;
}

export function testMqttConnection(input: MqttTestInput): Promise<{ success: boolean; message?: string; error?: string }> {
  const where = redactUrl(input.url);
  return new Promise((resolve) => {
    const options: IClientOptions = {
      reconnectPeriod: 0,
      connectTimeout: input.timeoutMs,
      protocolVersion: input.protocolVersion,
      clientId: `power2mqtt-test-${Math.random().toString(16).slice(2, 10)}`,
      clean: true,
      rejectUnauthorized: input.rejectUnauthorized,
    };
    if (input.username) {
      options.username = input.username;
      options.password = input.password ?? '';
    }
    let settled = false;
    const started = input.clock.monotonic();
    let client: ReturnType<typeof connect> | null = null;
    const finish = (r: { success: boolean; message?: string; error?: string }): void => {
      if (settled) return;
      settled = true;
      input.clock.clearTimeout(limit);
      client?.end(true);
      resolve(r);
    };
    const limit = input.clock.setTimeout(() => finish({ success: false, error: `no answer from ${where} within ${input.timeoutMs / 1000} s` }), input.timeoutMs);
    try {
      client = connect(input.url, options);
    } catch (err) {
      finish({ success: false, error: `cannot connect to ${where}: ${errorMessage(err)}` });
      return;
    }
    client.on('connect', () => {
      finish({ success: true, message: `connected to ${where} in ${Math.round(input.clock.monotonic() - started)} ms` });
    });
    client.on('error', (err) => finish({ success: false, error: `cannot connect to ${where}: ${explain(err, input.protocolVersion)}` }));
    client.on('close', () => finish({ success: false, error: `${where} closed the connection` }));
  });
}
