/** On a worker machine: can ffmpeg be confined by bubblewrap, as the service user would run it? */
import type { WorkerConfig } from '../../core/config.ts';
import { CONFINEMENT_FIX, checkConfinement, describeConfinement } from '../../worker/confine/check.ts';
import { fail, pass, type Check } from './check.ts';
import { readUserIds } from './file-access.ts';

/** The user plexbeam-worker.service runs as (install.sh creates it). */
export const WORKER_USER = 'plexbeam';

/**
 * `worker-confinement`: a tiny command really run under bubblewrap, as the service user when
 * doctor runs as root and that user exists. Fails when the worker would refuse to start, and
 * when "unconfined" is set although bubblewrap works here.
 */
export async function checkLocalConfinement(worker: Pick<WorkerConfig, 'confinement'>, configPath: string, env: NodeJS.ProcessEnv = process.env): Promise<Check> {
  const ids = process.getuid?.() === 0 ? await readUserIds(WORKER_USER) : null;
  const user = ids === null ? undefined : { uid: ids.uid, gid: ids.gids[0] ?? ids.uid };
  const as = ids === null ? `as uid ${process.getuid?.() ?? '?'}` : `as ${WORKER_USER}`;
  const works = await checkConfinement({ setting: 'bubblewrap', pathVar: env.PATH, ...(user === undefined ? {} : { user }) }).then(
    (confinement) => ({ confinement, problem: null }),
    (error: Error) => ({ confinement: null, problem: error.message }),
  );
  if (worker.confinement === 'unconfined') {
    return works.confinement === null
      ? pass('worker-confinement', `UNCONFINED, as ${configPath} accepts (worker.confinement "unconfined"); bubblewrap does not work here ${as}`)
      : fail('worker-confinement', `worker.confinement is "unconfined" although bubblewrap works here (${as}): ffmpeg runs without kernel confinement`, `set worker.confinement to "auto" in ${configPath}, then sudo systemctl restart plexbeam-worker`);
  }
  if (works.confinement === null) {
    return fail('worker-confinement', `worker.confinement is "${worker.confinement}" and the worker will refuse to start: ${works.problem?.replace(/^.*cannot be confined here: /, '').replace(/\. Fix: .*$/, '')} (${as})`, CONFINEMENT_FIX);
  }
  return pass('worker-confinement', `${describeConfinement(works.confinement)} (checked ${as}; Landlock: ${works.confinement.landlock})`);
}
