/** The session log: it opens, its schema is this PlexBeam's, and both we and Plex's user can write it. */
import { constants, existsSync, statSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { dirname } from 'node:path';
import { sessionLogPath } from '../../core/cartridge-events.ts';
import { fail, pass, type Check } from './check.ts';
import { mayWrite, type UserIds } from './file-access.ts';

const writable = (path: string) => access(path, constants.W_OK).then(() => true, () => false);

/** The `session-log` check for `<dataDir>/sessions.db`; `plexUser` is Plex's user where it exists. */
export async function checkSessionLog(dataDir: string, plexUser: UserIds | null): Promise<Check> {
  const path = sessionLogPath(dataDir);
  const groupFix = `sudo chgrp -R ${plexUser?.name ?? 'plex'} ${dataDir} && sudo chmod -R g+w ${dataDir} && sudo chmod g+s ${dataDir}`;
  if (!existsSync(dataDir)) {
    return fail('session-log', `dataDir ${dataDir} does not exist`, `sudo ./install.sh creates it; or: sudo mkdir -p ${dataDir}, then ${groupFix}`);
  }
  const files = [dataDir, ...[path, `${path}-wal`, `${path}-shm`].filter((file) => existsSync(file))];
  if (!(await writable(dataDir)) || (existsSync(path) && !(await writable(path)))) {
    return fail('session-log', `${existsSync(path) ? path : dataDir} is not writable by this user`, 'run doctor as root (sudo plexbeam doctor), or fix the owner of dataDir');
  }
  if (plexUser !== null) {
    const denied = files.filter((file) => !mayWrite(statSync(file), plexUser));
    if (denied.length > 0) {
      const shown = denied.map((file) => `${file} (${describeOwner(file)})`).join(', ');
      return fail('session-log', `Plex's user (${plexUser.name}) cannot write ${shown}: the cartridge cannot record sessions`, groupFix);
    }
  }
  const plexNote = plexUser === null ? '' : `, also by Plex's user (${plexUser.name})`;
  if (!existsSync(path)) return pass('session-log', `${path} does not exist yet (it is created at the first transcode); ${dirname(path)} is writable${plexNote}`);
  try {
    const { openSessionLog, SCHEMA_VERSION } = await import('../../core/session-log/index.ts');
    const log = openSessionLog(path, { readonly: true });
    try {
      const { n } = log.db.prepare('SELECT count(*) AS n FROM sessions').get() as { n: number };
      return pass('session-log', `${path}: schema ${SCHEMA_VERSION} (current), ${n} sessions; writable${plexNote}`);
    } finally {
      log.close();
    }
  } catch (error) {
    const message = (error as Error).message;
    const fix = /older than/.test(message)
      ? 'start the watchdog (sudo systemctl start plexbeam-watchdog): it migrates the session log'
      : /newer than/.test(message)
        ? 'install the PlexBeam release that wrote it (or a newer one)'
        : `check ${dataDir} is on a local disk; if ${path} is damaged, move it aside (it is recreated)`;
    return fail('session-log', message, fix);
  }
}

function describeOwner(file: string): string {
  const stats = statSync(file);
  return `owner ${stats.uid}:${stats.gid}, mode ${(stats.mode & 0o7777).toString(8).padStart(4, '0')}`;
}
