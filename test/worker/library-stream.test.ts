// The worker's library API in stream mode (docs/WORKER.md "Library re-encode in stream mode")
// through a real in-process worker with the real ffmpeg: the original uploaded in chunks into the
// job's own scratch, encoded there, the encode downloaded with its SHA-256, the scratch removed;
// a chunk cut short is truncated away and sent again; every refusal (no key, a name that is a
// path, a size, an offset, the scratch too small → 507) names the problem and writes nothing
// outside the job's folder. And the disk-full bug: ffmpeg that runs out of space (a small tmpfs)
// fails the job with LIBRARY_DISK_FULL and its partial output is removed, even when it exits 0.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { libraryTempName } from '../../core/wire/library.ts';
import { API_KEY, type RunningWorker } from './helpers.ts';
import { decodeErrors, makeLibraryClip, probeClip, sha256 } from './library-media.ts';
import { startInProcessWorker, waitForLibraryEnd } from './library-helpers.ts';

const bwrapWorks = spawnSync('bwrap', ['--unshare-all', '--ro-bind', '/', '/', 'true']).status === 0;
const dir = realpathSync(t.testdir({ media: {}, plex: { Films: {} }, tx: {} }));
const plexFilms = join(dir, 'plex', 'Films');
const scratch = join(dir, 'plexbeam-worker', 'library-stream');
let worker: RunningWorker;
let clip: string;

t.before(async () => {
  clip = await makeLibraryClip(join(plexFilms, 'Film.mkv'), 'h264-mkv', { seconds: 2 });
  // The Plex side's library is not under the worker's mediaRoots: it shares no storage with it.
  worker = await startInProcessWorker(dir, { mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')], confinement: bwrapWorks ? 'bubblewrap' : 'unconfined' });
});
t.teardown(() => worker?.stop());

/** A raw PUT of `body` at `offset`, announcing `length` bytes (a shorter body is then cut by closing the socket). */
function putChunk(id: string, offset: number | string, body: Buffer, { length = body.length, key = API_KEY } = {}): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(`${worker.base}/library/jobs/${id}/input?offset=${offset}`, { method: 'PUT', headers: { 'x-api-key': key, 'content-length': length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString() || 'null') }));
    });
    req.on('error', reject);
    if (body.length < length) {
      req.write(body, () => setTimeout(() => {
        req.destroy();
        resolve({ status: 0, json: null });
      }, 200));
    } else req.end(body);
  });
}

/** Starts a stream job for `file` and uploads it in two chunks; the job's id. */
async function uploadJob(t: Test, file: string, codec: 'av1' | 'hevc'): Promise<string> {
  const bytes = readFileSync(file);
  const created = await worker.request('POST', '/library/jobs', { stream: { name: 'Film.mkv', size: bytes.length }, codec });
  t.equal(created.status, 201, JSON.stringify(created.json));
  t.match(created.json, { state: 'queued', stream: { size: bytes.length, received: 0, outputSize: null, sha256: null } });
  const id = created.json.id as string;
  t.ok(created.json.input.startsWith(join(scratch, id)), `the input is in the job's own scratch (${created.json.input})`);
  const half = Math.floor(bytes.length / 2);
  t.match(await putChunk(id, 0, bytes.subarray(0, half)), { status: 200, json: { state: 'queued', stream: { received: half } } }, 'the first chunk');
  t.match(await putChunk(id, half, bytes.subarray(half)), { status: 200, json: { stream: { received: bytes.length } } }, 'the last chunk: the encode starts');
  return id;
}

for (const codec of ['av1', 'hevc'] as const) {
  t.test(`${codec}: uploaded, encoded in the scratch, downloaded with its SHA-256; the scratch removed`, async (t) => {
    const before = sha256(clip);
    const source = await probeClip(clip);
    const id = await uploadJob(t, clip, codec);
    const done = await waitForLibraryEnd(worker, id);
    t.match(done, { state: 'completed', percent: 100, error: null, stream: { outputSize: Number, sha256: /^[0-9a-f]{64}$/ } });
    const reply = await fetch(`${worker.base}/library/jobs/${id}/output`, { headers: { 'x-api-key': API_KEY } });
    t.equal(reply.status, 200);
    const bytes = Buffer.from(await reply.arrayBuffer());
    t.equal(Number(reply.headers.get('content-length')), bytes.length);
    t.equal(bytes.length, done.stream.outputSize);
    t.equal(reply.headers.get('x-plexbeam-sha256'), createHash('sha256').update(bytes).digest('hex'), 'the announced SHA-256 is the bytes\'');
    const got = join(dir, `got-${codec}.mkv`);
    writeFileSync(got, bytes);
    const result = await probeClip(got);
    t.equal(result.streams[0]?.codec, codec);
    t.same(result.streams.slice(1), source.streams.slice(1), 'every other stream kept');
    t.same(result.chapters, source.chapters, 'the chapters kept');
    t.equal(await decodeErrors(got), '');
    t.equal(sha256(clip), before, 'the original is untouched');
    t.same(readdirSync(join(scratch, id)).sort(), ['.input.plexbeam-output.mkv', 'input.mkv'], 'the scratch holds the input and the encode only');
    t.match(await worker.request('DELETE', `/library/jobs/${id}`), { status: 200 });
    t.notOk(existsSync(join(scratch, id)), 'DELETE removes the scratch');
  });
}

