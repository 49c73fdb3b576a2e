// Spec §5, steps before any RL: SFT the teacher on the buggy data, warm-start the student on the teacher's T = 1
// samples (so it inherits the bug), then fix the budget d as a quantile of C under the warm student on validation
// prompts. The same calibration samples give the warm-start gate: RL on R needs correct samples.
import { nn, type DeviceName } from '../../index.js';
import { sampleResponses } from '../shared/lm-rl/index.js';
import type { Protocol } from './protocol.js';
import { createModel, sft, padResponse, TEACHER_SIZE, STUDENT_SIZE } from './models.js';
import { generate, promptTokens, teacherTarget, reward, EOS, PAD, MAX_RESPONSE } from './task.js';
import { rolloutCosts } from './score.js';
import { quantile } from './calibration.js';

/** The protocol fields that determine the warm start (a saved one is reused only when they match). */
export type WarmStartProtocol = Pick<Protocol, 'teacherSft' | 'studentData' | 'studentSft' | 'calibration'>;

export const warmStartProtocol = (P: Protocol): WarmStartProtocol => ({
  teacherSft: P.teacherSft,
  studentData: P.studentData,
  studentSft: P.studentSft,
  calibration: P.calibration,
});

/** The budget and what the warm start measured, saved next to the weights. */
export interface Calibration {
  protocol: WarmStartProtocol;
  /** the budget: quantile `protocol.calibration.quantile` of `costs` */
  d: number;
  /** C of one T = 1 warm-student sample per calibration prompt */
  costs: number[];
  /** the warm student's acc@T1 on the same samples (the gate reads it) */
  accT1: number;
  teacherSftLoss: number;
  studentSftLoss: number;
  wallSeconds: { teacherSft: number; studentWarmStart: number };
  /** ISO time the warm start was trained */
  trainedAt: string;
}

const { seededRandom } = nn.data;
const seconds = (since: number) => (performance.now() - since) / 1000;

/** The teacher learns the task from buggy SFT data; returns its last logged loss. */
async function trainTeacher(P: WarmStartProtocol, teacher: nn.GPT): Promise<number> {
  const data = seededRandom(101);
  let last = NaN;
  await sft(
    teacher,
    () => {
      const problems = generate(P.teacherSft.batch, data, 'train');
      return {
        prompts: problems.map(promptTokens),
        responses: problems.map((p) => padResponse(teacherTarget(p, data))),
      };
    },
    {
      ...P.teacherSft,
      onStep: (s, l) => {
        last = l;
        if (s % 500 === 0 || s === P.teacherSft.steps) console.log(`  teacher SFT step ${s}: loss ${l.toFixed(4)}`);
      },
    },
  );
  return last;
}

/** The student's warm start: SFT on teacher samples at T = 1; returns its last logged loss. */
async function trainStudent(P: WarmStartProtocol, teacher: nn.GPT, warm: nn.GPT): Promise<number> {
  const random = seededRandom(202);
  const pool: { prompt: number[]; response: number[] }[] = [];
  for (let i = 0; i < P.studentData; i += 500) {
    const problems = generate(Math.min(500, P.studentData - i), random, 'train');
    const rollout = await sampleResponses(teacher, problems.map(promptTokens), {
      maxNewTokens: MAX_RESPONSE,
      temperature: 1,
      eosToken: EOS,
      padToken: PAD,
      random,
    });
    rollout.responses.forEach((r, b) => pool.push({ prompt: rollout.prompts[b], response: r }));
  }
  let last = NaN;
  await sft(
    warm,
    () => {
      const batch = Array.from({ length: P.studentSft.batch }, () => pool[Math.floor(random() * pool.length)]);
      return { prompts: batch.map((e) => e.prompt), responses: batch.map((e) => e.response) };
    },
    {
      ...P.studentSft,
      onStep: (s, l) => {
        last = l;
        if (s % 500 === 0 || s === P.studentSft.steps) console.log(`  student SFT step ${s}: loss ${l.toFixed(4)}`);
      },
    },
  );
  return last;
}

/** C and correctness of one T = 1 warm-student sample per calibration prompt (validation split). */
async function calibrate(P: WarmStartProtocol, teacher: nn.GPT, warm: nn.GPT) {
  const random = seededRandom(303);
  const problems = generate(P.calibration.prompts, random, 'validation');
  const costs: number[] = [];
  let correct = 0;
  for (let i = 0; i < problems.length; i += 250) {
    const part = problems.slice(i, i + 250);
    const rollout = await sampleResponses(warm, part.map(promptTokens), {
      maxNewTokens: MAX_RESPONSE,
      temperature: 1,
      eosToken: EOS,
      padToken: PAD,
      random,
    });
    costs.push(...(await rolloutCosts(warm, teacher, rollout)).C);
    part.forEach((p, b) => (correct += reward(p, rollout.responses[b])));
  }
  return { costs, d: quantile(costs, P.calibration.quantile), accT1: correct / problems.length };
}

/** Trains the teacher and the warm student from scratch and calibrates d (fixed seeds; webgpu sums with atomics,
 *  so two runs need not give the same weights). */
export async function trainWarmStart(
  P: WarmStartProtocol,
  device: DeviceName,
): Promise<{ teacher: nn.GPT; warm: nn.GPT; calibration: Calibration }> {
  let t0 = performance.now();
  const teacher = createModel(TEACHER_SIZE, 0, device).eval();
  const teacherSftLoss = await trainTeacher(P, teacher);
  const teacherSft = seconds(t0);
  t0 = performance.now();
  const warm = createModel(STUDENT_SIZE, 1, device);
  const studentSftLoss = await trainStudent(P, teacher, warm);
  const studentWarmStart = seconds(t0);
  const measured = await calibrate(P, teacher, warm);
  return {
    teacher,
    warm,
    calibration: {
      protocol: P,
      ...measured,
      teacherSftLoss,
      studentSftLoss,
      wallSeconds: { teacherSft, studentWarmStart },
      trainedAt: new Date().toISOString(),
    },
  };
}
