// Draft trees and greedy tree verification (spec §3 "EAGLE-2 tree" and "Greedy verification").
// A tree lists its nodes in an order where parents precede children; node 0 is the root (the last emitted token,
// not yet seen by the target) with parent -1. Node positions are prefix + depth, not prefix + node index.
import { tensor, type Tensor, type DeviceName } from '../../index.js';

export interface DraftTree {
  /** tokens[0] is the root */
  tokens: number[];
  /** parents[0] = -1; parents[i] < i */
  parents: number[];
  /** summed path log-probability of each node under the drafter (root 0) */
  scores: number[];
}

/** Ancestor matrix (a node is its own ancestor) and depths of a tree given by its parents. */
export function treeMask(parents: readonly number[]): { ancestors: boolean[][]; depths: number[] } {
  const n = parents.length;
  if (n === 0 || parents[0] !== -1)
    throw new Error(`treeMask: node 0 must be the root with parent -1, got parents [${parents}]`);
  const ancestors: boolean[][] = [];
  const depths: number[] = [];
  parents.forEach((p, i) => {
    if (i > 0 && !(Number.isInteger(p) && p >= 0 && p < i))
      throw new Error(`treeMask: parent ${p} of node ${i} must be an earlier node`);
    const row = i === 0 ? new Array(n).fill(false) : [...ancestors[p]];
    row[i] = true;
    ancestors.push(row);
    depths.push(i === 0 ? 0 : depths[p] + 1);
  });
  return { ancestors, depths };
}

/**
 * Additive mask [1, 1, n, prefix + n] for the verification forward: every node sees the whole prefix and its own
 * ancestors, -Infinity elsewhere.
 */
export function treeAttentionMask(parents: readonly number[], prefix: number, device: DeviceName): Tensor {
  const { ancestors } = treeMask(parents);
  const n = parents.length;
  const S = prefix + n;
  const values = new Float32Array(n * S);
  ancestors.forEach((row, i) =>
    row.forEach((seen, j) => {
      if (!seen) values[i * S + prefix + j] = -Infinity;
    }),
  );
  return tensor(values, { shape: [1, 1, n, S], device });
}

/**
 * Greedy verification: node i is accepted when its parent is accepted and its token is the target's argmax at the
 * parent. Returns the deepest accepted node's path (root excluded; ties between equally deep nodes go to the lower
 * index) and the bonus token, the target's argmax at that node. `argmaxAt[i]` is the target's argmax at node i.
 */
export function verifyTreeGreedy(argmaxAt: readonly number[], tree: DraftTree): { path: number[]; bonus: number } {
  const n = tree.tokens.length;
  if (argmaxAt.length !== n || tree.parents.length !== n) {
    throw new Error(
      `verifyTreeGreedy: ${n} tree tokens need ${n} parents and ${n} argmaxes, got ${tree.parents.length} and ${argmaxAt.length}`,
    );
  }
  const { depths } = treeMask(tree.parents);
  const accepted = new Array(n).fill(false);
  accepted[0] = true;
  let best = 0;
  for (let i = 1; i < n; i++) {
    const p = tree.parents[i];
    accepted[i] = accepted[p] && tree.tokens[i] === argmaxAt[p];
    if (accepted[i] && depths[i] > depths[best]) best = i;
  }
  const path: number[] = [];
  for (let i = best; i > 0; i = tree.parents[i]) path.unshift(i);
  return { path, bonus: argmaxAt[best] };
}

/** A chain as a tree: root then tokens[0], tokens[1], ... each the child of the previous. */
export function chainTree(root: number, tokens: readonly number[], scores: readonly number[]): DraftTree {
  return { tokens: [root, ...tokens], parents: [-1, ...tokens.map((_, i) => i)], scores: [0, ...scores] };
}