t.test('a chunk cut short is truncated away; sent again from where the worker stands, the job goes on', async (t) => {
  const bytes = readFileSync(clip);
  const created = await worker.request('POST', '/library/jobs', { stream: { name: 'Film.mkv', size: bytes.length }, codec: 'hevc' });
  const id = created.json.id as string;
  const cut = await putChunk(id, 0, bytes.subarray(0, 1000), { length: bytes.length });
  t.equal(cut.status, 0, 'the connection closed mid-chunk');
  let status = (await worker.request('GET', `/library/jobs/${id}`)).json;
  for (let i = 0; i < 50 && existsSync(created.json.input) && statSync(created.json.input).size !== 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    status = (await worker.request('GET', `/library/jobs/${id}`)).json;
  }
  t.match(status, { state: 'queued', stream: { received: 0 } }, 'nothing of the cut chunk counts');
  t.equal(statSync(created.json.input).size, 0, 'the partial chunk truncated away');
  const ahead = await putChunk(id, 10, bytes.subarray(10));
  t.match(ahead, { status: 409, json: { received: 0, error: /has received 0 bytes; send from there/ } }, 'a chunk at another offset: 409 with where it stands');
  t.match(await putChunk(id, 0, bytes), { status: 200, json: { stream: { received: bytes.length } } });
  t.match(await waitForLibraryEnd(worker, id), { state: 'completed' });
  t.match(await putChunk(id, 0, bytes), { status: 409, json: { error: /takes no more input \(it is completed/ } }, 'no input after the upload');
  await worker.request('DELETE', `/library/jobs/${id}`);
  t.notOk(existsSync(join(scratch, id)));
});

t.test('refusals: the key, malformed bodies and names, offsets, sizes, routes of the wrong job; nothing written elsewhere', async (t) => {
  const created = await worker.request('POST', '/library/jobs', { stream: { name: 'Film.mkv', size: 100 }, codec: 'hevc' });
  const id = created.json.id as string;
  t.equal((await worker.request('POST', '/library/jobs', { stream: { name: 'Film.mkv', size: 100 }, codec: 'hevc' }, {})).status, 401, 'POST without the key');
  t.equal((await putChunk(id, 0, Buffer.alloc(100), { key: 'wrong' })).status, 401, 'PUT with a wrong key');
  t.equal((await worker.request('GET', `/library/jobs/${id}/output`, undefined, {})).status, 401, 'GET output without the key');
  const bad = [
    [{ stream: { name: '../../etc/passwd.mkv', size: 1 }, codec: 'hevc' }, /stream\.name: expected a file's base name/],
    [{ stream: { name: 'Films/Film.mkv', size: 1 }, codec: 'hevc' }, /stream\.name/],
    [{ stream: { name: '.Film.plexbeam-abcd.mkv', size: 1 }, codec: 'hevc' }, /not hidden/],
    [{ stream: { name: 'Film.avi', size: 1 }, codec: 'hevc' }, /is not a file a library job re-encodes/],
    [{ stream: { name: 'Film.mkv', size: 0 }, codec: 'hevc' }, /stream\.size: expected a whole number of bytes/],
    [{ stream: { name: 'Film.mkv', size: 1.5 }, codec: 'hevc' }, /stream\.size/],
    [{ stream: { name: 'Film.mkv', size: 1, path: '/etc' }, codec: 'hevc' }, /unknown field stream\.path/],
    [{ stream: { name: 'Film.mkv', size: 1 }, output: '/tmp/x.mkv', codec: 'hevc' }, /unknown field "output"/],
    [{ stream: 'Film.mkv', codec: 'hevc' }, /stream: expected \{ "name", "size" \}/],
    [{ stream: { name: 'Film.mkv', size: 1 }, codec: 'vp9' }, /codec: expected "av1" or "hevc"/],
  ] as const;
  for (const [body, error] of bad) t.match(await worker.request('POST', '/library/jobs', body), { status: 400, json: { error } }, JSON.stringify(body));
  t.match(await putChunk(id, 'abc', Buffer.alloc(10)), { status: 400, json: { error: /offset: expected a whole number/ } });
  t.match(await putChunk(id, 0, Buffer.alloc(101)), { status: 400, json: { error: /past the input's size \(100 bytes\)/ } });
  t.match(await putChunk('no-such-job', 0, Buffer.alloc(10)), { status: 404 });
  t.match(await worker.request('GET', `/library/jobs/${id}/output`), { status: 409, json: { error: /is queued: its output is served once it has completed/ } });
  t.match(await worker.request('GET', `/library/jobs/..%2F..%2F${id}/output`), { status: 404 }, 'an id is a job id, never a path');
  t.match(await worker.request('GET', '/library/jobs/x/output/../../../etc/passwd'), { status: 404 });
  // A shared-storage job takes no upload and serves no download.
  mkdirSync(join(dir, 'media', 'Shared'), { recursive: true });
  const shared = copyClip(join(dir, 'media', 'Shared', 'Film.mkv'));
  const sharedJob = await worker.request('POST', '/library/jobs', { input: shared, output: join(dir, 'media', 'Shared', libraryTempName('Film.mkv', 'shared1')), codec: 'hevc' });
  t.equal(sharedJob.status, 201);
  t.match(await putChunk(sharedJob.json.id, 0, Buffer.alloc(10)), { status: 404, json: { error: /takes no upload/ } });
  t.match(await worker.request('GET', `/library/jobs/${sharedJob.json.id}/output`), { status: 404, json: { error: /nothing to download/ } });
  await waitForLibraryEnd(worker, sharedJob.json.id);
  await worker.request('DELETE', `/library/jobs/${sharedJob.json.id}`);
  // Larger than the scratch's disk can hold (with the encode): 507, nothing created.
  const huge = await worker.request('POST', '/library/jobs', { stream: { name: 'Film.mkv', size: 2 ** 40 }, codec: 'hevc' });
  t.match(huge, { status: 507, json: { code: 'LIBRARY_DISK_FULL', error: /has \d+ bytes free; this job needs/ } });
  t.same(readdirSync(scratch), [id], 'only the queued job\'s folder');
  t.same(readdirSync(join(scratch, id)).sort(), ['.input.plexbeam-output.mkv', 'input.mkv']);
  t.match(await worker.request('DELETE', `/library/jobs/${id}`), { status: 200, json: { state: 'cancelled' } });
  t.same(readdirSync(scratch), [], 'a cancelled job\'s scratch removed');
});

/** A copy of the clip at `path`. */
function copyClip(path: string): string {
  copyFileSync(clip, path);
  return path;
}

const tmpfsWorks = process.getuid?.() === 0 && spawnSync('mount', ['--version']).status === 0;
t.test('a disk that fills up: the job fails with LIBRARY_DISK_FULL, never completed, and its partial output is removed', { skip: tmpfsWorks ? false : 'needs root to mount a small tmpfs' }, async (t) => {
  const full = join(dir, 'media', 'full');
  mkdirSync(full, { recursive: true });
  const big = await makeLibraryClip(join(dir, 'plex', 'big.mkv'), 'h264-mkv', { seconds: 4, size: '640x360' });
  // Room for the original and 16 KiB more: the encode cannot fit.
  const size = Math.ceil((statSync(big).size + 16 * 1024) / 4096) * 4096;
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'plexbeam-test-full', full], { encoding: 'utf8' });
  if (mount.status !== 0) return void t.comment(`skipped: cannot mount a tmpfs: ${mount.stderr.trim()}`);
  t.teardown(() => void spawnSync('umount', ['-l', full]));
  const input = join(full, 'Film.mkv');
  copyFileSync(big, input);
  rmSync(big);
  const before = sha256(input);
  const output = join(full, libraryTempName('Film.mkv', 'full1'));
  const created = await worker.request('POST', '/library/jobs', { input, output, codec: 'hevc', quality: 10 });
  t.equal(created.status, 201, JSON.stringify(created.json));
  const done = await waitForLibraryEnd(worker, created.json.id);
  t.match(done, { state: 'failed', code: 'LIBRARY_DISK_FULL', error: /^the disk holding the output is full: ffmpeg said "No space left on device" and (exited with code \d+|was killed by \w+); the partial output was removed$/ });
  t.comment(done.error);
  t.notOk(existsSync(output), 'the partial output removed');
  t.equal(sha256(input), before, 'the original is untouched');
  t.same(readdirSync(full), ['Film.mkv']);
  await worker.waitForLog((l) => l.library_job === created.json.id && l.code === 'LIBRARY_DISK_FULL' && l.level === 'error');
});
