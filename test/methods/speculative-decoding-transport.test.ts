import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, connect, type Socket } from 'node:net';
import { encodeFrame, FrameReader, FrameError, MessageType } from '../../methods/speculative-decoding/frames.js';
import { networkShim, linkDelayMs } from '../../methods/speculative-decoding/shim.js';
import { startTargetServer } from '../../methods/speculative-decoding/server.js';
import { RemoteTarget, clientGenerate } from '../../methods/speculative-decoding/client.js';
import type { Drafter } from '../../methods/speculative-decoding/drafter.js';
import { TINY_TARGET } from '../../methods/speculative-decoding/target.js';

const transport = suite('speculative-decoding: transport');

transport('frames round-trip, split across chunks or packed together', () => {
  const a = { type: MessageType.verify, ints: Int32Array.of(3, -1, 7, 2 ** 31 - 1), floats: Float32Array.of(0.5, -2) };
  const b = { type: MessageType.token, ints: Int32Array.of(9), floats: new Float32Array(0) };
  const bytes = Buffer.concat([encodeFrame(a), encodeFrame(b)]);
  const reader = new FrameReader(1024);
  const got = [
    ...reader.push(bytes.subarray(0, 7)),
    ...reader.push(bytes.subarray(7, 30)),
    ...reader.push(bytes.subarray(30)),
  ];
  assert.equal(got, [a, b]);
});

transport('oversized, unknown-type and inconsistent frames raise a FrameError', () => {
  const big = encodeFrame({ type: MessageType.verify, ints: new Int32Array(100), floats: new Float32Array(0) });
  assert.throws(
    () => new FrameReader(64).push(big),
    (e: Error) => e instanceof FrameError && /exceeds the 64-byte cap/.test(e.message),
  );
  const bad = Buffer.from(
    encodeFrame({ type: MessageType.token, ints: Int32Array.of(1), floats: new Float32Array(0) }),
  );
  bad.writeUInt8(99, 4);
  assert.throws(() => new FrameReader(64).push(bad), /unknown frame type 99/);
  const short = Buffer.from(
    encodeFrame({ type: MessageType.token, ints: Int32Array.of(1), floats: new Float32Array(0) }),
  );
  short.writeUInt32LE(5, 5);
  assert.throws(() => new FrameReader(64).push(short), /cannot hold 5 ints/);
});

/** An echo server on loopback; resolves with its port and a closer. */
async function echoServer(): Promise<{ port: number; close: () => void }> {
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.on('data', (d) => s.write(d));
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    close: () => {
      sockets.forEach((s) => s.destroy());
      server.close();
    },
  };
}

transport('the shim delays a one-way message by RTT/2 + bytes/bandwidth (±20%), and stays on loopback', async () => {
  const echo = await echoServer();
  const opts = { rttMs: 80, mbps: 1 };
  const shim = await networkShim(echo.port, opts);
  const socket = connect({ host: '127.0.0.1', port: shim.port });
  await new Promise((r) => socket.once('connect', r));
  assert.is(socket.remoteAddress, '127.0.0.1');
  const payload = Buffer.alloc(5000, 1);
  const t0 = performance.now();
  const back = new Promise<void>((resolve) => {
    let got = 0;
    socket.on('data', (d) => {
      if ((got += d.length) >= payload.length) resolve();
    });
  });
  socket.write(payload);
  await Promise.race([back, new Promise((r) => setTimeout(r, 3000))]);
  const roundTrip = performance.now() - t0;
  // the echo crosses the link twice: 2 × (40 ms + 40 ms for 5000 bytes at 1 Mbit/s)
  const expected = 2 * linkDelayMs(payload.length, opts);
  assert.ok(
    Math.abs(roundTrip - expected) <= 0.2 * expected,
    `round trip ${roundTrip.toFixed(1)} ms, expected ${expected} ms`,
  );
  assert.is(shim.bytes.up, payload.length);
  socket.destroy();
  await shim.close();
  echo.close();
});

transport('the shim keeps the byte order of many small chunks under jitter', async () => {
  const echo = await echoServer();
  const shim = await networkShim(echo.port, { rttMs: 20, mbps: 10, jitterMs: 9, seed: 3 });
  const socket = connect({ host: '127.0.0.1', port: shim.port });
  await new Promise((r) => socket.once('connect', r));
  socket.setNoDelay(true);
  const received: number[] = [];
  const done = new Promise<void>((resolve) =>
    socket.on('data', (d: Buffer) => {
      received.push(...d);
      if (received.length >= 200) resolve();
    }),
  );
  for (let i = 0; i < 200; i++) {
    socket.write(Buffer.of(i));
    await new Promise((r) => setTimeout(r, 0.3));
  }
  await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
  assert.equal(
    received,
    Array.from({ length: 200 }, (_, i) => i),
  );
  socket.destroy();
  await shim.close();
  echo.close();
});

const V = TINY_TARGET.vocabSize; // the vocabulary of the server's --tiny target
/** A drafter that always proposes token 1 (usually wrong): the point is what happens around it. */
const constantDrafter: Drafter = {
  name: 'constant',
  featureFn: null,
  async nextLogProbs(_ctx, paths) {
    return paths.map(() => Float32Array.from({ length: V }, (_, i) => (i === 1 ? 0 : -5)));
  },
};

transport(
  'a real server process: malformed frames close only that connection; a disconnect yields drafter tokens; idle exit',
  async () => {
    const server = await startTargetServer(['--tiny', '3'], { idleMs: 1500, startMs: 60000 });
    try {
      // a client that sends garbage is disconnected with a logged reason
      const bad = connect({ host: '127.0.0.1', port: server.port });
      const badClosed = new Promise((r) => bad.on('close', r));
      bad.on('error', () => undefined);
      bad.write(Buffer.from([0xff, 0xff, 0xff, 0x7f, 1, 2, 3]));
      await Promise.race([badClosed, new Promise((r) => setTimeout(r, 3000))]);
      assert.ok(bad.destroyed);
      // a good client is still served, through a shim that cuts after the prefill and two verifications
      const shim = await networkShim(server.port, { rttMs: 2, mbps: 100, dropAfterCalls: 3 });
      const remote = await RemoteTarget.connect(shim.port, -1, 2000);
      const r = await clientGenerate(remote, constantDrafter, [1, 2, 3, 4], 12, { mode: 'chain', gamma: 2 });
      assert.is(r.tokens.length, 12);
      assert.is(r.calls, 3);
      assert.ok(r.disconnectedAt !== null && r.disconnectedAt >= 2 && r.disconnectedAt <= 6);
      assert.ok(r.noticeMs !== null && r.noticeMs < 2000);
      // every token after the cut came from the drafter alone
      assert.equal(r.tokens.slice(r.disconnectedAt!), new Array(12 - r.disconnectedAt!).fill(1));
      await shim.close();
      assert.ok(
        server.log.some((l) => /closing connection .*exceeds/.test(l)),
        server.log.join('\n'),
      );
      // with no traffic the server exits by itself (bounded wait)
      const code = await Promise.race([server.exited, new Promise((r) => setTimeout(() => r('timeout'), 10000))]);
      assert.is(code, 0);
    } finally {
      await server.kill();
    }
  },
);

transport.run();
