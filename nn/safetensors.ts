// Checkpoints in the safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
// header length N, N bytes of JSON header { name: { dtype, shape, data_offsets: [begin, end] }, __metadata__? },
// then the raw little-endian tensor bytes, offsets relative to the end of the header. Any safetensors reader
// (Python's safetensors, candle, ...) can open the files written here, and this reads theirs. Bytes only here (so a
// browser can use it); saving and loading files is `safetensors` in 'tessera/node'.
import type { Tensor, DType, DeviceName } from '../core/index.js';
import { floatToHalf, halfToFloat } from '../core/tensor.js';
import { floatToBf16 } from '../core/half.js';
import { tensor } from '../ops/index.js';

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('safetensors: this reader/writer assumes a little-endian host');
}

/** safetensors dtype names of the dtypes tessera stores, and bytes per element. */
const TO_FILE: Record<DType, { name: string; bytes: number }> = {
  f32: { name: 'F32', bytes: 4 }, f16: { name: 'F16', bytes: 2 }, bf16: { name: 'BF16', bytes: 2 }, i32: { name: 'I32', bytes: 4 },
  u32: { name: 'U32', bytes: 4 }, f64: { name: 'F64', bytes: 8 }, bool: { name: 'BOOL', bytes: 1 },
};
/** file dtype -> tessera dtype; BF16 is widened to f32 on load. */
const FROM_FILE: Record<string, { dtype: DType; bytes: number }> = {
  F32: { dtype: 'f32', bytes: 4 }, F16: { dtype: 'f16', bytes: 2 }, BF16: { dtype: 'f32', bytes: 2 },
  I32: { dtype: 'i32', bytes: 4 }, U32: { dtype: 'u32', bytes: 4 }, F64: { dtype: 'f64', bytes: 8 }, BOOL: { dtype: 'bool', bytes: 1 },
};

interface HeaderEntry { dtype: string; shape: number[]; data_offsets: [number, number] }

export type TensorMap = Map<string, Tensor> | Record<string, Tensor>;

const entriesOf = (t: TensorMap): [string, Tensor][] => (t instanceof Map ? [...t] : Object.entries(t));

/** The raw little-endian bytes of a tensor's elements in row-major order. */
async function bytesOf(t: Tensor): Promise<Uint8Array> {
  const values = await t.data();
  const raw = t.dtype === 'f16' ? floatToHalf(values) : t.dtype === 'bf16' ? floatToBf16(values) : values;
  return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
}

/** Encodes tensors (and optional string metadata) as one safetensors file image. */
export async function serialize(tensors: TensorMap, metadata?: Record<string, string>): Promise<Uint8Array> {
  const header: Record<string, HeaderEntry | Record<string, string>> = {};
  if (metadata) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new Error(`safetensors: metadata values must be strings, '${k}' is ${typeof v}`);
    }
    header.__metadata__ = metadata;
  }
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of entriesOf(tensors)) {
    if (name === '__metadata__') throw new Error('safetensors: "__metadata__" is reserved and cannot name a tensor');
    const bytes = await bytesOf(t);
    header[name] = { dtype: TO_FILE[t.dtype].name, shape: [...t.shape], data_offsets: [offset, offset + bytes.byteLength] };
    blobs.push(bytes);
    offset += bytes.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8); // pad with spaces so the data starts 8-byte aligned
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.byteLength), true);
  out.set(head, 8);
  let at = 8 + head.byteLength;
  for (const b of blobs) { out.set(b, at); at += b.byteLength; }
  return out;
}

