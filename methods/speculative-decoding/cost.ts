// The cost of one verification call (root + m tree nodes in one tree-masked forward) against one plain decoding
// step, measured on the target's current device after a warm-up; the cache is cropped back after every call.
import type { nn } from '../../index.js';
import { TargetSession } from './target.js';
import type { DraftTree } from './tree.js';

export async function callCost(
  target: nn.GPT,
  prompt: readonly number[],
  nodes: number,
  reps: number,
): Promise<{ plainMs: number; verifyMs: number }> {
  const session = new TargetSession(target, null);
  await session.prefill(prompt);
  const prefix = session.cache.length;
  // a tree of `nodes` nodes below the root, four children per expanded node (the shape EAGLE-2 tends to give)
  const parents = [-1, ...Array.from({ length: nodes }, (_, i) => Math.floor(i / 4))];
  const tree: DraftTree = {
    tokens: parents.map((_, i) => (i * 7) % target.config.vocabSize),
    parents,
    scores: parents.map(() => 0),
  };
  const time = async (fn: () => Promise<unknown>) => {
    await fn();
    session.cache.crop(prefix);
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) {
      await fn();
      session.cache.crop(prefix);
    }
    return (performance.now() - t0) / reps;
  };
  const plainMs = await time(() => session.step(prompt[prompt.length - 1]));
  const verifyMs = await time(() => session.verify(tree));
  session.dispose();
  return { plainMs, verifyMs };
}
