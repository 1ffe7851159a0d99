/**
 * The session log's schema as data. Append-only: never edit a shipped migration, add one.
 * Migration N (1-based) brings `PRAGMA user_version` to N. Times are INTEGER ms since the epoch.
 */

/** Every migration, in order; MIGRATIONS[i] takes user_version from i to i + 1. */
export const MIGRATIONS: readonly string[] = [
  // 1: sessions, events, worker capabilities. `decision` is checked (SPEC fixes its three values);
  // `kind` and event types are not, because a CHECK change means rebuilding a million-row table.
  `
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    started_at INTEGER NOT NULL,
    argv TEXT NOT NULL,
    env_names TEXT NOT NULL,
    cwd TEXT NOT NULL,
    kind TEXT NOT NULL,
    pattern TEXT,
    pattern_id TEXT,
    input_path TEXT,
    video_codec_in TEXT,
    video_codec_out TEXT,
    audio_codec_in TEXT,
    audio_codec_out TEXT,
    width INTEGER,
    height INTEGER,
    video_bitrate INTEGER,
    audio_bitrate INTEGER,
    container TEXT,
    protocol TEXT,
    subtitle_burn_in INTEGER CHECK (subtitle_burn_in IN (0, 1)),
    subtitle_kind TEXT,
    tone_mapping INTEGER CHECK (tone_mapping IN (0, 1)),
    hw_decode TEXT,
    seek_s REAL,
    client TEXT,
    facts TEXT,
    decision TEXT CHECK (decision IN ('remote', 'local', 'fallback')),
    reason TEXT,
    worker TEXT,
    dispatch_at INTEGER,
    first_segment_at INTEGER,
    ended_at INTEGER,
    exit_code INTEGER,
    signal TEXT,
    error TEXT
  );
  CREATE INDEX sessions_started_at ON sessions (started_at);
  CREATE INDEX sessions_decision ON sessions (decision);
  CREATE INDEX sessions_pattern_id ON sessions (pattern_id);
  CREATE INDEX sessions_kind ON sessions (kind);

  CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    source TEXT NOT NULL,
    type TEXT NOT NULL,
    old_md5 TEXT,
    new_md5 TEXT,
    plex_version TEXT,
    old_plex_version TEXT,
    message TEXT,
    details TEXT
  );
  CREATE INDEX events_at ON events (at);

  CREATE TABLE worker_capabilities (
    worker TEXT PRIMARY KEY NOT NULL,
    seen_at INTEGER NOT NULL,
    health TEXT NOT NULL
  );
  `,
  // 2: covering indexes for `plexbeam analyze` (analyze/session-sql.ts names them). With a million
  // sessions a table scan reads gigabytes of argv; each view instead streams one GROUP BY over
  // an index whose leading columns are its group keys, so SQLite neither sorts nor visits rows.
  `
  CREATE INDEX sessions_analyze_summary ON sessions (decision, kind, worker, client, protocol, height,
    video_codec_in, video_codec_out, audio_codec_in, audio_codec_out, subtitle_burn_in, tone_mapping,
    started_at, ended_at, exit_code, signal);
  CREATE INDEX sessions_analyze_feasibility ON sessions (kind, video_codec_in, video_codec_out,
    subtitle_burn_in, tone_mapping, decision, input_path, started_at, ended_at);
  CREATE INDEX sessions_analyze_fallbacks ON sessions (reason, kind, video_codec_in, video_codec_out,
    subtitle_burn_in, tone_mapping, input_path, started_at, ended_at, decision) WHERE decision = 'fallback';
  CREATE INDEX sessions_analyze_latency ON sessions (decision, first_segment_at - started_at, started_at,
    first_segment_at) WHERE first_segment_at IS NOT NULL;
  CREATE INDEX sessions_analyze_patterns ON sessions (pattern_id, started_at, decision);
  `,
  // 3: why a session ended (`ended_by`: Plex's stop is not a failure, though ffmpeg exits 255
  // after SIGTERM) and why it fell back (`fallback_reason`, a code; `reason` keeps the detail).
  // Closed sets (core/session-log/endings.ts) without CHECK, as for `kind`. The two covering
  // indexes that read them are rebuilt with them.
  `
  ALTER TABLE sessions ADD COLUMN ended_by TEXT;
  ALTER TABLE sessions ADD COLUMN fallback_reason TEXT;
  DROP INDEX sessions_analyze_summary;
  CREATE INDEX sessions_analyze_summary ON sessions (decision, kind, worker, client, protocol, height,
    video_codec_in, video_codec_out, audio_codec_in, audio_codec_out, subtitle_burn_in, tone_mapping,
    started_at, ended_at, exit_code, signal, ended_by);
  DROP INDEX sessions_analyze_fallbacks;
  CREATE INDEX sessions_analyze_fallbacks ON sessions (fallback_reason, kind, video_codec_in, video_codec_out,
    subtitle_burn_in, tone_mapping, input_path, started_at, ended_at, decision, reason) WHERE decision = 'fallback';
  `,
  // 4: how a remote session reached Plex's files (`storage`: shared | stream, SPEC
  // `workers[].storage`) and why that mode (`storage_reason`, words). No index reads them.
  `
  ALTER TABLE sessions ADD COLUMN storage TEXT;
  ALTER TABLE sessions ADD COLUMN storage_reason TEXT;
  `,
  // 5: the library re-encode (`plexbeam library`, docs/LIBRARY.md). `library_files`: one row per
  // scanned video file (Plex-side path), what ffprobe found and the estimated saving; `state` is
  // candidate | skipped | not-worthwhile | done | failed (closed set in core/session-log/library-types.ts).
  // `library_jobs`: one row per encode, with the step it reached (the swap resumes from it after a
  // crash) and the original's identity when it was queued (size, mtime, inode, head/tail hash).
  `
  CREATE TABLE library_files (
    path TEXT PRIMARY KEY NOT NULL,
    size INTEGER NOT NULL,
    mtime_ms INTEGER NOT NULL,
    scanned_at INTEGER NOT NULL,
    container TEXT,
    codec TEXT,
    width INTEGER,
    height INTEGER,
    bitrate INTEGER,
    duration_s REAL,
    streams TEXT NOT NULL,
    chapters INTEGER NOT NULL DEFAULT 0,
    estimated_saving INTEGER NOT NULL DEFAULT 0,
    estimates TEXT NOT NULL DEFAULT '{}',
    state TEXT NOT NULL,
    reason TEXT,
    saved_bytes INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX library_files_state ON library_files (state);

  CREATE TABLE library_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    path TEXT NOT NULL,
    codec TEXT NOT NULL,
    quality INTEGER,
    min_savings REAL NOT NULL,
    keep_original INTEGER NOT NULL CHECK (keep_original IN (0, 1)),
    state TEXT NOT NULL,
    step TEXT,
    queued_at INTEGER NOT NULL,
    started_at INTEGER,
    ended_at INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    worker TEXT,
    worker_url TEXT,
    worker_job_id TEXT,
    heard_at INTEGER,
    percent REAL,
    speed REAL,
    eta_s REAL,
    original TEXT,
    tmp_path TEXT,
    encoded TEXT,
    old_size INTEGER,
    new_size INTEGER,
    saved_bytes INTEGER,
    error TEXT
  );
  CREATE INDEX library_jobs_state ON library_jobs (state);
  CREATE INDEX library_jobs_path ON library_jobs (path);
  `,
  // 6: how a library job reached the file (`storage`: shared | stream, as `sessions.storage`),
  // set when a worker takes it, cleared when it is queued again. No index reads it.
  `
  ALTER TABLE library_jobs ADD COLUMN storage TEXT;
  `,
];

/** The schema version this code reads and writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;
