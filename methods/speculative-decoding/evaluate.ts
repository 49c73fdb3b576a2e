// Single-device evaluation (spec §5): vanilla greedy references, speculative decoding in chain and tree mode, and the
// disconnection test run in process (the drafter continues alone from the state it held when the link dropped).
import { nn, tensor, tidy, noGrad, logSoftmax } from '../../index.js';
import type { Drafter } from './drafter.js';
import { draftChain } from './drafting.js';
import { greedyGenerate, speculativeGenerate, type DraftMode } from './decode.js';
import { TargetSession } from './target.js';

export async function greedyReferences(
  target: nn.GPT,
  prompts: number[][],
  newTokens: number,
): Promise<{ refs: number[][]; msPerToken: number }> {
  const t0 = performance.now();
  const refs: number[][] = [];
  for (const p of prompts) {
    const session = new TargetSession(target, null);
    refs.push(await greedyGenerate(session, p, newTokens));
    session.dispose();
  }
  return { refs, msPerToken: (performance.now() - t0) / (prompts.length * newTokens) };
}

export interface SpecStats {
  tau: number;
  alphaByDepth: number[];
  callsPerToken: number;
  lossless: boolean;
  msPerToken: number;
}

export async function evaluateSpeculative(
  target: nn.GPT,
  drafter: Drafter,
  prompts: number[][],
  refs: number[][],
  newTokens: number,
  mode: DraftMode,
): Promise<SpecStats> {
  let [emitted, calls, lossless] = [0, 0, true];
  const alphaSums: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < prompts.length; i++) {
    const session = new TargetSession(target, drafter.featureFn);
    const r = await speculativeGenerate(session, drafter, prompts[i], newTokens, mode);
    session.dispose();
    lossless &&= r.tokens.join() === refs[i].join();
    emitted += r.tau * r.calls;
    calls += r.calls;
    r.alphaByDepth.forEach((a, k) => (alphaSums[k] = (alphaSums[k] ?? 0) + a * r.calls));
  }
  return {
    tau: emitted / calls,
    alphaByDepth: alphaSums.map((a) => a / calls),
    callsPerToken: calls / (prompts.length * newTokens),
    lossless,
    msPerToken: (performance.now() - t0) / (prompts.length * newTokens),
  };
}

/** Mean negative log-likelihood (nats per character) under the target of `continuation` after `context`. */
export async function targetNll(
  target: nn.GPT,
  context: readonly number[],
  continuation: readonly number[],
): Promise<number> {
  const all = [...context, ...continuation];
  const device = target.wte.weight.device;
  const lp = tidy(() =>
    noGrad(() =>
      logSoftmax(
        target
          .forward(tensor(Int32Array.from(all), { shape: [1, all.length], dtype: 'i32', device }))
          .logits.squeeze(0),
        -1,
      ),
    ),
  );
  const data = await lp.data();
  lp.dispose();
  const V = target.config.vocabSize;
  return -continuation.reduce((s, t, j) => s + data[(context.length - 1 + j) * V + t], 0) / continuation.length;
}

export interface DisconnectionStats {
  matchedPrefix: number;
  agreement: number;
  nll: number;
}

/**
 * The drafter alone after a disconnection: the target has verified `before` generated tokens (its features for them
 * are in hand), then the drafter drafts `after` tokens greedily with no further target call. Scored against the
 * target's greedy continuation: matched prefix length, position-wise agreement, and the target's NLL of the text.
 */
export async function evaluateDisconnection(
  target: nn.GPT,
  drafter: Drafter,
  prompts: number[][],
  refs: number[][],
  before: number,
  after: number,
): Promise<DisconnectionStats> {
  let [matched, agree, nll] = [0, 0, 0];
  for (let i = 0; i < prompts.length; i++) {
    const tokens = [...prompts[i], ...refs[i].slice(0, before)];
    const session = new TargetSession(target, drafter.featureFn);
    const features = await session.prefill(tokens);
    session.dispose();
    const alone = (await draftChain(drafter, { tokens, features }, after)).tokens.slice(1);
    const truth = refs[i].slice(before, before + after);
    const firstMiss = alone.findIndex((t, j) => t !== truth[j]);
    matched += firstMiss < 0 ? after : firstMiss;
    agree += alone.filter((t, j) => t === truth[j]).length / after;
    nll += await targetNll(target, tokens, alone);
  }
  const n = prompts.length;
  return { matchedPrefix: matched / n, agreement: (100 * agree) / n, nll: nll / n };
}
