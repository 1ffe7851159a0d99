/** Turns SQLite failures into PlexBeamError('SESSION_LOG') messages that say what was attempted. */
import { PlexBeamError } from '../errors.ts';

/** The message of a PlexBeamError, or an SQLite error's message with its code. */
export function describeError(error: unknown): string {
  if (error instanceof PlexBeamError) return error.message;
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}

/** Runs one write; its SQLite error (busy past the timeout, disk full, constraint) becomes SESSION_LOG. */
export function writing<T>(what: string, write: () => T): T {
  try {
    return write();
  } catch (error) {
    throw new PlexBeamError('SESSION_LOG', `cannot ${what} in the session log: ${describeError(error)}`, { cause: error });
  }
}
