// The peers, loaded only by the bench: TensorFlow.js (webgpu, wasm and cpu backends) and jax-js (webgpu, wasm).
// Both WebGPU peers run on the same Dawn GPU object as tessera: it is created here, kept referenced (Dawn
// crashes natively if it is collected) and published as navigator.gpu before anything requests an adapter.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

const require = createRequire(import.meta.url);
export let dawnGpu: unknown = null;

/** Creates the shared Dawn GPU and the WebGPU globals; call before tessera's ready(). */
export async function shareDawn(): Promise<void> {
  const dawn = await import('webgpu');
  Object.assign(globalThis, dawn.globals);
  dawnGpu = dawn.create([]);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: dawnGpu, userAgent: 'node' }, configurable: true, writable: true });
}

export type Tf = typeof import('@tensorflow/tfjs');
export type Jax = typeof import('@jax-js/jax');

/** TensorFlow.js with the named backend set; null (and a printed note) when it cannot start here. */
export async function loadTf(backend: 'webgpu' | 'wasm' | 'cpu'): Promise<Tf | null> {
  try {
    const tf = await import('@tensorflow/tfjs');
    if (backend === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu');
    if (backend === 'wasm') {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'))}/dist/`);
    }
    if (!(await tf.setBackend(backend))) throw new Error(`setBackend('${backend}') returned false`);
    await tf.ready();
    return tf;
  } catch (e) {
    console.log(`  (tfjs ${backend} unavailable: ${(e as Error).message.split('\n')[0]})`);
    return null;
  }
}

let jaxInit: Promise<string[]> | null = null;

/** jax-js with the named default device; null (and a printed note) when that device does not start. */
export async function loadJax(device: 'webgpu' | 'wasm'): Promise<Jax | null> {
  try {
    const jax = await import('@jax-js/jax');
    jaxInit ??= jax.init();
    const devices = await jaxInit;
    if (!devices.includes(device)) throw new Error(`devices found: ${devices.join(', ')}`);
    jax.defaultDevice(device);
    return jax;
  } catch (e) {
    console.log(`  (jax-js ${device} unavailable: ${(e as Error).message.split('\n')[0]})`);
    return null;
  }
}

export function versions(): Record<string, string> {
  const v = (p: string) => { try { return require(`${p}/package.json`).version as string; } catch { return 'missing'; } };
  return {
    node: process.version, webgpu: v('webgpu'), '@tensorflow/tfjs': v('@tensorflow/tfjs'),
    '@tensorflow/tfjs-backend-webgpu': v('@tensorflow/tfjs-backend-webgpu'),
    '@tensorflow/tfjs-backend-wasm': v('@tensorflow/tfjs-backend-wasm'), '@jax-js/jax': v('@jax-js/jax'),
  };
}
