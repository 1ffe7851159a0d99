// A growing output followed while it is written (worker/stream/follow.ts serving, cartridge/stream/follow.ts
// receiving, over a real HTTP connection, by both receivers: the HTTP client's body for a TLS
// worker and the raw socket read into reused buffers for a plain one): the bytes arrive as the file
// grows, what the writer patched after it was shipped arrives again, and the receiver has the file
// whole only at `end`; an abandoned or replaced file, a frame past the size bound, or a body cut
// short is never taken whole; a slow disk holds the raw receiver's socket at its buffer bound.
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { appendFileSync, openSync, readFileSync, renameSync, writeFileSync, writeSync, closeSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import t, { type Test } from 'tap';
import { receiveFollowed, receiveFollowedRaw } from '../../cartridge/stream/follow.ts';
import type { FileHandle } from 'node:fs/promises';
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
  const port = () => (server.address() as AddressInfo).port;
  const get = () => new Promise<IncomingMessage>((resolve, reject) => request(`http://127.0.0.1:${port()}/`, resolve).on('error', reject).end());
  /** The follow received by `how` into `target`. */
  const receive = async (how: Receiver, target: FileHandle, maxBytes = 1 << 30) =>
    how === 'http' ? receiveFollowed(await get(), target, maxBytes) : receiveFollowedRaw({ host: '127.0.0.1', port: port(), path: '/', headers: { 'x-api-key': 'k' } }, target, maxBytes);
  return { get, receive, port, follow: () => latest };
}

type Receiver = 'http' | 'raw';
const RECEIVERS: Receiver[] = ['http', 'raw'];

