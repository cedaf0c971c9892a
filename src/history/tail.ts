// One packed tail row: the values of one device at one second, in its layout's series order
// (SPEC §13.2: pending data is written every commit so a kill -9 loses at most ~1 s). Each value
// is a varint of zigzag(v) + 1; 0 means absent. ~2 bytes per value, deleted when the chunk closes.
import { ByteReader, ByteWriter } from './codec.js';

export function encodeTail(values: ReadonlyArray<number | null>): Uint8Array {
  const w = new ByteWriter();
  for (const v of values) w.uvarint(v === null ? 0 : (v >= 0 ? v * 2 : -v * 2 - 1) + 1);
  return w.result();
}

export function decodeTail(buf: Uint8Array, count: number): Array<number | null> {
  const r = new ByteReader(buf);
  const out: Array<number | null> = [];
  for (let i = 0; i < count; i++) {
    const u = r.uvarint();
    if (u === 0) out.push(null);
    else {
      const z = u - 1;
      out.push(z % 2 === 0 ? z / 2 : -(z + 1) / 2);
    }
  }
  return out;
}
