// What each exported subpath ('tessera', 'tessera/ops', 'tessera/nn', 'tessera/node') must do on its own: a script that imports
// only that entry point and prints what it computed on the cpu. test/core/subpaths.test.ts runs these against the
// sources (through tsx), test/package/pack.test.ts against the built package installed from its tarball.

/** Keyed like package.json's `exports`; `script(from)` imports the entry point from the module specifier `from`. */
export const SUBPATH_CHECKS: Record<string, { script: (from: string) => string; prints: string }> = {
  '.': {
    script: (from) =>
      `import { tensor, nn } from '${from}'; const l = new nn.Linear(2, 3, { device: 'cpu' }); ` +
      `console.log(l.forward(tensor([[1, 2]], { device: 'cpu' })).shape.join('x'));`,
    prints: '1x3',
  },
  './ops': {
    script: (from) =>
      `import { tensor } from '${from}'; console.log(await tensor([1, 2, 3], { device: 'cpu' }).mul(2).sum().item());`,
    prints: '12',
  },
  './nn': {
    script: (from) =>
      `import { Linear, GELU, Sequential } from '${from}'; ` +
      `const m = new Sequential(new Linear(4, 2, { device: 'cpu' }), new GELU()); ` +
      `console.log(m.parameters().length, m.parameters()[0].exp().shape.join('x'));`,
    prints: '2 2x4',
  },
  './node': {
    // a safetensors file written by hand from the format (8-byte header length, JSON header, raw f32), then loaded
    script: (from) =>
      `import { safetensors, writeFileAtomic } from '${from}'; ` +
      `import { mkdtempSync } from 'node:fs'; import { tmpdir } from 'node:os'; import { join } from 'node:path'; ` +
      `const head = new TextEncoder().encode(JSON.stringify({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } })); ` +
      `const bytes = new Uint8Array(8 + head.length + 8); const view = new DataView(bytes.buffer); ` +
      `view.setBigUint64(0, BigInt(head.length), true); bytes.set(head, 8); ` +
      `view.setFloat32(8 + head.length, 1.5, true); view.setFloat32(12 + head.length, -2, true); ` +
      `const path = join(mkdtempSync(join(tmpdir(), 'tessera-node-')), 'w.safetensors'); ` +
      `await writeFileAtomic(path, bytes); ` +
      `const { tensors } = await safetensors.load(path); console.log(Array.from(await tensors.get('w').data()).join(' '));`,
    prints: '1.5 -2',
  },
};
