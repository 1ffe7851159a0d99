/**
 * A small hand-made session log whose every number is known (see the table): one session per
 * blocking case of --remote-feasibility, and enough variety for each summary facet. Every row is
 * the cartridge's own: a Plex-shaped command line per session (built from the table's facts) goes
 * through parsePlexArgv and sessionStartRow, and the row through its recorder
 * (createSessionRecorder, with endPatch, fallbackPatch and stopFate for the decision and the end).
 * The table's facts are then what the cartridge must have found: writeFixture fails if not.
 */
import { join } from 'node:path';
import { stopFate } from '../../cartridge/run.ts';
import { sessionStartRow } from '../../cartridge/session-facts.ts';
import { createSessionRecorder, endPatch, fallbackPatch, type SessionEnding } from '../../cartridge/session.ts';
import { parsePlexArgv } from '../../core/plex-argv/index.ts';
import { openSessionLog, type FallbackReason, type SessionPatch, type SessionStart } from '../../core/session-log/index.ts';

/** 2025-01-01T00:00:00Z; session N starts N minutes later (s14 ten days later). */
export const T0 = Date.UTC(2025, 0, 1);

/** Decision and timings: `fallback` as [code, detail] goes through fallbackPatch, `ending` through endPatch. */
type End = Pick<SessionPatch, 'decision' | 'reason' | 'worker'> & { fallback?: [FallbackReason, string]; ending?: SessionEnding; firstSegmentMs?: number; durationMs?: number };
/** The facts the cartridge must find in the session's command line (absent: none). */
type Facts = Pick<SessionStart, 'kind'> & Partial<Pick<SessionStart, 'videoCodecIn' | 'videoCodecOut' | 'audioCodecIn' | 'audioCodecOut' | 'height' | 'protocol' | 'subtitleBurnIn' | 'subtitleKind' | 'toneMapping' | 'inputPath' | 'container'>>;
/** `android`: the session folder carries Plex for Android's session id, so clientHint names it. */
type Row = [id: string, start: Facts & { android?: boolean }, end: End];

const MOVIES = '/data/media/movies';
const vt = 'video-transcode' as const;
const ok: SessionEnding = { endedBy: 'exit', code: 0, signal: null };
/** Plex's SIGTERM as the cartridge records it: the transcoder's exit 255, ended by Plex. */
const plexStop = (remote: boolean): SessionEnding => ({ endedBy: 'plex-stop', ...stopFate('SIGTERM'), error: remote ? 'cancelled by SIGTERM' : null });
const noWorker = (detail: string) => `no worker could take the job: ${detail}`;

