// The decoding loops: vanilla greedy decoding (one target call per token) and speculative decoding (draft, verify in
// one target call, emit the accepted path plus the bonus token). τ = emitted tokens per target call, bonus included
// for every method; α_k = share of cycles whose accepted path reaches depth k.
import type { Drafter } from './drafter.js';
import { draftChain, draftTreeEagle2, type Eagle2Options } from './drafting.js';
import type { DraftTree } from './tree.js';
import type { VerifyResult } from './target.js';

/** The target as the decoding loop sees it: a local TargetSession or a remote server. */
export interface TargetEndpoint {
  prefill(prompt: readonly number[]): Promise<Float32Array[]>;
  verify(tree: DraftTree): Promise<VerifyResult>;
  step(token: number): Promise<number>;
}

export async function greedyGenerate(
  target: TargetEndpoint,
  prompt: readonly number[],
  maxNewTokens: number,
): Promise<number[]> {
  await target.prefill(prompt);
  const out: number[] = [];
  let root = prompt[prompt.length - 1];
  while (out.length < maxNewTokens) out.push((root = await target.step(root)));
  return out;
}

export type DraftMode = { mode: 'chain'; gamma: number } | ({ mode: 'tree' } & Eagle2Options);

export interface SpeculativeResult {
  tokens: number[];
  /** verification calls */
  calls: number;
  tau: number;
  /** α_k for k = 1 .. max draft depth */
  alphaByDepth: number[];
  acceptedLengths: number[];
}

export async function speculativeGenerate(
  target: TargetEndpoint,
  drafter: Drafter,
  prompt: readonly number[],
  maxNewTokens: number,
  mode: DraftMode,
): Promise<SpeculativeResult> {
  const features = [...(await target.prefill(prompt))];
  const tokens = [...prompt];
  const acceptedLengths: number[] = [];
  while (tokens.length - prompt.length < maxNewTokens) {
    const ctx = { tokens, features };
    const tree =
      mode.mode === 'chain' ? await draftChain(drafter, ctx, mode.gamma) : await draftTreeEagle2(drafter, ctx, mode);
    const r = await target.verify(tree);
    features.push(...r.features);
    tokens.push(...r.acceptedTokens, r.bonus);
    acceptedLengths.push(r.path.length);
  }
  const maxDepth = mode.mode === 'chain' ? mode.gamma : mode.depth;
  const calls = acceptedLengths.length;
  return {
    tokens: tokens.slice(prompt.length, prompt.length + maxNewTokens),
    calls,
    tau: (tokens.length - prompt.length) / calls,
    alphaByDepth: Array.from({ length: maxDepth }, (_, k) => acceptedLengths.filter((a) => a > k).length / calls),
    acceptedLengths,
  };
}
