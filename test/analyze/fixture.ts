/**
 * A small hand-made session log whose every number is known (see the table): one session per
 * blocking case of --remote-feasibility, and enough variety for each summary facet. Written by
 * the cartridge's own recorder (cartridge/session.ts: createSessionRecorder, endPatch,
 * fallbackPatch; stopFate for Plex's stops; clientHint for the client), so its decision and end
 * columns are exactly what the cartridge writes. The parsed facts at start are chosen by hand,
 * with the values the cartridge's parser gives (encoder names such as libmp3lame, protocol
 * `pipe` for piped output and `none` without one, subtitle kind `inlineass`).
 */
import { join } from 'node:path';
import { clientHint } from '../../cartridge/client-hint.ts';
import { stopFate } from '../../cartridge/run.ts';
import { createSessionRecorder, endPatch, fallbackPatch, type SessionEnding } from '../../cartridge/session.ts';
import { openSessionLog, type FallbackReason, type SessionPatch, type SessionStart } from '../../core/session-log/index.ts';

/** 2025-01-01T00:00:00Z; session N starts N minutes later (s14 ten days later). */
export const T0 = Date.UTC(2025, 0, 1);

/** Decision and timings: `fallback` as [code, detail] goes through fallbackPatch, `ending` through endPatch. */
type End = Pick<SessionPatch, 'decision' | 'reason' | 'worker'> & { fallback?: [FallbackReason, string]; ending?: SessionEnding; firstSegmentMs?: number; durationMs?: number };
/** `android`: the session folder carries Plex for Android's session id, so clientHint names it. */
type Row = [id: string, start: Partial<SessionStart> & { android?: boolean }, end: End];

const MOVIES = '/data/media/movies';
const vt = 'video-transcode' as const;
const ok: SessionEnding = { endedBy: 'exit', code: 0, signal: null };
/** Plex's SIGTERM as the cartridge records it: the transcoder's exit 255, ended by Plex. */
const plexStop = (remote: boolean): SessionEnding => ({ endedBy: 'plex-stop', ...stopFate('SIGTERM'), error: remote ? 'cancelled by SIGTERM' : null });
const noWorker = (detail: string) => `no worker could take the job: ${detail}`;

