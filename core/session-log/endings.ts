/**
 * Why a session ended and why one fell back: closed sets the cartridge records (columns
 * `ended_by` and `fallback_reason`, migration 3) and `plexbeam analyze` reads. docs/ANALYZE.md
 * lists them; adding a value means adding it here, with its text.
 */

/**
 * How a session ended. `exit`: the transcode ran to its own end (exit code and signal as the
 * transcoder's); `plex-stop`: Plex signalled the cartridge (SIGTERM/SIGINT/SIGHUP: a stop or a
 * seek, not a failure); `worker-lost`: the worker went away mid-transcode; `not-run`: nothing
 * ran (no worker took it and fallbackToLocal is false); `start-failed`: Plex's transcoder could
 * not be started; `error`: the job failed on the worker before any output (or its link never
 * opened) and fallbackToLocal is false.
 */
export type EndedBy = 'exit' | 'plex-stop' | 'worker-lost' | 'not-run' | 'start-failed' | 'error';

/** Every EndedBy value, with what it means to a user. */
export const ENDED_BY_TEXT: Readonly<Record<EndedBy, string>> = {
  exit: 'the transcode ran to its end',
  'plex-stop': 'Plex stopped it (playback stopped, seek, or quality change)',
  'worker-lost': 'the worker went away mid-transcode',
  'not-run': 'nothing ran: no worker took it and fallbackToLocal is false',
  'start-failed': "Plex's transcoder could not be started",
  error: 'the job failed on the worker before any output and fallbackToLocal is false',
};

/** The EndedBy values, in the order above. */
export const ENDED_BY_VALUES = Object.keys(ENDED_BY_TEXT) as EndedBy[];

/** Why a job that wanted a worker ran on Plex's own transcoder (decision `fallback`). */
export type FallbackReason =
  | 'no-worker-configured'
  | 'no-healthy-worker'
  | 'workers-full'
  | 'cannot-encode'
  | 'worker-refused'
  | 'dispatch-failed'
  | 'link-failed'
  | 'failed-before-output';

/** Every FallbackReason, with what it means to a user. */
export const FALLBACK_REASON_TEXT: Readonly<Record<FallbackReason, string>> = {
  'no-worker-configured': '`workers` is empty',
  'no-healthy-worker': 'no worker answered its health check in time (down, unreachable or slow)',
  'workers-full': 'every worker that could take it was full',
  'cannot-encode': "no worker's probed encoders produce the requested codec",
  'worker-refused': 'a worker refused the job (HTTP 403 or another answer: input outside its roots, bad API key …)',
  'dispatch-failed': 'sending the job to the worker failed',
  'link-failed': "the worker accepted the job but its link failed before anything reached Plex",
  'failed-before-output': 'the job failed on the worker after it was accepted, before any output',
};

/** The FallbackReason values, in the order above. */
export const FALLBACK_REASON_VALUES = Object.keys(FALLBACK_REASON_TEXT) as FallbackReason[];

/** True when `value` is a FallbackReason. */
export function isFallbackReason(value: unknown): value is FallbackReason {
  return typeof value === 'string' && Object.hasOwn(FALLBACK_REASON_TEXT, value);
}
