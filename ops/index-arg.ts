// Index arguments given as plain JS lists of integers (torch accepts Python lists where it expects an index
// tensor: x.index_select(0, [2, 0]) is written x.indexSelect(0, [2, 0]) here). The list becomes an i32 tensor on
// the input's device for the one call.
import { Tensor, type NestedArray } from '../core/tensor.js';
import type { DeviceName } from '../core/storage.js';
import { tensor } from './creation.js';

/** A (nested) list of integers. */
export type IntList = readonly (number | IntList)[];
/** An index tensor, or the same as a JS list of integers. */
export type IndexArg = Tensor | IntList;

/**
 * Runs `run` with the index as a tensor: a Tensor as it is; a list as an i32 tensor on `device`, freed after the
 * call unless the result's gradient reads it (it is then freed with the enclosing tidy scope, as the result is).
 */
export function withIndex(op: string, index: IndexArg, device: DeviceName, run: (index: Tensor) => Tensor): Tensor {
  if (index instanceof Tensor) return run(index);
  if (!Array.isArray(index)) {
    throw new Error(
      `${op}: index must be a Tensor or a list of integers, got ${index === null ? 'null' : typeof index}`,
    );
  }
  const bad = (index as unknown[]).flat(Infinity).find((v) => typeof v !== 'number' || !Number.isInteger(v));
  if (bad !== undefined)
    throw new Error(
      `${op}: an index list must hold integers only, got ${typeof bad === 'number' ? bad : JSON.stringify(bad)}`,
    );
  const made = tensor(index as NestedArray, { dtype: 'i32', device });
  let out: Tensor;
  try {
    out = run(made);
  } catch (e) {
    made.dispose();
    throw e;
  }
  if (!out.gradFn) made.dispose();
  return out;
}