/** The sessions: [id, facts at start, decision and timings]. */
export const FIXTURE: readonly Row[] = [
  ['s01', { kind: vt, videoCodecIn: 'h264', videoCodecOut: 'libx264', audioCodecIn: 'ac3', audioCodecOut: 'aac', android: true, protocol: 'hls', height: 720, inputPath: `${MOVIES}/A/A.mkv`, patternId: 'p-h264', pattern: 'hls libx264' },
    { decision: 'remote', worker: 'gpu-box', firstSegmentMs: 1000, durationMs: 600_000, ending: ok }],
  ['s02', { kind: vt, videoCodecIn: 'hevc', videoCodecOut: 'libx264', audioCodecIn: 'eac3', audioCodecOut: 'aac', protocol: 'dash', height: 1080, toneMapping: true, inputPath: `${MOVIES}/B/B.mkv`, patternId: 'p-hdr', pattern: 'dash libx264 tonemap' },
    { decision: 'remote', worker: 'gpu-box', firstSegmentMs: 2000, durationMs: 1_200_000, ending: plexStop(true) }],
  ['s03', { kind: vt, videoCodecIn: 'h264', videoCodecOut: 'libx264', android: true, protocol: 'hls', height: 480, subtitleBurnIn: true, subtitleKind: 'inlineass', inputPath: '/data/media/tv/Show/S01E01.mkv', patternId: 'p-h264', pattern: 'hls libx264' },
    { decision: 'remote', worker: 'nuc', firstSegmentMs: 3000, durationMs: 300_000, ending: { endedBy: 'exit', code: 1, signal: null, error: 'Conversion failed' } }],
  ['s04', { kind: vt, videoCodecIn: 'h264', videoCodecOut: 'hevc', protocol: 'hls', height: 2160, inputPath: `${MOVIES}/C/C.mkv`, patternId: 'p-hevc', pattern: 'hls hevc' },
    { fallback: ['workers-full', noWorker('gpu-box answered full or stopping (HTTP 503: full)')], firstSegmentMs: 1500, durationMs: 900_000, ending: ok }],
  ['s05', { kind: vt, videoCodecIn: 'hevc', videoCodecOut: 'libx264', android: true, protocol: 'hls', height: 1080, toneMapping: true, inputPath: '/mnt/archive/4k/D/D.mkv', patternId: 'p-hdr', pattern: 'dash libx264 tonemap' },
    { fallback: ['worker-refused', noWorker('gpu-box refused the job (HTTP 403: input outside mediaRoots)')], worker: 'gpu-box', firstSegmentMs: 2500, durationMs: 1_800_000, ending: ok }],
  ['s06', { kind: vt, videoCodecIn: 'h264', videoCodecOut: 'libx264', android: true, protocol: 'hls', height: 720, inputPath: '/data/media/tv/Show/S01E02.mkv', patternId: 'p-h264', pattern: 'hls libx264' },
    { fallback: ['no-healthy-worker', noWorker('gpu-box no answer within 500 ms')], firstSegmentMs: 4000 }],
  ['s07', { kind: vt, videoCodecIn: 'mpeg2video', videoCodecOut: 'libx264', protocol: 'dash', height: 720, inputPath: 'http://127.0.0.1:32400/livetv/sessions/x/stream.ts', patternId: 'p-live', pattern: 'live' },
    { decision: 'local', reason: 'input is a Plex loopback URL', firstSegmentMs: 800, durationMs: 3_600_000, ending: ok }],
  ['s08', { kind: 'remux', videoCodecIn: 'h264', videoCodecOut: 'copy', protocol: 'dash', inputPath: `${MOVIES}/A/A.mkv`, patternId: 'p-copy', pattern: 'copy' },
    { decision: 'local', reason: 'not worth moving: remux', firstSegmentMs: 500, durationMs: 2_400_000, ending: plexStop(false) }],
  ['s09', { kind: 'audio-only', audioCodecIn: 'flac', audioCodecOut: 'libmp3lame', protocol: 'pipe', container: 'mp3', inputPath: '/data/media/music/x.flac', patternId: 'p-music', pattern: 'mp3' },
    { decision: 'local', reason: 'not worth moving: audio-only', durationMs: 200_000, ending: ok }],
  ['s10', { kind: 'detection', videoCodecIn: 'h264', protocol: 'pipe', container: 'chromaprint', inputPath: `${MOVIES}/A/A.mkv`, patternId: 'p-detect', pattern: 'chromaprint' },
    { decision: 'local', reason: 'not worth moving: detection', durationMs: 60_000, ending: ok }],
  ['s11', { kind: 'capability-query', protocol: 'none', patternId: 'p-caps', pattern: '-encoders' }, { decision: 'local', reason: 'pass-through', durationMs: 100, ending: ok }],
  ['s12', { kind: 'unknown', protocol: 'none', patternId: null, pattern: null }, { decision: 'local', reason: 'pass-through', durationMs: 2000, ending: ok }],
  ['s13', { kind: 'optimize', videoCodecIn: 'h264', videoCodecOut: 'libx264', protocol: 'file', height: 1080, inputPath: `${MOVIES}/B/B.mkv`, patternId: 'p-opt', pattern: 'optimize' },
    { decision: 'remote', worker: 'gpu-box', durationMs: 1_000_000, ending: ok }],
  ['s14', { kind: vt, videoCodecIn: 'h264', videoCodecOut: 'libx264', protocol: 'hls', height: 1080, inputPath: `${MOVIES}/A/A.mkv`, patternId: 'p-h264', pattern: 'hls libx264' }, {}],
  ['s15', { kind: vt, videoCodecIn: 'h264', videoCodecOut: 'libx264', android: true, protocol: 'hls', height: 720, inputPath: 'https://iptv.example.com/live/1.m3u8', patternId: 'p-h264', pattern: 'hls libx264' },
    { decision: 'local', reason: 'network input', firstSegmentMs: 600, durationMs: 100_000, ending: ok }],
  ['s16', { kind: vt, videoCodecIn: 'h264', videoCodecOut: 'libx264', android: true, protocol: 'hls', height: 720, inputPath: '/data/media/tv/Show/S01E03.mkv', patternId: 'p-h264', pattern: 'hls libx264' },
    { decision: 'local', reason: 'all workers busy', firstSegmentMs: 700, durationMs: 400_000, ending: ok }],
];

/** When session `id` starts. */
export function startOf(id: string): number {
  return id === 's14' ? T0 + 10 * 86_400_000 : T0 + Number(id.slice(1)) * 60_000;
}

/** Writes the fixture (sessions, three events, two workers' last-known capabilities) to `dir/sessions.db`. */
export async function writeFixture(dir: string, options: { capabilities?: boolean } = {}): Promise<string> {
  const path = join(dir, 'sessions.db');
  for (const [id, { android, ...facts }, end] of FIXTURE) {
    const startedAt = startOf(id);
    const cwd = `/transcode/Sessions/plex-transcode-${android ? '875a95c7bc0072ef-com-plexapp-android' : 'b54ca799-9a71-4d71-b4a7-03099f095c57'}-26836fd9-9a79-4de7-b7c1-${id.slice(1).padStart(12, '0')}`;
    const start: SessionStart = { argv: ['-i', facts.inputPath ?? 'x'], envNames: ['PATH'], cwd, ...facts, client: clientHint(cwd, []), id, startedAt, kind: facts.kind ?? 'unknown' };
    const recorder = createSessionRecorder(path, () => start);
    const { fallback, ending, firstSegmentMs, durationMs, ...decision } = end;
    recorder.note({ ...decision, ...(fallback ? fallbackPatch(...fallback) : {}) });
    if (end.decision === 'remote' || fallback) recorder.note({ dispatchAt: startedAt + 40 });
    if (firstSegmentMs !== undefined) recorder.note({ firstSegmentAt: startedAt + firstSegmentMs });
    recorder.begin();
    await recorder.finish(ending && durationMs !== undefined ? endPatch(ending, startedAt + durationMs) : {}, 30_000);
  }
  const log = openSessionLog(path);
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
