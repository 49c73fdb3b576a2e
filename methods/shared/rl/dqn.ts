// The Q-learning target of DQN (Mnih et al. 2015): y = r + γ·(1 − terminal)·max_a′ Q_target(s′, a′), the max taken
// over whatever candidate set the caller scores at s′ (all actions; or, for DQN-Prior, the prior's proposals).

export function dqnTarget(reward: number, terminal: boolean, qNext: ArrayLike<number>, gamma: number): number {
  if (terminal) return reward;
  if (qNext.length === 0) throw new Error('dqnTarget: a non-terminal transition needs at least one next-state Q value');
  let m = -Infinity;
  for (let i = 0; i < qNext.length; i++) m = Math.max(m, qNext[i]);
  return reward + gamma * m;
}
