// The layering the design notes promise, checked on the import specifiers of every .ts file in the tree:
//   core <- shaders <- ops <- nn <- methods,
// nn/ reaches kernels only through ops/ (no executor, no pipelines), methods/ use only the public API (the package
// root index.ts) and the shared kits in methods/shared/, and no runtime import cycle exists anywhere.
// The scan uses the TypeScript parser, so multi-line imports, `export ... from`, side-effect imports and dynamic
// `import()` are all seen; type-only imports count for the layering but not for cycles (they are erased).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const test = suite('core/layering');
const root = fileURLToPath(new URL('../..', import.meta.url));
const SKIP = new Set(['node_modules', '.git', 'results']);

interface Edge {
  from: string;
  to: string;
  /** `import type`, or every name imported is a type: erased at run time */
  typeOnly: boolean;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (SKIP.has(name) || name.startsWith('.')) return [];
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The relative imports of one file, resolved to repository paths ('./x.js' names the source './x.ts'). */
function importsOf(file: string): Edge[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const from = relative(root, file);
  const edges: Edge[] = [];
  const add = (specifier: string, typeOnly: boolean) => {
    if (!specifier.startsWith('.')) return;
    const target = resolve(dirname(file), specifier).replace(/\.js$/, '.ts');
    edges.push({ from, to: relative(root, target), typeOnly });
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
      if (arg && ts.isStringLiteralLike(arg)) add(arg.text, false);
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
  return edges;
}

const LAYERS = ['core', 'shaders', 'ops', 'nn', 'methods'];

/**
 * core, shaders, ops, nn, methods by top folder; 'api' for the package root index.ts; 'outside' for the rest
 * (test, bench, demo, scripts), which may import anything and which the library never imports.
 */
function layerOf(path: string): string {
  if (path === 'index.ts') return 'api';
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
    if (b !== 'methods') return 'methods use only the public API (the package root index.ts) and methods/shared/';
    const [own, other] = [methodOf(from), methodOf(to)];
    if (other === 'shared' || other === own) return null;
    return own === 'shared'
      ? 'methods/shared/ must not import a method'
      : `a method must not import another method (${other})`;
  }
  if (b === 'api') return `${a}/ must not import the package root (it re-exports ${a}/ itself: an import cycle)`;
  if (LAYERS.indexOf(b) > LAYERS.indexOf(a)) return `${a}/ sits below ${b}/ (core <- shaders <- ops <- nn <- methods)`;
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

const files = tsFiles(root);
const edges = files.flatMap(importsOf);

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
  assert.is(violation({ from: 'methods/lbac/run.ts', to: 'index.ts' }), null);
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

test.run();