/** The sessions: [id, facts at start, decision and timings]. */
export const FIXTURE: readonly Row[] = [
  ['s01', { kind: vt, videoCodecIn: 'h264', videoCodecOut: 'libx264', audioCodecIn: 'ac3', audioCodecOut: 'aac', android: true, protocol: 'hls', height: 720, inputPath: `${MOVIES}/A/A.mkv` },
    { decision: 'remote', worker: 'gpu-box', firstSegmentMs: 1000, durationMs: 600_000, ending: ok }],
  ['s02', { kind: vt, videoCodecIn: 'hevc', videoCodecOut: 'libx264', audioCodecIn: 'eac3', audioCodecOut: 'aac', protocol: 'dash', height: 1080, toneMapping: true, inputPath: `${MOVIES}/B/B.mkv` },
    { decision: 'remote', worker: 'gpu-box', firstSegmentMs: 2000, durationMs: 1_200_000, ending: plexStop(true) }],
  ['s03', { kind: vt, videoCodecIn: 'h264', videoCodecOut: 'libx264', android: true, protocol: 'hls', height: 480, subtitleBurnIn: true, subtitleKind: 'inlineass', inputPath: '/data/media/tv/Show/S01E01.mkv' },
    { decision: 'remote', worker: 'nuc', firstSegmentMs: 3000, durationMs: 300_000, ending: { endedBy: 'exit', code: 1, signal: null, error: 'Conversion failed' } }],
  ['s04', { kind: vt, videoCodecIn: 'h264', videoCodecOut: 'hevc', protocol: 'hls', height: 2160, inputPath: `${MOVIES}/C/C.mkv` },
    { fallback: ['workers-full', noWorker('gpu-box answered full or stopping (HTTP 503: full)')], firstSegmentMs: 1500, durationMs: 900_000, ending: ok }],
  ['s05', { kind: vt, videoCodecIn: 'hevc', videoCodecOut: 'libx264', android: true, protocol: 'hls', height: 1080, toneMapping: true, inputPath: '/mnt/archive/4k/D/D.mkv' },
    { fallback: ['worker-refused', noWorker('gpu-box refused the job (HTTP 403: input outside mediaRoots)')], worker: 'gpu-box', firstSegmentMs: 2500, durationMs: 1_800_000, ending: ok }],
  ['s06', { kind: vt, videoCodecIn: 'h264', videoCodecOut: 'libx264', android: true, protocol: 'hls', height: 720, inputPath: '/data/media/tv/Show/S01E02.mkv' },
    { fallback: ['no-healthy-worker', noWorker('gpu-box no answer within 500 ms')], firstSegmentMs: 4000 }],
  ['s07', { kind: vt, videoCodecIn: 'mpeg2video', videoCodecOut: 'libx264', protocol: 'dash', height: 720, inputPath: 'http://127.0.0.1:32400/livetv/sessions/x/stream.ts' },
    { decision: 'local', reason: 'input is a Plex loopback URL', firstSegmentMs: 800, durationMs: 3_600_000, ending: ok }],
  ['s08', { kind: 'remux', videoCodecIn: 'h264', videoCodecOut: 'copy', protocol: 'dash', inputPath: `${MOVIES}/A/A.mkv` },
    { decision: 'local', reason: 'not worth moving: remux', firstSegmentMs: 500, durationMs: 2_400_000, ending: plexStop(false) }],
  ['s09', { kind: 'audio-only', audioCodecIn: 'flac', audioCodecOut: 'libmp3lame', protocol: 'pipe', container: 'mp3', inputPath: '/data/media/music/x.flac' },
    { decision: 'local', reason: 'not worth moving: audio-only', durationMs: 200_000, ending: ok }],
  ['s10', { kind: 'detection', videoCodecIn: 'h264', protocol: 'pipe', container: 'chromaprint', inputPath: `${MOVIES}/A/A.mkv` },
    { decision: 'local', reason: 'not worth moving: detection', durationMs: 60_000, ending: ok }],
  ['s11', { kind: 'capability-query', protocol: 'none' }, { decision: 'local', reason: 'pass-through', durationMs: 100, ending: ok }],
  ['s12', { kind: 'unknown', protocol: 'none' }, { decision: 'local', reason: 'pass-through', durationMs: 2000, ending: ok }],
  ['s13', { kind: 'optimize', videoCodecIn: 'h264', videoCodecOut: 'libx264', protocol: 'file', height: 1080, inputPath: `${MOVIES}/B/B.mkv` },
    { decision: 'remote', worker: 'gpu-box', durationMs: 1_000_000, ending: ok }],
  ['s14', { kind: vt, videoCodecIn: 'h264', videoCodecOut: 'libx264', protocol: 'hls', height: 1080, inputPath: `${MOVIES}/A/A.mkv` }, {}],
  ['s15', { kind: vt, videoCodecIn: 'h264', videoCodecOut: 'libx264', android: true, protocol: 'hls', height: 720, inputPath: 'https://iptv.example.com/live/1.m3u8' },
    { decision: 'local', reason: 'network input', firstSegmentMs: 600, durationMs: 100_000, ending: ok }],
  ['s16', { kind: vt, videoCodecIn: 'h264', videoCodecOut: 'libx264', android: true, protocol: 'hls', height: 720, inputPath: '/data/media/tv/Show/S01E03.mkv' },
    { decision: 'local', reason: 'all workers busy', firstSegmentMs: 700, durationMs: 400_000, ending: ok }],
];

const CALLBACK = 'http://127.0.0.1:32400/video/:/transcode/session';
const HLS = ['-segment_format', 'mpegts', '-f', 'ssegment', '-individual_header_trailer', '0', '-flags', '+global_header', '-segment_header_filename', 'header', '-segment_time', '1', '-segment_list_type', 'csv', '-segment_list_size', '5'];
const DASH = ['-f', 'dash', '-seg_duration', '1', '-dash_segment_type', 'mp4', '-init_seg_name', 'init-stream$RepresentationID$.m4s', '-media_seg_name', 'chunk-stream$RepresentationID$-$Number%05d$.m4s', '-window_size', '5'];

