/**
 * A small hand-made session log whose every number is known (see the table): one session per
 * blocking case of --remote-feasibility, and enough variety for each summary facet.
 */
import { join } from 'node:path';
import { openSessionLog, type SessionPatch, type SessionStart } from '../../core/session-log/index.ts';

/** 2025-01-01T00:00:00Z; session N starts N minutes later (s14 ten days later). */
export const T0 = Date.UTC(2025, 0, 1);

type Row = [id: string, start: Partial<SessionStart>, end: SessionPatch & { firstSegmentMs?: number; durationMs?: number }];

const MOVIES = '/data/media/movies';
const vt = 'video-transcode' as const;

/** The sessions: [id, facts at start, decision and timings]. */
export const FIXTURE: readonly Row[] = [
  ['s01', { kind: vt, videoCodecIn: 'h264', videoCodecOut: 'libx264', audioCodecIn: 'ac3', audioCodecOut: 'aac', client: 'Roku', protocol: 'hls', height: 720, inputPath: `${MOVIES}/A/A.mkv`, patternId: 'p-h264', pattern: 'hls libx264' },
    { decision: 'remote', worker: 'gpu-box', firstSegmentMs: 1000, durationMs: 600_000, exitCode: 0 }],
  ['s02', { kind: vt, videoCodecIn: 'hevc', videoCodecOut: 'libx264', audioCodecIn: 'eac3', audioCodecOut: 'aac', client: 'Plex Web', protocol: 'dash', height: 1080, toneMapping: true, inputPath: `${MOVIES}/B/B.mkv`, patternId: 'p-hdr', pattern: 'dash libx264 tonemap' },
    { decision: 'remote', worker: 'gpu-box', firstSegmentMs: 2000, durationMs: 1_200_000, signal: 'SIGTERM' }],
  ['s03', { kind: vt, videoCodecIn: 'h264', videoCodecOut: 'libx264', client: 'Android', protocol: 'hls', height: 480, subtitleBurnIn: true, subtitleKind: 'ass', inputPath: '/data/media/tv/Show/S01E01.mkv', patternId: 'p-h264', pattern: 'hls libx264' },
    { decision: 'remote', worker: 'nuc', firstSegmentMs: 3000, durationMs: 300_000, exitCode: 1, error: 'Conversion failed' }],
  ['s04', { kind: vt, videoCodecIn: 'h264', videoCodecOut: 'hevc', client: 'Apple TV', protocol: 'hls', height: 2160, inputPath: `${MOVIES}/C/C.mkv`, patternId: 'p-hevc', pattern: 'hls hevc' },
    { decision: 'fallback', reason: 'every worker is full (HTTP 503)', firstSegmentMs: 1500, durationMs: 900_000, exitCode: 0 }],
  ['s05', { kind: vt, videoCodecIn: 'hevc', videoCodecOut: 'libx264', client: 'Roku', protocol: 'hls', height: 1080, toneMapping: true, inputPath: '/mnt/archive/4k/D/D.mkv', patternId: 'p-hdr', pattern: 'dash libx264 tonemap' },
    { decision: 'fallback', reason: 'worker refused the job (HTTP 403): input outside mediaRoots', worker: 'gpu-box', firstSegmentMs: 2500, durationMs: 1_800_000, exitCode: 0 }],
  ['s06', { kind: vt, videoCodecIn: 'h264', videoCodecOut: 'libx264', client: 'Roku', protocol: 'hls', height: 720, inputPath: '/data/media/tv/Show/S01E02.mkv', patternId: 'p-h264', pattern: 'hls libx264' },
    { decision: 'fallback', reason: 'no healthy worker: gpu-box: no answer within 500 ms', firstSegmentMs: 4000 }],
  ['s07', { kind: vt, videoCodecIn: 'mpeg2video', videoCodecOut: 'libx264', client: 'Plex Web', protocol: 'dash', height: 720, inputPath: 'http://127.0.0.1:32400/livetv/sessions/x/stream.ts', patternId: 'p-live', pattern: 'live' },
    { decision: 'local', reason: 'input is a Plex loopback URL', firstSegmentMs: 800, durationMs: 3_600_000, exitCode: 0 }],
  ['s08', { kind: 'remux', videoCodecIn: 'h264', videoCodecOut: 'copy', client: 'Samsung TV', protocol: 'dash', inputPath: `${MOVIES}/A/A.mkv`, patternId: 'p-copy', pattern: 'copy' },
    { decision: 'local', reason: 'not worth moving: remux', firstSegmentMs: 500, durationMs: 2_400_000, signal: 'SIGKILL' }],
  ['s09', { kind: 'audio-only', audioCodecIn: 'flac', audioCodecOut: 'mp3', client: 'Plexamp', protocol: 'stream', inputPath: '/data/media/music/x.flac', patternId: 'p-music', pattern: 'mp3' },
    { decision: 'local', reason: 'not worth moving: audio-only', durationMs: 200_000, exitCode: 0 }],
  ['s10', { kind: 'detection', videoCodecIn: 'h264', inputPath: `${MOVIES}/A/A.mkv`, patternId: 'p-detect', pattern: 'chromaprint' },
    { decision: 'local', reason: 'not worth moving: detection', durationMs: 60_000, exitCode: 0 }],
  ['s11', { kind: 'capability-query', patternId: 'p-caps', pattern: '-encoders' }, { decision: 'local', reason: 'pass-through', durationMs: 100, exitCode: 0 }],
  ['s12', { kind: 'unknown', patternId: null, pattern: null }, { decision: 'local', reason: 'pass-through', durationMs: 2000, exitCode: 0 }],
  ['s13', { kind: 'optimize', videoCodecIn: 'h264', videoCodecOut: 'libx264', protocol: 'file', height: 1080, inputPath: `${MOVIES}/B/B.mkv`, patternId: 'p-opt', pattern: 'optimize' },
    { decision: 'remote', worker: 'gpu-box', durationMs: 1_000_000, exitCode: 0 }],
  ['s14', { kind: vt, videoCodecIn: 'h264', videoCodecOut: 'libx264', client: 'iOS', protocol: 'hls', height: 1080, inputPath: `${MOVIES}/A/A.mkv`, patternId: 'p-h264', pattern: 'hls libx264' }, {}],
  ['s15', { kind: vt, videoCodecIn: 'h264', videoCodecOut: 'libx264', client: 'Roku', protocol: 'hls', height: 720, inputPath: 'https://iptv.example.com/live/1.m3u8', patternId: 'p-h264', pattern: 'hls libx264' },
    { decision: 'local', reason: 'network input', firstSegmentMs: 600, durationMs: 100_000, exitCode: 0 }],
  ['s16', { kind: vt, videoCodecIn: 'h264', videoCodecOut: 'libx264', client: 'Roku', protocol: 'hls', height: 720, inputPath: '/data/media/tv/Show/S01E03.mkv', patternId: 'p-h264', pattern: 'hls libx264' },
    { decision: 'local', reason: 'all workers busy', firstSegmentMs: 700, durationMs: 400_000, exitCode: 0 }],
];

