/**
 * The seam between the worker and the translation (docs/TRANSLATION.md): Plex's `Plex Transcoder`
 * argv in, a stock ffmpeg 5.1 argv plus what to run beside it (publishers, progress emulation) out.
 * Pure: the sandbox checks exactly what it returns before anything runs.
 */
import { PlexBeamError, isPlexBeamError } from '../../core/errors.ts';
import { translatePlexArgv } from './translate.ts';
import type { TranslateContext, TranslateResult } from './types.ts';

export type { Backend, Dropped, PostProcessDesc, ProbedInput, ProbedStream, TranslateContext, TranslateResult } from './types.ts';

/** What the worker runs for one job (an alias the worker's modules use). */
export type Translation = TranslateResult;

/** Options only the worker's runner may give ffmpeg: a translation that kept one would be refused (403). */
const RUNNER_OPTIONS = /^-(progress|nostdin|stdin)(:|$)/;

/**
 * Translates `argv` for the worker described by `ctx`. Anything the translation cannot handle is
 * a TRANSLATE_UNSUPPORTED refusal (HTTP 422), so the cartridge runs the job on Plex's transcoder.
 */
export function translate(argv: readonly string[], ctx: TranslateContext): Translation {
  let result: TranslateResult;
  try {
    result = translatePlexArgv(argv, ctx);
  } catch (error) {
    if (isPlexBeamError(error)) throw error;
    throw new PlexBeamError('TRANSLATE_UNSUPPORTED', `cannot translate this argv: ${(error as Error).message}`, { cause: error });
  }
  const leftover = result.argv.find((arg) => RUNNER_OPTIONS.test(arg));
  if (leftover !== undefined) throw new PlexBeamError('TRANSLATE_UNSUPPORTED', `the translation kept ${leftover}, which only the worker's runner may set`);
  return result;
}
