/** ffprobe on the Plex side: a file's container, streams, chapters and duration, as the library compares them. */
import { spawn } from 'node:child_process';
import { PlexBeamError } from '../core/errors.ts';
import type { LibraryStream } from '../core/session-log/library-store.ts';

/** What ffprobe says of one media file. */
export interface MediaReport {
  /** ffprobe's format_name (`matroska,webm`, `mov,mp4,m4a,3gp,3g2,mj2` …). */
  container: string | null;
  durationS: number | null;
  /** Bits per second of the whole file. */
  bitrate: number | null;
  streams: LibraryStream[];
  /** The first video stream that is not a cover picture. */
  video: { codec: string; width: number | null; height: number | null; fps: number | null; bitrate: number | null } | null;
  /** Sum of the audio streams' bitrates where known, bits per second. */
  audioBitrate: number;
  /** Chapter start times, seconds. */
  chapters: number[];
}

/** The programs the library runs; `ffmpeg`/`ffprobe` from PATH unless `PLEXBEAM_FFMPEG`/`PLEXBEAM_FFPROBE` name others. */
export const tools = {
  ffprobe: process.env.PLEXBEAM_FFPROBE || 'ffprobe',
  ffmpeg: process.env.PLEXBEAM_FFMPEG || 'ffmpeg',
};

/** Runs `file` with `args`; resolves with its exit code, stdout and the last 64 KiB of stderr. */
export function runTool(file: string, args: readonly string[], signal?: AbortSignal): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (err = (err + chunk.toString('utf8')).slice(-65_536)));
    child.on('error', (error) => reject(new PlexBeamError('IO', `cannot run ${file}: ${error.message}`, { cause: error })));
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: err }));
  });
}

const num = (value: unknown): number | null => {
  const n = typeof value === 'string' ? Number(value) : typeof value === 'number' ? value : Number.NaN;
  return Number.isFinite(n) ? n : null;
};

/** Probes `path`; throws PlexBeamError('IO') saying why when ffprobe cannot read it. */
export async function probeMedia(path: string, signal?: AbortSignal): Promise<MediaReport> {
  const run = await runTool(tools.ffprobe, ['-v', 'error', '-of', 'json', '-show_format', '-show_streams', '-show_chapters', '--', path], signal);
  if (run.code !== 0) {
    // ffprobe starts its message with the path (`/m/a.mkv: Invalid data …`): said once, by us.
    const last = (run.stderr.trim().split('\n').pop() ?? '').replace(`${path}: `, '');
    throw new PlexBeamError('IO', `ffprobe cannot read ${path}: ${last || `exit ${run.code}`}`);
  }
  return readProbeJson(run.stdout);
}

/** Reads ffprobe's `-of json -show_format -show_streams -show_chapters` output. */
export function readProbeJson(text: string): MediaReport {
  const json = JSON.parse(text) as { format?: Record<string, unknown>; streams?: Record<string, any>[]; chapters?: Record<string, unknown>[] };
  const raw = json.streams ?? [];
  const streams: LibraryStream[] = raw.map((s, i) => ({
    index: typeof s.index === 'number' ? s.index : i,
    type: String(s.codec_type ?? 'unknown'),
    codec: typeof s.codec_name === 'string' ? s.codec_name : null,
    language: typeof s.tags?.language === 'string' ? s.tags.language : null,
    channels: typeof s.channels === 'number' ? s.channels : null,
  }));
  const main = raw.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  const rate = typeof main?.avg_frame_rate === 'string' ? main.avg_frame_rate.split('/').map(Number) : [];
  const fps = rate.length === 2 && rate[1] ? (rate[0] as number) / (rate[1] as number) : null;
  return {
    container: typeof json.format?.format_name === 'string' ? json.format.format_name : null,
    durationS: num(json.format?.duration),
    bitrate: num(json.format?.bit_rate),
    streams,
    video: main === undefined ? null : { codec: String(main.codec_name ?? 'unknown'), width: num(main.width), height: num(main.height), fps: fps !== null && Number.isFinite(fps) && fps > 0 ? fps : null, bitrate: num(main.bit_rate) },
    audioBitrate: raw.filter((s) => s.codec_type === 'audio').reduce((sum, s) => sum + (num(s.bit_rate) ?? 0), 0),
    chapters: (json.chapters ?? []).map((c) => num(c.start_time) ?? 0),
  };
}