/** When session `id` starts. */
export function startOf(id: string): number {
  return id === 's14' ? T0 + 10 * 86_400_000 : T0 + Number(id.slice(1)) * 60_000;
}

/** Writes the fixture (sessions, three events, two workers' last-known capabilities) to `dir/sessions.db`. */
export function writeFixture(dir: string, options: { capabilities?: boolean } = {}): string {
  const path = join(dir, 'sessions.db');
  const log = openSessionLog(path);
  for (const [id, start, end] of FIXTURE) {
    const startedAt = startOf(id);
    log.recordSessionStart({ argv: ['-i', start.inputPath ?? 'x'], envNames: ['PATH'], cwd: '/tmp', ...start, id, startedAt, kind: start.kind ?? 'unknown' } as SessionStart);
    const { firstSegmentMs, durationMs, ...patch } = end;
    log.updateSession(id, {
      ...patch,
      dispatchAt: patch.decision === 'remote' || patch.decision === 'fallback' ? startedAt + 40 : undefined,
      firstSegmentAt: firstSegmentMs === undefined ? undefined : startedAt + firstSegmentMs,
      endedAt: durationMs === undefined ? undefined : startedAt + durationMs,
    });
  }
  log.recordEvent({ at: T0 - 86_400_000, source: 'install', type: 'shim-installed', newMd5: 'a'.repeat(32), plexVersion: '1.41.0' });
  log.recordEvent({ at: T0 + 5 * 86_400_000, source: 'watchdog', type: 'plex-updated', oldMd5: 'a'.repeat(32), newMd5: 'b'.repeat(32), oldPlexVersion: '1.41.0', plexVersion: '1.41.1', message: 'Plex updated' });
  log.recordEvent({ at: T0 + 5 * 86_400_000 + 1000, source: 'watchdog', type: 'shim-restored', newMd5: 'b'.repeat(32), plexVersion: '1.41.1', details: { settleMs: 300 } });
  if (options.capabilities !== false) {
    log.saveWorkerCapabilities('gpu-box', { status: 'ok', version: '0.1.0', hwaccel: 'nvenc', encoders: ['h264_nvenc'], jobs: { running: 0, queued: 0, max: 2 } }, T0);
    log.saveWorkerCapabilities('nuc', { status: 'ok', version: '0.1.0', hwaccel: 'vaapi', encoders: ['h264_vaapi'], jobs: { running: 0, queued: 0, max: 1 } }, T0);
  }
  log.close();
  return path;
}
