// The client–server part of the experiment [R]: save the target and the drafters, start the target server as a
// real child process on loopback, and for each network profile run every drafter (tree mode) and the "api" baseline
// (the server decodes alone and streams) through the shim. Then the disconnection drill: the shim drops the
// connection after 16 verified tokens and the server pid is killed; the client must notice within 2 s and finish
// with its drafter alone.
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nn } from '../../index.js';
import { safetensors } from '../../node.js';
import { startTargetServer } from './server.js';
import { networkShim } from './shim.js';
import { RemoteTarget, clientGenerate } from './client.js';
import type { DrafterKind, Recipe } from './zoo.js';
import type { Protocol } from './protocol.js';
import type { NetworkRow } from './report.js';

export interface DeploymentInput {
  target: nn.GPT;
  trained: { kind: DrafterKind; seed: number; recipe: Recipe }[];
  prompts: number[][];
  refs: number[][];
  protocol: Protocol;
  say: (line: string) => void;
}

const REQUEST_TIMEOUT_MS = 2000;

export async function runClientServer(input: DeploymentInput): Promise<(NetworkRow & { lossless: boolean })[]> {
  const { target, trained, prompts, refs, protocol: P, say } = input;
  const C = P.clientServer;
  const E = P.evaluation;
  const dir = mkdtempSync(join(tmpdir(), 'specdec-'));
  const rows: (NetworkRow & { lossless: boolean })[] = [];
  const tree = { mode: 'tree' as const, depth: E.depth, topK: E.topK, total: E.total };
  try {
    await safetensors.save(join(dir, 'target.safetensors'), target);
    for (const [i, t] of trained.entries())
      await safetensors.save(join(dir, `drafter-${i}.safetensors`), t.recipe.module);
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({
        target: { ...target.config, device: 'cpu' },
        quick: P.tier === 'quick',
        drafters: trained.map((t) => ({ kind: t.kind, seed: t.seed })),
      }),
    );
    const server = await startTargetServer(['--weights', dir], { idleMs: 120000 });
    say(`\ntarget server: pid ${server.pid}, port ${server.port} on 127.0.0.1`);
    try {
      for (const profile of C.profiles) {
        const shim = await networkShim(server.port, { ...profile, seed: 7 });
        for (const [i, t] of trained.entries()) {
          let [calls, bytes, wall, lossless] = [0, 0, 0, true];
          for (const [j, prompt] of prompts.entries()) {
            const remote = await RemoteTarget.connect(shim.port, i, REQUEST_TIMEOUT_MS * 5);
            const r = await clientGenerate(remote, t.recipe.drafter, prompt, C.newTokens, tree);
            remote.close();
            if (r.disconnectedAt !== null)
              throw new Error(`client–server: ${t.kind} lost the connection on ${profile.name}`);
            lossless &&= r.tokens.join() === refs[j].slice(0, C.newTokens).join();
            [calls, bytes, wall] = [calls + r.calls, bytes + r.bytes, wall + r.wallMs];
          }
          const n = prompts.length * C.newTokens;
          rows.push({
            drafter: t.kind,
            profile: profile.name,
            callsPerToken: calls / n,
            kbPerToken: bytes / 1024 / n,
            msPerToken: wall / n,
            lossless,
          });
        }
        let [bytes, wall, lossless] = [0, 0, true];
        for (const [j, prompt] of prompts.entries()) {
          const remote = await RemoteTarget.connect(shim.port, -1, REQUEST_TIMEOUT_MS * 5);
          const t0 = performance.now();
          const out = await remote.generate(prompt, C.newTokens);
          wall += performance.now() - t0;
          bytes += remote.bytes;
          remote.close();
          lossless &&= out.join() === refs[j].slice(0, C.newTokens).join();
        }
        const n = prompts.length * C.newTokens;
        rows.push({
          drafter: 'api',
          profile: profile.name,
          callsPerToken: 1,
          kbPerToken: bytes / 1024 / n,
          msPerToken: wall / n,
          lossless,
        });
        await shim.close();
        process.stderr.write(`client–server: ${profile.name} done\n`);
      }
      // the disconnection drill with the first drafter (MoA): drop after C.disconnectAfter verified tokens, kill the pid
      const moa = trained.findIndex((t) => t.kind === 'moa');
      const shim = await networkShim(server.port, { ...C.profiles[0], seed: 8 });
      const remote = await RemoteTarget.connect(shim.port, moa, REQUEST_TIMEOUT_MS * 5);
      let killed: Promise<void> | null = null;
      const r = await clientGenerate(remote, trained[moa].recipe.drafter, prompts[0], C.newTokens, tree, {
        afterVerify: (generated) => {
          if (generated >= C.disconnectAfter && !killed) {
            shim.cut();
            killed = server.kill();
          }
        },
      });
      await killed;
      await shim.close();
      say(
        `disconnection drill (moa, ${C.profiles[0].name}): cut after ${r.disconnectedAt} verified tokens, server pid ${server.pid} killed, ` +
          `noticed in ${r.noticeMs?.toFixed(0)} ms (bound ${REQUEST_TIMEOUT_MS} ms), ${r.tokens.length} tokens produced in all without throwing`,
      );
    } finally {
      await server.kill();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
