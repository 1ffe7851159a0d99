// Corpus HLS samples through a real worker: Plex's argv POSTed, segments published, the segment
// list and Plex's progress requests delivered over the link (relayed by a fake cartridge).
import { join } from 'node:path';
import t from 'tap';
import { CAN_THROTTLE_RESPONSE, probeMedia } from '../harness/index.ts';
import { checkCsvList, checkHeaderPlusSegments, checkProgress, checkSegments, progressPercents } from '../translate/helpers/checks.ts';
import { mediaClip } from '../translate/helpers/clips.ts';
import { plexPathOf } from '../translate/helpers/corpus.ts';
import { checkRelayOrder, runThroughWorker, startCorpusWorker, toPlexPaths } from './corpus-worker.ts';

const cw = await startCorpusWorker(t);

t.test('02 (seek 1 s into a 3 s clip, 4K HEVC, sidecar burn-in) through the worker, with Plex asking to throttle', async (t) => {
  cw.pms.setResponder((req) => (req.path.endsWith('/progress') && 'progress' in req.query ? CAN_THROTTLE_RESPONSE : undefined));
  t.teardown(() => cw.pms.setResponder(undefined));
  const clip = await mediaClip(cw.media, 'av1Eac3', 3);
  const run = await runThroughWorker(cw, '02', { session: 'hls-02', input: clip, seekTo: 1 });
  t.match(run.end, { state: 'completed', exit_code: 0, error: null });
  const segs = checkSegments(t, run.sessionDir, 1);
  t.ok(segs.length >= 2, 'two 1 s segments from the seek on');
  t.same(await checkHeaderPlusSegments(t, run.sessionDir, segs, ['video', 'audio']), ['hevc', 'aac']);
  checkCsvList(t, run.requests, segs, 1, true);
  checkProgress(t, run.requests, plexPathOf('02', '-progressurl'));
  const seekPercent = 100 / Number((await probeMedia(clip)).format.duration);
  t.ok(progressPercents(run.requests).every((p) => p >= seekPercent - 0.1), `progress counts from the seek (${seekPercent.toFixed(1)} %)`);
  await checkRelayOrder(t, cw, run);
  const reports = run.requests.filter((r) => 'progress' in r.query);
  // Each report is built when its block arrives, so one may leave before the previous answer: "some", not "every".
  t.ok(reports.slice(1).some((r) => !('speed' in r.query)), 'speed withheld once Plex answered canThrottle');
  await cw.worker.waitForLog((l) => l.job_id === run.jobId && l.msg === 'Plex asked to throttle: pausing ffmpeg 100 ms per frame');
  const started = await cw.worker.waitForLog((l) => l.job_id === run.jobId && l.msg === 'job started');
  const argv = started.argv as string[];
  t.notOk(argv.includes('-progress') || argv.includes('-progressurl'), "one -progress, the runner's own (not in the logged argv)");
  t.ok(argv.some((a) => a.includes('subtitles=filename=')), 'the burn-in became subtitles=');
  t.notOk(JSON.stringify(cw.worker.logs).includes('never-sent'), 'X_PLEX_TOKEN from the request env is never logged');
});

t.test('06 direct stream through the worker, sent with Plex-side paths that pathMap maps', async (t) => {
  const run = await runThroughWorker(cw, '06', { session: 'hls-06', edit: toPlexPaths(cw), cwd: '/plex/transcode/hls-06' });
  t.match(run.end, { state: 'completed', exit_code: 0 });
  t.ok(run.argv.includes('/plex/media/hevc10-eac3.mkv'), 'the client sent a Plex path');
  const segs = checkSegments(t, run.sessionDir, 0);
  t.same(await checkHeaderPlusSegments(t, run.sessionDir, segs, ['video', 'audio', 'subtitle']), ['hevc', 'aac', 'ass'], 'HEVC and ASS copied');
  checkCsvList(t, run.requests, segs, 0, true);
  checkProgress(t, run.requests, plexPathOf('06', '-progressurl'));
  await checkRelayOrder(t, cw, run);
  const started = await cw.worker.waitForLog((l) => l.job_id === run.jobId && l.msg === 'job started');
  t.ok((started.argv as string[]).includes(join(cw.media.dir, 'hevc10-eac3.mkv')), 'ffmpeg got the worker path');
});
