// The matmul every GPU course starts from: one invocation per output element, each reading a whole row of A and a
// whole column of B from storage. Written for this walkthrough only (tessera's own kernels are the tiled and
// subgroup ones in shaders/); run with plain WebGPU calls, so the page also shows what the library automates.
export const NAIVE_MATMUL_WGSL = /* wgsl */ `
struct Dims { M: u32, N: u32, K: u32 }
@group(0) @binding(0) var<storage, read> A: array<f32>;       // [M, K], row-major
@group(0) @binding(1) var<storage, read> B: array<f32>;       // [K, N]
@group(0) @binding(2) var<storage, read_write> C: array<f32>; // [M, N]
@group(0) @binding(3) var<uniform> dims: Dims;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let row = id.y; let col = id.x;
  if (row >= dims.M || col >= dims.N) { return; }
  var acc = 0.0;
  for (var k = 0u; k < dims.K; k++) {
    acc += A[row * dims.K + k] * B[k * dims.N + col];
  }
  C[row * dims.N + col] = acc;
}
`;

/** Runs the naive kernel `reps` times on A [M, K] and B [K, N]; returns C and the median milliseconds per run. */
export async function naiveMatmul(
  device: GPUDevice,
  a: Float32Array,
  b: Float32Array,
  M: number,
  N: number,
  K: number,
  reps: number,
): Promise<{ c: Float32Array; medianMs: number }> {
  const storage = (data: Float32Array | null, bytes: number, usage: number) => {
    const buffer = device.createBuffer({ size: bytes, usage, mappedAtCreation: data !== null });
    if (data) {
      new Float32Array(buffer.getMappedRange()).set(data);
      buffer.unmap();
    }
    return buffer;
  };
  const S = GPUBufferUsage.STORAGE;
  const [bufA, bufB] = [storage(a, a.byteLength, S), storage(b, b.byteLength, S)];
  const bufC = storage(null, M * N * 4, S | GPUBufferUsage.COPY_SRC);
  const dims = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(dims, 0, new Uint32Array([M, N, K, 0]));
  const pipeline = await device.createComputePipelineAsync({
    layout: 'auto',
    compute: { module: device.createShaderModule({ code: NAIVE_MATMUL_WGSL }), entryPoint: 'main' },
  });
  const group = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [bufA, bufB, bufC, dims].map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const run = async () => {
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(Math.ceil(N / 8), Math.ceil(M / 8));
    pass.end();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
  };
  await run(); // warm-up
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  const read = device.createBuffer({ size: M * N * 4, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(bufC, 0, read, 0, M * N * 4);
  device.queue.submit([encoder.finish()]);
  await read.mapAsync(GPUMapMode.READ);
  const c = new Float32Array(read.getMappedRange().slice(0));
  read.unmap();
  for (const buffer of [bufA, bufB, bufC, dims, read]) buffer.destroy();
  return { c, medianMs: times.sort((x, y) => x - y)[Math.floor(times.length / 2)] };
}
