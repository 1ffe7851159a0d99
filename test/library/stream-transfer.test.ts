// library/stream-transfer.ts against a real in-process worker (its library routes, the real
// ffmpeg): an upload resumes from where the worker stands (409 → its `received`), refusals and an
// unreachable worker are TransferErrors with the status or code, the download lands with its
// length and SHA-256 checked, the original's mode, fsynced; a download that is not what was
// announced (a wrong SHA-256, a body cut short: a stand-in answering so) leaves no file behind;
// an https worker with a fingerprint is reached over the pinned connection, another certificate refused.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import t from 'tap';
import { requestWorkerPinned } from '../../core/pinned-request.ts';
import { normalizeFingerprint } from '../../core/tls-pin.ts';
import { downloadOutput, TransferError, uploadInput } from '../../library/stream-transfer.ts';
import { API_KEY } from '../worker/helpers.ts';
import { startInProcessWorker, waitForLibraryEnd } from '../worker/library-helpers.ts';
import { makeLibraryClip, sha256 } from '../worker/library-media.ts';

const dir = realpathSync(t.testdir({ plex: {}, media: {}, tx: {} }));
const clip = await makeLibraryClip(join(dir, 'plex', 'Film.mkv'), 'h264-mkv', { seconds: 1 });
const size = statSync(clip).size;
const worker = await startInProcessWorker(dir, { mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')], confinement: 'unconfined' });
t.teardown(() => worker.stop());
const address = { name: 'gpu', url: worker.base, apiKey: API_KEY };
const owner = { mode: 0o640, uid: -1, gid: -1 };
const signal = new AbortController().signal;

t.test('an upload from the wrong offset goes on from where the worker stands; the encode downloads whole', async (t) => {
  const created = await worker.request('POST', '/library/jobs', { stream: { name: 'Film.mkv', size }, codec: 'hevc' });
  const id = created.json.id as string;
  await uploadInput(address, id, clip, size, 100, signal);
  t.match((await worker.request('GET', `/library/jobs/${id}`)).json, { stream: { received: size } }, 'all of it, from byte 0 (the 409 said so)');
  await t.rejects(downloadOutput(address, id, join(dir, 'plex', '.early.mkv'), owner, signal), { name: 'TransferError', status: 409, message: /refused the download: library job .* its output is served once it has completed/ });
  t.notOk(existsSync(join(dir, 'plex', '.early.mkv')), 'nothing created before the worker has it');
  const done = await waitForLibraryEnd(worker, id);
  const dest = join(dir, 'plex', '.Film.plexbeam-t1.mkv');
  const got = await downloadOutput(address, id, dest, owner, signal);
  t.same(got, { size: done.stream.outputSize, sha256: done.stream.sha256 });
  t.equal(sha256(dest), done.stream.sha256);
  t.equal(statSync(dest).mode & 0o777, 0o640, "the original's mode");
  // A server that restarted mid-way asks again: the worker has it all (409, received = size): nothing more to send.
  await t.resolves(uploadInput(address, id, clip, size, 0, signal));
});

t.test('refusals and an unreachable worker', async (t) => {
  await t.rejects(uploadInput(address, 'no-such-job', clip, size, 0, signal), { name: 'TransferError', status: 404, message: 'the worker refused the upload at byte 0: no library job no-such-job' });
  await t.rejects(uploadInput({ ...address, apiKey: 'wrong' }, 'x', clip, size, 0, signal), { name: 'TransferError', status: 401 });
  await t.rejects(downloadOutput(address, 'no-such-job', join(dir, 'plex', '.x.mkv'), owner, signal), { name: 'TransferError', status: 404 });
  const closed = { ...address, url: 'http://127.0.0.1:1' };
  await t.rejects(uploadInput(closed, 'x', clip, size, 0, signal), { name: 'TransferError', status: null, code: 'ECONNREFUSED', message: /^the upload was cut at byte 0 of \d+: ECONNREFUSED/ });
  await t.rejects(downloadOutput(closed, 'x', join(dir, 'plex', '.x.mkv'), owner, signal), { name: 'TransferError', code: 'ECONNREFUSED', message: /^the download could not start/ });
  t.notOk(existsSync(join(dir, 'plex', '.x.mkv')));
});

t.test('a download that is not what was announced leaves nothing behind', async (t) => {
  const body = readFileSync(clip);
  let mode: 'wrong-sha' | 'short' = 'wrong-sha';
  // A stand-in for a worker whose answer went wrong on the way (what the checks are for).
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-length': body.length, 'x-plexbeam-sha256': mode === 'wrong-sha' ? '0'.repeat(64) : sha256(clip) });
    if (mode === 'wrong-sha') res.end(body);
    else res.write(body.subarray(0, 1000), () => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const stand = { ...address, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
  const dest = join(dir, 'plex', '.bad.mkv');
  await t.rejects(downloadOutput(stand, 'j', dest, owner, signal), { name: 'TransferError', message: /^the download's SHA-256 \([0-9a-f]{64}\) is not the one the worker announced \(0{64}\)$/ });
  t.notOk(existsSync(dest), 'a wrong SHA-256: removed');
  mode = 'short';
  const error = await downloadOutput(stand, 'j', dest, owner, signal).catch((e: unknown) => e);
  t.ok(error instanceof TransferError);
  t.match((error as Error).message, /^the download (was cut|ended) after \d+ of \d+ bytes/);
  t.notOk(existsSync(dest), 'cut short: removed');
});

t.test('an https worker with a fingerprint: the transfers go over the pinned connection; another certificate is refused', async (t) => {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=plexbeam-worker', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
  if (made.status !== 0) return void t.comment(`skipped: openssl could not make a certificate: ${made.stderr}`);
  const fingerprint = normalizeFingerprint(spawnSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', cert], { encoding: 'utf8' }).stdout.split('=')[1] ?? '');
  const tlsDir = join(dir, 'tls');
  const tls = await startInProcessWorker(tlsDir, { mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')], confinement: 'unconfined', tlsCert: cert, tlsKey: key });
  t.teardown(() => tls.stop());
  const pinned = { name: 'tls', url: `https://127.0.0.1:${tls.port}`, apiKey: API_KEY, fingerprint };
  const created = await fetchPinnedJob(pinned);
  await uploadInput(pinned, created, clip, size, 0, signal);
  const wrong = { ...pinned, fingerprint: fingerprint.startsWith('AA') ? `BB${fingerprint.slice(2)}` : `AA${fingerprint.slice(2)}` };
  await t.rejects(downloadOutput(wrong, created, join(dir, 'plex', '.tls.mkv'), owner, signal), { name: 'TransferError', message: /certificate fingerprint mismatch/ });
  for (let i = 0; i < 600; i++) {
    const reply = await requestWorkerPinned(pinned.url, `/library/jobs/${created}`, { method: 'GET', apiKey: API_KEY, fingerprint, timeoutMs: 5000 });
    if ((reply.body as any)?.state === 'completed') break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const got = await downloadOutput(pinned, created, join(dir, 'plex', '.tls.mkv'), owner, signal);
  t.equal(sha256(join(dir, 'plex', '.tls.mkv')), got.sha256, 'downloaded over the pinned connection');
});

/** Starts a stream job on a pinned worker; its id. */
async function fetchPinnedJob(worker: { url: string; fingerprint: string }): Promise<string> {
  const reply = await requestWorkerPinned(worker.url, '/library/jobs', { method: 'POST', body: { stream: { name: 'Film.mkv', size }, codec: 'hevc' }, apiKey: API_KEY, fingerprint: worker.fingerprint, timeoutMs: 10_000 });
  return (reply.body as { id: string }).id;
}
