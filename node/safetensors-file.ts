// safetensors files: nn.safetensors encodes and decodes the bytes (the format is described there); these write and
// read them on disk. A save goes through writeFileAtomic, so an interrupted save leaves the old file intact.
import { readFile } from 'node:fs/promises';
import type { Tensor, DeviceName } from '../core/index.js';
import type { Module } from '../nn/module.js';
import { serialize, deserialize, type TensorMap } from '../nn/safetensors.js';
import { writeFileAtomic } from './atomic-write.js';

/** Writes tensors, or a module's state dict, to a .safetensors file. */
export async function save(path: string, source: TensorMap | Module, metadata?: Record<string, string>): Promise<void> {
  const tensors =
    'stateDict' in source && typeof source.stateDict === 'function'
      ? (source as Module).stateDict()
      : (source as TensorMap);
  await writeFileAtomic(path, await serialize(tensors, metadata));
}

/** Reads a .safetensors file. */
export async function load(
  path: string,
  opts: { device?: DeviceName } = {},
): Promise<{ tensors: Map<string, Tensor>; metadata: Record<string, string> }> {
  return deserialize(await readFile(path), opts);
}

/**
 * Loads a .safetensors file into a module's parameters and buffers (on the module's device). With `strict`
 * (default) a missing or unexpected name is an error; a shape mismatch always is. Returns the file's metadata.
 */
export async function loadInto(
  module: Module,
  path: string,
  opts: { strict?: boolean } = {},
): Promise<Record<string, string>> {
  const device = module.parameters()[0]?.device ?? 'cpu';
  const { tensors, metadata } = await load(path, { device });
  try {
    module.loadStateDict(tensors, opts.strict ?? true);
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  return metadata;
}
