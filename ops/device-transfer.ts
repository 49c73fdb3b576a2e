// Moving tensors between the cpu and webgpu backends.
import { Tensor, assertTensor } from '../core/tensor.js';
import { uploadArray } from '../core/dtype.js';
import { Storage, checkDevice, type DeviceName } from '../core/storage.js';
import { initGpu } from '../core/device.js';

export async function toDevice(t: Tensor, device: DeviceName): Promise<Tensor> {
  assertTensor(t, 'to');
  checkDevice('to', device);
  if (t.device === device) return t;
  const values = await t.data();
  if (device === 'cpu') return new Tensor(Storage.fromHost('cpu', t.dtype, values), t.shape);
  await initGpu();
  if (t.dtype === 'f64') throw new Error('to: f64 tensors cannot move to webgpu; cast(\'f32\') first');
  return new Tensor(Storage.fromHost('webgpu', t.dtype, uploadArray(t.dtype, values)), t.shape);
}
