// Drafting: a greedy chain of γ tokens, and the EAGLE-2 dynamic tree (Li et al. 2024, "EAGLE-2", §4; official
// code SafeAILab/EAGLE, eagle/model/utils.py + cnets.py topK_genrate): per depth, expand the k best frontier nodes
// in one drafter call, score each child by its summed path log-probability, keep the top k of the k² children as
// the next frontier, and finally rerank every generated node and keep the best m.
import type { Drafter, DraftContext } from './drafter.js';
import { topK } from './drafter.js';
import { chainTree, type DraftTree } from './tree.js';

/** γ greedy draft tokens after the root, as a chain tree (γ drafter calls of one path). */
export async function draftChain(drafter: Drafter, ctx: DraftContext, gamma: number): Promise<DraftTree> {
  const tokens: number[] = [];
  const scores: number[] = [];
  let score = 0;
  for (let d = 0; d < gamma; d++) {
    const [lp] = await drafter.nextLogProbs(ctx, [tokens]);
    const [[token, value]] = topK(lp, 1);
    score += value;
    tokens.push(token);
    scores.push(score);
  }
  return chainTree(ctx.tokens[ctx.tokens.length - 1], tokens, scores);
}

export interface Eagle2Options {
  depth: number;
  /** children per expanded node and frontier size */
  topK: number;
  /** nodes kept after the rerank (m), root excluded */
  total: number;
}

interface Node {
  token: number;
  parent: number;
  score: number;
  path: number[];
}

/** Sorts node ids by score, best first; ties go to the earlier node, so a parent always ranks before its child. */
function byScore(nodes: readonly Node[], ids: number[]): number[] {
  return ids.sort((a, b) => nodes[b].score - nodes[a].score || a - b);
}

/** EAGLE-2 tree of at most `total` nodes below the root; `depth` drafter calls. */
export async function draftTreeEagle2(drafter: Drafter, ctx: DraftContext, opts: Eagle2Options): Promise<DraftTree> {
  const { depth, topK: k, total } = opts;
  if (!(depth >= 1 && k >= 1 && total >= 1))
    throw new Error(`draftTreeEagle2: depth, topK and total must be >= 1, got ${depth}, ${k}, ${total}`);
  const nodes: Node[] = [{ token: ctx.tokens[ctx.tokens.length - 1], parent: -1, score: 0, path: [] }];
  let frontier = [0];
  for (let d = 0; d < depth; d++) {
    const logProbs = await drafter.nextLogProbs(
      ctx,
      frontier.map((f) => nodes[f].path),
    );
    const children: number[] = [];
    frontier.forEach((f, j) => {
      for (const [token, lp] of topK(logProbs[j], k)) {
        children.push(nodes.length);
        nodes.push({ token, parent: f, score: nodes[f].score + lp, path: [...nodes[f].path, token] });
      }
    });
    frontier = byScore(nodes, children).slice(0, k);
  }
  // rerank: the best `total` nodes, listed in creation order so that parents precede children
  const kept = byScore(nodes, nodes.map((_, i) => i).slice(1))
    .slice(0, total)
    .sort((a, b) => a - b);
  const index = new Map<number, number>([[0, 0], ...kept.map((id, i): [number, number] => [id, i + 1])]);
  return {
    tokens: [nodes[0].token, ...kept.map((id) => nodes[id].token)],
    parents: [-1, ...kept.map((id) => index.get(nodes[id].parent)!)],
    scores: [0, ...kept.map((id) => nodes[id].score)],
  };
}
