// The activation modules call their own function with their own arguments (a module wired to the wrong function, or
// dropping its argument, fails here).
import { test } from 'uvu';
import {
  nn,
  tensor,
  celu,
  glu,
  hardsigmoid,
  hardswish,
  hardtanh,
  logsigmoid,
  mish,
  relu6,
  selu,
  softmin,
} from '../../index.js';
import type { Tensor } from '../../index.js';
import { assertClose } from '../helpers.js';

test('each activation module computes its function', async () => {
  const x = tensor(
    [
      [-4, -1.5, -0.2, 0.3],
      [0.9, 2, 3.5, 7],
    ],
    { dtype: 'f64' },
  );
  const pairs: [nn.Module & { forward(x: Tensor): Tensor }, Tensor][] = [
    [new nn.LogSigmoid(), logsigmoid(x)],
    [new nn.Hardtanh(-0.5, 2), hardtanh(x, -0.5, 2)],
    [new nn.ReLU6(), relu6(x)],
    [new nn.Mish(), mish(x)],
    [new nn.SELU(), selu(x)],
    [new nn.CELU(0.5), celu(x, 0.5)],
    [new nn.Hardswish(), hardswish(x)],
    [new nn.Hardsigmoid(), hardsigmoid(x)],
    [new nn.Softmin(0), softmin(x, 0)],
    [new nn.GLU(1), glu(x, 1)],
  ];
  for (const [module, want] of pairs) {
    assertClose(await module.forward(x).data(), await want.data(), { msg: module.constructor.name });
  }
  // the defaults as torch: Hardtanh(-1, 1), CELU(1), GLU(dim -1)
  assertClose(await new nn.Hardtanh().forward(x).data(), await x.clamp(-1, 1).data(), { msg: 'Hardtanh()' });
  assertClose(await new nn.CELU().forward(x).data(), await x.elu(1).data(), { msg: 'CELU()' });
  assertClose(await new nn.GLU().forward(x).data(), await glu(x, 1).data(), { msg: 'GLU()' });
});

test.run();
