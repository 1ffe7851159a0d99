/**
 * A realistic synthetic session log, for tests and the benchmark: a mix of kinds, clients,
 * codecs, burn-in, tone-mapping, decisions with fallback reasons, workers, watchdog events.
 */
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { openSessionLog } from '../../core/session-log/index.ts';
import { pinDatabase } from '../../core/session-log/pin.ts';
import { GENERATED_COLUMNS, createRandom, createSessionDrawer } from './generate-session.ts';

/** A worker as the generated log knows it: its name in sessions and its last `/health`. */
export interface GeneratedWorker {
  name: string;
  hwaccel: string;
  encoders: string[];
}

/** What to generate. */
export interface GenerateOptions {
  rows: number;
  /** Same seed, same log (default 1). */
  seed?: number;
  /** Start of the last session, ms since the epoch (default: now). */
  endAt?: number;
  /** Days the sessions spread over (default 365). */
  days?: number;
  /** Workers (default gpu-box with NVENC, nuc with VAAPI H.264 only); [] means none configured. */
  workers?: readonly GeneratedWorker[];
  /** Called every 10,000 rows. */
  onProgress?: (done: number, total: number) => void;
}

/** What was generated, counted while generating (tests compare analyze's SQL against it). */
export interface GeneratedLog {
  path: string;
  total: number;
  byDecision: Record<string, number>;
  byKind: Record<string, number>;
  events: number;
}

const BATCH = 50;

export const DEFAULT_WORKERS: readonly GeneratedWorker[] = [
  { name: 'gpu-box', hwaccel: 'nvenc', encoders: ['h264_nvenc', 'hevc_nvenc', 'av1_nvenc'] },
  { name: 'nuc', hwaccel: 'vaapi', encoders: ['h264_vaapi'] },
];

/** Writes a fresh session log at `path` (replacing any file there) and returns its tally. */
export function generateSessionLog(path: string, options: GenerateOptions): GeneratedLog {
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  const workers = options.workers ?? DEFAULT_WORKERS;
  const endAt = options.endAt ?? Date.now();
  const spanMs = (options.days ?? 365) * 86_400_000;
  const writer = openSessionLog(path); // creates the schema exactly as the cartridge would
  const events = writeEvents(writer, endAt - spanMs, spanMs);
  for (const worker of workers) {
    writer.saveWorkerCapabilities(worker.name, { status: 'ok', version: '0.1.0', hwaccel: worker.hwaccel, encoders: worker.encoders, jobs: { running: 0, queued: 0, max: 2 } }, endAt);
  }
  writer.close();

  // Bulk load without a journal, indexes dropped and rebuilt after: a sort per index beats
  // a million scattered index updates. The file ends in WAL mode, like a real one.
  const db = pinDatabase(new Database(path));
  db.pragma('journal_mode = DELETE');
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  db.pragma('mmap_size = 8589934592'); // index rebuilds each scan the whole table: map it instead of copying pages
  const indexes = db.prepare<[], { name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'sessions' AND sql IS NOT NULL").all();
  for (const index of indexes) db.exec(`DROP INDEX ${index.name}`);
  // Many rows per INSERT: a quarter less time per row than one statement each.
  const values = (n: number) => `INSERT INTO sessions (${GENERATED_COLUMNS.join(', ')}) VALUES ${Array(n).fill(`(${GENERATED_COLUMNS.map(() => '?').join(', ')})`).join(', ')}`;
  const insertBatch = db.prepare(values(BATCH));
  const insertOne = db.prepare(values(1));
  const draw = createSessionDrawer(createRandom(options.seed ?? 1), workers.map((w) => w.name));
  const tally: GeneratedLog = { path, total: options.rows, byDecision: {}, byKind: {}, events };
  const kindAt = GENERATED_COLUMNS.indexOf('kind');
  const decisionAt = GENERATED_COLUMNS.indexOf('decision');
  const step = options.rows > 1 ? spanMs / (options.rows - 1) : 0;
  const batch: unknown[] = [];
  db.exec('BEGIN');
  for (let i = 0; i < options.rows; i += 1) {
    const row = draw(Math.round(endAt - spanMs + i * step));
    const kind = String(row[kindAt]);
    const decision = String(row[decisionAt]);
    tally.byKind[kind] = (tally.byKind[kind] ?? 0) + 1;
    tally.byDecision[decision] = (tally.byDecision[decision] ?? 0) + 1;
    if (options.rows - i < BATCH && batch.length === 0) insertOne.run(row);
    else if (batch.push(...row) === BATCH * GENERATED_COLUMNS.length) {
      insertBatch.run(batch);
      batch.length = 0;
    }
    if ((i + 1) % 10_000 === 0) options.onProgress?.(i + 1, options.rows);
  }
  db.exec('COMMIT');
  db.pragma('threads = 2');
  for (const index of indexes) db.exec(index.sql);
  db.pragma('journal_mode = WAL');
  db.close();
  return tally;
}

/** A Plex update about once a month, each followed by the watchdog restoring the shim. */
function writeEvents(log: ReturnType<typeof openSessionLog>, startAt: number, spanMs: number): number {
  const months = Math.max(1, Math.round(spanMs / (30 * 86_400_000)));
  log.recordEvent({ at: startAt - 60_000, source: 'install', type: 'shim-installed', newMd5: md5(0), plexVersion: '1.41.0.9000', message: 'the shim is installed' });
  for (let month = 1; month <= months; month += 1) {
    const at = startAt + Math.round((month - 0.5) * (spanMs / months));
    const [from, to] = [`1.41.${month - 1}.${9000 + month - 1}`, `1.41.${month}.${9000 + month}`];
    log.recordEvent({ at, source: 'watchdog', type: 'plex-updated', oldMd5: md5(month - 1), newMd5: md5(month), oldPlexVersion: from, plexVersion: to, message: `Plex ${from} → ${to} replaced the transcoder` });
    log.recordEvent({ at: at + 1200, source: 'watchdog', type: 'shim-restored', newMd5: md5(month), plexVersion: to, message: 'the shim is back; the new transcoder is Plex Transcoder.real' });
  }
  return 1 + 2 * months;
}

function md5(n: number): string {
  return (n.toString(16).padStart(4, '0') + 'b5d0e3f1c2a4978613579bdf02468ace').slice(0, 32);
}
