// The cartridge's side of stream mode against a worker that asks for what it should not: reads
// of paths the argv does not name are refused (no byte of them leaves), outputs whose names the
// argv's patterns do not produce are refused (nothing written), and a fetch cut off mid-file
// leaves nothing under any name Plex could see.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { MAX_WHOLE_BYTES, planStream } from '../../cartridge/stream/plan.ts';
import { createStreamSide } from '../../cartridge/stream/side.ts';
import { validateTranscodeRequest } from '../../core/wire/transcode.ts';
import { encodeFrameHeader, FRAME_DATA, FRAME_END } from '../../core/stream/follow-frames.ts';

interface Seen { method: string; url: string; headers: IncomingMessage['headers']; body: Buffer }

/** A stand-in worker: records every request; `files` answers `GET /jobs/j/files` (a function may cut the answer). */
async function fakeWorker(t: Test, files: (path: string, res: ServerResponse, url: URL) => void) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      const url = new URL(req.url ?? '/', 'http://w');
      if (req.method === 'GET' && url.pathname === '/jobs/j/files') return files(url.searchParams.get('path') ?? '', res, url);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
};

t.test('reads: the argv\'s inputs are served, any other path is refused', async (t) => {
  const dir = realpathSync(t.testdir({ media: { 'film.mkv': 'FILM-BYTES-0123456789' }, secret: 'do not send', session: {} }));
  const session = join(dir, 'session');
  const argv = ['-i', join(dir, 'media', 'film.mkv'), '-c', 'copy', '-f', 'segment', 'media-%05d.ts'];
  const plan = await planStream(argv, session);
  t.same(plan.inputs, { 1: 21 }, 'the request carries the input size by argv index');
  t.same([...plan.readable], [join(dir, 'media', 'film.mkv')]);
  const worker = await fakeWorker(t, (_p, res) => res.writeHead(404).end());
  const warnings: string[] = [];
  const side = createStreamSide({ worker: { url: worker.url, apiKey: 'k' }, jobId: 'j', plan, warn: (w) => warnings.push(w) });
  t.teardown(() => side.close());
  side.read({ type: 'read', id: 1, rid: 1, path: join(dir, 'media', 'film.mkv'), offset: 5, length: 6 } as never);
  side.read({ type: 'read', id: 2, rid: 2, path: join(dir, 'secret'), offset: 0, length: 100 } as never);
  side.read({ type: 'read', id: 3, rid: 3, path: join(dir, 'media', '..', 'secret'), offset: 0, length: 100 } as never);
  side.read({ type: 'read', id: 4, rid: 4, path: '/etc/passwd', offset: 0, length: 100 } as never);
  await until(() => worker.seen.length === 4);
  const answer = (rid: number) => worker.seen.find((s) => s.url === `/jobs/j/reads/${rid}`);
  t.equal(answer(1)?.method, 'PUT');
  t.equal(answer(1)?.body.toString(), 'BYTES-', 'the range asked for, from the input');
  t.equal(answer(1)?.headers['x-api-key'], 'k', "with the worker's API key");
  for (const rid of [2, 3, 4]) {
    t.match(answer(rid)?.headers['x-plexbeam-read-error'], /not a file this job reads/, `read ${rid} refused`);
    t.equal(answer(rid)?.body.length, 0, 'and not one byte of it sent');
  }
  t.ok(warnings.some((w) => w.includes('/etc/passwd') && w.includes('refused')), 'the refusal is said');
});

