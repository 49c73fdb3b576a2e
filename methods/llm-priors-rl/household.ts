// HouseholdText (ALFWorld-lite, spec §5): nine receptacles, ten object types placed by a commonsense table, tasks
// "put X in R". Closed receptacles hide their contents until opened. Reward 1 on success; horizon 30.
import { makeRng } from '../shared/rl/index.js';
import { checkAction, type TextEnv, type TextObs } from './text-env.js';

export const RECEPTACLES = [
  'fridge',
  'cabinet 1',
  'cabinet 2',
  'cabinet 3',
  'countertop',
  'drawer 1',
  'drawer 2',
  'microwave',
  'sinkbasin',
];
const OPENABLE = new Set(['fridge', 'cabinet 1', 'cabinet 2', 'cabinet 3', 'drawer 1', 'drawer 2', 'microwave']);
const TARGETS = ['fridge', 'microwave', 'countertop', 'sinkbasin', 'cabinet 1', 'drawer 1'];

/** where each object type usually lives (probabilities; the layout draws from them) */
export const COMMONSENSE: Record<string, [string, number][]> = {
  apple: [
    ['fridge', 0.5],
    ['countertop', 0.3],
    ['sinkbasin', 0.2],
  ],
  lettuce: [
    ['fridge', 0.6],
    ['countertop', 0.3],
    ['sinkbasin', 0.1],
  ],
  tomato: [
    ['fridge', 0.5],
    ['countertop', 0.3],
    ['microwave', 0.2],
  ],
  egg: [
    ['fridge', 0.7],
    ['countertop', 0.2],
    ['microwave', 0.1],
  ],
  mug: [
    ['cabinet 1', 0.4],
    ['countertop', 0.3],
    ['sinkbasin', 0.3],
  ],
  cup: [
    ['cabinet 2', 0.4],
    ['cabinet 1', 0.3],
    ['countertop', 0.3],
  ],
  plate: [
    ['cabinet 3', 0.5],
    ['countertop', 0.3],
    ['sinkbasin', 0.2],
  ],
  knife: [
    ['drawer 1', 0.6],
    ['countertop', 0.3],
    ['drawer 2', 0.1],
  ],
  spoon: [
    ['drawer 2', 0.5],
    ['drawer 1', 0.3],
    ['sinkbasin', 0.2],
  ],
  bread: [
    ['countertop', 0.5],
    ['cabinet 3', 0.3],
    ['microwave', 0.2],
  ],
};
export const OBJECTS = Object.keys(COMMONSENSE);

/** The expert's search order for an object: its likely places by probability, then every other receptacle. */
export function searchOrder(object: string): string[] {
  const likely = [...COMMONSENSE[object]].sort((a, b) => b[1] - a[1]).map(([r]) => r);
  return [...likely, ...RECEPTACLES.filter((r) => !likely.includes(r))];
}

interface Task {
  object: string;
  target: string;
  layoutSeed: number;
}

/** 28 training tasks and 26 held-out tasks whose (object, target) pairs and layouts are never seen in training. */
function makeTasks(): Task[] {
  const pairs = OBJECTS.flatMap((o) => TARGETS.map((t) => ({ object: o, target: t }))).filter(
    (p) => !COMMONSENSE[p.object].some(([r, w]) => r === p.target && w >= 0.5),
  );
  // 54 pairs; i ↦ 7i mod 54 is a permutation, so this is a fixed pseudo-random 28/26 split
  const train = pairs.filter((_, i) => (i * 7) % pairs.length < 28);
  const held = pairs.filter((_, i) => (i * 7) % pairs.length >= 28);
  return [...train.map((p, i) => ({ ...p, layoutSeed: i })), ...held.map((p, i) => ({ ...p, layoutSeed: 1000 + i }))];
}

