// FrozenLake-text (spec §5): the 4×4 map SFFF/FHFH/FFFH/HFFG, not slippery, horizon 20. The observation names the
// position and the four neighbouring cells; all four moves are always admissible (a move into the edge stays).
// Reward 1 on reaching the goal; falling into a hole ends the episode with 0.
import { checkAction, type TextEnv, type TextObs } from './text-env.js';

const MAP = ['SFFF', 'FHFH', 'FFFH', 'HFFG'];
const MOVES: [string, number, number][] = [
  ['left', 0, -1],
  ['down', 1, 0],
  ['right', 0, 1],
  ['up', -1, 0],
];
const CELL: Record<string, string> = { S: 'ice', F: 'ice', H: 'hole', G: 'goal' };
const ACTIONS = MOVES.map(([m]) => `move ${m}`);

const cell = (r: number, c: number) => (r < 0 || r > 3 || c < 0 || c > 3 ? 'wall' : CELL[MAP[r][c]]);

/** Breadth-first distances to the goal over non-hole cells (the expert descends them). */
function goalDistances(): number[][] {
  const d = MAP.map((row) => [...row].map(() => Infinity));
  d[3][3] = 0;
  const queue: [number, number][] = [[3, 3]];
  while (queue.length) {
    const [r, c] = queue.shift()!;
    for (const [, dr, dc] of MOVES) {
      const [nr, nc] = [r + dr, c + dc];
      if (cell(nr, nc) === 'ice' && d[nr][nc] === Infinity) {
        d[nr][nc] = d[r][c] + 1;
        queue.push([nr, nc]);
      }
    }
  }
  return d;
}
const DIST = goalDistances();

export function makeFrozenLakeText(): TextEnv {
  let r = 0;
  let c = 0;
  let t = 0;
  const observe = (): TextObs => ({
    obs: `at ${r} ${c} ${MOVES.map(([m, dr, dc]) => `${m} ${cell(r + dr, c + dc)}`).join(' ')}`,
    admissible: [...ACTIONS],
  });
  return {
    name: 'frozenlake',
    horizon: 20,
    trainTasks: [0],
    heldOutTasks: [],
    words: ['at', '0', '1', '2', '3', 'move', 'ice', 'hole', 'goal', 'wall', ...MOVES.map(([m]) => m)],
    reset(taskId) {
      if (taskId !== 0) throw new Error(`frozenlake.reset: the only task id is 0, got ${taskId}`);
      r = 0;
      c = 0;
      t = 0;
      return observe();
    },
    step(i) {
      checkAction(this, i, ACTIONS);
      const [, dr, dc] = MOVES[i];
      if (cell(r + dr, c + dc) !== 'wall') {
        r += dr;
        c += dc;
      }
      t++;
      const here = cell(r, c);
      const success = here === 'goal';
      const terminal = success || here === 'hole';
      return { ...observe(), reward: success ? 1 : 0, done: terminal || t >= this.horizon, terminal, success };
    },
    expertAction() {
      let best = 0;
      MOVES.forEach(([, dr, dc], i) => {
        const [nr, nc] = [r + dr, c + dc];
        const d = cell(nr, nc) === 'goal' ? 0 : cell(nr, nc) === 'ice' ? DIST[nr][nc] : Infinity;
        const [br, bc] = [r + MOVES[best][1], c + MOVES[best][2]];
        const db = cell(br, bc) === 'goal' ? 0 : cell(br, bc) === 'ice' ? DIST[br][bc] : Infinity;
        if (d < db) best = i;
      });
      return best;
    },
  };
}
