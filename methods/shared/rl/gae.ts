// Generalised advantage estimation (Schulman et al. 2016, eq. 16): δ_t = r_t + γ·V(s_{t+1})·(1 − terminal_t) − V(s_t),
// A_t = Σ_l (γλ)^l δ_{t+l} within one episode, and the value targets R_t = A_t + V(s_t).
// `values` has one more entry than `rewards`: the bootstrap value of the state after the last step (ignored when
// that step was terminal; pass V(s_T) for a time-limit cut).

export function gae(rewards: readonly number[], values: readonly number[], terminal: readonly boolean[], gamma: number, lambda: number): { advantages: number[]; returns: number[] } {
  const T = rewards.length;
  if (values.length !== T + 1 || terminal.length !== T) {
    throw new Error(`gae: need values of length T + 1 = ${T + 1} and terminal of length T = ${T}, got ${values.length} and ${terminal.length}`);
  }
  const advantages = new Array<number>(T).fill(0);
  let running = 0;
  for (let t = T - 1; t >= 0; t--) {
    const notTerminal = terminal[t] ? 0 : 1;
    const delta = rewards[t] + gamma * values[t + 1] * notTerminal - values[t];
    running = delta + gamma * lambda * notTerminal * running;
    advantages[t] = running;
  }
  return { advantages, returns: advantages.map((a, t) => a + values[t]) };
}
