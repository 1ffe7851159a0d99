// The worker's stream side offers a growing output to follow (worker/stream/job-stream.ts): a
// literal output in the job's mirror that reaches 256 KiB while ffmpeg runs is offered in the link
// (`follow`); the cartridge's GET with follow=1 then receives it as it grows, and once ffmpeg has
// exited (finish) its `file` message comes and the follow ends whole. A numbered segment is never
// offered; a file a callback names mid-run, or a cancelled job's, is abandoned.
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { appendFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { receiveFollowed } from '../../cartridge/stream/follow.ts';
import type { JobLink, LinkMessage } from '../../worker/callbacks/link.ts';
import { createJobStream, FOLLOW_MIN_BYTES, type JobStream } from '../../worker/stream/job-stream.ts';

const CWD = '/plex/tx/session-1';
const OUT = `${CWD}/out.mkv`;
const argv = ['-i', '/media/film.mkv', '-map', '0', '-c', 'copy', '-f', 'matroska', OUT, '-f', 'segment', 'media-%05d.ts'];
const MiB = 1 << 20;

/** A job stream with a recording link, served on a real HTTP server (`GET ?path=&follow=`). */
async function jobStream(t: Test) {
  const mirror = t.testdir({});
  mkdirSync(join(mirror, CWD), { recursive: true });
  const sent: LinkMessage[] = [];
  const link = { attached: true, send: (message: LinkMessage) => sent.push(message) } as unknown as JobLink;
  const stream: JobStream = createJobStream({ link, mirror, inputs: [], plexArgv: argv, plexCwd: CWD, inputBase: 'http://127.0.0.1:1/in/j/t/' });
  t.teardown(() => stream.close());
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://w');
    stream.serveFile(url.searchParams.get('path') ?? '', res, url.searchParams.get('follow') === '1');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  const get = (path: string, follow: boolean) => new Promise<IncomingMessage>((resolve, reject) => {
    request(`http://127.0.0.1:${(server.address() as AddressInfo).port}/?path=${encodeURIComponent(path)}${follow ? '&follow=1' : ''}`, resolve).on('error', reject).end();
  });
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 400 && !check(); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  };
  return { mirror, sent, stream, get, until, at: (path: string) => join(mirror, path) };
}

t.test('a growing literal output is offered, followed as it grows, and ends whole once ffmpeg exits', async (t) => {
  const job = await jobStream(t);
  writeFileSync(job.at(`${CWD}/media-00000.ts`), Buffer.alloc(2 * MiB, 1));
  writeFileSync(job.at(OUT), Buffer.alloc(FOLLOW_MIN_BYTES - 1, 2));
  await new Promise((resolve) => setTimeout(resolve, 250));
  t.same(job.sent.filter((m) => m.type === 'follow'), [], 'nothing offered below 256 KiB, nor a numbered segment');
  appendFileSync(job.at(OUT), Buffer.alloc(10, 3));
  await job.until(() => job.sent.some((m) => m.type === 'follow'));
  t.same(job.sent.filter((m) => m.type === 'follow'), [{ type: 'follow', path: OUT }], 'the growing output is offered once');
  t.equal((await job.get('/plex/tx/session-1/other.mkv', true)).statusCode, 404, 'a file not offered cannot be followed');
  const target = await open(join(job.mirror, 'received'), 'w');
  t.teardown(() => target.close());
  const received = receiveFollowed(await job.get(OUT, true), target, 1 << 30);
  t.equal((await job.get(OUT, true)).statusCode, 404, 'nor followed twice at once');
  appendFileSync(job.at(OUT), Buffer.alloc(MiB, 4));
  const finished = job.stream.finish(10_000, true);
  t.equal(await received, statSync(job.at(OUT)).size, 'the follow ends at the final size');
  (await job.get(`${CWD}/media-00000.ts`, false)).resume();
  await finished;
  t.match(job.sent.filter((m) => m.type === 'file' && m.path === OUT), [{ size: statSync(job.at(OUT)).size }], 'and its file message says the same size');
  t.same(readFileSync(join(job.mirror, 'received')), readFileSync(job.at(OUT)), 'the bytes received are the file');
});

t.test('a followed output a callback names mid-run goes whole at once: the follow is abandoned', async (t) => {
  const job = await jobStream(t);
  writeFileSync(job.at(OUT), Buffer.alloc(2 * MiB, 5));
  await job.until(() => job.sent.some((m) => m.type === 'follow'));
  const target = await open(join(job.mirror, 'received'), 'w');
  t.teardown(() => target.close());
  const received = receiveFollowed(await job.get(OUT, true), target, 1 << 30);
  job.stream.announceNamed(`out.mkv\n`);
  t.equal(await received, null, 'abandoned');
  t.match(job.sent.at(-1), { type: 'file', path: OUT, size: 2 * MiB }, 'announced whole');
  const whole = await job.get(OUT, false);
  t.equal(whole.statusCode, 200, 'and served whole');
  whole.resume();
});

t.test('a cancelled job\'s followed output is abandoned, not completed', async (t) => {
  const job = await jobStream(t);
  writeFileSync(job.at(OUT), Buffer.alloc(2 * MiB, 6));
  await job.until(() => job.sent.some((m) => m.type === 'follow'));
  const target = await open(join(job.mirror, 'received'), 'w');
  t.teardown(() => target.close());
  const received = receiveFollowed(await job.get(OUT, true), target, 1 << 30);
  await new Promise((resolve) => setTimeout(resolve, 50));
  await job.stream.finish(1000, false);
  t.equal(await received, null);
});
