import { connectAsync } from 'mqtt';

// The MQTT consumer of the load run: one mqtt.js client subscribed to `{base}/#`, counting what it
// receives (retained messages included: a consumer that connects gets them too). The benchmark runs
// it in a process of its own (bench/load-subscriber.ts); the smoke test in-process.

export interface MessageCounts {
  messages: number;
  bytes: number;
  retained: number;
}

export interface MessageCounter {
  counts(): MessageCounts;
  close(): Promise<void>;
}

export async function startMessageCounter(o: { url: string; topic: string; clientId: string; onClose?: () => void }): Promise<MessageCounter> {
  const client = await connectAsync(o.url, { protocolVersion: 4, clientId: o.clientId, connectTimeout: 10_000, reconnectPeriod: 0, clean: true });
  const c: MessageCounts = { messages: 0, bytes: 0, retained: 0 };
  let closing = false;
  client.on('message', (_topic, payload, packet) => {
    c.messages++;
    c.bytes += payload.length;
    if (packet.retain) c.retained++;
  });
  client.on('close', () => {
    if (!closing) o.onClose?.();
  });
  await client.subscribeAsync(o.topic, { qos: 0 });
  return {
    counts: () => ({ ...c }),
    async close() {
      closing = true;
      await client.endAsync(true);
    },
  };
}
