// Bad input raises a sentence naming the op, the argument and what is valid, and leaves memory() as it was:
// shapes of random tensors, slice bounds, dtype and device strings, JS arrays where tensors belong, corrupt
// safetensors headers and tokenizer files; plus the same NaN -> integer cast on both backends, and a readback
// pending across shutdown()/ready().
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gather, memory, narrow, nn, rand, randint, randn, slice, tensor, zeros } from '../../index.js';
import { loadTokenizer } from '../../node.js';
import { assertThrows } from '../helpers.js';

const s = suite('core input validation');
const devices = ['cpu', 'webgpu'] as const;

/** Expects `fn` to throw with every fragment and to leave no tensor or byte behind. */
function refuses(fn: () => unknown, ...fragments: string[]): void {
  const before = memory();
  assertThrows(fn, ...fragments);
  assert.is(memory().tensors, before.tensors, `no tensor left by ${fragments.join(' ')}`);
  assert.is(memory().bytes, before.bytes);
}

s('random tensors check their shape', () => {
  for (const device of devices) {
    refuses(() => randn([2, -3], { device }), 'randn', 'shape', 'non-negative integers', '[2,-3]');
    refuses(() => rand([1.5], { device }), 'rand', 'shape', 'non-negative integers');
    refuses(() => randint(0, 3, [NaN], { device }), 'randint', 'shape', 'non-negative integers');
    refuses(() => zeros([2, -1], { device }), 'shape', 'non-negative integers');
  }
});

s('slice and narrow need integer bounds', () => {
  const x = zeros([4, 3]);
  refuses(() => narrow(x, 0, 0.5, 1), 'narrow', 'integers', 'start=0.5');
  refuses(() => narrow(x, 0, 1, NaN), 'narrow', 'integers', 'length=NaN');
  refuses(() => slice(x, 0, NaN), 'slice', 'start', 'integer');
  refuses(() => x.slice(1, 0, 1.5), 'slice', 'end', 'integer');
  x.dispose();
});

s('unknown dtype and device strings are named', async () => {
  const x = zeros([2]);
  refuses(
    // @ts-expect-error: a dtype tessera does not have
    () => tensor([1, 2], { dtype: 'f8' }),
    'tensor',
    "unknown dtype 'f8'",
    'valid: f32, f16, bf16, i32, u32, bool, f64',
  );
  // @ts-expect-error: torch's spelling
  refuses(() => zeros([2], { dtype: 'float32' }), "unknown dtype 'float32'");
  // @ts-expect-error: a device tessera does not have
  refuses(() => zeros([2], { device: 'gpu' }), "unknown device 'gpu'", "valid: 'cpu', 'webgpu'");
  // @ts-expect-error: a device tessera does not have
  refuses(() => tensor([1], { device: 'cuda' }), 'tensor', "unknown device 'cuda'");
  // @ts-expect-error: a dtype tessera does not have
  refuses(() => x.cast('int'), "unknown dtype 'int'");
  let message = '';
  try {
    // @ts-expect-error: a device tessera does not have
    await x.to('gpu');
  } catch (e) {
    message = (e as Error).message;
  }
  assert.match(message, "to: unknown device 'gpu'");
  x.dispose();
});

s('a JS array where a tensor is expected gets a sentence, not a TypeError', () => {
  const x = zeros([2, 2]);
  refuses(
    () =>
      // @ts-expect-error: an array instead of a tensor
      x.matmul([
        [1, 0],
        [0, 1],
      ]),
    'matmul',
    'expected a Tensor',
    'JS array',
    'tensor(',
  );
  // index arguments accept a list of integers (test/ops/ergonomics.test.ts); a list of other things is refused
  // @ts-expect-error: strings instead of integers
  refuses(() => gather(x, 0, [['0']]), 'gather', 'integers only');
  // @ts-expect-error: an array instead of a tensor
  refuses(() => x.add([1, 2]), 'add', 'JS array');
  const layer = new nn.Linear(2, 2);
  // @ts-expect-error: an array instead of a tensor
  refuses(() => layer.forward([1, 2]), 'linear', 'expected a Tensor', 'JS array');
  layer.dispose();
  x.dispose();
});

s('NaN and out-of-range floats cast to integers alike on both backends', async () => {
  const values = [NaN, 1.5, -2.5, Infinity, -Infinity, 3e9];
  for (const dtype of ['i32', 'u32'] as const) {
    const [cpu, gpu] = await Promise.all(devices.map((device) => tensor(values, { device }).cast(dtype).data()));
    assert.equal([...gpu], [...cpu], dtype);
    assert.is(cpu[0], 0, `NaN -> 0 as ${dtype}`);
  }
});

