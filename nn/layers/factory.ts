// Where a layer's parameters are created, as torch's factory kwargs (device=, dtype=).
import type { DType, DeviceName } from '../../core/index.js';
import { getDefaultDevice, getDefaultDtype } from '../../core/index.js';
import { zeros } from '../../ops/index.js';
import { Parameter } from '../parameter.js';

export interface LayerOptions {
  device?: DeviceName;
  dtype?: DType;
}

/** A new Parameter of `shape` on the layer's device, filled by `init` (zeros when none is given). */
export function parameter(shape: number[], opts: LayerOptions, init?: (p: Parameter) => unknown): Parameter {
  const data = zeros(shape, { device: opts.device ?? getDefaultDevice(), dtype: opts.dtype ?? getDefaultDtype() });
  const p = new Parameter(data);
  data.dispose();
  init?.(p);
  return p;
}
