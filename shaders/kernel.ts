// Kernel declarations: a kernel names its storage buffers and its uniforms once, and everything that used to be
// numbered by hand comes from that declaration: binding indices, uniform word positions (WGSL constants W_<name>),
// the packing on the host (checked names and lengths), and the buffer count of each dispatch.
//
// Strided operands share one addressing scheme. An index space (`spaces`) is a rank word and a shape (innermost dim
// first); a view (`views`) walks a space with its own offset word and strides, and gets the WGSL function
// `offset_<view>(flat) -> u32`: the storage offset of element `flat` (row-major over the space). The dims are
// unrolled so every uniform index is a constant (a run-time index is a loop on lavapipe).
//
// Buffers declared with a dtype get `load_<buf>(offset)` and, when written, `store_<buf>(offset, v)` in the value
// type (f32 for f16/bf16). Half-width floats are stored two per u32 when packed (bf16 always; f16 where the
// adapter lacks 'shader-f16', or when forced): loads unpack, stores replace their 16 bits with atomicAnd/atomicOr,
// so two threads writing the two halves of one word never lose each other's write, whatever the output's layout
// (strided in-place views, odd offsets, scattered writes). Outputs contiguous from an even offset (every fresh
// elementwise result) skip the atomics: one thread computes both elements of a word and stores it whole (`pairs`).
import type { DType } from '../core/dtype.js';
import { packsHalf } from '../core/device.js';
import { dispatch as record } from '../core/executor.js';
import type { Submit } from '../core/storage.js';
import { META_WORDS, MetaWriter, preamble, storageType } from './preamble.js';

export interface BufferDecl {
  /** a tensor's dtype: the storage type (native or packed) and load/store functions come from it */
  dtype?: DType;
  /** a raw WGSL element type instead (atomic<u32>, vec4<f32>...) */
  type?: string;
  write?: boolean;
  /**
   * a packed buffer written a whole word at a time, two elements per thread (`store2_<name>(o, v)`, o even): no
   * atomics, for outputs whose elements are contiguous from an even offset
   */
  pairs?: boolean;
}

export interface KernelDecl {
  /** names the kernel in errors */
  name: string;
  buffers: Record<string, BufferDecl>;
  /** uniform name -> number of 32-bit words */
  uniforms?: Record<string, number>;
  /** index space name -> largest rank */
  spaces?: Record<string, number>;
  /** strided view name -> the index space it walks */
  views?: Record<string, string>;
}

/** How a dtype is laid out in a storage buffer under the current adapter. */
export type Storage = 'native' | 'f16x2' | 'bf16x2';

export function storageLayout(d: DType): Storage {
  if (d === 'bf16') return 'bf16x2';
  if (d === 'f16' && packsHalf()) return 'f16x2';
  return 'native';
}

/** The WGSL type kernels compute a dtype in: half-width floats in f32, bool as u32 0/1. */
export function valueType(d: DType): string {
  return d === 'f32' || d === 'f16' || d === 'bf16' ? 'f32' : d === 'i32' ? 'i32' : 'u32';
}

export class Kernel {
  readonly bindings: string[];
  readonly words: Record<string, { at: number; size: number }> = {};
  constructor(readonly decl: KernelDecl) {
    this.bindings = Object.keys(decl.buffers);
    let at = 0;
    const take = (name: string, size: number) => {
      if (this.words[name]) throw new Error(`internal: kernel ${decl.name} declares uniform ${name} twice`);
      this.words[name] = { at, size };
      at += size;
    };
    for (const [name, size] of Object.entries(decl.uniforms ?? {})) take(name, size);
    for (const [name, rank] of Object.entries(decl.spaces ?? {})) {
      take(`${name}_rank`, 1);
      take(`${name}_shape`, rank);
    }
    for (const [name, space] of Object.entries(decl.views ?? {})) {
      const rank = decl.spaces?.[space];
      if (rank === undefined)
        throw new Error(`internal: view ${name} of kernel ${decl.name} walks undeclared space ${space}`);
      take(`${name}_offset`, 1);
      take(`${name}_strides`, rank);
    }
    // the last word stays 0: the preamble's nan_f32/inf_f32 read it
    if (at > META_WORDS - 1)
      throw new Error(`internal: kernel ${decl.name} needs ${at} uniform words (at most ${META_WORDS - 1})`);
  }

