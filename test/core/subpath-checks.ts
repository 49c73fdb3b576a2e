// What each exported subpath ('tessera', 'tessera/ops', 'tessera/nn') must do on its own: a script that imports
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
};
