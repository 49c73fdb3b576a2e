// A network shim [R]: a loopback TCP proxy between client and server that delays every chunk by half the round-trip
// time, its serialisation time at the link's bandwidth and a uniform jitter, per direction, in order; it can cut the
// connection after the client has sent `dropAfterCalls` frames, or on demand.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { HEADER_BYTES } from './frames.js';

export interface ShimOptions {
  rttMs: number;
  mbps: number;
  jitterMs?: number;
  /** cut both sockets once the client has sent this many frames */
  dropAfterCalls?: number;
  seed?: number;
}

export interface Shim {
  port: number;
  /** bytes carried so far, each direction */
  bytes: { up: number; down: number };
  cut(): void;
  close(): Promise<void>;
}

/** One-way delay of `bytes` on the link, without jitter: RTT/2 + bytes / bandwidth. */
export function linkDelayMs(bytes: number, o: ShimOptions): number {
  return o.rttMs / 2 + (bytes * 8) / (o.mbps * 1e3);
}

export async function networkShim(upstreamPort: number, o: ShimOptions): Promise<Shim> {
  let seed = (o.seed ?? 1) >>> 0;
  const jitter = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 2 * (o.jitterMs ?? 0);
  const sockets = new Set<Socket>();
  const bytes = { up: 0, down: 0 };
  const cut = () => {
    for (const s of sockets) s.destroy();
  };
  /**
   * Forwards from -> to with the link's delays through one FIFO queue per direction: a single timer delivers the
   * head when its time comes, so chunks never overtake each other (separate timers per chunk can fire out of order
   * once their fractional delays are rounded). `onChunk` sees each chunk as it is sent.
   */
  const pipe = (from: Socket, to: Socket, dir: 'up' | 'down', onChunk?: (chunk: Buffer) => void) => {
    let linkFree = 0;
    const queue: { chunk: Buffer; at: number }[] = [];
    let timer: NodeJS.Timeout | null = null;
    const pump = () => {
      timer = null;
      while (queue.length && queue[0].at <= performance.now()) {
        const { chunk } = queue.shift()!;
        if (!to.destroyed) to.write(chunk);
      }
      if (queue.length) timer = setTimeout(pump, Math.max(0, queue[0].at - performance.now()));
    };
    from.on('data', (chunk: Buffer) => {
      onChunk?.(chunk);
      bytes[dir] += chunk.length;
      const now = performance.now();
      const sent = Math.max(now, linkFree) + (chunk.length * 8) / (o.mbps * 1e3);
      linkFree = sent;
      queue.push({ chunk, at: Math.max(queue.at(-1)?.at ?? 0, sent + o.rttMs / 2 + jitter()) });
      timer ??= setTimeout(pump, Math.max(0, queue[0].at - now));
    });
  };
  const server: Server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: upstreamPort });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => cut());
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    // count the client's frames by their length prefixes to cut after `dropAfterCalls`
    let frames = 0;
    let pending = Buffer.alloc(0);
    pipe(client, upstream, 'up', (chunk) => {
      if (o.dropAfterCalls === undefined) return;
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= HEADER_BYTES && pending.length >= HEADER_BYTES + pending.readUInt32LE(0)) {
        pending = pending.subarray(HEADER_BYTES + pending.readUInt32LE(0));
        if (++frames > o.dropAfterCalls) cut();
      }
    });
    pipe(upstream, client, 'down');
  });
  await new Promise<void>((resolve, reject) => server.listen(0, '127.0.0.1', resolve).on('error', reject));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    bytes,
    cut,
    close: () =>
      new Promise<void>((resolve) => {
        cut();
        server.close(() => resolve());
      }),
  };
}
