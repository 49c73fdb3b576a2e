// The layering the design notes promise, checked on the import specifiers of every .ts file in the tree:
//   core <- shaders <- ops <- nn <- node <- methods,
// nn/ reaches kernels only through ops/ (no executor, no pipelines), methods/ use only the public API (the package
// entries index.ts and node.ts) and the shared kits in methods/shared/, and no runtime import cycle exists anywhere.
// And the main entry runs in a browser: nothing index.ts reaches at run time imports a Node built-in or Dawn
// statically (those live behind 'tessera/node', node.ts; Dawn is imported dynamically, only under Node).
// The scan uses the TypeScript parser, so multi-line imports, `export ... from`, side-effect imports and dynamic
// `import()` are all seen; type-only imports count for the layering but not for cycles (they are erased).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinModules } from 'node:module';
import ts from 'typescript';
import { build } from 'esbuild';

const test = suite('core/layering');
const root = fileURLToPath(new URL('../..', import.meta.url));
const SKIP = new Set(['node_modules', '.git', 'results']);

interface Edge {
  from: string;
  to: string;
  /** `import type`, or every name imported is a type: erased at run time */
  typeOnly: boolean;
  /** an `import()` expression: runs only when that code runs */
  dynamic: boolean;
}

/** An import of a package or a Node built-in (not a relative path), as written. */
interface BareImport {
  from: string;
  specifier: string;
  typeOnly: boolean;
  dynamic: boolean;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (SKIP.has(name) || name.startsWith('.')) return [];
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [p] : [];
  });
}

/**
 * The imports of one file: relative ones resolved to repository paths ('./x.js' names the source './x.ts'), and
 * bare ones (packages, Node built-ins) as written.
 */
