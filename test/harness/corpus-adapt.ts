/** Makes a corpus argv runnable here: test media in, outputs in the session dir, callbacks to the fake PMS. */
import { copyFileSync, mkdirSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative } from 'node:path';
import { MEDIA_ROUTE } from './fake-pms.ts';
import { ffmpegArgvIo, type ArgvInput } from './ffmpeg-argv-io.ts';
import type { MediaKey } from './media-recipes.ts';
import type { TestMedia } from './media.ts';

export interface AdaptOptions {
  media: TestMedia;
  /** The transcode's working directory (created if missing); sidecars and absolute outputs go here. */
  sessionDir: string;
  /** The fake PMS (`http://127.0.0.1:<port>`); start it with `mediaDir: media.dir` for live inputs. */
  pmsUrl: string;
  /** Seeks past this many seconds move here, to fit the 10 s media (default 4). */
  seekTo?: number;
}

const URL_RE = /\bhttps?:\/\/(\[[^\]]*\]|[^/:\s'"?]+)(?::(\d+))?/g;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const SESSION_PREFIX_RE = /\/[^\s'"]*\/Transcode\/Sessions\/plex-transcode-[^/\s'"]+/g;
const SIDECARS: Record<string, MediaKey> = { '.srt': 'srt', '.ass': 'ass', '.ssa': 'ass' };

/**
 * A copy of a corpus `argv` that runs against the harness: each `-i` points at the test medium
 * of the most similar codecs (decoder hints win over the file name), a sidecar subtitle is copied
 * into the session dir under its own name, an HTTP input becomes the fake PMS serving the live
 * `.ts`, Plex's URLs (`127.0.0.1:32400`, `localhost:32400`, and any non-loopback host) become
 * `pmsUrl`, and absolute outputs move under the session dir keeping their path. Relative outputs
 * stay relative (ffmpeg runs with cwd = sessionDir). A seek beyond `seekTo` (Plex seeks into
 * films, 1816 s in sample 02) becomes `seekTo`, with `-segment_start_number`/`-skip_to_segment`
 * scaled to match. Everything else stays as Plex wrote it.
 */
export function adaptCorpusArgv(argv: readonly string[], opts: AdaptOptions): string[] {
  mkdirSync(opts.sessionDir, { recursive: true });
  const out = argv.map((arg) => rehomeUrls(arg, opts.pmsUrl).replace(SESSION_PREFIX_RE, opts.sessionDir));
  const { inputs, outputs } = ffmpegArgvIo(argv);
  for (const input of inputs) out[input.index] = adaptInput(input, opts);
  for (const { index, value } of outputs) {
    if (!isAbsolute(value)) continue;
    const moved = join(opts.sessionDir, relative('/', value));
    mkdirSync(dirname(moved), { recursive: true });
    out[index] = moved;
  }
  scaleSeek(out, opts.seekTo ?? 4);
  return out;
}

/** Moves seeks past `seekTo` to it, and the segment numbers Plex derived from them. */
function scaleSeek(argv: string[], seekTo: number): void {
  let from: number | undefined;
  argv.forEach((arg, i) => {
    const value = Number(argv[i + 1]);
    if (arg !== '-ss' || !(value > seekTo)) return;
    from = value;
    argv[i + 1] = String(seekTo);
  });
  if (from === undefined) return;
  const valueOf = (name: string) => Number(argv[argv.indexOf(name) + 1]);
  const renumber = (name: string, length: number, offset: number) => {
    const at = argv.indexOf(name) + 1;
    if (at === 0 || !(length > 0) || Math.abs(Number(argv[at]) - ((from as number) / length + offset)) > 1.5) return;
    argv[at] = String(Math.round(seekTo / length) + offset);
  };
  renumber('-segment_start_number', valueOf('-segment_time'), 0);
  renumber('-skip_to_segment', valueOf('-seg_duration'), 1);
}

/** `arg` with every Plex or non-loopback URL origin replaced by `pmsUrl`. */
export function rehomeUrls(arg: string, pmsUrl: string): string {
  return arg.replace(URL_RE, (origin, host: string, port: string | undefined) =>
    LOOPBACK.has(host.toLowerCase()) && port !== '32400' ? origin : pmsUrl);
}

function adaptInput(input: ArgvInput, opts: AdaptOptions): string {
  const sidecar = SIDECARS[extname(input.value).toLowerCase()];
  if (sidecar !== undefined) {
    const target = join(opts.sessionDir, basename(input.value));
    copyFileSync(opts.media.files[sidecar].path, target);
    return target;
  }
  if (/^[a-z]+:\/\//i.test(input.value)) return `${opts.pmsUrl}${MEDIA_ROUTE}${opts.media.files.liveTs.file}`;
  return opts.media.files[pickMedium(input)].path;
}

/** The test medium most like a Plex input, from its decoder hints, else its file name. */
export function pickMedium(input: ArgvInput): MediaKey {
  const hint = (spec: string[]) => spec.map((s) => input.options.get(`codec:${s}`) ?? input.options.get(`c:${s}`)).find(Boolean) ?? '';
  const name = basename(input.value);
  const video = hint(['0', 'v']) || name;
  const audio = hint(['1', 'a']) || name;
  if (/av1|dav1d/i.test(video)) return 'av1Eac3';
  if (/hevc|h\.?265|x265/i.test(video)) return /10bit|main10|hdr|eac3/i.test(name + audio) ? 'hevc10Eac3' : 'hevc8Ac3';
  if (/dca|dts/i.test(audio)) return 'h264Dts';
  if (/1080p/i.test(name)) return 'h264Fhd';
  return 'h264Aac';
}
