// The per-adapter file of tuned matmul choices: {adapter: {shape class: variant}} under the user's cache folder.
// Node only (read synchronously through process.getBuiltinModule); elsewhere, choices last for the session.
import { gpu } from '../core/device.js';

type Fs = typeof import('node:fs');
type Choices = Record<string, string>;

const nodeFs = (): Fs | null =>
  ((globalThis as { process?: { getBuiltinModule?: (m: string) => unknown } }).process?.getBuiltinModule?.('node:fs') as Fs) ?? null;

function cacheFile(): string | null {
  const env = typeof process === 'undefined' ? undefined : process.env;
  if (env?.TESSERA_NO_TUNE_CACHE) return null;
  const dir = env?.XDG_CACHE_HOME ?? (env?.HOME ? `${env.HOME}/.cache` : null);
  return dir ? `${dir}/tessera/matmul-choices.json` : null;
}

const adapterKey = () => { const i = gpu().info; return `${i.adapter}|${i.driver}|${i.architecture}`; };

function readAll(fs: Fs, file: string): Record<string, Choices> {
  try { return JSON.parse(fs.readFileSync(file, 'utf8')); } catch { return {}; }
}

/** The choices an earlier process tuned on this adapter (none outside Node or without a cache folder). */
export function loadStoredChoices(): Choices {
  const fs = nodeFs(); const file = cacheFile();
  return fs && file ? readAll(fs, file)[adapterKey()] ?? {} : {};
}

/** Merges `choices` into this adapter's entry of the cache file. */
export function storeChoices(choices: Choices): void {
  const fs = nodeFs(); const file = cacheFile();
  if (!fs || !file) return;
  try {
    const all = readAll(fs, file);
    all[adapterKey()] = { ...all[adapterKey()], ...choices };
    fs.mkdirSync(file.slice(0, file.lastIndexOf('/')), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(all, null, 1));
  } catch { /* a read-only home only means the next process tunes again */ }
}
