// The autograd walkthrough's computation, shared by the page (in the browser) and the browser test (in Node), so
// both run exactly this code: an expression, its graph, its gradients by backward(), and the same gradients by
// central finite differences on the cpu in float64.
import { tensor, noGrad, type Tensor, type DeviceName } from '../../index.js';

export const X0 = [0.5, -1.2, 2.0];
export const W0 = [0.3, -0.7, 0.2, 1.1, 0.4, -0.5]; // a 2x3 matrix, row-major

/** f(x, W) = sum(tanh(W x)^2) + 0.1 * sum(x * x) */
export function f(x: Tensor, w: Tensor): Tensor {
  const h = w.matmul(x.unsqueeze(1)).squeeze(1).tanh(); // [2]
  return h.mul(h).sum().add(x.mul(x).sum().mul(0.1));
}

/** The graph behind `y`, one line per node, inputs before the nodes that use them: `t3 = mul(t2, t2)  [2]`. */
export function graphOf(y: Tensor, leaves: Map<Tensor, string>): string[] {
  const names = new Map(leaves);
  const lines: string[] = [];
  const nameOf = (t: Tensor): string => {
    if (!names.has(t)) {
      const inputs = (t.gradFn?.inputs ?? []).map(nameOf);
      const id = `t${lines.length}`;
      names.set(t, id);
      lines.push(`${id} = ${t.gradFn?.op ?? 'constant'}(${inputs.join(', ')})  [${t.shape}]`);
    }
    return names.get(t)!;
  };
  nameOf(y);
  return lines;
}

export interface AutogradResult {
  value: number;
  gradX: number[];
  gradW: number[];
  fdX: number[];
  fdW: number[];
  maxError: number;
  graph: string[];
}

/** f's value and gradients by backward() on `device`, and by finite differences (step h) on the cpu in float64. */
export async function autogradExample(device: DeviceName, h = 1e-5): Promise<AutogradResult> {
  const x = tensor(X0, { device, requiresGrad: true });
  const w = tensor(W0, { device, shape: [2, 3], requiresGrad: true });
  const y = f(x, w);
  const graph = graphOf(
    y,
    new Map([
      [x, 'x'],
      [w, 'W'],
    ]),
  );
  y.backward();
  const [value, gradX, gradW] = [await y.item(), [...(await x.grad!.data())], [...(await w.grad!.data())]];
  for (const t of [x, w, y]) t.dispose();

  const at = (xs: number[], ws: number[]) =>
    noGrad(() => {
      const [xt, wt] = [
        tensor(xs, { device: 'cpu', dtype: 'f64' }),
        tensor(ws, { device: 'cpu', dtype: 'f64', shape: [2, 3] }),
      ];
      const out = f(xt, wt);
      return out;
    });
  const central = async (values: number[], eval_: (v: number[]) => Tensor): Promise<number[]> => {
    const out: number[] = [];
    for (let i = 0; i < values.length; i++) {
      const [up, down] = [[...values], [...values]];
      up[i] += h;
      down[i] -= h;
      const [a, b] = [eval_(up), eval_(down)];
      out.push(((await a.item()) - (await b.item())) / (2 * h));
      a.dispose();
      b.dispose();
    }
    return out;
  };
  const fdX = await central(X0, (v) => at(v, W0));
  const fdW = await central(W0, (v) => at(X0, v));
  const maxError = Math.max(...[...gradX.map((g, i) => g - fdX[i]), ...gradW.map((g, i) => g - fdW[i])].map(Math.abs));
  return { value, gradX, gradW, fdX, fdW, maxError, graph };
}
