// The cartridge's recording API (cartridge/session.ts, fallback-reason.ts) on a real sessions.db:
// why a session ended and why it fell back reach their columns as codes.
import { join } from 'node:path';
import t from 'tap';
import { fallbackReasonOf } from '../../cartridge/fallback-reason.ts';
import { stopFate } from '../../cartridge/run.ts';
import { sessionStartRow } from '../../cartridge/session-facts.ts';
import { createSessionRecorder, endPatch, fallbackPatch } from '../../cartridge/session.ts';
import { parsePlexArgv } from '../../core/plex-argv/index.ts';
import { ENDED_BY_VALUES, FALLBACK_REASON_VALUES } from '../../core/session-log/endings.ts';
import { openSessionLog } from '../../core/session-log/index.ts';

t.test("a Plex stop and a fallback, as the recorder writes them", async (t) => {
  const path = join(t.testdir(), 'sessions.db');
  const start = { id: 'a1', startedAt: 1000, argv: ['-i', 'in.mkv'], envNames: ['PATH'], cwd: '/tmp', kind: 'video-transcode' as const };
  const stopped = createSessionRecorder(path, () => start);
  stopped.note({ decision: 'remote', worker: 'gpu' });
  stopped.begin();
  await stopped.finish(endPatch({ endedBy: 'plex-stop', ...stopFate('SIGTERM'), error: 'cancelled by SIGTERM' }, 5000), 10_000);
  const fell = createSessionRecorder(path, () => ({ ...start, id: 'a2' }));
  fell.note(fallbackPatch('workers-full', 'no worker could take the job: gpu full (2/2 jobs)'));
  await fell.finish(endPatch({ endedBy: 'exit', code: 0, signal: null }, 6000), 10_000);

  const log = openSessionLog(path, { readonly: true });
  t.teardown(() => log.close());
  t.match(log.getSession('a1'), { decision: 'remote', endedBy: 'plex-stop', exitCode: 255, signal: null, endedAt: 5000, error: 'cancelled by SIGTERM', fallbackReason: null });
  t.match(log.getSession('a2'), { decision: 'fallback', fallbackReason: 'workers-full', reason: /gpu full/, endedBy: 'exit', exitCode: 0, error: null });
});

t.test('the fallback code is that of the worker that came closest to taking the job', async (t) => {
  const r = (code: Parameters<typeof fallbackReasonOf>[0][number]['code']) => ({ code });
  t.equal(fallbackReasonOf([]), 'no-healthy-worker', 'nobody answered');
  t.equal(fallbackReasonOf([r('no-healthy-worker'), r('workers-full')]), 'workers-full');
  t.equal(fallbackReasonOf([r('cannot-encode'), r('no-healthy-worker')]), 'cannot-encode');
  t.equal(fallbackReasonOf([r('workers-full'), r('worker-refused')]), 'worker-refused', 'asked and refused beats full');
  t.equal(fallbackReasonOf([r('dispatch-failed'), r('cannot-encode')]), 'dispatch-failed');
});

t.test('the closed sets are small and unique', async (t) => {
  t.same(ENDED_BY_VALUES, ['exit', 'plex-stop', 'worker-lost', 'not-run', 'start-failed', 'error']);
  t.equal(new Set(FALLBACK_REASON_VALUES).size, FALLBACK_REASON_VALUES.length);
  t.ok(FALLBACK_REASON_VALUES.includes('no-worker-configured') && FALLBACK_REASON_VALUES.includes('failed-before-output'));
});

t.test("the start row of a music transcode names no video codec (the decoder Plex names is the audio's)", async (t) => {
  const argv = ['-codec:0', 'flac', '-i', '/music/a.flac', '-map', '0:0', '-codec:0', 'libmp3lame', '-b:0', '320k', '-f', 'mp3', 'pipe:1'];
  const row = sessionStartRow('m1', 1, argv, { PATH: '/bin' }, '/tmp', parsePlexArgv(argv));
  t.match(row, { kind: 'audio-only', videoCodecIn: null, audioCodecIn: 'flac', audioCodecOut: 'libmp3lame', protocol: 'pipe' });
  const detection = ['-codec:0', 'h264', '-i', '/m/a.mkv', '-map', '0:1', '-f', 'chromaprint', '-fp_format', 'raw', 'pipe:1'];
  t.match(sessionStartRow('d1', 1, detection, {}, '/tmp', parsePlexArgv(detection)), { kind: 'detection', videoCodecIn: 'h264' });
});
