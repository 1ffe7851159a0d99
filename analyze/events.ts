/** `plexbeam analyze --events`: watchdog and version events, oldest first. */
import type { SessionLog } from '../core/session-log/index.ts';
import { isoTime } from './session-sql.ts';
import type { EventJson } from './types.ts';

/** The events since `since` (all when null), under their column names, times as ISO text. */
export function listEventRows(log: Pick<SessionLog, 'listEvents'>, since: number | null): { events: EventJson[] } {
  const rows = log.listEvents(since === null ? {} : { since });
  return {
    events: rows.map((row) => ({
      id: row.id,
      at: isoTime(row.at) as string,
      source: row.source,
      type: row.type,
      old_md5: row.oldMd5,
      new_md5: row.newMd5,
      plex_version: row.plexVersion,
      old_plex_version: row.oldPlexVersion,
      message: row.message,
      details: row.details,
    })),
  };
}
