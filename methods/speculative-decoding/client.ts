// The client side [R]: a remote target over one socket (every request waits a bounded time for its answer), and
// clientGenerate, which drafts locally, verifies remotely, and on a disconnection keeps generating with the drafter
// alone (MoA: SA + stale CA; EAGLE: its own ĥ fed back; independent: a plain LM).
import { connect, type Socket } from 'node:net';
import { encodeFrame, FrameReader, MessageType, type Frame } from './frames.js';
import type { Drafter } from './drafter.js';
import { draftChain, draftTreeEagle2 } from './drafting.js';
import type { DraftMode, TargetEndpoint } from './decode.js';
import type { DraftTree } from './tree.js';
import type { VerifyResult } from './target.js';

export class Disconnected extends Error {}

function rowsOf(ints: Int32Array, floats: Float32Array): Float32Array[] {
  const [count, width] = [ints[ints.length - 2], ints[ints.length - 1]];
  return Array.from({ length: count }, (_, i) => floats.slice(i * width, (i + 1) * width));
}

export class RemoteTarget implements TargetEndpoint {
  calls = 0;
  private readonly reader = new FrameReader(1 << 24);
  private waiting: { resolve: (f: Frame) => void; reject: (e: Error) => void } | null = null;
  private inbox: Frame[] = [];
  private closed: Error | null = null;

  private constructor(
    readonly socket: Socket,
    private readonly kind: number,
    private readonly timeoutMs: number,
  ) {
    socket.on('data', (chunk: Buffer) => {
      try {
        this.inbox.push(...this.reader.push(chunk));
      } catch (e) {
        this.fail(e as Error);
        return;
      }
      this.deliver();
    });
    socket.on('close', () => this.fail(new Disconnected('the connection closed')));
    socket.on('error', (e) => this.fail(new Disconnected(e.message)));
  }

  /** Connects to 127.0.0.1:port within `timeoutMs`. `kind` names the drafter whose features the server computes. */
  static connect(port: number, kind: number, timeoutMs: number): Promise<RemoteTarget> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Disconnected(`no connection within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new RemoteTarget(socket, kind, timeoutMs));
      });
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(new Disconnected(e.message));
      });
    });
  }

  get bytes(): number {
    return this.socket.bytesRead + this.socket.bytesWritten;
  }

  private fail(e: Error): void {
    this.closed ??= e;
    this.socket.destroy();
    this.waiting?.reject(this.closed);
    this.waiting = null;
  }

  private deliver(): void {
    if (this.waiting && this.inbox.length) {
      const w = this.waiting;
      this.waiting = null;
      w.resolve(this.inbox.shift()!);
    }
  }

  /** The next frame from the server, waiting at most timeoutMs. */
  next(): Promise<Frame> {
    if (this.inbox.length) return Promise.resolve(this.inbox.shift()!);
    if (this.closed) return Promise.reject(this.closed);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.fail(new Disconnected(`no answer within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      this.waiting = {
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
    });
  }

  private send(type: number, ints: number[]): void {
    if (this.closed) throw this.closed;
    this.socket.write(encodeFrame({ type, ints: Int32Array.from(ints), floats: new Float32Array(0) }));
  }

  async prefill(prompt: readonly number[]): Promise<Float32Array[]> {
    this.send(MessageType.prefill, [this.kind, ...prompt]);
    const f = await this.next();
    return rowsOf(f.ints, f.floats);
  }

  async verify(tree: DraftTree): Promise<VerifyResult> {
    this.calls++;
    this.send(MessageType.verify, [tree.tokens.length, ...tree.tokens, ...tree.parents]);
    const f = await this.next();
    const pathLength = f.ints[0];
    const path = Array.from(f.ints.subarray(1, 1 + pathLength));
    return {
      path,
      acceptedTokens: path.map((n) => tree.tokens[n]),
      bonus: f.ints[1 + pathLength],
      features: rowsOf(f.ints, f.floats),
    };
  }

  step(): Promise<number> {
    return Promise.reject(new Error('RemoteTarget.step: the remote target decodes alone through generate()'));
  }

  /** "api" mode: the server decodes alone and streams the tokens back. */
  async generate(prompt: readonly number[], newTokens: number): Promise<number[]> {
    this.send(MessageType.generate, [newTokens, ...prompt]);
    const out: number[] = [];
    while (out.length < newTokens) out.push((await this.next()).ints[0]);
    this.calls += newTokens;
    return out;
  }

  close(): void {
    this.socket.destroy();
  }
}

export interface ClientResult {
  tokens: number[];
  calls: number;
  bytes: number;
  wallMs: number;
  /** generated tokens verified when the connection was lost (null: never) */
  disconnectedAt: number | null;
  /** ms from the failed request to the client noticing */
  noticeMs: number | null;
}

/** Speculative decoding against a remote target; after a disconnection the drafter finishes alone. */
export async function clientGenerate(
  remote: RemoteTarget,
  drafter: Drafter,
  prompt: readonly number[],
  newTokens: number,
  mode: DraftMode,
  hooks: { afterVerify?: (generated: number) => void } = {},
): Promise<ClientResult> {
  const t0 = performance.now();
  const tokens = [...prompt];
  let features: Float32Array[] = [];
  let disconnectedAt: number | null = null;
  let noticeMs: number | null = null;
  const generated = () => tokens.length - prompt.length;
  try {
    features = await remote.prefill(prompt);
    while (generated() < newTokens) {
      const ctx = { tokens, features };
      const tree =
        mode.mode === 'chain' ? await draftChain(drafter, ctx, mode.gamma) : await draftTreeEagle2(drafter, ctx, mode);
      const asked = performance.now();
      try {
        const r = await remote.verify(tree);
        features.push(...r.features);
        tokens.push(...r.acceptedTokens, r.bonus);
      } catch (e) {
        noticeMs = performance.now() - asked;
        throw e;
      }
      hooks.afterVerify?.(generated());
    }
  } catch (e) {
    if (!(e instanceof Disconnected)) throw e;
    disconnectedAt = generated();
    const rest = newTokens - generated();
    if (rest > 0) tokens.push(...(await draftChain(drafter, { tokens, features }, rest)).tokens.slice(1));
  }
  return {
    tokens: tokens.slice(prompt.length, prompt.length + newTokens),
    calls: remote.calls,
    bytes: remote.bytes,
    wallMs: performance.now() - t0,
    disconnectedAt,
    noticeMs,
  };
}
