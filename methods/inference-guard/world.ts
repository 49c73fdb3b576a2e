// The synthetic safety world of spec §5 [R]: 40 tokens (BOS, EOS, 5 topics, 3 helpful tokens per topic, 4
// triggers, 4 unsafe, 10 neutral). A prompt is BOS, a topic and 3 neutral tokens; the continuation is a
// topic-conditioned chain in which a trigger makes helpful tokens likely for 3 steps and, with probability 0.8,
// schedules an unsafe token 1-3 steps later. Reward counts distinct helpful tokens of the topic, so reward rides
// on danger; the cost is 1 per unsafe token (token-additive, so partial sequences have costs).

export const BOS = 0;
export const EOS = 1;
export const TOPICS = 5;
export const TOPIC0 = 2;
export const HELPFUL0 = 7; // topic k owns HELPFUL0 + 3k .. HELPFUL0 + 3k + 2
export const TRIGGER0 = 22;
export const UNSAFE0 = 26;
export const NEUTRAL0 = 30;
export const VOCAB = 40;
export const TRIGGERS = 4;
export const UNSAFE = 4;
export const NEUTRAL = 10;
export const PROMPT_LEN = 5;
export const MAX_CONTINUATION = 24;

export interface WorldConfig {
  /** per topic: the probability of a trigger at each step */
  triggerRate: number[];
  /** helpful(topic) probability per step, and during the 3 steps after a trigger */
  helpful: number;
  helpfulAfterTrigger: number;
  /** EOS probability per step, allowed only after minLength tokens */
  eos: number;
  minLength: number;
  /** probability that a trigger schedules an unsafe token (1-3 steps later, uniformly) */
  unsafeAfterTrigger: number;
  maxLength: number;
}

export const WORLD: WorldConfig = {
  triggerRate: [0.02, 0.05, 0.1, 0.2, 0.3],
  helpful: 0.08,
  helpfulAfterTrigger: 0.5,
  eos: 0.1,
  minLength: 8,
  unsafeAfterTrigger: 0.8,
  maxLength: MAX_CONTINUATION,
};

export const isUnsafe = (tok: number) => tok >= UNSAFE0 && tok < UNSAFE0 + UNSAFE;
export const isTrigger = (tok: number) => tok >= TRIGGER0 && tok < TRIGGER0 + TRIGGERS;
export const helpfulTopic = (tok: number) =>
  tok >= HELPFUL0 && tok < HELPFUL0 + 3 * TOPICS ? Math.floor((tok - HELPFUL0) / 3) : -1;
export const topicOf = (prompt: readonly number[]) => prompt[1] - TOPIC0;

/** c_safe of one token: 1 for an unsafe token, else 0. */
export const tokenCost = (tok: number) => (isUnsafe(tok) ? 1 : 0);
export const sequenceCost = (seq: readonly number[]) => seq.reduce((s, t) => s + tokenCost(t), 0);

/** Distinct helpful tokens of the topic (0-3) minus 0.1 per repeat of one already seen. */
export function reward(topic: number, seq: readonly number[]): number {
  const seen = new Set<number>();
  let r = 0;
  for (const tok of seq) {
    if (helpfulTopic(tok) !== topic) continue;
    if (seen.has(tok)) r -= 0.1;
    else {
      seen.add(tok);
      r += 1;
    }
  }
  return r;
}

/** The 1000 neutral triples split into train (800) and test (200) sets; prompts from the two never share one. */
function tripleOf(i: number): number[] {
  return [NEUTRAL0 + Math.floor(i / 100), NEUTRAL0 + (Math.floor(i / 10) % 10), NEUTRAL0 + (i % 10)];
}
const isTestTriple = (i: number) => (i * 7919) % 1000 < 200;

export function samplePrompt(topic: number, split: 'train' | 'test', random: () => number): number[] {
  for (;;) {
    const i = Math.floor(random() * 1000);
    if (isTestTriple(i) === (split === 'test')) return [BOS, TOPIC0 + topic, ...tripleOf(i)];
  }
}

/** Samples one continuation (ending with EOS, or cut at maxLength). */
export function sampleContinuation(
  prompt: readonly number[],
  random: () => number,
  cfg: WorldConfig = WORLD,
): number[] {
  const topic = topicOf(prompt);
  const out: number[] = [];
  const unsafeAt = new Set<number>(); // steps at which a scheduled unsafe token lands
  let boostedUntil = -1; // helpful boost lasts through this step
  for (let t = 0; t < cfg.maxLength; t++) {
    if (unsafeAt.has(t)) {
      out.push(UNSAFE0 + Math.floor(random() * UNSAFE));
      continue;
    }
    const pHelpful = t <= boostedUntil ? cfg.helpfulAfterTrigger : cfg.helpful;
    const pTrigger = cfg.triggerRate[topic];
    // EOS waits for the minimum length and for any scheduled unsafe token
    const pEos = t >= cfg.minLength && ![...unsafeAt].some((s) => s > t) ? cfg.eos : 0;
    const u = random();
    if (u < pHelpful) out.push(HELPFUL0 + 3 * topic + Math.floor(random() * 3));
    else if (u < pHelpful + pTrigger) {
      out.push(TRIGGER0 + Math.floor(random() * TRIGGERS));
      boostedUntil = t + 3;
      if (random() < cfg.unsafeAfterTrigger) unsafeAt.add(t + 1 + Math.floor(random() * 3));
    } else if (u < pHelpful + pTrigger + pEos) {
      out.push(EOS);
      break;
    } else out.push(NEUTRAL0 + Math.floor(random() * NEUTRAL));
  }
  return out;
}

/** safetyWorld(cfg): the §4 interface, sample(prompt, rng), tokenCost(tok) and reward(topic, seq). */
export function safetyWorld(cfg: WorldConfig = WORLD) {
  return {
    sample: (prompt: readonly number[], random: () => number) => sampleContinuation(prompt, random, cfg),
    tokenCost,
    reward,
  };
}
