// The saved warm start: teacher and warm student round-trip through safetensors to the same weights, the
// calibration (d) comes back unchanged, and files made under another warm-start protocol are refused.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createModel, TEACHER_SIZE, STUDENT_SIZE } from '../../methods/constrained-distillation/models.js';
import { hasWarmStart, saveWarmStart, loadWarmStart } from '../../methods/constrained-distillation/checkpoint.js';
import { warmStartProtocol, type Calibration } from '../../methods/constrained-distillation/warm-start.js';
import { QUICK } from '../../methods/constrained-distillation/protocol.js';

const s = suite('constrained distillation: saved warm start');

const weights = async (m: ReturnType<typeof createModel>) =>
  Promise.all(m.parameters().map(async (p) => Array.from(await p.data())));

s('teacher, warm student and d round-trip; another protocol is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'distill-ckpt-'));
  try {
    const protocol = warmStartProtocol(QUICK);
    const calibration: Calibration = {
      protocol,
      d: 0.6114,
      costs: [0.1, 0.7],
      accT1: 0.815,
      teacherSftLoss: 0.0068,
      studentSftLoss: 0.026,
      studentAttempts: [
        { seed: 1, sftLoss: 0.47, accT1: 0.01 },
        { seed: 2, sftLoss: 0.026, accT1: 0.815 },
      ],
      wallSeconds: { teacherSft: 1, studentWarmStart: 2 },
      trainedAt: '2026-12-05T02:00:00.000Z',
    };
    const teacher = createModel(TEACHER_SIZE, 0, 'cpu');
    const warm = createModel(STUDENT_SIZE, 1, 'cpu');
    assert.is(hasWarmStart(dir), false);
    await saveWarmStart(dir, teacher, warm, calibration);
    assert.is(hasWarmStart(dir), true);
    // fresh models with other seeds (other weights) get the saved ones, each from its own file
    const teacher2 = createModel(TEACHER_SIZE, 7, 'cpu');
    const warm2 = createModel(STUDENT_SIZE, 8, 'cpu');
    assert.not.equal(await weights(warm2), await weights(warm));
    const loaded = await loadWarmStart(dir, protocol, teacher2, warm2);
    assert.equal(await weights(teacher2), await weights(teacher));
    assert.equal(await weights(warm2), await weights(warm));
    assert.equal(loaded, calibration);
    const other = { ...protocol, studentData: protocol.studentData + 1 };
    try {
      await loadWarmStart(dir, other, teacher2, warm2);
      assert.unreachable('a warm start of another protocol must be refused');
    } catch (e) {
      assert.match((e as Error).message, /loadWarmStart: .*--fresh-warm-start/);
    }
    for (const m of [teacher, warm, teacher2, warm2]) m.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

s.run();
