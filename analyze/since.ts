/** Parses `--since`: an ISO 8601 date or date-time, validated strictly. */
import { PlexBeamError, describeValue } from '../core/errors.ts';

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * The time `--since` names, in ms since the epoch; null when absent. A date alone means local
 * midnight and a date-time without an offset local time, as `date` and `journalctl --since`
 * read them. Throws USAGE (exit 2) for anything else, impossible dates included.
 */
export function parseSince(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  const match = typeof value === 'string' ? ISO.exec(value.trim()) : null;
  if (match === null) throw invalid(value);
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const millis = Number((match[7] ?? '0').slice(0, 3).padEnd(3, '0'));
  const offset = match[8];
  // Date quietly turns 2025-02-30 into March 2nd: check the calendar fields survive.
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) throw invalid(value);
  if (offset === undefined) return new Date(year, month - 1, day, hour, minute, second, millis).getTime();
  const sign = offset.startsWith('-') ? -1 : 1;
  const offsetMinutes = offset.toUpperCase() === 'Z' ? 0 : Number(offset.slice(1, 3)) * 60 + Number(offset.slice(-2));
  if (offsetMinutes > 18 * 60) throw invalid(value);
  return Date.UTC(year, month - 1, day, hour, minute, second, millis) - sign * offsetMinutes * 60_000;
}

function invalid(value: unknown): PlexBeamError {
  return new PlexBeamError('USAGE', `--since: expected an ISO 8601 date or date-time such as 2025-01-31 or 2025-01-31T18:00:00Z, got ${describeValue(value)}`);
}
