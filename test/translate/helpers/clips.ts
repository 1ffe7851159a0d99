// Short cuts of the harness media (stream copies, no encoding): samples asking for 4K outputs are
// encoded in software here, on two shared cores, so they get 1-4 s of input instead of 10.
import { access, mkdir, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { runTool, type MediaKey, type TestMedia } from '../../harness/index.ts';

/** The folder the clips of `media` live in (a media root for worker tests). */
export function clipsDir(media: TestMedia): string {
  return join(tmpdir(), `plexbeam-test-clips-${media.hash}`);
}

/** The first `seconds` of test medium `key`, every stream copied; made once, shared by parallel tests. */
export async function mediaClip(media: TestMedia, key: MediaKey, seconds: number): Promise<string> {
  const source = media.files[key].path;
  const ext = extname(source);
  const path = join(clipsDir(media), `${basename(source, ext)}-${seconds}s${ext}`);
  if (await access(path).then(() => true, () => false)) return path;
  await mkdir(clipsDir(media), { recursive: true });
  // Written aside and renamed: a parallel test never sees half a clip.
  const tmp = join(clipsDir(media), `.${basename(source, ext)}-${seconds}s-${process.pid}${ext}`);
  await runTool('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-y', '-i', source, '-map', '0', '-c', 'copy', '-t', String(seconds), tmp]);
  await rename(tmp, path);
  return path;
}
