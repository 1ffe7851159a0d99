/** Whether another user (Plex's) may write a file, judged from its owner, group and mode bits. */
import { execFile } from 'node:child_process';
import type { Stats } from 'node:fs';

/** A user's ids, as `id` reports them. */
export interface UserIds {
  name: string;
  uid: number;
  gids: number[];
}

/** The ids of `name`, or null when there is no such user. */
export function readUserIds(name: string): Promise<UserIds | null> {
  const id = (flag: string) =>
    new Promise<string | null>((resolve) => execFile('id', [flag, name], { timeout: 5000, encoding: 'utf8' }, (error, stdout) => resolve(error ? null : stdout.trim())));
  return Promise.all([id('-u'), id('-G')]).then(([uid, gids]) =>
    uid === null || gids === null ? null : { name, uid: Number(uid), gids: gids.split(/\s+/).map(Number) },
  );
}

/** True when `user` may write the file (for a folder: create files in it). */
export function mayWrite(stats: Stats, user: UserIds): boolean {
  if (user.uid === 0) return true;
  const need = stats.isDirectory() ? 0o3 : 0o2; // write, plus search for a folder
  const bits = stats.uid === user.uid ? (stats.mode >> 6) & 0o7 : user.gids.includes(stats.gid) ? (stats.mode >> 3) & 0o7 : stats.mode & 0o7;
  return (bits & need) === need;
}
