/** Generated clips for the library tests (ffmpeg lavfi, a few seconds): H.264 or HEVC, two audio tracks, a subtitle stream, chapters and an attachment. */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ClipOptions {
  codec: 'h264' | 'hevc';
  seconds?: number;
  /** mkv (with a font attachment) or mp4. */
  container?: 'mkv' | 'mp4';
  /** Video bitrate, e.g. '3M' (high, so a re-encode saves). */
  bitrate?: string;
}

/** True when ffmpeg and ffprobe are on PATH. */
export function haveFfmpeg(): boolean {
  return spawnSync('ffmpeg', ['-version']).status === 0 && spawnSync('ffprobe', ['-version']).status === 0;
}

/** Writes a clip at `path` (its folder gets the chapters file and font it needs) and returns the path. */
export function makeClip(path: string, options: ClipOptions): string {
  const seconds = options.seconds ?? 3;
  const dir = join(path, '..');
  const meta = join(dir, `.chapters-${process.pid}.txt`);
  writeFileSync(meta, `;FFMETADATA1\ntitle=Test clip\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=${seconds * 500}\ntitle=One\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=${seconds * 500}\nEND=${seconds * 1000}\ntitle=Two\n`);
  const srt = join(dir, `.subs-${process.pid}.srt`);
  writeFileSync(srt, `1\n00:00:00,500 --> 00:00:01,500\nHello\n\n2\n00:00:01,600 --> 00:00:02,500\nWorld\n`);
  const mkv = (options.container ?? 'mkv') === 'mkv';
  const font = join(dir, `.font-${process.pid}.ttf`);
  writeFileSync(font, Buffer.alloc(2048, 7));
  const video = options.codec === 'h264'
    ? ['-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', options.bitrate ?? '4M']
    : ['-c:v', 'libx265', '-preset', 'ultrafast', '-b:v', options.bitrate ?? '4M', '-x265-params', 'log-level=error', ...(mkv ? [] : ['-tag:v', 'hvc1'])];
  const args = [
    '-hide_banner', '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=24:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}:sample_rate=48000`,
    '-f', 'lavfi', '-i', `sine=frequency=660:duration=${seconds}:sample_rate=48000`,
    '-i', srt, '-i', meta,
    '-map', '0:v', '-map', '1:a', '-map', '2:a', '-map', '3:s', '-map_metadata', '4', '-map_chapters', '4',
    ...video, '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-b:a', '96k', '-c:s', mkv ? 'srt' : 'mov_text',
    '-metadata:s:a:0', 'language=eng', '-metadata:s:a:1', 'language=fra', '-metadata:s:s:0', 'language=eng',
    ...(mkv ? ['-attach', font, '-metadata:s:t:0', 'mimetype=application/x-truetype-font', '-metadata:s:t:0', 'filename=font.ttf'] : []),
    path,
  ];
  const run = spawnSync('ffmpeg', args, { encoding: 'utf8' });
  for (const helper of [meta, srt, font]) rmSync(helper, { force: true });
  if (run.status !== 0) throw new Error(`ffmpeg could not make ${path}: ${run.stderr}`);
  return path;
}
