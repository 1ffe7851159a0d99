// The Plex side's checks, in process, on real files: what the verification compares (reports from
// ffprobe of generated clips), how a file's identity changes, what the estimate skips, and the
// finish refusing to replace when the original is gone, an earlier NAME.orig.EXT is another file,
// the encode does not verify, or it is missing — the original left as it was every time.
import { renameSync, realpathSync, rmSync, statSync, utimesSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { openSessionLog } from '../../core/session-log/index.ts';
import { openLibraryStore, type LibraryStore } from '../../core/session-log/library-store.ts';
import { estimateSaving, skipReason } from '../../library/estimate.ts';
import { probeMedia } from '../../library/ffprobe.ts';
import { finishJob } from '../../library/finish.ts';
import { identityChange, readIdentity } from '../../library/identity.ts';
import { playingReason } from '../../library/in-use.ts';
import { keepOriginal, keptOriginalPath } from '../../library/swap.ts';
import { compareReports, verifyEncode } from '../../library/verify.ts';
import { haveFfmpeg, makeClip } from './clips.ts';
import { sha256 } from './helpers.ts';

if (!haveFfmpeg()) {
  t.plan(0, 'ffmpeg and ffprobe are not on PATH');
  process.exit(0);
}

const dir = realpathSync(t.testdir({ media: {}, data: {} }));
const h264 = makeClip(join(dir, 'media', 'Film.mkv'), { codec: 'h264', seconds: 2 });
// An HEVC clip of the same shape: what a worker's encode of Film.mkv looks like.
const hevc = makeClip(join(dir, 'hevc.mkv'), { codec: 'hevc', seconds: 2, bitrate: '300k' });
const original = await probeMedia(h264);
const encoded = await probeMedia(hevc);

t.test('compareReports: what the verification refuses, in words', async (t) => {
  t.same(compareReports(original, encoded, 'hevc'), [], 'a faithful encode passes');
  t.same(compareReports(original, encoded, 'av1'), ['video is hevc, not av1']);
  t.same(compareReports(original, { ...encoded, durationS: (encoded.durationS ?? 0) + 1 }, 'hevc'), [`duration ${((encoded.durationS ?? 0) + 1).toFixed(2)} s instead of ${original.durationS?.toFixed(2)} s`]);
  t.same(compareReports(original, { ...encoded, durationS: null }, 'hevc'), ['a duration is unknown']);
  t.match(compareReports(original, { ...encoded, streams: encoded.streams.filter((s) => s.type !== 'subtitle') }, 'hevc'), [/^streams \[video, audio aac eng 1ch, audio aac fra 1ch, attachment ttf\] instead of \[.*subtitle subrip eng.*\]$/]);
  t.same(compareReports(original, { ...encoded, chapters: [0] }, 'hevc'), ['1 chapters instead of 2']);
  t.same(compareReports(original, { ...encoded, chapters: [0, 5] }, 'hevc'), ['chapter start times differ']);
  t.match(compareReports(original, { ...encoded, video: null, streams: encoded.streams.filter((s) => s.type !== 'video') }, 'hevc'), ['streams [audio aac eng 1ch, audio aac fra 1ch, subtitle subrip eng, attachment ttf] instead of [video, audio aac eng 1ch, audio aac fra 1ch, subtitle subrip eng, attachment ttf]', 'no video stream']);
});

t.test('verifyEncode: an unreadable or truncated encode is refused', async (t) => {
  t.equal(await verifyEncode(h264, hevc, 'hevc'), null);
  const missing = join(dir, 'missing.mkv');
  t.equal(await verifyEncode(h264, missing, 'hevc'), `ffprobe cannot read ${missing}: No such file or directory`);
  const truncated = join(dir, 'truncated.mkv');
  writeFileSync(truncated, (await import('node:fs')).readFileSync(hevc).subarray(0, Math.floor(statSync(hevc).size * 0.6)));
  t.match(await verifyEncode(h264, truncated, 'hevc'), /^(duration .* instead of|the decode pass failed: )/);
});

t.test('identityChange names what changed', async (t) => {
  const copy = join(dir, 'copy.mkv');
  copyFileSync(h264, copy);
  const before = await readIdentity(copy);
  t.equal(identityChange(before, await readIdentity(copy)), null);
  t.equal(identityChange(before, { ...before, ino: before.ino + 1 }), 'it was replaced by another file');
  t.equal(identityChange(before, { ...before, size: before.size + 1 }), `its size changed (${before.size} → ${before.size + 1} bytes)`);
  const later = new Date(Date.now() + 10_000);
  utimesSync(copy, later, later);
  t.equal(identityChange(before, await readIdentity(copy)), 'its modification time changed');
  // Same size and mtime, other bytes at the start: the edge hash sees it.
  const bytes = (await import('node:fs')).readFileSync(copy);
  bytes[10] = (bytes[10] ?? 0) ^ 0xff;
  writeFileSync(copy, bytes);
  utimesSync(copy, later, later);
  t.equal(identityChange({ ...before, mtimeMs: Math.floor(later.getTime()) }, await readIdentity(copy)), 'its content changed');
});

t.test('skipReason and estimateSaving', async (t) => {
  t.equal(skipReason(h264, original, 'hevc'), null);
  t.equal(skipReason(hevc, encoded, 'hevc'), 'already HEVC');
  t.equal(skipReason(hevc, { ...encoded, video: { ...encoded.video!, codec: 'av1' } }, 'hevc'), 'already AV1');
  t.equal(skipReason(h264, { ...original, video: null }, 'hevc'), 'no video stream');
  t.equal(skipReason(h264, { ...original, durationS: null }, 'hevc'), 'no duration');
  t.equal(estimateSaving(h264, { ...original, durationS: null }, 1000, 'hevc'), 0);
  const size = statSync(h264).size;
  const full = estimateSaving(h264, original, size, 'av1');
  t.ok(full > 0 && full <= size, `${full} of ${size} bytes`);
  // Without ffprobe's bitrates the estimate comes from the size and the audio tracks' channels.
  const bare = { ...original, bitrate: null, audioBitrate: 0, video: { ...original.video!, bitrate: null, fps: null, width: null, height: null } };
  t.ok(estimateSaving(h264, bare, size, 'hevc') > 0);
});

t.test('keepOriginal: a hard link, recognised again, and never over another file', async (t) => {
  const path = join(dir, 'media', 'Keep.mkv');
  copyFileSync(h264, path);
  const kept = await keepOriginal(path);
  t.equal(kept, keptOriginalPath(path));
  t.equal(statSync(kept).ino, statSync(path).ino, 'a hard link');
  t.equal(await keepOriginal(path), kept, 'made before a crash: recognised');
  rmSync(kept);
  writeFileSync(kept, 'an earlier original');
  await t.rejects(keepOriginal(path), { code: 'EEXIST', message: 'Keep.orig.mkv already exists (an earlier original?); not overwritten' });
});

/** A job as the scheduler leaves it when the worker reports its encode of `path` complete (the encode: `tmp`). */
async function finishingJob(store: LibraryStore, path: string, tmp: string, keep = false) {
  const id = store.queueJob({ path, codec: 'hevc', quality: null, minSavings: 1, keepOriginal: keep });
  store.updateJob(id, { state: 'finishing', step: 'encoded', tmpPath: tmp, original: await readIdentity(path), attempts: 1 });
  return store.getJob(id)!;
}

t.test('finishJob refuses, leaving the original as it was', async (t) => {
  const store = openLibraryStore(join(dir, 'data', 'sessions.db'));
  t.teardown(() => store.close());
  const notPlaying = async () => null;
  const setUp = (name: string) => {
    const path = join(dir, 'media', `${name}.mkv`);
    copyFileSync(h264, path);
    const tmp = join(dir, 'media', `.${name}.plexbeam-job1x1.mkv`);
    copyFileSync(hevc, tmp);
    return { path, tmp, sha: sha256(path) };
  };

  const gone = setUp('Gone');
  const goneJob = await finishingJob(store, gone.path, gone.tmp);
  // Verified, then waiting (Plex plays it) while the original is deleted.
  t.match(await finishJob(goneJob, { store, playing: async () => 'Plex is playing it' }), { state: 'finishing' });
  rmSync(gone.path);
  t.same(await finishJob(store.getJob(goneJob.id)!, { store, playing: notPlaying }), { state: 'failed', reason: 'the original was removed during the encode; the encode is discarded' });
  t.throws(() => statSync(gone.tmp), 'the encode removed');

  const blocked = setUp('Blocked');
  writeFileSync(keptOriginalPath(blocked.path), 'an earlier original');
  const blockedJob = await finishingJob(store, blocked.path, blocked.tmp, true);
  t.match(await finishJob(blockedJob, { store, playing: notPlaying }), { state: 'failed', reason: /^cannot keep the original: Blocked\.orig\.mkv already exists .*; not replaced$/ });
  t.equal(sha256(blocked.path), blocked.sha);

  const bad = setUp('Bad');
  writeFileSync(bad.tmp, 'not a video');
  const badJob = await finishingJob(store, bad.path, bad.tmp);
  t.match(await finishJob(badJob, { store, playing: notPlaying }), { state: 'failed', reason: /^verification failed: ffprobe cannot read / });
  t.equal(sha256(bad.path), bad.sha);
  t.match(store.getFile(bad.path) ?? { state: 'failed' }, { state: 'failed' });

  const lost = setUp('Lost');
  rmSync(lost.tmp);
  const lostJob = await finishingJob(store, lost.path, lost.tmp);
  t.match(await finishJob(lostJob, { store, playing: notPlaying }), { state: 'retry', reason: /the encode is not beside the original/ });

  // Verified, then the encode vanishes before the swap (removed by hand): nothing replaced.
  const vanished = setUp('Vanished');
  const vanishedJob = await finishingJob(store, vanished.path, vanished.tmp);
  const outcome = await finishJob(vanishedJob, { store, playing: async () => { renameSync(vanished.tmp, join(dir, 'elsewhere.mkv')); return 'Plex is playing it'; } });
  t.same(outcome, { state: 'finishing', reason: 'waiting to replace: Plex is playing it' });
  const again = await finishJob(store.getJob(vanishedJob.id)!, { store, playing: notPlaying });
  t.same(again, { state: 'failed', reason: 'the verified encode vanished before the swap (the original is untouched); nothing replaced' });
  t.equal(sha256(vanished.path), vanished.sha);

  const noTmp = store.queueJob({ path: vanished.path, codec: 'hevc', quality: null, minSavings: 1, keepOriginal: false });
  t.match(await finishJob(store.getJob(noTmp)!, { store }), { state: 'failed', reason: 'the job has no temporary output or original recorded' });
});

t.test('playingReason: a live session of the cartridge reading the file', async (t) => {
  const log = openSessionLog(join(dir, 'data', 'live.db'));
  t.teardown(() => log.close());
  t.equal(await playingReason(log.db, h264), null, 'nothing reads it');
  const id = '11b4a41e-0000-4000-8000-000000000001';
  log.recordSessionStart({ id, startedAt: Date.now(), argv: ['-i', h264], envNames: [], cwd: dir, kind: 'video-transcode', inputPath: h264 });
  t.equal(await playingReason(log.db, h264), 'Plex is playing it (a live session in the session log)');
  log.updateSession(id, { endedAt: Date.now(), exitCode: 0 });
  t.equal(await playingReason(log.db, h264), null, 'the session ended');
});
