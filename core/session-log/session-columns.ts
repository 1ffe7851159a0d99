/** How SessionStart/SessionRow fields map to the `sessions` table's columns, and back. */
import type { SessionFacts, SessionPatch, SessionRow, SessionStart } from './types.ts';

/** The columns `updateSession` may set: the allow-list, keyed by their TypeScript name. */
export const PATCH_COLUMNS = {
  decision: 'decision',
  reason: 'reason',
  fallbackReason: 'fallback_reason',
  worker: 'worker',
  dispatchAt: 'dispatch_at',
  firstSegmentAt: 'first_segment_at',
  endedAt: 'ended_at',
  exitCode: 'exit_code',
  signal: 'signal',
  endedBy: 'ended_by',
  error: 'error',
  storage: 'storage',
  storageReason: 'storage_reason',
} as const satisfies Record<keyof SessionPatch, string>;

const FACT_COLUMNS = {
  pattern: 'pattern',
  patternId: 'pattern_id',
  inputPath: 'input_path',
  videoCodecIn: 'video_codec_in',
  videoCodecOut: 'video_codec_out',
  audioCodecIn: 'audio_codec_in',
  audioCodecOut: 'audio_codec_out',
  width: 'width',
  height: 'height',
  videoBitrate: 'video_bitrate',
  audioBitrate: 'audio_bitrate',
  container: 'container',
  protocol: 'protocol',
  subtitleBurnIn: 'subtitle_burn_in',
  subtitleKind: 'subtitle_kind',
  toneMapping: 'tone_mapping',
  hwDecode: 'hw_decode',
  seekS: 'seek_s',
  client: 'client',
  facts: 'facts',
} as const satisfies Record<keyof SessionFacts, string>;

/** Every column of `sessions`, keyed by its SessionRow field. */
export const SESSION_COLUMNS = {
  id: 'id',
  startedAt: 'started_at',
  argv: 'argv',
  envNames: 'env_names',
  cwd: 'cwd',
  kind: 'kind',
  ...FACT_COLUMNS,
  ...PATCH_COLUMNS,
} as const satisfies Record<keyof SessionRow, string>;

const JSON_FIELDS = new Set<string>(['argv', 'envNames', 'facts']);
const BOOLEAN_FIELDS = new Set<string>(['subtitleBurnIn', 'toneMapping']);

/** `SELECT` list that renames every column to its SessionRow field. */
export const SESSION_SELECT = Object.entries(SESSION_COLUMNS)
  .map(([field, column]) => `${column} AS "${field}"`)
  .join(', ');

/** Named parameters (`@column`) for inserting `start`; absent fields become NULL. */
export function toInsertParams(start: SessionStart): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(SESSION_COLUMNS)) {
    params[column] = toSqlValue(field, (start as unknown as Record<string, unknown>)[field]);
  }
  return params;
}

/** Converts one field's value for SQLite: JSON text, 0/1 for booleans, NULL for undefined. */
export function toSqlValue(field: string, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (JSON_FIELDS.has(field)) return JSON.stringify(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

/** Turns a row selected with SESSION_SELECT into a SessionRow (parses JSON, restores booleans). */
export function fromSqlRow(raw: Record<string, unknown>): SessionRow {
  const row: Record<string, unknown> = { ...raw };
  for (const field of JSON_FIELDS) row[field] = typeof raw[field] === 'string' ? JSON.parse(raw[field]) : null;
  for (const field of BOOLEAN_FIELDS) row[field] = raw[field] === null ? null : raw[field] === 1;
  return row as SessionRow;
}
