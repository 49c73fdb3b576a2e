// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11), a counter-based generator:
// the random bits of element i depend only on (seed, stream, i), so the cpu and webgpu backends produce the same
// numbers, in any order, with no state on the device.

export const PHILOX_WGSL = `
fn mulhilo(a: u32, b: u32) -> vec2<u32> {
  let al = a & 0xffffu; let ah = a >> 16u; let bl = b & 0xffffu; let bh = b >> 16u;
  let ll = al * bl; let lh = al * bh; let hl = ah * bl; let hh = ah * bh;
  let mid = (ll >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  return vec2<u32>(hh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u), a * b);
}
fn philox(counter: vec4<u32>, key_in: vec2<u32>) -> vec4<u32> {
  var c = counter; var k = key_in;
  for (var r = 0u; r < 10u; r++) {
    let p0 = mulhilo(0xD2511F53u, c.x); let p1 = mulhilo(0xCD9E8D57u, c.z);
    c = vec4<u32>(p1.x ^ c.y ^ k.x, p1.y, p0.x ^ c.w ^ k.y, p0.y);
    k = k + vec2<u32>(0x9E3779B9u, 0xBB67AE85u);
  }
  return c;
}
fn rand_bits(idx: u32) -> vec4<u32> { return philox(vec4<u32>(idx, uw(W_params + 2u), 0u, 0u), vec2<u32>(uw(W_params), uw(W_params + 1u))); }
fn uniform01(bits: u32) -> f32 { return f32(bits >> 8u) * 5.9604644775390625e-8; }
`;

function mulhilo(a: number, b: number): [number, number] {
  const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
  const ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return [(hh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0, Math.imul(a, b) >>> 0];
}

/** The JS twin of the WGSL philox(): four random u32 words for counter (idx, stream, 0, 0) under (seedLo, seedHi). */
export function philox(idx: number, stream: number, seedLo: number, seedHi: number): [number, number, number, number] {
  let c0 = idx >>> 0, c1 = stream >>> 0, c2 = 0, c3 = 0;
  let k0 = seedLo >>> 0, k1 = seedHi >>> 0;
  for (let r = 0; r < 10; r++) {
    const [h0, l0] = mulhilo(0xd2511f53, c0);
    const [h1, l1] = mulhilo(0xcd9e8d57, c2);
    [c0, c1, c2, c3] = [(h1 ^ c1 ^ k0) >>> 0, l1, (h0 ^ c3 ^ k1) >>> 0, l0];
    k0 = (k0 + 0x9e3779b9) >>> 0;
    k1 = (k1 + 0xbb67ae85) >>> 0;
  }
  return [c0, c1, c2, c3];
}

export const uniform01 = (bits: number): number => (bits >>> 8) * 5.9604644775390625e-8;
