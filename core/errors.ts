/** PlexBeam's one error type: a stable code, a message for people, and the exit code to use. */

/** Every error code PlexBeam throws; docs/ERRORS.md documents each (a test keeps them in sync). */
export const ERROR_CODES = [
  'CONFIG_NOT_FOUND',
  'CONFIG_INVALID_JSON',
  'CONFIG_INVALID',
  'USAGE',
  'NOT_IMPLEMENTED',
  'SESSION_LOG',
  'SESSION_NOT_FOUND',
  'IO',
  'WORKER_BAD_REQUEST',
  'WORKER_UNAUTHORIZED',
  'WORKER_FORBIDDEN',
  'WORKER_NOT_FOUND',
  'WORKER_TOO_LARGE',
  'WORKER_BUSY',
  'WORKER_LISTEN',
  'CONFINEMENT_UNAVAILABLE',
  'JOB_CANCELLED',
  'JOB_TIMEOUT',
  'JOB_STALLED',
  'JOB_LINK_LOST',
  'LIBRARY_DISK_FULL',
  'WORKER_DRAINING',
  'FFMPEG_FAILED',
  'TRANSLATE_UNSUPPORTED',
  'DEMO_FAILED',
  'PLEX_DIR_MISSING',
  'TRANSCODER_MISSING',
  'CARTRIDGE_BROKEN',
  'CARTRIDGE_BUSY',
  'PERMISSION_DENIED',
  'SHAPER_TC',
  'SHAPER_INTERFACE',
  'SHAPER_TOKEN',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Exit codes of the CLI and daemons, as SPEC says. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Codes that mean "the user asked for something malformed": exit 2 unless told otherwise. */
const USAGE_CODES: ReadonlySet<ErrorCode> = new Set(['CONFIG_NOT_FOUND', 'CONFIG_INVALID_JSON', 'CONFIG_INVALID', 'USAGE']);

export interface PlexBeamErrorOptions {
  exitCode?: number;
  cause?: unknown;
}

/** A failure PlexBeam knows how to explain; main.ts maps it to `exitCode`. */
export class PlexBeamError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, options: PlexBeamErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PlexBeamError';
    this.code = code;
    this.exitCode = options.exitCode ?? (USAGE_CODES.has(code) ? EXIT_USAGE : EXIT_FAILURE);
  }
}

/** Describes a value for "expected X, got `y` (type)" messages. */
export function describeValue(value: unknown): string {
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  let shown: string;
  try {
    shown = JSON.stringify(value) ?? String(value);
  } catch {
    shown = String(value);
  }
  if (shown.length > 60) shown = `${shown.slice(0, 57)}...`;
  return `\`${shown}\` (${type})`;
}

/** True when `error` is a PlexBeamError (optionally with the given code). */
export function isPlexBeamError(error: unknown, code?: ErrorCode): error is PlexBeamError {
  return error instanceof PlexBeamError && (code === undefined || error.code === code);
}
