// The default device and dtype for newly created tensors (as torch.set_default_device / set_default_dtype).
import { isFloat, type DType } from './dtype.js';
import type { DeviceName } from './storage.js';
import { initGpu } from './device.js';

let defaultDevice: DeviceName = 'cpu';
let defaultDtype: DType = 'f32';

export const getDefaultDevice = (): DeviceName => defaultDevice;
export const getDefaultDtype = (): DType => defaultDtype;

/** Sets where new tensors live. Choosing 'webgpu' initialises the GPU, hence the Promise. */
export async function setDefaultDevice(device: DeviceName): Promise<void> {
  if (device !== 'cpu' && device !== 'webgpu') throw new Error(`setDefaultDevice: unknown device '${device}' (valid: 'cpu', 'webgpu')`);
  if (device === 'webgpu') await initGpu();
  defaultDevice = device;
}

export function setDefaultDtype(dtype: DType): void {
  if (!isFloat(dtype)) throw new Error(`setDefaultDtype: expected a float dtype, got ${dtype}`);
  defaultDtype = dtype;
}
