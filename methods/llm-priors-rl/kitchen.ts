// KitchenText (Overcooked-lite salad, spec §5): macro-actions get / chop / plate / deliver / wait. Rewards: +0.2 per
// subtask (chopping, then plating, each needed ingredient the first time), +1 for a correct delivery (the episode
// ends), −0.1 for a wrong one (the plate is cleared), −0.001 per step. Horizon 30.
import { checkAction, type TextEnv, type TextObs } from './text-env.js';

const INGREDIENTS = ['tomato', 'lettuce', 'onion'];
/** recipes: two training salads and one held-out */
const RECIPES = [
  ['tomato', 'lettuce'],
  ['lettuce', 'onion'],
  ['tomato', 'onion'],
];
export const KITCHEN_REWARD = { subtask: 0.2, deliver: 1, wrongDeliver: -0.1, step: -0.001 } as const;

export function makeKitchenEnv(): TextEnv {
  let recipe = RECIPES[0];
  let hand = 'none';
  let plate: string[] = [];
  let rewarded = new Set<string>();
  let t = 0;
  let admissible: string[] = [];

  const observe = (): TextObs => {
    const acts: string[] = [];
    if (hand === 'none') for (const g of INGREDIENTS) acts.push(`get ${g}`);
    else if (!hand.startsWith('chopped')) acts.push(`chop ${hand}`);
    else acts.push(`plate ${hand.split(' ')[1]}`);
    if (plate.length > 0) acts.push('deliver');
    acts.push('wait');
    admissible = acts;
    return { obs: `salad ${recipe.join(' ')} hand ${hand} plate ${plate.join(' ') || 'empty'}`, admissible: [...acts] };
  };

  return {
    name: 'kitchen',
    horizon: 30,
    trainTasks: [0, 1],
    heldOutTasks: [2],
    words: ['salad', 'hand', 'none', 'plate', 'empty', 'chopped', 'get', 'chop', 'deliver', 'wait', ...INGREDIENTS],
    reset(taskId) {
      if (!(taskId >= 0 && taskId < RECIPES.length))
        throw new Error(`kitchen.reset: task id ${taskId} outside [0, ${RECIPES.length})`);
      recipe = RECIPES[taskId];
      hand = 'none';
      plate = [];
      rewarded = new Set();
      t = 0;
      return observe();
    },
    step(i) {
      checkAction(this, i, admissible);
      const [verb, item] = admissible[i].split(' ');
      let reward = KITCHEN_REWARD.step;
      let success = false;
      const subtask = (key: string) => {
        if (recipe.includes(item) && !rewarded.has(key)) {
          rewarded.add(key);
          reward += KITCHEN_REWARD.subtask;
        }
      };
      if (verb === 'get') hand = item;
      else if (verb === 'chop') {
        hand = `chopped ${item}`;
        subtask(`chop ${item}`);
      } else if (verb === 'plate') {
        if (!plate.includes(item)) plate.push(item);
        hand = 'none';
        subtask(`plate ${item}`);
      } else if (verb === 'deliver') {
        success = plate.length === recipe.length && recipe.every((g) => plate.includes(g));
        reward += success ? KITCHEN_REWARD.deliver : KITCHEN_REWARD.wrongDeliver;
        plate = [];
      }
      t++;
      return { ...observe(), reward, done: success || t >= this.horizon, terminal: success, success };
    },
    expertAction() {
      const pick = (a: string) => admissible.indexOf(a);
      const missing = recipe.filter((g) => !plate.includes(g));
      if (hand === 'none') {
        if (plate.some((g) => !recipe.includes(g))) return pick('deliver'); // a spoiled plate: clear it
        return pick(missing.length ? `get ${missing[0]}` : 'deliver');
      }
      if (!hand.startsWith('chopped')) return pick(`chop ${hand}`);
      return pick(`plate ${hand.split(' ')[1]}`);
    },
  };
}
