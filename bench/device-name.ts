// The device part of a result file's name: 'lavapipe' (or 'swiftshader') for software adapters, else the GPU's
// name, e.g. 'nvidia-h200'. Dawn's adapter info on NVIDIA says little more than "NVIDIA", so nvidia-smi's name is
// used where it answers.
import { execFileSync } from 'node:child_process';
import type { GpuInfo } from '../core/device.js';

const slugOf = (name: string) =>
  name
    .replace(/[^a-z0-9]+/gi, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();

export function deviceSlug(info: GpuInfo): string {
  if (info.software) return /swiftshader/i.test(`${info.adapter} ${info.vendor}`) ? 'swiftshader' : 'lavapipe';
  if (/nvidia/i.test(`${info.adapter} ${info.vendor}`)) {
    try {
      const name = execFileSync('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], {
        encoding: 'utf8',
        timeout: 10_000,
      });
      if (name.trim()) return slugOf(name.split('\n')[0]);
    } catch {
      // no nvidia-smi here: the adapter's own name below
    }
  }
  return slugOf(info.adapter) || 'unknown-gpu';
}
