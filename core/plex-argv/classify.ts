/**
 * Classifies an invocation. Rules, first match wins:
 * 1. capability-query: empty argv, or any print-and-exit option (`-version`, `-encoders`, `-h` …).
 * 2. unknown: no input or no output (ffmpeg would only print usage or an error).
 * 3. optimize: an output inside a `Plex Versions/` folder (Optimize/Convert jobs write
 *    `<lib>/Plex Versions/Optimized for …/.inProgress/…`), whether it encodes or copies.
 * 4. detection: analysis passes: an output under `…/Detection/` or `PlexCreditsDetection/`
 *    (audio fingerprint flac, credits), image outputs (thumbnails, preview images), a chromaprint
 *    output, or only `-f null` outputs (nothing is written, with or without a progress URL).
 * 5. remux: every stream of the main outputs is `copy` (no decoder or encoder runs).
 * 6. video-transcode: the main outputs carry video and something is encoded. This includes
 *    Plex's "direct stream" (video `copy`, audio transcoded, sample 06): an encoder runs and the
 *    job needs a decode/encode slot, so it is not a remux; `video.codec === 'copy'` tells it apart.
 * 7. audio-only: no video stream but an audio one (music, audio extraction).
 * 8. unknown otherwise (e.g. subtitle-only conversions).
 */
import type { InvocationKind } from './fact-types.ts';
import { isImageFormat } from './output-streams.ts';
import { mainOutputs } from './outputs.ts';
import type { TokenizedArgv } from './tokenize.ts';
import type { PlexInput, PlexOutput } from './types.ts';

const PLEX_VERSIONS = /(^|[\\/])Plex Versions[\\/]/;
const DETECTION_DIR = /(^|[\\/])(Detection|PlexCreditsDetection)[\\/]/;

/** The kind of job an invocation is (rules above). */
export function classifyInvocation(
  argv: readonly string[],
  tokens: TokenizedArgv,
  inputs: readonly PlexInput[],
  outputs: readonly PlexOutput[],
): InvocationKind {
  if (argv.length === 0 || tokens.exitOption !== null) return 'capability-query';
  if (inputs.length === 0 || outputs.length === 0) return 'unknown';
  if (outputs.some((o) => PLEX_VERSIONS.test(o.target))) return 'optimize';
  const main = mainOutputs(outputs);
  if (
    outputs.some((o) => DETECTION_DIR.test(o.target)) ||
    main.every((o) => o.isNullSink) ||
    main.some((o) => isImageFormat(o.format) || o.format === 'chromaprint')
  ) {
    return 'detection';
  }
  const streams = main.flatMap((o) => o.streams);
  if (streams.length === 0) return 'unknown';
  if (streams.every((s) => s.codec === 'copy')) return 'remux';
  if (streams.some((s) => s.kind === 'video')) return 'video-transcode';
  if (streams.some((s) => s.kind === 'audio')) return 'audio-only';
  return 'unknown';
}
