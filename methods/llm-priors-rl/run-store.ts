// Resumable experiment units: each (tier, arm, seed) result is written to results/<tier>/runs/<key>.json when it
// finishes, and a rerun reads it instead of running it again, so an interrupted run keeps what finished.
// Non-finite numbers (NaN held-out success, Infinity) survive the JSON round trip as strings.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../../node.js';

const encode = (_k: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? `#${v}` : v);
const decode = (_k: string, v: unknown) =>
  typeof v === 'string' && (v === '#NaN' || v === '#Infinity' || v === '#-Infinity') ? Number(v.slice(1)) : v;

export class RunStore {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  private path(key: string): string {
    if (!/^[A-Za-z0-9_.=-]+$/.test(key))
      throw new Error(`RunStore: key "${key}" must be [A-Za-z0-9_.=-]+ (a file name)`);
    return join(this.dir, `${key}.json`);
  }

  get<T>(key: string): T | undefined {
    const p = this.path(key);
    return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8'), decode) as T) : undefined;
  }

  /** the stored result of `key`, or `compute()`'s, stored first */
  async once<T>(key: string, compute: () => Promise<T>): Promise<{ value: T; cached: boolean }> {
    const old = this.get<T>(key);
    if (old !== undefined) return { value: old, cached: true };
    const value = await compute();
    writeFileAtomicSync(this.path(key), JSON.stringify(value, encode));
    return { value, cached: false };
  }
}
