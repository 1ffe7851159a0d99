/** Judges a worker's `POST /paths/stat` answer: does it see Plex's paths, inside its roots, with the access jobs need? */
import { fail, pass, type Check } from './check.ts';
import type { SamplePath } from './plex-paths.ts';
import { excerpt, type WorkerReply } from './worker-client.ts';

/** One path's answer from `POST /paths/stat` (the worker's shape, older names accepted). */
interface PathStat {
  path: string;
  worker_path?: string;
  mapped?: string;
  root?: 'media' | 'transcode' | null;
  within_roots?: boolean;
  exists: boolean | null;
  readable: boolean | null;
  writable: boolean | null;
}

/** Every sample must be inside the worker's roots, exist, be readable; transcode folders writable too. */
export function checkPaths(name: string, reply: WorkerReply, samples: readonly SamplePath[]): Check {
  if (reply.status === 404) {
    return fail(name, 'the worker does not answer POST /paths/stat (an older PlexBeam)', 'install the same PlexBeam release on both machines');
  }
  const results = (reply.body as { results?: PathStat[] } | null)?.results;
  if (reply.status !== 200 || !Array.isArray(results)) {
    return fail(name, `POST /paths/stat answered HTTP ${reply.status}: ${excerpt(reply.body)}`, "check the worker's log (journalctl -u plexbeam-worker)");
  }
  if (samples.length === 0) {
    return pass(name, 'no Plex folders known here to ask about (no Plex data folder, sessions or worker.pathMap on this machine)');
  }
  const problems: string[] = [];
  for (const sample of samples) {
    const stat = results.find((result) => result.path === sample.path);
    const seenAs = stat?.worker_path ?? stat?.mapped ?? sample.path;
    const root = stat?.root !== undefined ? stat.root : stat?.within_roots === true ? sample.use : null;
    const what = `${sample.path} (${sample.source}; on the worker ${seenAs})`;
    if (stat === undefined) problems.push(`${what}: no answer`);
    else if (root === null) problems.push(`${what}: outside worker.mediaRoots and worker.transcodeRoots`);
    else if (stat.exists !== true) problems.push(`${what}: does not exist on the worker`);
    else if (stat.readable !== true) problems.push(`${what}: not readable by the worker's user`);
    else if (sample.use === 'transcode' && root !== 'transcode') problems.push(`${what}: not inside worker.transcodeRoots, so jobs may not write there`);
    else if (sample.use === 'transcode' && stat.writable !== true) problems.push(`${what}: not writable by the worker's user`);
  }
  if (problems.length === 0) {
    return pass(name, `the worker sees all ${samples.length} Plex paths checked: ${samples.map((s) => s.path).join(', ')}`);
  }
  return fail(
    name,
    `${problems.length} of ${samples.length} Plex paths are not usable on the worker: ${problems.join('; ')}`,
    "on the worker: mount the same storage, map Plex's paths to it with worker.pathMap ({ from: Plex's path, to: the worker's }), list the folders in worker.mediaRoots / worker.transcodeRoots, give the plexbeam user access, then `sudo ./install.sh` again there (it updates the unit's writable paths)",
  );
}
