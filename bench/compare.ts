// Compares two bench result files row by row: `npx tsx bench/compare.ts BEFORE.json AFTER.json [--slower=1.15]`.
// It answers "is any row slower than before?" for tessera's own rows (peers and ceilings are context, not ours).
// Rows match on suite, case, implementation and timing mode; a row of a file written before rows named their mode
// matches the new row of any mode but the queued one (then every row was timed per call, or once). The tuned row
// matches the tuned row whatever kernel the tuner picked. A row is called slower only when its median grew by more than the factor AND its whole sample range
// lies above the old one's: on these shared machines a single median drifts by 2x between runs.
import { readFileSync } from 'node:fs';
import type { Row } from './common.js';

const [beforePath, afterPath] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (!beforePath || !afterPath)
  throw new Error('usage: npx tsx bench/compare.ts BEFORE.json AFTER.json [--slower=1.15]');
const factor = Number(process.argv.find((a) => a.startsWith('--slower='))?.split('=')[1] ?? 1.15);
if (!(factor >= 1)) throw new Error(`bench/compare: --slower must be a factor >= 1, got ${factor}`);

const ours = (r: SavedRow) => /^tessera( |$)/.test(r.impl);
/** the tuned choice is named after the kernel it picked, e.g. `tessera (subgroup8x8g4)` */
const implKey = (impl: string) => impl.replace(/^tessera \(.*\)$/, 'tessera (tuned)');
/** Row.mode is absent from files written before the queued mode existed. */
type SavedRow = Omit<Row, 'mode'> & { mode?: string };
const modeOf = (r: SavedRow) => r.mode ?? 'per call';
const key = (r: SavedRow) => [r.suite, r.case, implKey(r.impl), modeOf(r)].join(' | ');

function load(path: string): Map<string, SavedRow> {
  const rows = (JSON.parse(readFileSync(path, 'utf8')) as { rows: SavedRow[] }).rows;
  return new Map(rows.filter(ours).map((r) => [key(r), r]));
}

/** The row of `rows` that `b` (a row of the older file) is compared with. */
function counterpart(b: SavedRow, rows: Map<string, SavedRow>): SavedRow | undefined {
  if (b.mode) return rows.get(key(b));
  const same = [...rows.values()].filter(
    (a) => [a.suite, a.case, implKey(a.impl)].join() === [b.suite, b.case, implKey(b.impl)].join(),
  );
  return same.find((a) => a.mode === 'latency') ?? same.find((a) => !a.mode?.startsWith('queued'));
}

const before = load(beforePath);
const after = load(afterPath);
const ms = (x: number) => x.toFixed(3).padStart(10);
let slower = 0;
let compared = 0;
console.log(`${'row'.padEnd(88)} ${'before ms'.padStart(10)} ${'after ms'.padStart(10)}  after/before`);
const missing: string[] = [];
for (const [k, b] of before) {
  const a = counterpart(b, after);
  if (!a) {
    missing.push(k);
    continue;
  }
  compared++;
  const ratio = a.medianMs / b.medianMs;
  const isSlower = ratio > factor && a.minMs > b.maxMs;
  if (isSlower) slower++;
  console.log(
    `${k.padEnd(88)} ${ms(b.medianMs)} ${ms(a.medianMs)}  ${ratio.toFixed(2).padStart(5)}${isSlower ? '  SLOWER' : ''}`,
  );
}
for (const k of missing) console.log(`${k.padEnd(88)} not in ${afterPath}`);
console.log(
  `\n${compared} rows compared, ${slower} slower (median > ${factor}x and every sample above the old range), ` +
    `${missing.length} rows of ${beforePath} missing from ${afterPath}`,
);
process.exitCode = slower > 0 ? 1 : 0;