/** Decodes a safetensors file image into tensors on `device` (cpu by default), checking every header entry. */
export function deserialize(bytes: Uint8Array, opts: { device?: DeviceName } = {}): { tensors: Map<string, Tensor>; metadata: Record<string, string> } {
  if (bytes.byteLength < 8) throw new Error(`safetensors: ${bytes.byteLength} bytes is too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (8 + n > bytes.byteLength) throw new Error(`safetensors: header length ${n} runs past the end of the ${bytes.byteLength}-byte file`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new Error(`safetensors: the header is not valid JSON (${(e as Error).message})`);
  }
  const data = bytes.subarray(8 + n);
  const { metadata, entries } = checkHeader(header, data.byteLength);
  const tensors = new Map<string, Tensor>();
  for (const [name, { dtype, shape, data_offsets: [begin, end] }] of entries) {
    const kind = FROM_FILE[dtype];
    const chunk = new Uint8Array(data.subarray(begin, end)).buffer; // a copy, aligned for the typed array
    const values = dtype === 'F16' ? halfToFloat(new Uint16Array(chunk))
      : dtype === 'BF16' ? new Float32Array(Uint32Array.from(new Uint16Array(chunk), (h) => h << 16).buffer)
      : dtype === 'F32' ? new Float32Array(chunk) : dtype === 'F64' ? new Float64Array(chunk)
      : dtype === 'I32' ? new Int32Array(chunk) : dtype === 'U32' ? new Uint32Array(chunk) : new Uint8Array(chunk);
    tensors.set(name, tensor(values, { shape, dtype: kind.dtype, device: opts.device ?? 'cpu' }));
  }
  return { tensors, metadata };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const kindOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

/**
 * Checks a parsed header against the format: an object of entries { dtype, shape, data_offsets } (plus optional
 * string metadata), each dtype one we read, each shape a list of non-negative integers, each byte range integer,
 * inside the data section, of the size dtype and shape need, and no two ranges overlapping.
 */
function checkHeader(header: unknown, dataBytes: number): { metadata: Record<string, string>; entries: [string, HeaderEntry][] } {
  if (!isObject(header)) throw new Error(`safetensors: the header must be a JSON object of tensor entries, got ${kindOf(header)}`);
  const { __metadata__: metadata = {}, ...rest } = header;
  if (!isObject(metadata) || Object.values(metadata).some((v) => typeof v !== 'string')) {
    throw new Error('safetensors: __metadata__ must be an object of string values');
  }
  const entries = Object.entries(rest).map(([name, raw]): [string, HeaderEntry] => {
    const bad = (what: string) => new Error(`safetensors: tensor '${name}' ${what}`);
    if (!isObject(raw)) throw bad(`must be an object { dtype, shape, data_offsets }, got ${kindOf(raw)}`);
    const { dtype, shape, data_offsets: offsets } = raw;
    if (typeof dtype !== 'string' || !Object.prototype.hasOwnProperty.call(FROM_FILE, dtype)) {
      throw bad(`has dtype ${typeof dtype === 'string' ? dtype : JSON.stringify(dtype)}; readable: ${Object.keys(FROM_FILE).join(', ')}`);
    }
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw bad(`needs a shape that is a list of non-negative integers, got ${JSON.stringify(shape)}`);
    }
    const need = shape.reduce((a: number, b: number) => a * b, 1) * FROM_FILE[dtype].bytes;
    const [begin, end] = Array.isArray(offsets) && offsets.length === 2 ? offsets : [NaN, NaN];
    if (!Number.isInteger(begin) || !Number.isInteger(end) || begin < 0 || end > dataBytes || end - begin !== need) {
      throw bad(`([${shape}] ${dtype}) has data_offsets ${Array.isArray(offsets) ? `[${offsets.join(', ')}]` : JSON.stringify(offsets)}, which do not hold ${need} bytes ` +
        `inside the ${dataBytes}-byte data section`);
    }
    return [name, { dtype, shape, data_offsets: [begin, end] }];
  });
  const byStart = [...entries].filter(([, e]) => e.data_offsets[1] > e.data_offsets[0])
    .sort(([, a], [, b]) => a.data_offsets[0] - b.data_offsets[0]);
  for (let i = 1; i < byStart.length; i++) {
    const [prev, p] = byStart[i - 1];
    const [name, e] = byStart[i];
    if (e.data_offsets[0] < p.data_offsets[1]) {
      throw new Error(`safetensors: the bytes of tensors '${prev}' [${p.data_offsets}] and '${name}' [${e.data_offsets}] overlap`);
    }
  }
  return { metadata: metadata as Record<string, string>, entries };
}
