// The target server's process entry [R]. Arguments:
//   --idle-ms N          exit after N ms without traffic
//   --max-frame N        frame payload cap in bytes (default 1 MiB)
//   --tiny SEED          serve a small random target (tests)
//   --weights DIR        serve the target and drafter feature functions saved by deployment.ts
// Prints "PORT <port>" on stdout once listening on 127.0.0.1.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nn } from '../../index.js';
import { safetensors } from '../../node.js';
import { TINY_TARGET, createTargetLm, type TargetConfig, type FeatureFn } from './target.js';
import { serveTarget } from './server.js';
import { buildDrafter, type DrafterKind } from './zoo.js';
import { protocol } from './protocol.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const idleMs = Number(arg('--idle-ms') ?? 60000);
const maxPayload = Number(arg('--max-frame') ?? 1 << 20);

let target: nn.GPT;
const featureFns: (FeatureFn | null)[] = [];
const weights = arg('--weights');
if (weights) {
  const cfg = JSON.parse(readFileSync(join(weights, 'config.json'), 'utf8')) as {
    target: TargetConfig;
    quick: boolean;
    drafters: { kind: DrafterKind; seed: number }[];
  };
  target = createTargetLm({ ...cfg.target, device: 'cpu' });
  await safetensors.loadInto(target, join(weights, 'target.safetensors'));
  for (const [i, d] of cfg.drafters.entries()) {
    const recipe = buildDrafter(d.kind, target, d.seed, protocol(cfg.quick));
    await safetensors.loadInto(recipe.module, join(weights, `drafter-${i}.safetensors`));
    featureFns.push(recipe.drafter.featureFn);
  }
} else {
  target = createTargetLm({ ...TINY_TARGET, seed: Number(arg('--tiny') ?? 0) });
}
const server = await serveTarget(target, featureFns, { idleMs, maxPayload, onIdle: () => process.exit(0) });
process.stdout.write(`PORT ${server.port}\n`);