const bytes = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) % 251));
const until = async (check: () => boolean) => {
  for (let i = 0; i < 1000 && !check(); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
};

for (const how of RECEIVERS) t.test(`${how}: a growing file arrives as it grows; bytes patched after they were shipped come again; whole only at end`, async (t) => {
  const dir = t.testdir({});
  const source = join(dir, 'out.mkv');
  const first = bytes(2 * FOLLOW_CHUNK + 123, 1);
  writeFileSync(source, first);
  const server = await followServer(t, source);
  const target = await open(join(dir, 'received'), 'w');
  const received = server.receive(how, target);
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

for (const how of RECEIVERS) t.test(`${how}: a file that shrank is cut to its final size`, async (t) => {
  const dir = t.testdir({});
  const source = join(dir, 'out.mp4');
  writeFileSync(source, bytes(FOLLOW_CHUNK + 10, 3));
  const server = await followServer(t, source);
  const target = await open(join(dir, 'received'), 'w');
  const received = server.receive(how, target);
  await until(() => statSync(join(dir, 'received')).size >= FOLLOW_CHUNK + 10);
  writeFileSync(source, bytes(500, 4));
  server.follow()?.follow.complete();
  t.equal(await received, 500);
  await target.close();
  t.same(readFileSync(join(dir, 'received')), bytes(500, 4));
});

for (const how of RECEIVERS) t.test(`${how}: abandoned, or replaced by another file: never taken whole`, async (t) => {
  const dir = t.testdir({});
  const source = join(dir, 'out.mkv');
  writeFileSync(source, bytes(1000, 5));
  const server = await followServer(t, source);
  const target = await open(join(dir, 'received'), 'w');
  t.teardown(() => target.close());
  const received = server.receive(how, target);
  await until(() => server.follow() !== undefined);
  server.follow()?.follow.abandon();
  t.equal(await received, null, 'abandon: the receiver does not have the file');
  t.equal(await server.follow()?.follow.done, false);

  await until(() => server.follow()?.res.writableEnded === true);
  const before = server.follow();
  const again = server.receive(how, target);
  await until(() => server.follow() !== before);
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

/** A worker stand-in that answers every connection with `answer` (raw bytes), then closes or hangs up mid-body. */
async function rawServer(t: Test, answer: (socket: Socket) => void) {
  const server = createNetServer((socket) => {
    socket.once('data', () => answer(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

t.test('raw: not a plain 200 body (an error, a chunked answer, a head too long, a body cut short): not whole, the caller fetches it whole', async (t) => {
  const dir = t.testdir({});
  const target = await open(join(dir, 'received'), 'w');
  t.teardown(() => target.close());
  const get = (port: number) => receiveFollowedRaw({ host: '127.0.0.1', port, path: '/x?follow=1', headers: {} }, target, 1 << 20);
  const frame = Buffer.concat([encodeFrameHeader(FRAME_DATA, 0, 6), Buffer.from('ABCDEF'), encodeFrameHeader(FRAME_END, 6, 0)]);
  t.equal(await get(await rawServer(t, (s) => s.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n'))), null, '404');
  t.equal(await get(await rawServer(t, (s) => s.end(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n'), frame])))), null, 'chunked');
  t.equal(await get(await rawServer(t, (s) => s.end(`HTTP/1.1 200 OK\r\nx: ${'y'.repeat(20_000)}`))), null, 'a head past 16 KiB');
  t.equal(await get(await rawServer(t, (s) => s.end(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\n\r\n'), frame.subarray(0, 16)])))), null, 'cut before end');
  t.equal(await get(await rawServer(t, (s) => s.end(Buffer.concat([Buffer.from('HTTP/1.0 200 OK\r\n\r\n'), frame])))), 6, 'a plain body with its end: whole');
  t.equal(readFileSync(join(dir, 'received'), 'latin1'), 'ABCDEF');
  await t.rejects(get(await rawServer(t, (s) => s.end(Buffer.concat([Buffer.from('HTTP/1.0 200 OK\r\n\r\n'), encodeFrameHeader(FRAME_DATA, 1 << 20, 5)])))), /past the 1048576 bytes/);
  let asked = '';
  const server = createNetServer((s) => s.once('data', (d: Buffer) => {
    asked = d.toString('latin1');
    s.end('HTTP/1.1 404 Not Found\r\n\r\n');
  }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  await receiveFollowedRaw({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '/jobs/j/files?path=%2Fa&follow=1', headers: { 'x-api-key': 'secret' } }, target, 10);
  t.match(asked, /^GET \/jobs\/j\/files\?path=%2Fa&follow=1 HTTP\/1\.0\r\nHost: 127\.0\.0\.1:\d+\r\nx-api-key: secret\r\n\r\n$/, 'the request: HTTP/1.0 (an unchunked body), the key');
});

t.test('raw: a slow Plex-side disk holds the socket (at most 6 MiB read ahead of the disk), and the file still arrives whole', async (t) => {
  const dir = t.testdir({});
  const source = join(dir, 'out.mkv');
  const size = 24 * FOLLOW_CHUNK + 5;
  writeFileSync(source, bytes(size, 9));
  const server = await followServer(t, source);
  const real = await open(join(dir, 'received'), 'w');
  t.teardown(() => real.close());
  let socket: Socket | undefined;
  let written = 0;
  let worst = 0;
  let gate: (() => void) | undefined;
  let stalled = true;
  // A disk that takes each write only when let go (as a USB disk under writeback), then writes it for real.
  const slow = {
    async writev(pieces: Buffer[], at: number) {
      if (stalled) await new Promise<void>((resolve) => (gate = resolve));
      await real.writev(pieces, at);
      written += pieces.reduce((n, piece) => n + piece.length, 0);
    },
    truncate: (length: number) => real.truncate(length),
  } as unknown as FileHandle;
  const received = receiveFollowedRaw({ host: '127.0.0.1', port: server.port(), path: '/', headers: {} }, slow, 1 << 30, (s) => (socket = s));
  await until(() => server.follow() !== undefined);
  server.follow()?.follow.complete();
  // Wait until the receiver stops reading with the disk stalled.
  let last = -1;
  for (let i = 0; i < 400 && socket?.bytesRead !== last; i += 1) {
    last = socket?.bytesRead ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  worst = (socket?.bytesRead ?? 0) - written;
  t.ok(worst <= 6 * (1 << 20) + 4096, `read ahead of the disk: ${worst} bytes (bound 6 MiB + a head)`);
  t.ok(worst > 0, 'the receiver did read before the disk stalled it');
  stalled = false;
  gate?.();
  t.equal(await received, size);
  t.same(readFileSync(join(dir, 'received')), readFileSync(source), 'whole once the disk caught up');
});