s('corrupt safetensors headers get sentences', () => {
  const file = (header: unknown, dataBytes = 8) => {
    const head = new TextEncoder().encode(JSON.stringify(header));
    const f = new Uint8Array(8 + head.length + dataBytes);
    new DataView(f.buffer).setUint32(0, head.length, true);
    f.set(head, 8);
    return f;
  };
  const { deserialize } = nn.safetensors;
  const entry = (o: object) => ({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 8], ...o } });
  refuses(() => deserialize(file(null)), 'safetensors', 'JSON object', 'null');
  refuses(() => deserialize(file(3)), 'safetensors', 'JSON object', 'number');
  refuses(() => deserialize(file([])), 'safetensors', 'JSON object', 'array');
  refuses(() => deserialize(file({ x: 5 })), "tensor 'x'", 'must be an object');
  refuses(() => deserialize(file({ x: { dtype: 'F32', data_offsets: [0, 8] } })), "tensor 'x'", 'shape');
  refuses(() => deserialize(file(entry({ dtype: '__proto__' }))), "tensor 'x'", 'dtype __proto__', 'readable: F32');
  refuses(() => deserialize(file(entry({ dtype: 'constructor' }))), "tensor 'x'", 'dtype constructor');
  refuses(() => deserialize(file(entry({ shape: [2.5] }))), "tensor 'x'", 'shape');
  refuses(
    () => deserialize(file(entry({ shape: [1], data_offsets: [0.5, 4.5] }))),
    "tensor 'x'",
    'data_offsets [0.5, 4.5]',
  );
  refuses(() => deserialize(file(entry({ data_offsets: [0] }))), "tensor 'x'", 'data_offsets');
  refuses(
    () => deserialize(file({ ...entry({}), y: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } })),
    "'x'",
    "'y'",
    'overlap',
  );
  refuses(() => deserialize(file({ __metadata__: { n: 1 }, ...entry({}) })), '__metadata__', 'string values');
  const ok = deserialize(
    file({ ...entry({ shape: [1], data_offsets: [0, 4] }), y: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }),
  );
  assert.equal([...ok.tensors.keys()], ['x', 'y']);
  for (const t of ok.tensors.values()) t.dispose();
});

s('tokenizer files with missing or wrong fields, and multi-character entries, get sentences', () => {
  const { CharTokenizer, BpeTokenizer } = nn.text;
  // @ts-expect-error: a file without chars
  assertThrows(() => CharTokenizer.fromJSON({ type: 'char' }), 'CharTokenizer', 'chars must be an array');
  // @ts-expect-error: not an object
  assertThrows(() => CharTokenizer.fromJSON(null), 'CharTokenizer.fromJSON', 'null');
  assertThrows(() => new CharTokenizer(['a', 'bc']), 'CharTokenizer', 'one character', '"bc"');
  assertThrows(() => new CharTokenizer(['a', '']), 'CharTokenizer', 'one character');
  assert.equal(new CharTokenizer(['a', '😀']).encode('😀a'), [1, 0]); // one code point, two UTF-16 units
  // @ts-expect-error: a file without merges
  assertThrows(() => BpeTokenizer.fromJSON({ type: 'bpe' }), 'BpeTokenizer', 'merges must be an array');
  // @ts-expect-error: a merge that is not a pair
  assertThrows(() => BpeTokenizer.fromJSON({ type: 'bpe', merges: [[1]] }), 'BpeTokenizer', 'merge 0', 'pair');
  const dir = mkdtempSync(join(tmpdir(), 'tessera-tok-'));
  const path = join(dir, 'bad.json');
  writeFileSync(path, '{"type": "char", "chars": [');
  assertThrows(() => loadTokenizer(path), 'loadTokenizer', path, 'invalid JSON');
  writeFileSync(path, '{"type": "words"}');
  assertThrows(() => loadTokenizer(path), 'loadTokenizer', path, '"words"', '"char" or "bpe"');
  rmSync(dir, { recursive: true, force: true });
});

s('a readback pending across shutdown() rejects with a sentence, and ops work after ready() again', () => {
  const child = fileURLToPath(new URL('./shutdown-child.ts', import.meta.url));
  const r = spawnSync(process.execPath, [...process.execArgv, child], { encoding: 'utf8', timeout: 60_000 });
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  const { pendingError, after } = JSON.parse(line) as { pendingError: string; after: string };
  assert.match(pendingError, 'readback');
  assert.match(pendingError, 'shutdown()');
  assert.is(after, '[3,6]');
});

s.run();
