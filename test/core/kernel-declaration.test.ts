// Kernel declarations (shaders/kernel.ts): uniform words and bindings come from the declaration, the generated
// offset function walks a view innermost dim first, a dispatch with the wrong buffers or an oversized shape raises
// before anything is recorded, and core/shape.ts merges dims and broadcasts strides as the kernels expect.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Kernel } from '../../shaders/kernel.js';
import { broadcastStrides, coalesce } from '../../core/shape.js';
import { assertThrows } from '../helpers.js';

const s = suite('core kernel declarations');

const decl = () =>
  new Kernel({
    name: 'probe',
    buffers: { x: { type: 'f32' }, out: { type: 'f32', write: true } },
    uniforms: { n: 1, params: 3 },
    spaces: { walk: 2 },
    views: { x: 'walk' },
  });

s('uniform words are laid out in declaration order: uniforms, spaces, views', () => {
  const k = decl();
  assert.equal(k.words, {
    n: { at: 0, size: 1 },
    params: { at: 1, size: 3 },
    walk_rank: { at: 4, size: 1 },
    walk_shape: { at: 5, size: 2 },
    x_offset: { at: 7, size: 1 },
    x_strides: { at: 8, size: 2 },
  });
  assert.equal(k.bindings, ['x', 'out']);
});

s('the packer writes shapes and strides innermost first, and names what does not fit', () => {
  const m = decl().meta().u32('n', 6).space('walk', [2, 3]).view('x', 5, [1, 2]).f32('params', 0.5, 2);
  assert.equal([...m.words.slice(0, 10)], [6, 0, 0, 0x3f000000, 2, 3, 2, 5, 2, 1]);
  assertThrows(() => decl().meta().space('walk', [2, 3, 4]), 'probe', 'rank 3');
  assertThrows(() => decl().meta().u32('params', 1, 3), 'params', '3 words');
  assertThrows(() => decl().meta().u32('missing', 1), 'no uniform missing');
});

s('a dispatch must name exactly the declared buffers', () => {
  const k = decl();
  const buffer = {} as GPUBuffer;
  const pipe = {} as GPUComputePipeline;
  assertThrows(() => k.dispatch(pipe, { x: buffer }, k.meta(), [1]), 'declares buffers [x,out]');
  assertThrows(() => k.dispatch(pipe, { x: buffer, y: buffer }, k.meta(), [1]), 'declares buffers [x,out]');
});

s('a declaration that overflows the uniform block raises', () => {
  assertThrows(
    () => new Kernel({ name: 'big', buffers: {}, uniforms: { a: 50 }, spaces: { s: 8 }, views: { v: 's' } }),
    'big',
    '68',
  );
  assertThrows(() => new Kernel({ name: 'bad', buffers: {}, views: { v: 'nowhere' } }), 'undeclared space nowhere');
});

s('coalesce merges dims every operand walks contiguously and drops size-1 dims', () => {
  // a [2, 3, 4] contiguous tensor beside a broadcast one that repeats along dim 0
  assert.equal(
    coalesce(
      [2, 3, 4],
      [
        [12, 4, 1],
        [0, 4, 1],
      ],
    ),
    {
      shape: [2, 12],
      strides: [
        [12, 1],
        [0, 1],
      ],
    },
  );
  // a transposed operand keeps the dims apart
  assert.equal(
    coalesce(
      [3, 4],
      [
        [4, 1],
        [1, 3],
      ],
    ),
    {
      shape: [3, 4],
      strides: [
        [4, 1],
        [1, 3],
      ],
    },
  );
  assert.equal(coalesce([1, 5, 1], [[5, 1, 1]]), { shape: [5], strides: [[1]] });
});

s('broadcastStrides gives size-1 and missing leading dims stride 0', () => {
  assert.equal(broadcastStrides([3, 1], [1, 1], [2, 3, 4]), [0, 1, 0]);
  assert.equal(broadcastStrides([4], [2], [3, 4]), [0, 2]);
});

s.run();
