/** The programs the demo and `doctor --transcode` run on this machine: found on PATH, or explained. */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { PlexBeamError } from '../../core/errors.ts';

/** The absolute path of `name` on `path` (a PATH value), or null. */
export function findOnPath(name: string, path: string): string | null {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** ffmpeg and ffprobe from `path`; throws DEMO_FAILED naming the missing one and how to get it. */
export function requireFfmpeg(path: string): { ffmpeg: string; ffprobe: string } {
  const ffmpeg = findOnPath('ffmpeg', path);
  const ffprobe = findOnPath('ffprobe', path);
  if (ffmpeg === null || ffprobe === null) {
    const missing = ffmpeg === null ? 'ffmpeg' : 'ffprobe';
    throw new PlexBeamError('DEMO_FAILED', `${missing} is not on PATH: it makes the test clip and reads the segments back (install it: apt-get install -y ffmpeg)`);
  }
  return { ffmpeg, ffprobe };
}