/** A command line of Plex's shape that says `facts` (session `session`). */
function argvFor(facts: Facts, session: string): string[] {
  const { kind, videoCodecIn: vin, videoCodecOut: vout, audioCodecIn: ain, audioCodecOut: aout, height, protocol, inputPath } = facts;
  const tail = ['-start_at_zero', '-copyts', '-y', '-nostats', '-loglevel', 'quiet', '-loglevel_plex', 'error', '-progressurl', `${CALLBACK}/${session}/progress`];
  if (kind === 'capability-query') return ['-hide_banner', '-encoders'];
  if (kind === 'unknown') return ['-hide_banner', '-loglevel', 'error'];
  const decoders = [...(vin ? ['-codec:0', vin] : []), ...(ain && kind !== 'audio-only' ? ['-codec:1', ain] : []), ...(kind === 'audio-only' ? ['-codec:0', ain as string] : [])];
  const input = [...decoders, '-analyzeduration', '20000000', '-probesize', '20000000', '-i', inputPath as string];
  if (kind === 'audio-only') return [...input, '-map', '0:0', '-codec:0', aout as string, '-b:0', '320k', '-f', 'mp3', ...tail, 'pipe:1'];
  if (kind === 'detection') return [...input, '-map', '0:1', '-ac', '1', '-ar', '22050', '-f', 'chromaprint', '-fp_format', 'raw', ...tail, 'pipe:1'];
  let video: string[];
  if (vout === 'copy') video = ['-map', '0:0', '-codec:0', 'copy'];
  else {
    const width = Math.round(((height ?? 1080) * 16) / 9 / 2) * 2;
    const graph = `[0:0]scale=w=${width}:h=${height}:force_divisible_by=4[0]${facts.toneMapping ? ';[0]tonemap_opencl=tonemap=hable:desat=0:format=nv12[t]' : ''}${facts.subtitleBurnIn ? ';[0]inlineass=file=sub.ass:font_scale=1[s]' : ''}`;
    video = ['-filter_complex', graph, '-map', '[0]', '-codec:0', vout as string, '-maxrate:0', '4000k', '-bufsize:0', '8000k'];
  }
  const audio = aout ? ['-map', '0:1', '-codec:1', aout, '-b:1', '256k'] : [];
  const output = protocol === 'file' ? ['-f', 'matroska', `/data/media/movies/Plex Versions/Optimized for TV/${session}.mkv`]
    : protocol === 'dash' ? [...DASH, '-manifest_name', `${CALLBACK}/${session}/manifest`, 'dash']
    : [...HLS, '-segment_list', `${CALLBACK}/${session}/manifest`, 'media-%05d.ts'];
  return [...input, ...video, ...audio, ...output, ...tail];
}

/** The columns the table states, with their value when it does not (none). */
const STATED = { videoCodecIn: null, videoCodecOut: null, audioCodecIn: null, audioCodecOut: null, height: null, protocol: null, subtitleBurnIn: false, subtitleKind: null, toneMapping: false, inputPath: null } as const;

/** When session `id` starts. */
export function startOf(id: string): number {
  return id === 's14' ? T0 + 10 * 86_400_000 : T0 + Number(id.slice(1)) * 60_000;
}

/** Writes the fixture (sessions, three events, two workers' last-known capabilities) to `dir/sessions.db`. */
export async function writeFixture(dir: string, options: { capabilities?: boolean } = {}): Promise<string> {
  const path = join(dir, 'sessions.db');
  for (const [id, { android, ...facts }, end] of FIXTURE) {
    const startedAt = startOf(id);
    const session = android ? '875a95c7bc0072ef-com-plexapp-android' : 'b54ca799-9a71-4d71-b4a7-03099f095c57';
    const cwd = `/transcode/Sessions/plex-transcode-${session}-26836fd9-9a79-4de7-b7c1-${id.slice(1).padStart(12, '0')}`;
    const argv = argvFor(facts, session);
    const start = sessionStartRow(id, startedAt, argv, { PATH: '/usr/bin:/bin', X_PLEX_TOKEN: 'x' }, cwd, parsePlexArgv(argv));
    const expected: Record<string, unknown> = { ...STATED, ...facts };
    for (const [field, value] of Object.entries(expected)) {
      const found = (start as unknown as Record<string, unknown>)[field];
      if (found !== value) throw new Error(`fixture ${id}: the cartridge records ${field} ${JSON.stringify(found)} for its argv, the table says ${JSON.stringify(value)}`);
    }
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
