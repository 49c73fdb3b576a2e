// The client–server wire format [R] (the paper's protocol is unreleased): length-prefixed binary frames
//   u32 payload length | u8 type | u32 int count n | n × i32 | rest × f32       (little-endian)
// A reader accumulates socket chunks and yields whole frames; a frame over the size cap, an unknown type or a payload
// whose sizes do not add up raises a FrameError, and the receiver closes that connection. Nothing received is ever
// evaluated: frames carry only numbers.

export const MessageType = {
  /** client -> server: drafter kind id, then the prompt tokens */
  prefill: 1,
  /** server -> client: features of the verified positions (ints: [count, width]) */
  features: 2,
  /** client -> server: tree tokens then tree parents (ints: [n, tokens..., parents...]) */
  verify: 3,
  /** server -> client: ints [pathLength, path..., bonus, count, width], floats: features */
  verdict: 4,
  /** client -> server: ints [newTokens, prompt...]: the server decodes alone ("api") */
  generate: 5,
  /** server -> client: ints [token] (one frame per token while generating alone) */
  token: 6,
} as const;

const TYPES = new Set<number>(Object.values(MessageType));
export const HEADER_BYTES = 4;

export interface Frame {
  type: number;
  ints: Int32Array;
  floats: Float32Array;
}

export class FrameError extends Error {}

export function encodeFrame(frame: Frame): Buffer {
  const payload = 1 + 4 + 4 * frame.ints.length + 4 * frame.floats.length;
  const buf = Buffer.alloc(HEADER_BYTES + payload);
  buf.writeUInt32LE(payload, 0);
  buf.writeUInt8(frame.type, 4);
  buf.writeUInt32LE(frame.ints.length, 5);
  let at = 9;
  for (const v of frame.ints) {
    buf.writeInt32LE(v, at);
    at += 4;
  }
  for (const v of frame.floats) {
    buf.writeFloatLE(v, at);
    at += 4;
  }
  return buf;
}

function decodePayload(p: Buffer): Frame {
  if (p.length < 5) throw new FrameError(`frame payload of ${p.length} bytes is shorter than its 5-byte header`);
  const type = p.readUInt8(0);
  if (!TYPES.has(type)) throw new FrameError(`unknown frame type ${type}`);
  const n = p.readUInt32LE(1);
  const rest = p.length - 5 - 4 * n;
  if (rest < 0 || rest % 4 !== 0)
    throw new FrameError(`frame of ${p.length} bytes cannot hold ${n} ints and whole floats`);
  const ints = Int32Array.from({ length: n }, (_, i) => p.readInt32LE(5 + 4 * i));
  const floats = Float32Array.from({ length: rest / 4 }, (_, i) => p.readFloatLE(5 + 4 * n + 4 * i));
  return { type, ints, floats };
}

/** Splits a byte stream into frames; `maxPayload` caps each frame (larger ones raise before being buffered). */
export class FrameReader {
  private pending = Buffer.alloc(0);

  constructor(readonly maxPayload: number) {}

  push(chunk: Buffer): Frame[] {
    this.pending = Buffer.concat([this.pending, chunk]);
    const frames: Frame[] = [];
    while (this.pending.length >= HEADER_BYTES) {
      const len = this.pending.readUInt32LE(0);
      if (len > this.maxPayload) throw new FrameError(`frame of ${len} bytes exceeds the ${this.maxPayload}-byte cap`);
      if (this.pending.length < HEADER_BYTES + len) break;
      frames.push(decodePayload(this.pending.subarray(HEADER_BYTES, HEADER_BYTES + len)));
      this.pending = this.pending.subarray(HEADER_BYTES + len);
    }
    return frames;
  }
}
