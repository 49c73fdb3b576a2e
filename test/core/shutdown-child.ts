// Child process of input-validation.test.ts (not a test itself): shutdown() with a readback pending, then ready()
// again. Prints one JSON line: the pending readback's error and the result of an op after ready().
import { ready, shutdown, tensor } from '../../index.js';

await ready();
const x = tensor([1, 2, 3], { device: 'webgpu' });
const pending = x
  .add(1)
  .data()
  .then(
    () => 'resolved',
    (e: Error) => e.message,
  );
shutdown();
const pendingError = await pending;
await ready();
let after: string;
try {
  after = JSON.stringify([...(await tensor([1, 2], { device: 'webgpu' }).mul(3).data())]);
} catch (e) {
  after = (e as Error).message;
}
console.log(JSON.stringify({ pendingError, after }));
shutdown();
