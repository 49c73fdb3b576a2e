// Spec §5, steps before any RL: SFT the teacher on the buggy data, warm-start the student on the teacher's T = 1
// samples (so it inherits the bug), then fix the budget d as a quantile of C under the warm student on validation
// prompts. The same calibration samples give the warm-start gate: RL on R needs correct samples, so a student left
// on the addition plateau is retrained from another init seed (a fixed number of attempts, in the protocol).
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
  /** every student warm-start attempt of the run, the kept one last */
  studentAttempts: StudentAttempt[];
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

type Pool = { prompt: number[]; response: number[] }[];

/** The student's training data: teacher samples at T = 1 on train prompts (so the bug comes with them). */
async function teacherSamples(P: WarmStartProtocol, teacher: nn.GPT, random: () => number): Promise<Pool> {
  const pool: Pool = [];
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
  return pool;
}

/** The student's warm start: SFT on the teacher samples; returns its last logged loss. */
async function trainStudent(P: WarmStartProtocol, pool: Pool, warm: nn.GPT, random: () => number): Promise<number> {
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

/** One warm-start attempt of the student (its init seed, final SFT loss, acc@T1 on the calibration samples). */
export interface StudentAttempt {
  seed: number;
  sftLoss: number;
  accT1: number;
}

/**
 * Trains the teacher and the warm student from scratch and calibrates d. A student left on the addition plateau
 * (calibration acc@T1 below `gate`) is retrained from the next init seed, up to `P.studentSft.attempts` times, on
 * the same teacher samples; the returned student is the first that passes, or the last attempt. Seeds are fixed,
 * but webgpu sums with atomics, so two runs need not give the same weights.
 */
export async function trainWarmStart(
  P: WarmStartProtocol,
  device: DeviceName,
  gate: number,
): Promise<{ teacher: nn.GPT; warm: nn.GPT; calibration: Calibration; passed: boolean }> {
  let t0 = performance.now();
  const teacher = createModel(TEACHER_SIZE, 0, device).eval();
  const teacherSftLoss = await trainTeacher(P, teacher);
  const teacherSft = seconds(t0);
  t0 = performance.now();
  const random = seededRandom(202);
  const pool = await teacherSamples(P, teacher, random);
  const attempts: StudentAttempt[] = [];
  for (let attempt = 0; ; attempt++) {
    const seed = 1 + attempt;
    const warm = createModel(STUDENT_SIZE, seed, device);
    const studentSftLoss = await trainStudent(P, pool, warm, random);
    const measured = await calibrate(P, teacher, warm);
    attempts.push({ seed, sftLoss: studentSftLoss, accT1: measured.accT1 });
    const passed = measured.accT1 >= gate;
    console.log(
      `  warm-start attempt ${attempt + 1}/${P.studentSft.attempts} (student seed ${seed}): SFT loss ${studentSftLoss.toFixed(4)}, acc@T1 ${(100 * measured.accT1).toFixed(1)}% on the calibration samples (gate ${100 * gate}%): ${passed ? 'passed' : 'failed'}`,
    );
    if (passed || attempt + 1 >= P.studentSft.attempts) {
      const calibration: Calibration = {
        protocol: P,
        ...measured,
        teacherSftLoss,
        studentSftLoss,
        studentAttempts: attempts,
        wallSeconds: { teacherSft, studentWarmStart: seconds(t0) },
        trainedAt: new Date().toISOString(),
      };
      return { teacher, warm, calibration, passed };
    }
    warm.dispose();
  }
}