t.test('outputs: only names the argv\'s patterns produce, in its folders, land; each whole, by rename', async (t) => {
  const dir = realpathSync(t.testdir({ media: { 'film.mkv': 'x' }, session: {}, other: {} }));
  const session = join(dir, 'session');
  const argv = ['-i', join(dir, 'media', 'film.mkv'), '-f', 'ssegment', '-segment_header_filename', 'header', 'media-%05d.ts'];
  const plan = await planStream(argv, session);
  const bodies: Record<string, string> = { [join(session, 'media-00003.ts')]: 'SEGMENT-3', [join(session, 'header')]: 'HDR' };
  const worker = await fakeWorker(t, (path, res) => {
    const body = bodies[path] ?? 'EVIL';
    res.writeHead(200, { 'content-length': String(body.length) }).end(body);
  });
  const warnings: string[] = [];
  const side = createStreamSide({ worker: { url: worker.url, apiKey: '' }, jobId: 'j', plan, warn: (w) => warnings.push(w) });
  t.teardown(() => side.close());
  await side.fetch({ type: 'file', id: 1, path: join(session, 'media-00003.ts'), size: 9 } as never);
  await side.fetch({ type: 'file', id: 2, path: join(session, 'header'), size: 3 } as never);
  t.equal(readFileSync(join(session, 'media-00003.ts'), 'utf8'), 'SEGMENT-3');
  t.equal(readFileSync(join(session, 'header'), 'utf8'), 'HDR');
  const refused = [join(session, 'evil.sh'), join(session, 'media-x.ts'), join(dir, 'other', 'media-00001.ts'), `${session}/../other/media-00002.ts`, join(session, 'sub', 'media-00004.ts'), join(dir, 'media', 'film.mkv')];
  const before = worker.seen.length;
  for (const [id, path] of refused.entries()) await side.fetch({ type: 'file', id: 10 + id, path, size: 4 } as never);
  t.equal(worker.seen.length, before, 'a refused name is never even fetched');
  for (const path of refused) t.notOk(existsSync(path) && readFileSync(path, 'utf8') === 'EVIL', `${path} not written`);
  t.equal(readFileSync(join(dir, 'media', 'film.mkv'), 'utf8'), 'x', 'the input untouched');
  t.ok(warnings.some((w) => /refused the worker's output .*evil\.sh: not a name this job's argv writes/.test(w)));
  t.same(readdirSync(session).sort(), ['header', 'media-00003.ts'], 'nothing else in the session folder, no temp file');
});

t.test('a fetch cut off mid-file, or longer than announced, leaves no file under any name', async (t) => {
  const dir = realpathSync(t.testdir({ media: { 'film.mkv': 'x' }, session: {} }));
  const session = join(dir, 'session');
  const plan = await planStream(['-i', join(dir, 'media', 'film.mkv'), '-f', 'segment', 'media-%05d.ts'], session);
  const worker = await fakeWorker(t, (path, res) => {
    if (path.endsWith('00001.ts')) {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('half of it');
      setTimeout(() => res.destroy(), 50);
      return;
    }
    res.writeHead(200).end('more than was announced');
  });
  const side = createStreamSide({ worker: { url: worker.url, apiKey: '' }, jobId: 'j', plan, warn: () => undefined });
  t.teardown(() => side.close());
  await side.fetch({ type: 'file', id: 1, path: join(session, 'media-00001.ts'), size: 1000 } as never);
  await side.fetch({ type: 'file', id: 2, path: join(session, 'media-00002.ts'), size: 4 } as never);
  t.same(readdirSync(session), [], 'neither segment, nor a temp file, is in the session folder');
});

