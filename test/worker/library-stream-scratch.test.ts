// The stream-mode scratch's lifetimes, through the worker's real library manager (as
// worker/server.ts builds it, with short limits) behind a real HTTP server on 127.0.0.1 and the
// real ffmpeg: an upload that stops fails the job after `inputIdleMs` and removes its folder; a
// completed encode never fetched goes with its job after `keepEndedMs`; a disk that fills while
// the input uploads answers 507 LIBRARY_DISK_FULL and fails the job (a small tmpfs); a dead
// worker's folders are removed at the next start, a live one's are kept.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import t, { type Test } from 'tap';
import { createLogger } from '../../core/log.ts';
import { createLibraryManager, type LibraryManager } from '../../worker/library/manager.ts';
import { cleanStreamScratch, streamScratchRoot } from '../../worker/library/stream-scratch.ts';
import type { HardwareProbe } from '../../worker/probe/index.ts';
import { makeLibraryClip } from './library-media.ts';

const dir = realpathSync(t.testdir({ plex: {}, scratch: {} }));
const clip = await makeLibraryClip(join(dir, 'plex', 'Film.mkv'), 'h264-mkv', { seconds: 1 });
const bytes = readFileSync(clip);
const lines: any[] = [];
const log = await createLogger({
  name: 'worker',
  config: { logLevel: 'debug', logFiles: false, logDir: dir },
  destination: new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(...chunk.toString().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l))), done()) }),
});
const hardware = { hwaccel: 'software', encoders: ['libx264'], device: null, requested: 'auto', reason: 'test', ffmpeg: { path: 'ffmpeg', version: 'test' }, hwaccels: [], devices: { dri: [], nvidia: [] }, candidates: [], ms: 0 } as unknown as HardwareProbe;

/** A manager on `scratchRoot` behind a real server whose routes are the manager's stream methods. */
async function start(t: Test, scratchRoot: string, limits: { inputIdleMs?: number; keepEndedMs?: number } = {}): Promise<{ manager: LibraryManager; base: string }> {
  const manager = createLibraryManager({
    config: { ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe', mediaRoots: [], transcodeRoots: [], pathMap: [], libraryJobs: 1 },
    hardware, log, workerEnv: { PATH: process.env.PATH }, scratchRoot, confineMode: 'unconfined', forceKillAfterMs: 500,
    keepEndedMs: limits.keepEndedMs ?? 3_600_000, liveActive: () => false, ...(limits.inputIdleMs === undefined ? {} : { inputIdleMs: limits.inputIdleMs }),
  });
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const id = url.pathname.split('/')[3] ?? '';
    manager.writeInput(id, req, res, url.searchParams.get('offset')).catch((error: any) => {
      if (!res.headersSent) res.writeHead(error.code === 'LIBRARY_DISK_FULL' ? 507 : 400).end(JSON.stringify({ error: error.message, code: error.code }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(async () => {
    await manager.shutdown();
    await new Promise((resolve) => server.close(resolve));
  });
  const address = server.address() as { port: number };
  return { manager, base: `http://127.0.0.1:${address.port}` };
}

const put = (base: string, id: string, body: Buffer) => fetch(`${base}/library/jobs/${id}/input?offset=0`, { method: 'PUT', body });
const until = async (check: () => boolean, ms = 60_000) => {
  for (const end = Date.now() + ms; !check() && Date.now() < end; ) await new Promise((resolve) => setTimeout(resolve, 50));
  return check();
};

t.test('an upload that stops: the job fails after inputIdleMs and its scratch is removed', async (t) => {
  const root = join(dir, 'idle');
  const { manager } = await start(t, root, { inputIdleMs: 300 });
  const job = await manager.submit({ stream: { name: 'Film.mkv', size: bytes.length }, codec: 'hevc' });
  t.ok(existsSync(join(streamScratchRoot(root), job.id)));
  t.ok(await until(() => manager.get(job.id)?.state === 'failed'));
  t.match(manager.get(job.id), { state: 'failed', error: /^the upload of the input stopped: no chunk for 0 s \(0 of \d+ bytes received\)$/ });
  t.same(readdirSync(streamScratchRoot(root)), [], 'the scratch removed');
});

t.test('a completed encode never fetched: removed with its job after keepEndedMs', async (t) => {
  const root = join(dir, 'expiry');
  const { manager, base } = await start(t, root, { keepEndedMs: 500 });
  const job = await manager.submit({ stream: { name: 'Film.mkv', size: bytes.length }, codec: 'hevc' });
  t.equal((await put(base, job.id, bytes)).status, 200);
  t.ok(await until(() => manager.get(job.id)?.state === 'completed'), 'completed');
  t.match(manager.get(job.id), { stream: { received: bytes.length, outputSize: Number, sha256: /^[0-9a-f]{64}$/ } });
  t.ok(await until(() => manager.get(job.id) === undefined), 'forgotten after keepEndedMs');
  t.same(readdirSync(streamScratchRoot(root)), [], 'and its scratch with it');
});

const tmpfsWorks = process.getuid?.() === 0 && spawnSync('mount', ['--version']).status === 0;
t.test('the scratch\'s disk fills while the input uploads: 507 LIBRARY_DISK_FULL, the job failed, its folder removed', { skip: tmpfsWorks ? false : 'needs root to mount a small tmpfs' }, async (t) => {
  const root = join(dir, 'full');
  const folder = streamScratchRoot(root);
  mkdirSync(folder, { recursive: true });
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${24 << 20}`, 'plexbeam-test-scratch', folder], { encoding: 'utf8' });
  if (mount.status !== 0) return void t.comment(`skipped: cannot mount a tmpfs: ${mount.stderr.trim()}`);
  t.teardown(() => void spawnSync('umount', ['-l', folder]));
  const { manager, base } = await start(t, root);
  const job = await manager.submit({ stream: { name: 'Film.mkv', size: bytes.length }, codec: 'hevc' });
  // Something else fills the disk after the check (dd writes until ENOSPC).
  spawnSync('dd', ['if=/dev/zero', `of=${join(folder, 'filler')}`, 'bs=64k'], { encoding: 'utf8' });
  const reply = await put(base, job.id, bytes);
  t.equal(reply.status, 507);
  t.match(await reply.json(), { code: 'LIBRARY_DISK_FULL', error: /^the worker's scratch is full \(No space left on device\) after \d+ of \d+ bytes of the input$/ });
  t.match(manager.get(job.id), { state: 'failed', code: 'LIBRARY_DISK_FULL' });
  t.same(readdirSync(folder), ['filler'], 'the job\'s folder removed');
});

t.test('at start, a dead worker\'s stream folders are removed; those a record of a live worker names are kept', async (t) => {
  const root = join(dir, 'leftovers');
  const dead = '00000000-0000-4000-8000-00000000000a';
  const live = '00000000-0000-4000-8000-00000000000b';
  for (const id of [dead, live]) {
    mkdirSync(join(streamScratchRoot(root), id), { recursive: true });
    writeFileSync(join(streamScratchRoot(root), id, 'input.mkv'), 'partial upload');
  }
  t.same(cleanStreamScratch(root, (id) => id === live), [dead]);
  t.same(readdirSync(streamScratchRoot(root)), [live]);
  t.same(cleanStreamScratch(join(dir, 'nowhere'), () => false), [], 'no folder: nothing to do');
  const { manager } = await start(t, root);
  await manager.cleanLeftovers();
  t.same(readdirSync(streamScratchRoot(root)), [], 'no record keeps it: removed at start');
  t.ok(lines.some((l) => l.msg === 'removed the stream scratch of 1 library job(s) of a previous worker' && l.removed?.[0] === live));
});
