/**
 * Translates Plex's ffmpeg argv to stock ffmpeg. For now only the seam: it drops the obvious
 * Plex-private options so simple argv run (corpus/PLEX-PRIVATE-FLAGS.md); issue 4 owns the rest
 * (DASH/segment emulation, inlineass, EAE, Plex's progress PUTs, encoder substitution).
 */
import { isFlagOption } from '../sandbox/option-rules.ts';

export interface TranslateContext {
  /** The worker's probed hardware path and its working encoders. */
  backend: 'nvenc' | 'qsv' | 'vaapi' | 'software';
  encoders: readonly string[];
  /** Rewrites a loopback callback URL to the worker's capture server (the sandbox does it after, if not). */
  callbackBase?: (url: string) => string;
}

/** An option the translation removed, for the job's log line. */
export interface Dropped {
  option: string;
  value: string | null;
  reason: string;
}

export interface Translation {
  /** ffmpeg's argv; without `-progress`/`-nostdin`, which the worker adds (and refuses from anyone else). */
  argv: string[];
  /** Plex's `-progressurl` (removed): where Plex expects progress PUTs, for the worker to produce. */
  progressUrl: string | null;
  dropped: Dropped[];
  warnings: string[];
}

/** Plex-private options (with their value) that stock ffmpeg refuses. */
const DROPPED = new Set([
  'progressurl', 'loglevel_plex', 'eae_prefix', 'map_inlineass', 'strict_ts', 'hwaccel_fallback_threshold',
  'segment_list_separate_stream_times', 'segment_list_unfinished', 'segment_copyts', 'skip_to_segment',
  'delete_removed', 'time_delta', 'manifest_name',
]);

const CODEC_OPTIONS = new Set(['codec', 'c', 'acodec']);

/** Rewrites `argv` for stock ffmpeg; pure (no I/O), so the sandbox can check exactly what will run. */
export function translate(argv: readonly string[], context: TranslateContext): Translation {
  const out: string[] = [];
  const dropped: Dropped[] = [];
  const warnings: string[] = [];
  let progressUrl: string | null = null;
  for (let index = 0; index < argv.length; index += 1) {
    const token = argv[index] as string;
    if (!token.startsWith('-') || token === '-') {
      out.push(token);
      continue;
    }
    const name = token.slice(1).split(':')[0] as string;
    if (isFlagOption(name)) {
      out.push(token);
      continue;
    }
    let value = argv[index + 1];
    index += 1;
    if (value === undefined) {
      out.push(token);
      continue;
    }
    if (DROPPED.has(name)) {
      if (name === 'progressurl') progressUrl = context.callbackBase?.(value) ?? value;
      dropped.push({ option: token, value, reason: 'Plex-private option' });
      continue;
    }
    if (name.startsWith('bsf') && value.startsWith('framedrop')) {
      dropped.push({ option: token, value, reason: 'Plex-private bitstream filter' });
      continue;
    }
    // Plex's EasyAudioEncoder codecs (`eac3_eae`) and `aac_lc` have stock namesakes.
    if (CODEC_OPTIONS.has(name) && (value.endsWith('_eae') || value === 'aac_lc')) {
      const stock = value === 'aac_lc' ? 'aac' : value.slice(0, -'_eae'.length);
      warnings.push(`${token} ${value} → ${stock}`);
      value = stock;
    }
    // Plex asks for `-loglevel quiet`; the worker needs ffmpeg's errors for its own log.
    if ((name === 'loglevel' || name === 'v') && /^(quiet|panic|fatal|-8|0|8)$/.test(value)) value = 'error';
    out.push(token, value);
  }
  return { argv: out, progressUrl, dropped, warnings };
}
