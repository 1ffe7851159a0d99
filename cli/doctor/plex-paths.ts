/**
 * Plex-side paths worth asking a worker about: Plex's transcode folder and library folders (from
 * Plex's own data), the media of recent sessions, and the `from` side of `worker.pathMap`. Only
 * paths that exist on this machine are sampled: a worker that cannot see them is misconfigured.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** A path as Plex sees it, and what a job does with it. */
export interface SamplePath {
  path: string;
  /** `media` is read; `transcode` is where the transcoder writes. */
  use: 'media' | 'transcode';
  /** Where doctor found it, for messages. */
  source: string;
}

export interface SamplePathOptions {
  /** Plex's data folder (holding Preferences.xml), see `plexDataDir`. */
  plexDataDir: string;
  /** `<dataDir>/sessions.db`. */
  sessionLog: string;
  pathMap: readonly { from: string }[];
  /** At most this many paths (default 20). */
  limit?: number;
}

/** Plex's data folder: `$PLEX_MEDIA_SERVER_APPLICATION_SUPPORT_DIR/Plex Media Server`, as Plex itself reads it. */
export function plexDataDir(env: NodeJS.ProcessEnv): string {
  const support = env.PLEX_MEDIA_SERVER_APPLICATION_SUPPORT_DIR || '/var/lib/plexmediaserver/Library/Application Support';
  return join(support, 'Plex Media Server');
}

/** Collects the sample paths, existing ones only, without duplicates. */
export function findSamplePaths(options: SamplePathOptions): SamplePath[] {
  const found: SamplePath[] = [
    ...transcodeFolder(options.plexDataDir),
    ...libraryFolders(options.plexDataDir),
    ...recentInputs(options.sessionLog),
    ...options.pathMap.map((entry): SamplePath => ({ path: entry.from, use: 'media', source: 'worker.pathMap' })),
  ];
  const seen = new Set<string>();
  return found
    .filter((sample) => sample.path.startsWith('/') && existsSync(sample.path) && !seen.has(sample.path) && seen.add(sample.path))
    .slice(0, options.limit ?? 20);
}

/** Plex's "Transcoder temporary directory" (Preferences.xml), else its default, `Cache/Transcode`. */
function transcodeFolder(dataDir: string): SamplePath[] {
  let preferences: string;
  try {
    preferences = readFileSync(join(dataDir, 'Preferences.xml'), 'utf8');
  } catch {
    return [];
  }
  const configured = /\bTranscoderTempDirectory="([^"]*)"/.exec(preferences)?.[1];
  if (configured !== undefined && configured !== '') {
    return [{ path: unescapeXml(configured), use: 'transcode', source: 'Plex setting TranscoderTempDirectory' }];
  }
  return [{ path: join(dataDir, 'Cache', 'Transcode'), use: 'transcode', source: "Plex's default transcode folder" }];
}

/** The folders of Plex's libraries (`section_locations` in Plex's library database). */
function libraryFolders(dataDir: string): SamplePath[] {
  const path = join(dataDir, 'Plug-in Support', 'Databases', 'com.plexapp.plugins.library.db');
  const rows = query<{ root_path: string }>(path, 'SELECT root_path FROM section_locations ORDER BY id');
  return rows.map((row) => ({ path: row.root_path, use: 'media', source: 'a Plex library folder' }));
}

/** Input files of the latest sessions in the session log. */
function recentInputs(sessionLog: string): SamplePath[] {
  const rows = query<{ input_path: string }>(
    sessionLog,
    "SELECT input_path FROM sessions WHERE input_path LIKE '/%' GROUP BY input_path ORDER BY max(started_at) DESC LIMIT 5",
  );
  return rows.map((row) => ({ path: row.input_path, use: 'media', source: 'a recent session' }));
}

/** Runs a read-only query; no file, no table or a locked file is simply no rows. */
function query<Row>(path: string, sql: string): Row[] {
  if (!existsSync(path)) return [];
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true, timeout: 1000 });
    try {
      return db.prepare(sql).all() as Row[];
    } finally {
      db.close();
    }
  } catch {
    return [];
  }
}

function unescapeXml(text: string): string {
  const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return text.replace(/&(amp|lt|gt|quot|apos);/g, (_, name: string) => entities[name] ?? '');
}
