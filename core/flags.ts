// Debug flags, read from the environment in this one place.
//   TESSERA_LOG_OPS=1      print each op with its shapes and the time spent recording it
//   TESSERA_PRINT_WGSL=1   print every WGSL source when its pipeline is first built
//   TESSERA_CHECK_NAN=1    check every op's output for NaN/Inf and name the first op that produced one
//   TESSERA_VALIDATE=1     re-run every webgpu op on the cpu reference and report mismatches
//   TESSERA_PACK_F16=1     store f16 packed two per u32 (computed in f32) even where the adapter has 'shader-f16'
//   TESSERA_DEBUG=1        warn about tensors garbage-collected without being disposed
const env = (typeof process !== 'undefined' ? process.env : {}) as Record<string, string | undefined>;
const on = (name: string): boolean => !!env[name] && env[name] !== '0';

export const flags = {
  logOps: on('TESSERA_LOG_OPS'),
  printWgsl: on('TESSERA_PRINT_WGSL'),
  checkNan: on('TESSERA_CHECK_NAN'),
  validate: on('TESSERA_VALIDATE'),
  debug: on('TESSERA_DEBUG'),
  packF16: on('TESSERA_PACK_F16'),
};
