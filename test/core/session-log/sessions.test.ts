import { join } from 'node:path';
import t, { type Test } from 'tap';
import { openSessionLog, type SessionLog, type SessionPatch, type SessionStart } from '../../../core/session-log/index.ts';

function openLog(t: Test): SessionLog {
  const log = openSessionLog(join(t.testdir(), 'sessions.db'));
  t.teardown(() => log.close());
  return log;
}

const start: SessionStart = {
  id: '0b8e6f5e-4a4f-4d84-9a53-d0c1f1c7a001',
  startedAt: 1_700_000_000_000,
  argv: ['-i', '/media/film.mkv', '-codec:0', 'libx264'],
  envNames: ['PATH', 'X_PLEX_TOKEN'],
  cwd: '/var/lib/plexmediaserver/Cache/Transcode/Sessions/abc',
  kind: 'video-transcode',
  pattern: 'hevc→h264 1080p hls',
  patternId: 'p1',
  inputPath: '/media/film.mkv',
  videoCodecIn: 'hevc',
  videoCodecOut: 'h264',
  width: 1920,
  height: 1080,
  videoBitrate: 8_000_000,
  subtitleBurnIn: true,
  subtitleKind: 'ass',
  toneMapping: false,
  seekS: 12.5,
  facts: { input: '/media/film.mkv', streams: [{ codec: 'hevc' }] },
};

t.test('a session round-trips with every field, unknown ones null', async (t) => {
  const log = openLog(t);
  log.recordSessionStart(start);
  const row = log.getSession(start.id);
  t.match(row, { ...start, argv: [...start.argv], envNames: [...start.envNames] });
  t.equal(row?.subtitleBurnIn, true);
  t.equal(row?.toneMapping, false);
  t.equal(row?.audioCodecIn, null);
  t.equal(row?.hwDecode, null);
  t.equal(row?.decision, null);
  t.equal(row?.exitCode, null);
  t.equal(log.getSession('nope'), undefined);
  // analyze aggregates over the snake_case columns directly.
  t.same(log.db.prepare('SELECT video_codec_in, subtitle_burn_in, seek_s FROM sessions').get(), { video_codec_in: 'hevc', subtitle_burn_in: 1, seek_s: 12.5 });
});

t.test('updateSession sets, keeps and clears fields', async (t) => {
  const log = openLog(t);
  log.recordSessionStart(start);
  t.equal(log.updateSession(start.id, { decision: 'remote', worker: 'http://gpu:8765', dispatchAt: 5, reason: 'worker healthy' }), true);
  t.equal(log.updateSession(start.id, { firstSegmentAt: 6, endedAt: 9, exitCode: 0, worker: undefined }), true);
  t.match(log.getSession(start.id), { decision: 'remote', worker: 'http://gpu:8765', dispatchAt: 5, firstSegmentAt: 6, endedAt: 9, exitCode: 0 });
  t.equal(log.updateSession(start.id, { reason: null, signal: 'SIGTERM', error: 'stopped' }), true);
  t.match(log.getSession(start.id), { reason: null, signal: 'SIGTERM', error: 'stopped', worker: 'http://gpu:8765' });
  t.equal(log.updateSession(start.id, {}), true, 'an empty patch reports that the session exists');
  t.equal(log.updateSession('missing', { decision: 'local' }), false);
  t.equal(log.updateSession('missing', {}), false);
});

t.test('updateSession rejects keys outside the allow-list, changing nothing', async (t) => {
  const log = openLog(t);
  log.recordSessionStart(start);
  for (const key of ['kind', 'argv', 'id', 'decision = NULL; DROP TABLE sessions; --', 'startedAt']) {
    const patch = { decision: 'fallback', [key]: 'x' } as unknown as SessionPatch;
    t.throws(() => log.updateSession(start.id, patch), { code: 'SESSION_LOG', message: /unknown field/ }, key);
  }
  t.match(log.getSession(start.id), { kind: 'video-transcode', decision: null });
});

t.test('decision is limited to remote, local and fallback', async (t) => {
  const log = openLog(t);
  log.recordSessionStart(start);
  const patch = { decision: 'maybe' } as unknown as SessionPatch;
  t.throws(() => log.updateSession(start.id, patch), { code: 'SESSION_LOG', message: /CHECK constraint/ });
});

t.test('a second start with the same id is a SESSION_LOG error', async (t) => {
  const log = openLog(t);
  log.recordSessionStart(start);
  t.throws(() => log.recordSessionStart(start), { code: 'SESSION_LOG', message: new RegExp(`cannot record session ${start.id}.*UNIQUE`) });
});

t.test('worker capabilities are saved, replaced and listed', async (t) => {
  const log = openLog(t);
  t.same(log.listWorkerCapabilities(), []);
  log.saveWorkerCapabilities('http://b:8765', { status: 'ok', encoders: ['h264_nvenc'] }, 10);
  log.saveWorkerCapabilities('http://a:8765', { status: 'ok', encoders: [] }, 11);
  log.saveWorkerCapabilities('http://b:8765', { status: 'ok', encoders: ['hevc_nvenc'] }, 12);
  t.same(log.listWorkerCapabilities(), [
    { worker: 'http://a:8765', seenAt: 11, health: { status: 'ok', encoders: [] } },
    { worker: 'http://b:8765', seenAt: 12, health: { status: 'ok', encoders: ['hevc_nvenc'] } },
  ]);
});