t.test('a followed output: received while the worker writes it, in place only once its file message agrees on the size; otherwise fetched whole', async (t) => {
  const dir = realpathSync(t.testdir({ media: { 'film.mkv': 'x' }, session: {} }));
  const session = join(dir, 'session');
  const [good, short, missing, held] = ['good.mkv', 'short.mkv', 'missing.mkv', 'held.mkv'].map((name) => join(session, name)) as [string, string, string, string];
  const plan = await planStream(['-i', join(dir, 'media', 'film.mkv'), '-c', 'copy', good, short, missing, held], session);
  const frames = (...parts: [number, number, string?][]) => Buffer.concat(parts.flatMap(([kind, offset, data]) => [encodeFrameHeader(kind, offset, data?.length ?? 0), Buffer.from(data ?? '')]));
  const worker = await fakeWorker(t, (path, res, url) => {
    if (url.searchParams.get('follow') !== '1') return void res.writeHead(200, { 'content-length': '6' }).end('WHOLE!');
    if (path === missing) return void res.writeHead(404).end();
    res.writeHead(200);
    // Grown to 5 bytes, the first patched, then the end.
    if (path === good || path === short) return void res.end(frames([FRAME_DATA, 0, 'abc'], [FRAME_DATA, 3, 'de'], [FRAME_DATA, 0, 'A'], [FRAME_END, 5]));
    res.write(frames([FRAME_DATA, 0, 'held']));
  });
  const warnings: string[] = [];
  const side = createStreamSide({ worker: { url: worker.url, apiKey: '' }, jobId: 'j', plan, warn: (w) => warnings.push(w) });
  t.teardown(() => side.close());
  for (const path of [good, short, missing, held]) side.follow({ type: 'follow', id: 1, path } as never);
  side.follow({ type: 'follow', id: 2, path: join(dir, 'media', 'film.mkv') } as never);
  t.ok(warnings.some((w) => /refused the worker's output .*film\.mkv/.test(w)), 'a name the argv does not write is not followed');
  await until(() => worker.seen.filter((s) => s.url.includes('follow=1')).length === 4);
  t.equal(worker.seen.filter((s) => s.url.includes('follow=1')).length, 4, 'a follow is asked for each other name');
  t.notOk(existsSync(good), 'nothing under the name before its file message');
  await side.fetch({ type: 'file', id: 3, path: good, size: 5 } as never);
  t.equal(readFileSync(good, 'latin1'), 'Abcde', 'the followed bytes, patch included, renamed into place');
  await side.fetch({ type: 'file', id: 4, path: short, size: 6 } as never);
  t.equal(readFileSync(short, 'latin1'), 'WHOLE!', 'sizes that disagree: fetched whole');
  await side.fetch({ type: 'file', id: 5, path: missing, size: 6 } as never);
  t.equal(readFileSync(missing, 'latin1'), 'WHOLE!', 'a follow refused: fetched whole');
  const whole = worker.seen.filter((s) => !s.url.includes('follow=1')).map((s) => new URL(s.url, 'http://w').searchParams.get('path'));
  t.same(whole, [short, missing], 'fetched whole: those two only');
  await side.close();
  t.same(readdirSync(session).sort(), ['good.mkv', 'missing.mkv', 'short.mkv'], 'a follow still open at close leaves no temp file');
});

t.test('files the filters name: the subtitle and the fontsdir\'s own fonts go whole; a symlink out, a subfolder, any other read are not sent', async (t) => {
  const dir = realpathSync(t.testdir({
    media: { 'film.mkv': 'FILM' },
    secret: 'do not send',
    session: { 'sub.srt': 'SRT', fonts: { 'a.ttf': 'FONT-A', deeper: { 'b.ttf': 'FONT-B' }, out: t.fixture('symlink', '../../secret') } },
  }));
  const session = join(dir, 'session');
  const argv = ['-i', join(dir, 'media', 'film.mkv'), '-vf', `scale=w=640:h=-2,subtitles=${join(session, 'sub.srt')}:fontsdir=fonts`, '-f', 'segment', 'media-%05d.ts'];
  const plan = await planStream(argv, session);
  const named = Object.fromEntries(Object.entries(plan.named).map(([path, data]) => [path, Buffer.from(data, 'base64').toString()]));
  t.same(named, { [join(session, 'sub.srt')]: 'SRT', [`${join(session, 'fonts')}/`]: '', [join(session, 'fonts', 'a.ttf')]: 'FONT-A' }, 'exactly the subtitle, the folder and its regular files');
  t.same([...plan.readable], [join(dir, 'media', 'film.mkv')], 'and they add nothing the worker may read');
  const worker = await fakeWorker(t, (_p, res) => res.writeHead(404).end());
  const side = createStreamSide({ worker: { url: worker.url, apiKey: '' }, jobId: 'j', plan, warn: () => undefined });
  t.teardown(() => side.close());
  const asked = [join(session, 'fonts', 'out'), join(session, 'sub.srt'), join(session, 'fonts', 'a.ttf'), `${join(dir, 'media')}/./film.mkv`, `${join(dir, 'media')}//film.mkv`];
  asked.forEach((path, i) => side.read({ type: 'read', id: i, rid: 10 + i, path, offset: 0, length: 100 } as never));
  await until(() => worker.seen.length === asked.length);
  for (const seen of worker.seen) {
    t.match(seen.headers['x-plexbeam-read-error'], /not a file this job reads/, `${seen.url} refused`);
    t.equal(seen.body.length, 0, 'with no byte');
  }
});

t.test('fonts and subtitles too large to send with the job: planning stream mode fails (the cartridge falls back)', async (t) => {
  const dir = realpathSync(t.testdir({ media: { 'film.mkv': 'x' }, session: { 'x.ass': 'ASS', fonts: { 'big.ttf': 'F'.repeat(MAX_WHOLE_BYTES + 1) } } }));
  await t.rejects(planStream(['-i', join(dir, 'media', 'film.mkv'), '-vf', 'ass=x.ass:fontsdir=fonts', 'out.mkv'], join(dir, 'session')), /more than the \d+ stream mode sends/);
});

t.test('the worker takes storage.named only as absolute Plex paths without . or .. (it writes each into the job\'s mirror)', async (t) => {
  const body = (named: unknown) => ({ session_id: 's', argv: ['-i', '/m/film.mkv', 'out.mkv'], env: {}, cwd: '/t', storage: { mode: 'stream', inputs: { 1: 4 }, named } });
  const ok = validateTranscodeRequest(body({ '/t/sub.srt': Buffer.from('SRT').toString('base64'), '/t/fonts/': '' }));
  t.same([...(ok.stream?.named ?? new Map()).entries()].map(([p, d]) => [p, d.toString()]), [['/t/sub.srt', 'SRT'], ['/t/fonts/', '']]);
  for (const path of ['/t/../etc/cron.d/x', 'relative.srt', '/t/./x', '/t/x\0']) {
    t.throws(() => validateTranscodeRequest(body({ [path]: '' })), /storage\.named/, `${JSON.stringify(path)} refused`);
  }
  t.throws(() => validateTranscodeRequest(body(['x'])), /storage\.named: expected an object/);
  t.throws(() => validateTranscodeRequest(body({ '/t/x': 5 })), /expected base64 text/);
});

t.test('a loopback input whose server answers no ranges cannot be streamed seekable: planning fails with the reason', async (t) => {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-length': '4' }).end('FILM'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/library/parts/1/file.mkv?X-Plex-Token=secret`;
  const dir = realpathSync(t.testdir({ session: {} }));
  await t.rejects(planStream(['-i', url, '-c', 'copy', 'out.mkv'], join(dir, 'session')), /answered a range request with HTTP 200 and no Content-Range: it cannot be streamed seekable/);
  const error = await planStream(['-i', url, '-c', 'copy', 'out.mkv'], join(dir, 'session')).catch((e: Error) => e);
  t.notMatch((error as Error).message, /secret/, 'the token is not in the reason');
});

t.test("the plan gives each streamed file its version, which the worker takes as its probe cache's key (only for a streamed input, digits, dots and colons)", async (t) => {
  const dir = realpathSync(t.testdir({ media: { 'film.mkv': 'FILM' }, session: { 'x.srt': 'SRT' } }));
  const film = join(dir, 'media', 'film.mkv');
  const argv = ['-i', film, '-i', join(dir, 'session', 'x.srt'), 'out.mkv'];
  const plan = await planStream(argv, join(dir, 'session'));
  t.same(Object.keys(plan.versions), ['1'], 'the film has a version; the sidecar sent whole has none');
  t.match(plan.versions['1'], /^\d+:\d+:4:\d+:\d+$/, 'device, inode, size, mtime and ctime');
  const body = (versions: unknown) => ({ session_id: 's', argv, env: {}, cwd: join(dir, 'session'), storage: { mode: 'stream', inputs: plan.inputs, files: plan.files, versions } });
  t.same([...(validateTranscodeRequest(body(plan.versions)).stream?.versions ?? new Map()).entries()], [[1, plan.versions['1']]], 'the worker reads what the plan wrote');
  writeFileSync(film, 'FILM2');
  t.not((await planStream(argv, join(dir, 'session'))).versions['1'], plan.versions['1'], 'a rewritten file is another version');
  t.throws(() => validateTranscodeRequest(body({ 3: '1:2' })), /storage\.versions: 3 is not the argv index of a streamed input/, 'the sidecar, not streamed');
  t.throws(() => validateTranscodeRequest(body({ 1: '1:2;rm' })), /storage\.versions\.1: expected digits, dots and colons/);
  t.throws(() => validateTranscodeRequest(body({ 1: 12 })), /storage\.versions\.1/);
  t.throws(() => validateTranscodeRequest(body(['x'])), /storage\.versions: expected an object/);
});