export function makeHouseholdEnv(): TextEnv {
  const tasks = makeTasks();
  const nTrain = tasks.findIndex((t) => t.layoutSeed >= 1000);
  let task: Task = tasks[0];
  let contents = new Map<string, string[]>();
  let open = new Set<string>();
  let at = 'start';
  let holding = 'none';
  let t = 0;
  let admissible: string[] = [];

  const visible = (r: string) => (OPENABLE.has(r) && !open.has(r) ? [] : (contents.get(r) ?? []));
  const observe = (): TextObs => {
    const here =
      at === 'start'
        ? 'at start'
        : OPENABLE.has(at) && !open.has(at)
          ? `at ${at} closed`
          : `at ${at} see ${visible(at).join(' ') || 'nothing'}`;
    const obs = `goal ${task.object} ${task.target} ${here} hold ${holding}`;
    const acts = RECEPTACLES.filter((r) => r !== at).map((r) => `go to ${r}`);
    if (OPENABLE.has(at)) acts.push(open.has(at) ? `close ${at}` : `open ${at}`);
    if (holding === 'none') for (const o of visible(at)) acts.push(`take ${o}`);
    else if (at !== 'start' && (!OPENABLE.has(at) || open.has(at))) acts.push(`put ${holding} in ${at}`);
    acts.push('look');
    admissible = acts;
    return { obs, admissible: [...acts] };
  };

  return {
    name: 'household',
    horizon: 30,
    trainTasks: tasks.slice(0, nTrain).map((_, i) => i),
    heldOutTasks: tasks.slice(nTrain).map((_, i) => nTrain + i),
    words: [
      ...new Set([
        'goal',
        'at',
        'start',
        'closed',
        'see',
        'nothing',
        'hold',
        'none',
        'go',
        'to',
        'open',
        'close',
        'take',
        'put',
        'in',
        'look',
        ...RECEPTACLES.flatMap((r) => r.split(' ')),
        ...OBJECTS,
      ]),
    ],
    reset(taskId) {
      if (!(taskId >= 0 && taskId < tasks.length))
        throw new Error(`household.reset: task id ${taskId} outside [0, ${tasks.length})`);
      task = tasks[taskId];
      const rng = makeRng(task.layoutSeed + 17);
      contents = new Map(RECEPTACLES.map((r) => [r, []]));
      for (const o of OBJECTS) {
        let u = rng.uniform();
        let place = COMMONSENSE[o][COMMONSENSE[o].length - 1][0];
        for (const [r, p] of COMMONSENSE[o]) {
          if (u < p) {
            place = r;
            break;
          }
          u -= p;
        }
        if (o === task.object && place === task.target) place = COMMONSENSE[o].find(([r]) => r !== task.target)![0];
        contents.get(place)!.push(o);
      }
      open = new Set();
      at = 'start';
      holding = 'none';
      t = 0;
      return observe();
    },
    step(i) {
      checkAction(this, i, admissible);
      const words = admissible[i].split(' ');
      let success = false;
      if (words[0] === 'go') at = words.slice(2).join(' ');
      else if (words[0] === 'open') open.add(at);
      else if (words[0] === 'close') open.delete(at);
      else if (words[0] === 'take') {
        holding = words[1];
        contents.set(
          at,
          contents.get(at)!.filter((o) => o !== holding),
        );
      } else if (words[0] === 'put') {
        contents.get(at)!.push(holding);
        success = holding === task.object && at === task.target;
        holding = 'none';
      }
      t++;
      const done = success || t >= this.horizon;
      return { ...observe(), reward: success ? 1 : 0, done, terminal: success, success };
    },
    expertAction() {
      const pick = (a: string) => {
        const i = admissible.indexOf(a);
        if (i < 0) throw new Error(`household.expertAction: '${a}' is not admissible`);
        return i;
      };
      if (holding !== 'none' && holding !== task.object) {
        if (admissible.includes(`put ${holding} in ${at}`)) return pick(`put ${holding} in ${at}`);
        return pick(OPENABLE.has(at) && !open.has(at) ? `open ${at}` : 'go to countertop');
      }
      if (holding === task.object) {
        if (at !== task.target) return pick(`go to ${task.target}`);
        return pick(OPENABLE.has(at) && !open.has(at) ? `open ${at}` : `put ${holding} in ${at}`);
      }
      if (visible(at).includes(task.object)) return pick(`take ${task.object}`);
      if (OPENABLE.has(at) && !open.has(at)) return pick(`open ${at}`);
      const order = searchOrder(task.object);
      return pick(`go to ${order[order.indexOf(at) + 1] ?? order[0]}`);
    },
  };
}
