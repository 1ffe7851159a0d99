/**
 * Clips for the library re-encode tests, made with the real ffmpeg: a video stream, two audio
 * tracks (different codecs and languages), a subtitle stream, an attachment (MKV) and three
 * chapters; and ffprobe's view of a file, to compare an output with its source.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runTool } from '../harness/ffmpeg-tools.ts';

/** The source kinds the tests re-encode. */
export type ClipKind = 'h264-mkv' | 'hevc-mp4';

const CHAPTERS = (seconds: number) => {
  const third = Math.floor((seconds * 1000) / 3);
  const chapter = (n: number) => `[CHAPTER]\nTIMEBASE=1/1000\nSTART=${n * third}\nEND=${n === 2 ? seconds * 1000 : (n + 1) * third}\ntitle=Part ${n + 1}\n`;
  return `;FFMETADATA1\ntitle=PlexBeam library clip\n${chapter(0)}${chapter(1)}${chapter(2)}`;
};
const SRT = '1\n00:00:00,200 --> 00:00:01,000\nHello\n\n2\n00:00:01,200 --> 00:00:01,900\nWorld\n';

/**
 * Makes a `seconds`-long clip at `path`: `h264-mkv` is H.264 + AAC (eng) + AC3 (fra) + SRT + a font
 * attachment in Matroska; `hevc-mp4` is HEVC (hvc1) + AAC + AC3 + mov_text in MP4. Both have 3 chapters.
 */
export async function makeLibraryClip(path: string, kind: ClipKind, { seconds = 2, size = '256x144' } = {}): Promise<string> {
  const dir = dirname(path);
  const meta = join(dir, '.chapters.txt');
  const srt = join(dir, '.subs.srt');
  const font = join(dir, '.font.ttf');
  writeFileSync(meta, CHAPTERS(seconds));
  writeFileSync(srt, SRT);
  writeFileSync(font, 'not really a font, but an attachment all the same\n');
  const inputs = [
    '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=24:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=660:sample_rate=48000:duration=${seconds}`,
    '-i', srt, '-i', meta,
  ];
  const maps = ['-map', '0:v', '-map', '1:a', '-map', '2:a', '-map', '3:s', '-map_metadata', '4', '-map_chapters', '4'];
  const audio = ['-c:a:0', 'aac', '-b:a:0', '96k', '-c:a:1', 'ac3', '-b:a:1', '128k', '-metadata:s:a:0', 'language=eng', '-metadata:s:a:1', 'language=fra'];
  const video = kind === 'h264-mkv'
    ? ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '24']
    : ['-c:v', 'libx265', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-x265-params', 'log-level=error:keyint=24', '-tag:v', 'hvc1'];
  const rest = kind === 'h264-mkv'
    ? ['-c:s', 'srt', '-metadata:s:s:0', 'language=eng', '-attach', font, '-metadata:s:t:0', 'mimetype=application/x-truetype-font', '-metadata:s:t:0', 'filename=font.ttf']
    : ['-c:s', 'mov_text', '-metadata:s:s:0', 'language=eng'];
  await runTool('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...inputs, ...maps, ...video, ...audio, ...rest, path]);
  return path;
}

/** What the tests compare of a file: its streams (type, codec, language), chapters and duration. */
export interface ClipFacts {
  format: string;
  duration: number;
  streams: { type: string; codec: string; language: string | null; tag: string }[];
  chapters: { start: number; title: string | null }[];
}

/** ffprobe's view of `path`. */
export async function probeClip(path: string): Promise<ClipFacts> {
  const { stdout } = await runTool('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '-show_chapters', path]);
  const json = JSON.parse(stdout) as {
    format: { format_name: string; duration: string };
    streams: { codec_type: string; codec_name?: string; codec_tag_string?: string; tags?: Record<string, string> }[];
    chapters: { start_time: string; tags?: Record<string, string> }[];
  };
  return {
    format: json.format.format_name,
    duration: Number(json.format.duration),
    streams: json.streams.map((s) => ({ type: s.codec_type, codec: s.codec_name ?? '', language: s.tags?.language ?? null, tag: s.codec_tag_string ?? '' })),
    chapters: json.chapters.map((c) => ({ start: Number(Number(c.start_time).toFixed(2)), title: c.tags?.title ?? null })),
  };
}

/** A full decode of `path` with errors reported: the text ffmpeg printed (empty for a clean file). */
export async function decodeErrors(path: string): Promise<string> {
  const { stderr } = await runTool('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-i', path, '-map', '0:v', '-map', '0:a', '-f', 'null', '-']);
  return stderr.trim();
}

/** The sha256 of a file's bytes. */
export function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}
