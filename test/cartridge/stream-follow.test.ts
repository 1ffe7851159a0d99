// A growing output followed while it is written (worker/stream/follow.ts serving, cartridge/stream/follow.ts
// receiving, over a real HTTP connection): the bytes arrive as the file grows, what the writer
// patched after it was shipped arrives again, and the receiver has the file whole only at `end`;
// an abandoned or replaced file, a frame past the size bound, or a body cut short is never taken whole.
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { appendFileSync, openSync, readFileSync, renameSync, writeFileSync, writeSync, closeSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import t, { type Test } from 'tap';
import { receiveFollowed } from '../../cartridge/stream/follow.ts';
import { encodeFrameHeader, FRAME_DATA, FRAME_END, decodeFrameHeader } from '../../core/stream/follow-frames.ts';
import { followFile, FOLLOW_CHUNK, type FileFollow } from '../../worker/stream/follow.ts';

/** Serves `file` followed on every request; resolves the follow of the latest one. */
async function followServer(t: Test, file: string) {
  let latest: { follow: FileFollow; res: ServerResponse } | undefined;
  const server = createServer((_req, res) => (latest = { follow: followFile(file, res), res }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  const get = () => new Promise<IncomingMessage>((resolve, reject) => request(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, resolve).on('error', reject).end());
  return { get, follow: () => latest };
}

const bytes = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) % 251));
const until = async (check: () => boolean) => {
  for (let i = 0; i < 1000 && !check(); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
};

t.test('a growing file arrives as it grows; bytes patched after they were shipped come again; whole only at end', async (t) => {
  const dir = t.testdir({});
  const source = join(dir, 'out.mkv');
  const first = bytes(2 * FOLLOW_CHUNK + 123, 1);
  writeFileSync(source, first);
  const server = await followServer(t, source);
  const res = await server.get();
  const target = await open(join(dir, 'received'), 'w');
  const received = receiveFollowed(res, target, 1 << 30);
  await until(() => statSync(join(dir, 'received')).size >= first.length);
  t.same(readFileSync(join(dir, 'received')), first, 'the bytes written so far came while the file was still growing');
  // The writer goes on, then seeks back and patches its header and a byte in the middle.
  appendFileSync(source, bytes(FOLLOW_CHUNK + 77, 2));
  const fd = openSync(source, 'r+');
  writeSync(fd, Buffer.from('PATCHED-HEADER'), 0, 14, 0);
  writeSync(fd, Buffer.from('M'), 0, 1, FOLLOW_CHUNK + 5);
  closeSync(fd);
  server.follow()?.follow.complete();
  t.equal(await received, statSync(source).size, 'end says the final size');
  await target.close();
  t.same(readFileSync(join(dir, 'received')), readFileSync(source), 'the received file is the written one, patches included');
  t.equal(await server.follow()?.follow.done, true, 'the follow says it ended whole');
});

t.test('a file that shrank is cut to its final size', async (t) => {
  const dir = t.testdir({});
  const source = join(dir, 'out.mp4');
  writeFileSync(source, bytes(FOLLOW_CHUNK + 10, 3));
  const server = await followServer(t, source);
  const res = await server.get();
  const target = await open(join(dir, 'received'), 'w');
  const received = receiveFollowed(res, target, 1 << 30);
  await until(() => statSync(join(dir, 'received')).size >= FOLLOW_CHUNK + 10);
  writeFileSync(source, bytes(500, 4));
  server.follow()?.follow.complete();
  t.equal(await received, 500);
  await target.close();
  t.same(readFileSync(join(dir, 'received')), bytes(500, 4));
});

t.test('abandoned, or replaced by another file: never taken whole', async (t) => {
  const dir = t.testdir({});
  const source = join(dir, 'out.mkv');
  writeFileSync(source, bytes(1000, 5));
  const server = await followServer(t, source);
  const target = await open(join(dir, 'received'), 'w');
  t.teardown(() => target.close());
  const received = receiveFollowed(await server.get(), target, 1 << 30);
  await until(() => server.follow() !== undefined);
  server.follow()?.follow.abandon();
  t.equal(await received, null, 'abandon: the receiver does not have the file');
  t.equal(await server.follow()?.follow.done, false);

  const again = receiveFollowed(await server.get(), target, 1 << 30);
  await until(() => statSync(join(dir, 'received')).size >= 1000);
  writeFileSync(join(dir, 'new'), bytes(1000, 6));
  renameSync(join(dir, 'new'), source);
  server.follow()?.follow.complete();
  t.equal(await again, null, 'a file replaced under its name is not the followed one');
});

t.test('a reader gone mid-file: the follow ends, not whole', async (t) => {
  const dir = t.testdir({});
  const source = join(dir, 'out.mkv');
  writeFileSync(source, bytes(4 * FOLLOW_CHUNK, 7));
  const server = await followServer(t, source);
  const res = await server.get();
  await new Promise((resolve) => res.once('data', resolve));
  res.destroy();
  t.equal(await server.follow()?.follow.done, false);
});

t.test('the receiver refuses a frame past the size bound, an unknown frame, an end before every byte came, and a body cut short', async (t) => {
  const dir = t.testdir({});
  const target = await open(join(dir, 'received'), 'w');
  t.teardown(() => target.close());
  const body = (...parts: Buffer[]) => Readable.from(parts);
  await t.rejects(receiveFollowed(body(encodeFrameHeader(FRAME_DATA, 90, 20), bytes(20, 1)), target, 100), /past the 100 bytes/);
  await t.rejects(receiveFollowed(body(Buffer.from('x'.repeat(13))), target, 100), /unknown frame kind/);
  await t.rejects(receiveFollowed(body(encodeFrameHeader(FRAME_DATA, 10, 5), bytes(5, 1), encodeFrameHeader(FRAME_END, 15, 0)), target, 100), /ended at 15 bytes with only 0 received/);
  t.equal(await receiveFollowed(body(encodeFrameHeader(FRAME_DATA, 0, 5), bytes(3, 1)), target, 100), null, 'no end: not whole');
  // A header split across socket chunks, data after it in pieces.
  const frame = Buffer.concat([encodeFrameHeader(FRAME_DATA, 0, 6), Buffer.from('ABCDEF'), encodeFrameHeader(FRAME_END, 6, 0)]);
  t.equal(await receiveFollowed(body(frame.subarray(0, 5), frame.subarray(5, 15), frame.subarray(15)), target, 100), 6);
  t.equal(readFileSync(join(dir, 'received'), 'latin1'), 'ABCDEF');
  t.throws(() => decodeFrameHeader(Buffer.concat([Buffer.from([FRAME_DATA]), Buffer.from('ffffffffffffffff', 'hex'), Buffer.alloc(4)])), /too large/);
});