  /** The WGSL header: preamble, bindings, uniform word constants, load/store and offset functions. */
  header(): string {
    const { buffers, spaces = {}, views = {} } = this.decl;
    const nativeF16 = Object.values(buffers).some(
      (b) => (b.dtype === 'f16' && storageLayout('f16') === 'native') || /\bf16\b/.test(b.type ?? ''),
    );
    const lines = this.bindings.map((name, i) => {
      const b = buffers[name];
      const access = b.write ? 'read_write' : 'read';
      return `@group(0) @binding(${i}) var<storage, ${access}> ${name}: array<${b.type ?? elementType(b)}>;`;
    });
    for (const [name, { at }] of Object.entries(this.words)) lines.push(`const W_${name} = ${at}u;`);
    for (const name of this.bindings) if (buffers[name].dtype) lines.push(...accessors(name, buffers[name]));
    for (const [view, space] of Object.entries(views)) lines.push(offsetFn(view, space, spaces[space]));
    for (const [space, rank] of Object.entries(spaces)) {
      if (this.viewsOf(space).length > 0) lines.push(offsetsFn(space, rank, this.viewsOf(space)));
    }
    return `${preamble({ f16: nativeF16, uniformBinding: this.bindings.length })}\n${lines.join('\n')}\n`;
  }

  /** The views of index space `space`, in declaration order: the order of `offsets_<space>(flat)`'s results. */
  viewsOf(space: string): string[] {
    return Object.entries(this.decl.views ?? {})
      .filter(([, s]) => s === space)
      .map(([v]) => v);
  }

  /** A packer for this kernel's uniforms. */
  meta(): Meta {
    return new Meta(this);
  }

  /** Records a dispatch; `buffers` must name exactly the declared bindings. */
  dispatch(
    pipe: GPUComputePipeline,
    buffers: Record<string, GPUBuffer>,
    meta: Meta,
    workgroups: readonly [number, number?, number?],
  ): Submit {
    const given = Object.keys(buffers);
    if (given.length !== this.bindings.length || this.bindings.some((b) => !buffers[b])) {
      throw new Error(`internal: kernel ${this.decl.name} declares buffers [${this.bindings}] but got [${given}]`);
    }
    return record(
      pipe,
      this.bindings.map((b) => buffers[b]),
      meta.words,
      workgroups,
    );
  }
}

const declarations = new Map<string, Kernel>();

/**
 * The declaration of the kernel whose pipeline key is `key`, made once: a key fixes the WGSL, so it fixes the
 * declaration, and building one per dispatch (word tables from its uniforms, spaces and views) was host work
 * repeated for every row kernel of a training step.
 */
export function declaration(key: string, make: () => Kernel): Kernel {
  let d = declarations.get(key);
  if (!d) declarations.set(key, (d = make()));
  return d;
}

/** Uniform words of one dispatch, written by name. */
export class Meta {
  private readonly w = new MetaWriter();
  constructor(private readonly k: Kernel) {}
  get words(): Uint32Array {
    return this.w.words;
  }
  /** word `index` of uniform `name`, which must have room for `n` words from there */
  private slot(name: string, n = 1, index = 0): number {
    const s = this.k.words[name];
    if (!s) throw new Error(`internal: kernel ${this.k.decl.name} has no uniform ${name}`);
    if (index + n > s.size)
      throw new Error(`internal: uniform ${name} of kernel ${this.k.decl.name} has ${s.size} words, not ${index + n}`);
    return s.at + index;
  }
  u32(name: string, v: number, index = 0): this {
    this.w.u32(this.slot(name, 1, index), v);
    return this;
  }
  i32(name: string, v: number, index = 0): this {
    this.w.i32(this.slot(name, 1, index), v);
    return this;
  }
  f32(name: string, v: number, index = 0): this {
    this.w.f32(this.slot(name, 1, index), v);
    return this;
  }
  /** a value of WGSL type T (f32, i32 or u32) */
  typed(name: string, T: string, v: number, index = 0): this {
    return T === 'f32'
      ? this.f32(name, v, index)
      : T === 'i32'
        ? this.i32(name, v, index)
        : this.u32(name, v >>> 0, index);
  }
  list(name: string, vs: readonly number[]): this {
    this.w.list(this.slot(name, vs.length), vs);
    return this;
  }
  /** an index space's shape (outermost dim first, as tensors give it) */
  space(name: string, shape: readonly number[]): this {
    if (shape.length > this.k.words[`${name}_shape`]?.size) {
      throw new Error(
        `${this.k.decl.name}: rank ${shape.length} exceeds the kernel's ${this.k.words[`${name}_shape`].size}; make the tensor contiguous`,
      );
    }
    return this.u32(`${name}_rank`, shape.length).list(`${name}_shape`, [...shape].reverse());
  }
  /** a view's offset and strides over its space (outermost dim first) */
  view(name: string, offset: number, strides: readonly number[]): this {
    return this.u32(`${name}_offset`, offset).list(`${name}_strides`, [...strides].reverse());
  }
}

