/** Is Plex playing a file right now? The session log's live sessions, and any process that has it open. */
import { readdir, readlink } from 'node:fs/promises';
import type Database from 'better-sqlite3';

/** A session with no end time older than this is a cartridge killed before it could write one (one day, as `status`). */
const LIVE_WITHIN_MS = 86_400_000;

/** True when the session log has a live session reading `path` (a transcode or remux Plex started through the cartridge). */
export function isInLiveSession(db: Database.Database, path: string, now = Date.now()): boolean {
  const row = db.prepare('SELECT 1 FROM sessions WHERE input_path = ? AND ended_at IS NULL AND started_at >= ? LIMIT 1').get(path, now - LIVE_WITHIN_MS);
  return row !== undefined;
}

/**
 * The pids (other than this one) that have `path` open, from /proc/<pid>/fd: Plex Media Server
 * reading it for a direct play, a transcoder, a backup tool. Processes this user may not look
 * into are not seen (the server runs as Plex's user, which sees Plex's own).
 */
export async function processesWithOpen(path: string): Promise<number[]> {
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid);
  const found: number[] = [];
  await Promise.all(pids.map(async (pid) => {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      if ((await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')) === path) {
        found.push(Number(pid));
        return;
      }
    }
  }));
  return found.sort((a, b) => a - b);
}

/** Why `path` must not be replaced now (`Plex is playing it …`), or null. */
export async function playingReason(db: Database.Database, path: string): Promise<string | null> {
  if (isInLiveSession(db, path)) return 'Plex is playing it (a live session in the session log)';
  const pids = await processesWithOpen(path);
  return pids.length === 0 ? null : `it is open in process ${pids.join(', ')} (Plex may be playing it)`;
}