function scan(file: string): { edges: Edge[]; bare: BareImport[] } {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const from = relative(root, file);
  const edges: Edge[] = [];
  const bare: BareImport[] = [];
  const add = (specifier: string, typeOnly: boolean, dynamic = false) => {
    if (!specifier.startsWith('.')) {
      bare.push({ from, specifier, typeOnly, dynamic });
      return;
    }
    const target = resolve(dirname(file), specifier).replace(/\.js$/, '.ts');
    edges.push({ from, to: relative(root, target), typeOnly, dynamic });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const allTypes =
        !!clause &&
        (clause.isTypeOnly ||
          (!clause.name &&
            !!clause.namedBindings &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier.text, allTypes);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) add(arg.text, false, true);
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      add(node.argument.literal.text, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { edges, bare };
}

const LAYERS = ['core', 'shaders', 'ops', 'nn', 'node', 'methods'];

/**
 * core, shaders, ops, nn, node, methods by top folder; 'api' for the package entries index.ts ('tessera') and
 * node.ts ('tessera/node'); 'outside' for the rest (test, bench, demo, scripts, site), which may import anything
 * and which the library never imports.
 */
function layerOf(path: string): string {
  if (path === 'index.ts' || path === 'node.ts') return 'api';
  const top = path.split('/')[0];
  return LAYERS.includes(top) ? top : 'outside';
}

/** methods/<name>/... -> '<name>' ('shared' for the shared kits). */
const methodOf = (path: string) => path.split('/')[1];

/** Why an import breaks the layering, or null when it is allowed. */
function violation({ from, to }: Pick<Edge, 'from' | 'to'>): string | null {
  const [a, b] = [layerOf(from), layerOf(to)];
  if (b === 'outside' && a !== 'outside') return `the library imports ${to}, which is outside it`;
  if (a === 'outside') return null;
  if (a === 'api') return b === 'methods' ? 'the public API must not import a method' : null;
  if (a === 'methods') {
    if (b === 'api') return null;
    if (b !== 'methods') return 'methods use only the public API (index.ts, node.ts) and methods/shared/';
    const [own, other] = [methodOf(from), methodOf(to)];
    if (other === 'shared' || other === own) return null;
    return own === 'shared'
      ? 'methods/shared/ must not import a method'
      : `a method must not import another method (${other})`;
  }
  if (b === 'api') return `${a}/ must not import the package root (it re-exports ${a}/ itself: an import cycle)`;
  if (LAYERS.indexOf(b) > LAYERS.indexOf(a))
    return `${a}/ sits below ${b}/ (core <- shaders <- ops <- nn <- node <- methods)`;
  if (a === 'nn' && (to === 'core/executor.ts' || (b === 'shaders' && to !== 'shaders/math.ts'))) {
    return 'nn/ reaches kernels only through ops/ (no executor, pipelines or WGSL sources)';
  }
  return null;
}

/** Every cycle among runtime imports, each as its strongly connected component (Tarjan). */
function cycles(edges: Pick<Edge, 'from' | 'to'>[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const strongConnect = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        strongConnect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (next.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) strongConnect(v);
  return found;
}

/** Node's built-in modules, with and without the node: prefix, and Dawn (the `webgpu` package, a native addon). */
const NODE_ONLY = new Set(['webgpu', ...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const isNodeOnly = (specifier: string) => specifier.startsWith('node:') || NODE_ONLY.has(specifier.split('/')[0]);

/**
 * The imports that keep an entry point out of a browser: each static import of a Node built-in or Dawn in a file
 * the entry reaches through imports that run (static or dynamic, not type-only), with the chain that reaches it.
 */
function nodeOnlyImportsReachedFrom(entry: string, edges: Edge[], bare: BareImport[]): string[] {
  const via = new Map<string, string>([[entry, entry]]);
  const queue = [entry];
  while (queue.length) {
    const file = queue.shift()!;
    for (const e of edges) {
      if (e.from !== file || e.typeOnly || via.has(e.to)) continue;
      via.set(e.to, `${via.get(file)} -> ${e.to}`);
      queue.push(e.to);
    }
  }
  return bare
    .filter((b) => via.has(b.from) && !b.typeOnly && !b.dynamic && isNodeOnly(b.specifier))
    .map((b) => `${via.get(b.from)} imports '${b.specifier}'`);
}

const files = tsFiles(root);
const scans = files.map(scan);
const edges = scans.flatMap((s) => s.edges);
const bare = scans.flatMap((s) => s.bare);

test('the scan sees the tree: every library layer has files and relative imports resolve to files that exist', () => {
  const empty = LAYERS.filter((layer) => !files.some((f) => layerOf(relative(root, f)) === layer));
  assert.equal(empty, [], 'layers without files');
  const dangling = edges.filter((e) => !existsSync(join(root, e.to))).map((e) => `${e.from} -> ${e.to}`);
  assert.equal(dangling, [], 'imports of files that do not exist');
});

test('imports flow core <- shaders <- ops <- nn <- methods; methods use the public API', () => {
  const bad = edges.map((e) => ({ e, why: violation(e) })).filter((x) => x.why);
  assert.equal(
    bad.map(({ e, why }) => `${e.from} -> ${e.to}: ${why}`),
    [],
  );
});

test('no runtime import cycles (static or dynamic)', () => {
  assert.equal(cycles(edges.filter((e) => !e.typeOnly)), []);
});

// A script's "run when executed directly" block (import.meta.url compared with process.argv[1]) must not sit in a
// module that others import: in a bundle (bench/gpu.sh packs bench/run.ts into one file) every module has the
// bundle's import.meta.url, so the block would run there. bench/step-costs.ts's did, inside the GPU bench.
const runsWhenMain = (text: string): boolean => /import\.meta\.url\s*===/.test(text);

test('no imported module runs a main block of its own (it would run inside a bundle)', () => {
  assert.ok(runsWhenMain('if (import.meta.url === `file://${process.argv[1]}`) main();'), 'the pattern is seen');
  const imported = [...new Set(edges.filter((e) => !e.typeOnly).map((e) => e.to))];
  const offenders = imported.filter((f) => runsWhenMain(readFileSync(join(root, f), 'utf8')));
  assert.equal(offenders, []);
});

test('the rules catch what they are for (a method importing nn/, ops importing nn/, nn importing the root or the executor)', () => {
  assert.ok(violation({ from: 'methods/lbac/run.ts', to: 'nn/gpt.ts' }));
  assert.ok(violation({ from: 'methods/lbac/run.ts', to: 'methods/mcbo/acquisition.ts' }));
  assert.ok(violation({ from: 'methods/shared/rl/buffer.ts', to: 'methods/lbac/run.ts' }));
  assert.ok(violation({ from: 'ops/views.ts', to: 'nn/module.ts' }));
  assert.ok(violation({ from: 'core/tensor.ts', to: 'shaders/preamble.ts' }));
  assert.ok(violation({ from: 'nn/gpt.ts', to: 'index.ts' }));
  assert.ok(violation({ from: 'nn/gp/kernels.ts', to: 'core/executor.ts' }));
  assert.ok(violation({ from: 'nn/attention/rope.ts', to: 'shaders/pipelines.ts' }));
  assert.ok(violation({ from: 'ops/matmul.ts', to: 'test/helpers.ts' }));
  assert.ok(violation({ from: 'nn/train.ts', to: 'node/train-log.ts' }));
  assert.ok(violation({ from: 'node/corpus.ts', to: 'methods/shared/rl/buffer.ts' }));
  assert.is(violation({ from: 'methods/lbac/run.ts', to: 'index.ts' }), null);
  assert.is(violation({ from: 'methods/lbac/run.ts', to: 'node.ts' }), null);
  assert.is(violation({ from: 'node/safetensors-file.ts', to: 'nn/safetensors.ts' }), null);
  assert.is(violation({ from: 'methods/lbac/run.ts', to: 'methods/shared/rl/buffer.ts' }), null);
  assert.is(violation({ from: 'methods/lm-x/train.ts', to: 'methods/shared/lm-rl/grpo.ts' }), null);
  assert.is(violation({ from: 'nn/gp/exact.ts', to: 'ops/index.ts' }), null);
  assert.is(violation({ from: 'nn/gp/exact.ts', to: 'core/index.ts' }), null);
  assert.is(violation({ from: 'ops/matmul.ts', to: 'shaders/matmul.ts' }), null);
  assert.is(violation({ from: 'test/nn/gpt.test.ts', to: 'nn/gpt.ts' }), null);
  assert.equal(
    cycles([
      { from: 'a', to: 'b' },
      { from: 'b', to: 'c' },
      { from: 'c', to: 'a' },
      { from: 'c', to: 'd' },
    ]),
    [['a', 'b', 'c']],
  );
  assert.equal(
    cycles([
      { from: 'a', to: 'b' },
      { from: 'b', to: 'c' },
    ]),
    [],
  );
});

test('nothing the main entry (index.ts) reaches imports a Node built-in or Dawn statically', () => {
  assert.equal(nodeOnlyImportsReachedFrom('index.ts', edges, bare), []);
});

test('the browser check sees what it is for (a static node:fs or webgpu import, through a chain; not a dynamic one)', () => {
  const chain: Edge[] = [
    { from: 'index.ts', to: 'nn/index.ts', typeOnly: false, dynamic: false },
    { from: 'nn/index.ts', to: 'nn/a.ts', typeOnly: false, dynamic: false },
    { from: 'nn/index.ts', to: 'nn/types.ts', typeOnly: true, dynamic: false },
  ];
  const imports = (from: string, specifier: string, dynamic = false): BareImport => ({
    from,
    specifier,
    typeOnly: false,
    dynamic,
  });
  assert.equal(nodeOnlyImportsReachedFrom('index.ts', chain, [imports('nn/a.ts', 'node:fs')]), [
    "index.ts -> nn/index.ts -> nn/a.ts imports 'node:fs'",
  ]);
  assert.equal(nodeOnlyImportsReachedFrom('index.ts', chain, [imports('nn/a.ts', 'path')]).length, 1);
  assert.equal(nodeOnlyImportsReachedFrom('index.ts', chain, [imports('index.ts', 'webgpu')]).length, 1);
  assert.equal(nodeOnlyImportsReachedFrom('index.ts', chain, [imports('nn/a.ts', 'webgpu', true)]), []);
  assert.equal(nodeOnlyImportsReachedFrom('index.ts', chain, [imports('nn/types.ts', 'node:fs')]), []);
  assert.equal(nodeOnlyImportsReachedFrom('index.ts', chain, [imports('nn/a.ts', '@petamoriken/float16')]), []);
  // and the tree's own Node-only entry is seen as such, so the scan does reach bare imports
  assert.ok(nodeOnlyImportsReachedFrom('node.ts', edges, bare).length > 0);
});

test('esbuild bundles the main entry for a browser with nothing left out', async () => {
  const result = await build({
    entryPoints: [join(root, 'index.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
  });
  assert.equal(result.errors, []);
  const code = result.outputFiles[0].text;
  assert.not.match(code, /from\s*["'](node:|webgpu)/, 'a Node-only module left as an import');
});

test.run();
