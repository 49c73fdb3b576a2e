// The target server [R]: holds the target (and the drafters' target-side feature functions, e.g. MoA's LSA), listens
// on loopback, and answers prefill / verify / generate frames. A malformed or oversized frame closes only that
// connection, with the reason logged; other connections keep being served. With no traffic for `idleMs` the
// process exits. startTargetServer runs it as a child process and hands back its pid and port.
import { createServer, type Socket } from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { nn } from '../../index.js';
import { FrameReader, FrameError, encodeFrame, MessageType, type Frame } from './frames.js';
import { TargetSession, type FeatureFn } from './target.js';
import { treeMask } from './tree.js';

export interface ServeOptions {
  host?: string;
  idleMs: number;
  maxPayload?: number;
  log?: (line: string) => void;
  onIdle?: () => void;
}

const MAX_TREE = 512;

function features(type: number, rows: Float32Array[], head: number[] = []): Buffer {
  const width = rows[0]?.length ?? 0;
  const floats = new Float32Array(rows.length * width);
  rows.forEach((r, i) => floats.set(r, i * width));
  return encodeFrame({ type, ints: Int32Array.from([...head, rows.length, width]), floats });
}

/** Serves `target` until idle; resolves with the bound port. */
export async function serveTarget(
  target: nn.GPT,
  featureFns: (FeatureFn | null)[],
  o: ServeOptions,
): Promise<{ port: number; close: () => void }> {
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const V = target.config.vocabSize;
  let idleTimer: NodeJS.Timeout | undefined;
  const touch = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      log('target server: idle, shutting down');
      server.close();
      o.onIdle?.();
    }, o.idleMs);
  };
  const checkTokens = (tokens: ArrayLike<number>) => {
    for (const t of Array.from(tokens))
      if (!(t >= 0 && t < V)) throw new FrameError(`token ${t} is outside the vocabulary [0, ${V})`);
  };
  const handle = async (socket: Socket, f: Frame, state: { session: TargetSession | null }) => {
    if (f.type === MessageType.prefill) {
      const kind = f.ints[0];
      if (!(kind >= -1 && kind < featureFns.length))
        throw new FrameError(`prefill: drafter kind ${kind} is not in [-1, ${featureFns.length})`);
      const prompt = Array.from(f.ints.subarray(1));
      checkTokens(prompt);
      if (prompt.length < 2 || prompt.length > 4096)
        throw new FrameError(`prefill: a prompt of ${prompt.length} tokens (need 2..4096)`);
      state.session?.dispose();
      state.session = new TargetSession(target, kind >= 0 ? featureFns[kind] : null);
      socket.write(features(MessageType.features, await state.session.prefill(prompt)));
    } else if (f.type === MessageType.verify) {
      const n = f.ints[0];
      if (!state.session) throw new FrameError('verify before prefill');
      if (!(n >= 1 && n <= MAX_TREE && f.ints.length === 1 + 2 * n))
        throw new FrameError(`verify: a tree of ${n} nodes needs ${1 + 2 * n} ints, got ${f.ints.length}`);
      const tokens = Array.from(f.ints.subarray(1, 1 + n));
      const parents = Array.from(f.ints.subarray(1 + n));
      checkTokens(tokens);
      try {
        treeMask(parents);
      } catch (e) {
        throw new FrameError(`verify: ${(e as Error).message}`);
      }
      const r = await state.session.verify({ tokens, parents, scores: tokens.map(() => 0) });
      socket.write(features(MessageType.verdict, r.features, [r.path.length, ...r.path, r.bonus]));
    } else if (f.type === MessageType.generate) {
      const n = f.ints[0];
      const prompt = Array.from(f.ints.subarray(1));
      checkTokens(prompt);
      if (!(n >= 1 && n <= 4096 && prompt.length >= 2))
        throw new FrameError(`generate: ${n} tokens after a ${prompt.length}-token prompt`);
      state.session?.dispose();
      const session = (state.session = new TargetSession(target, null));
      await session.prefill(prompt);
      let token = prompt[prompt.length - 1];
      for (let i = 0; i < n && !socket.destroyed; i++) {
        token = await session.step(token);
        socket.write(encodeFrame({ type: MessageType.token, ints: Int32Array.of(token), floats: new Float32Array(0) }));
      }
    } else {
      throw new FrameError(`frame type ${f.type} is not a request`);
    }
  };
  const server = createServer((socket) => {
    touch();
    const reader = new FrameReader(o.maxPayload ?? 1 << 20);
    const state: { session: TargetSession | null } = { session: null };
    let queue = Promise.resolve();
    const fail = (e: unknown) => {
      log(`target server: closing connection ${socket.remotePort}: ${(e as Error).message}`);
      socket.destroy();
    };
    socket.on('data', (chunk: Buffer) => {
      touch();
      let frames: Frame[];
      try {
        frames = reader.push(chunk);
      } catch (e) {
        fail(e);
        return;
      }
      for (const f of frames)
        queue = queue.then(() => (socket.destroyed ? undefined : handle(socket, f, state))).catch(fail);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      void queue.then(() => {
        state.session?.dispose();
        state.session = null;
      });
    });
  });
  await new Promise<void>((resolve, reject) => server.listen(0, o.host ?? '127.0.0.1', resolve).on('error', reject));
  touch();
  return {
    port: (server.address() as { port: number }).port,
    close: () => {
      clearTimeout(idleTimer);
      server.close();
    },
  };
}

export interface ServerProcess {
  pid: number;
  port: number;
  child: ChildProcess;
  /** stderr lines of the server (its log) */
  log: string[];
  exited: Promise<number | null>;
  /** SIGKILL by pid, then wait (bounded) for the exit */
  kill(): Promise<void>;
}

/**
 * Starts server-main.ts as a child process on 127.0.0.1 port 0; `args` tell it what to load (see server-main.ts).
 * Waits at most `startMs` for the port line.
 */
export async function startTargetServer(
  args: string[],
  o: { idleMs: number; startMs?: number },
): Promise<ServerProcess> {
  const main = join(import.meta.dirname, 'server-main.ts');
  const child = spawn(process.execPath, [...process.execArgv, main, '--idle-ms', String(o.idleMs), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  child.stderr!.on('data', (d: Buffer) => log.push(...d.toString().split('\n').filter(Boolean)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`startTargetServer: no port within ${o.startMs ?? 60000} ms; log: ${log.join(' | ')}`));
    }, o.startMs ?? 60000);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`startTargetServer: the server exited (${code}) before listening; log: ${log.join(' | ')}`));
    });
  });
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  };
  return { pid: child.pid!, port, child, log, exited, kill };
}
