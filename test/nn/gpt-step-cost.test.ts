// What one training step of a tiny GPT records on webgpu (countDispatches): a pinned dispatch budget, so a change
// that adds dispatches to the step (an unfused rule, a stray copy) shows here, not only in the bench. Lower it
// when the step gets cheaper; the bench row (bench/step-costs.ts) prints the same count at the issue's sizes.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { countDispatches, gpu, optim, tensor, tidy } from '../../index.js';
import { GPT } from '../../nn/gpt.js';

const s = suite('nn/gpt step cost');

// 2 layers: per layer 2 layer norms, the fused qkv projection, attention, the output projection, the MLP, forward
// and backward; the embeddings, final norm, tied head and loss; the AdamW update of 28 parameters, several to a
// dispatch. This step was 327 dispatches before the QKV fusion, the in-place slice gradients, the fused norm and
// gelu backward and the multi-parameter update; 150 after (on lavapipe: 4 parameters to an update dispatch); 142
// before cross-entropy's gradient became one row kernel (the loss's backward 16 dispatches -> 3 with the mean's), 129
// after; 121 with linear's weight gradients made in the weight's layout (no copy into .grad, 4 per layer); 111 with
// g xhat written by the norms' input-gradient kernel (their weight gradient 3 dispatches -> 1); 110 with the loss's
// mean dividing by the integer count of its targets (no cast); 108 with a same-dtype copy's gradient passed on (the
// contiguous attention output's, one per layer); 98 with attention reading the packed qkv projection, writing its
// output as [B, T, H, D] and the projection's whole gradient in place (no merge copy, zero fill, dq copy, dk and dv
// adds: 5 per layer).
const STEP_BUDGET = 98;

s(
  'a tiny GPT training step stays within its dispatch budget, its AdamW update several parameters to a dispatch',
  async () => {
    const model = new GPT({ vocabSize: 13, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 16, seed: 1, device: 'webgpu' });
    const x = tensor(
      [
        [1, 2, 3, 4, 5, 6, 7, 8],
        [8, 7, 6, 5, 4, 3, 2, 1],
      ],
      { dtype: 'i32', device: 'webgpu' },
    );
    const y = tensor(
      [
        [2, 3, 4, 5, 6, 7, 8, 9],
        [7, 6, 5, 4, 3, 2, 1, 0],
      ],
      { dtype: 'i32', device: 'webgpu' },
    );
    const opt = new optim.AdamW(model.parameters(), { lr: 1e-3 });
    const step = () =>
      tidy(() => {
        opt.zeroGrad();
        const loss = model.loss(x, y);
        loss.backward();
        opt.step();
        return loss;
      });
    // the first step also creates the optimiser's state; the second still fills the pool (buffers freed in a batch
    // return to it only after that batch is submitted)
    for (let i = 0; i < 2; i++) {
      const loss = step();
      await loss.item();
      loss.dispose();
    }
    const c = countDispatches(step);
    await c.value.item();
    c.value.dispose();
    const updates = c.byKernel.filter(([k]) => k.startsWith('optim|adam')).reduce((n, [, d]) => n + d, 0);
    const perDispatch = Math.min(8, Math.floor(gpu().info.limits.maxStorageBuffersPerShaderStage / 4));
    assert.is(
      updates,
      Math.ceil(model.parameters().length / perDispatch),
      `AdamW: ${perDispatch} parameters per dispatch`,
    );
    assert.is(
      model.parameters().filter((p) => p.shape[0] === 3 * 16).length,
      2 * 2,
      'one qkv weight and bias per layer',
    );
    assert.ok(
      c.dispatches <= STEP_BUDGET,
      `${c.dispatches} dispatches, budget ${STEP_BUDGET}: ${c.byKernel.map(([k, n]) => `${n} ${k}`).join('; ')}`,
    );
    assert.ok(c.created === 0, `${c.created} buffers created in a warm step: the pool should serve every allocation`);
    [x, y].forEach((t) => t.dispose());
    for (const st of opt.state.values()) for (const v of Object.values(st)) if (typeof v !== 'number') v.dispose();
    model.parameters().forEach((p) => p.grad?.dispose());
    model.dispose();
  },
);

s.run();
