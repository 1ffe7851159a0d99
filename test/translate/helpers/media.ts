// Test media for the translation suite, generated once per machine with lavfi (cached in tmpdir).
// Used until the shared harness (test/harness) provides ensureTestMedia() for these shapes.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DIR = join(tmpdir(), 'plexbeam-translate-media-v2');

const SRT = `1\n00:00:00,200 --> 00:00:05,000\nHello, subtitles [burn-in]\n\n2\n00:00:05,500 --> 00:00:11,000\nSecond line\n`;

const HDR = ['-color_primaries', 'bt2020', '-color_trc', 'smpte2084', '-colorspace', 'bt2020nc'];
const x265 = ['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error:keyint=24'];
const surround = ['-filter_complex', '[1:a]pan=5.1|c0=c0|c1=c0|c2=c0|c3=c0|c4=c0|c5=c0[a]', '-map', '0:v', '-map', '[a]'];

/** Each file: ffmpeg arguments after the lavfi inputs (video, audio, sidecar subtitles). */
const RECIPES: Record<string, (s: number) => string[]> = {
  // HEVC Main10 HDR10 + EAC3 5.1 + SRT stream: stands in for Plex's AV1/HEVC 10-bit HDR sources.
  hdr: () => [...surround, '-map', '2:s', ...x265, '-pix_fmt', 'yuv420p10le', ...HDR, '-c:a', 'eac3', '-b:a', '384k', '-c:s', 'srt'],
  // HEVC Main10 SDR + EAC3 5.1 + ASS stream (direct-stream sample 06).
  hevcass: () => [...surround, '-map', '2:s', ...x265, '-pix_fmt', 'yuv420p10le', '-c:a', 'eac3', '-b:a', '384k', '-c:s', 'ass'],
  // H.264 High 8-bit + AAC stereo + ASS stream (11, 12).
  h264ass: () => ['-map', '0:v', '-map', '1:a', '-map', '2:s', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '48', '-c:a', 'aac', '-c:s', 'ass'],
  // H.264 + DTS 5.1 (2016 sample 16).
  h264dts: () => [...surround, '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '48', '-c:a', 'dca', '-strict', '-2'],
  // AV1 8-bit + EAC3 stereo (software AV1 samples 04, 18, 19).
  av1: () => ['-map', '0:v', '-map', '1:a', '-c:v', 'libsvtav1', '-preset', '12', '-g', '24', '-pix_fmt', 'yuv420p', '-c:a', 'eac3', '-ac', '2'],
  // MPEG-TS H.264 + AAC served over HTTP (live sample 17).
  ts: () => ['-map', '0:v', '-map', '1:a', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '48', '-c:a', 'aac', '-f', 'mpegts'],
};

/** Path of test media `kind` lasting `seconds`, created on first use. */
export function testMedia(kind: keyof typeof RECIPES, seconds: number): string {
  mkdirSync(DIR, { recursive: true });
  const srt = join(DIR, 'sub.srt');
  if (!existsSync(srt)) writeFileSync(srt, SRT);
  const file = join(DIR, `${kind}-${seconds}s.${kind === 'ts' ? 'ts' : 'mkv'}`);
  if (existsSync(file)) return file;
  const recipe = RECIPES[kind];
  if (!recipe) throw new Error(`unknown media ${kind}`);
  const tmp = `${file}.tmp-${process.pid}`;
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=24:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}:sample_rate=48000`,
    '-i', srt, ...recipe(seconds), '-f', kind === 'ts' ? 'mpegts' : 'matroska', tmp]);
  renameSync(tmp, file);
  return file;
}

/** The sidecar SRT (what PMS stages as temp-0.srt). */
export function testSrt(): string {
  testMedia('h264ass', 4);
  return join(DIR, 'sub.srt');
}