function elementType(b: BufferDecl): string {
  const s = storageLayout(b.dtype!);
  if (s === 'native') return storageType(b.dtype!);
  return b.write && !b.pairs ? 'atomic<u32>' : 'u32';
}

/** load_<name>(o) and (written buffers) store_<name>(o, v), in the value type. */
function accessors(name: string, b: BufferDecl): string[] {
  const d = b.dtype!;
  const V = valueType(d);
  const s = storageLayout(d);
  if (s === 'native') {
    const S = storageType(d);
    return [
      `fn load_${name}(o: u32) -> ${V} { return ${V}(${name}[o]); }`,
      ...(b.write ? [`fn store_${name}(o: u32, v: ${V}) { ${name}[o] = ${S}(v); }`] : []),
    ];
  }
  const word = b.write && !b.pairs ? `atomicLoad(&${name}[o >> 1u])` : `${name}[o >> 1u]`;
  const load =
    s === 'f16x2'
      ? `fn load_${name}(o: u32) -> f32 { return unpack2x16float(${word})[o & 1u]; }`
      : `fn load_${name}(o: u32) -> f32 { let w = ${word}; return bitcast<f32>(select(w << 16u, w & 0xffff0000u, (o & 1u) == 1u)); }`;
  if (!b.write) return [load];
  if (b.pairs) {
    const pair = s === 'f16x2' ? 'pack2x16float(v)' : 'bf16_bits(v.x) | (bf16_bits(v.y) << 16u)';
    return [load, `fn store2_${name}(o: u32, v: vec2<f32>) { ${name}[o >> 1u] = ${pair}; }`];
  }
  const bits = s === 'f16x2' ? 'pack2x16float(vec2<f32>(v, 0.0)) & 0xffffu' : 'bf16_bits(v)';
  return [
    load,
    `fn store_${name}(o: u32, v: f32) {
  let shift = (o & 1u) * 16u;
  atomicAnd(&${name}[o >> 1u], ~(0xffffu << shift));
  atomicOr(&${name}[o >> 1u], (${bits}) << shift);
}`,
  ];
}

/**
 * offsets_<space>(flat): the offsets of element `flat` in every view of the space, from one walk over its dims.
 * Separate offset_<view> calls repeat the divisions per view; on lavapipe (which did not merge them) a strided
 * three-operand where ran about 3x slower that way (62-124 ms against 20-29 ms for the single walk it replaced,
 * on a loaded machine).
 */
function offsetsFn(space: string, rank: number, views: string[]): string {
  const dims = Array.from({ length: rank }, (_, j) => [
    `  if (uw(W_${space}_rank) > ${j}u) {`,
    `    let size = uw(W_${space}_shape + ${j}u); let coord = rem % size; rem = rem / size;`,
    ...views.map((v, k) => `    o[${k}] += coord * uw(W_${v}_strides + ${j}u);`),
    '  }',
  ]).flat();
  return `fn offsets_${space}(flat: u32) -> array<u32, ${views.length}> {
  var o = array<u32, ${views.length}>(${views.map((v) => `uw(W_${v}_offset)`).join(', ')});
  var rem = flat;
${dims.join('\n')}
  return o;
}`;
}

/** offset_<view>(flat): the storage offset of element `flat` of the view's index space. */
function offsetFn(view: string, space: string, rank: number): string {
  const dims = Array.from(
    { length: rank },
    (_, j) =>
      `  if (uw(W_${space}_rank) > ${j}u) { let size = uw(W_${space}_shape + ${j}u); off += (rem % size) * uw(W_${view}_strides + ${j}u); rem = rem / size; }`,
  );
  return `fn offset_${view}(flat: u32) -> u32 {
  var off = uw(W_${view}_offset); var rem = flat;
${dims.join('\n')}
  return off;
}`;
}
