// The saved warm start: teacher and warm student (safetensors) plus the calibration (d and what it was measured
// on), written once the warm student has passed the gate. Every RL arm starts from these files, and a later run
// reuses them instead of retraining (webgpu SFT is not bitwise deterministic, and ~1 run in 4 leaves the student
// on the addition plateau), as long as they were made under the same warm-start protocol.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { nn } from '../../index.js';
import { safetensors, writeFileAtomicSync } from '../../node.js';
import type { Calibration, WarmStartProtocol } from './warm-start.js';

const TEACHER = 'teacher.safetensors',
  STUDENT = 'warm-student.safetensors',
  CALIBRATION = 'calibration.json';

export const hasWarmStart = (dir: string) => [TEACHER, STUDENT, CALIBRATION].every((f) => existsSync(join(dir, f)));

export async function saveWarmStart(dir: string, teacher: nn.GPT, warm: nn.GPT, calibration: Calibration) {
  mkdirSync(dir, { recursive: true });
  await safetensors.save(join(dir, TEACHER), teacher, { role: 'teacher', d: String(calibration.d) });
  await safetensors.save(join(dir, STUDENT), warm, { role: 'warm student', d: String(calibration.d) });
  writeFileAtomicSync(join(dir, CALIBRATION), `${JSON.stringify(calibration, null, 1)}\n`);
}

/**
 * Loads the saved weights into `teacher` and `warm` (fresh models of the protocol's sizes) and returns the
 * calibration. Throws when the files were made under another warm-start protocol.
 */
export async function loadWarmStart(
  dir: string,
  protocol: WarmStartProtocol,
  teacher: nn.GPT,
  warm: nn.GPT,
): Promise<Calibration> {
  const calibration = JSON.parse(readFileSync(join(dir, CALIBRATION), 'utf8')) as Calibration;
  const saved = JSON.stringify(calibration.protocol),
    wanted = JSON.stringify(protocol);
  if (saved !== wanted)
    throw new Error(
      `loadWarmStart: the warm start in ${dir} was made under ${saved}, this run's protocol is ${wanted}; ` +
        'delete the folder or pass --fresh-warm-start',
    );
  await safetensors.loadInto(teacher, join(dir, TEACHER));
  await safetensors.loadInto(warm, join(dir, STUDENT));
  return calibration;
}
