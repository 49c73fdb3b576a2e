// Per-run search records on disk: one JSON file per (arm, seed, bucket, item), written when the run finishes, so
// that the report can be rebuilt without re-running the searches and a crashed or interrupted run keeps what
// finished (the next run skips those). A protocol stamp guards against mixing records of different protocols.
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { writeFileAtomicSync } from '../../node.js';
import { type RunRecord } from './report.js';
import { parseSequent, printSequent } from './sequent.js';

export const runFile = (dir: string, arm: string, seed: number, bucket: string, index: number) =>
  `${dir}/${arm}-seed${seed}-${bucket}-${index}.json`;

/** Creates the folder, or checks that the records already there were made under the same protocol. */
export function openRunsDir(dir: string, stamp: unknown): void {
  mkdirSync(dir, { recursive: true });
  const file = `${dir}/protocol.json`;
  const text = JSON.stringify(stamp);
  if (existsSync(file) && readFileSync(file, 'utf8') !== text)
    throw new Error(`bourbaki: the records in ${dir} were made under another protocol; delete the folder to rerun`);
  writeFileAtomicSync(file, text);
}

export function saveRun(file: string, r: RunRecord): void {
  writeFileAtomicSync(file, JSON.stringify({ ...r, theorem: printSequent(r.theorem) }));
}

export function loadRun(file: string): RunRecord | null {
  if (!existsSync(file)) return null;
  const r = JSON.parse(readFileSync(file, 'utf8')) as Omit<RunRecord, 'theorem'> & { theorem: string };
  return { ...r, theorem: parseSequent(r.theorem) };
}

export const countRuns = (dir: string) =>
  existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'protocol.json').length : 0;
