/**
 * Stream mode on the cartridge (docs/CARTRIDGE.md "Stream mode"): what a job may read and write
 * on the Plex machine when its worker shares no storage: exactly the files its argv names as
 * inputs (read-only), and exactly the names its output patterns produce. Loaded only when a job streams.
 */
import { nodeFs } from '../../core/builtins.ts';
import { join } from 'node:path';
import { filterFiles } from '../../core/stream/filter-files.ts';
import { fileInputIndices, inputPath, loopbackInputIndices, outputNames, type OutputNames } from '../../core/stream/output-names.ts';
import { loopbackSize } from './loopback-input.ts';

export interface StreamPlan {
  /** `POST /transcode`'s `storage.inputs`: each streamed `-i` value's argv index → its size. */
  inputs: Record<string, number>;
  /** `storage.files`: small sidecar subtitles, whole (base64), by argv index. */
  files: Record<string, string>;
  /** `storage.versions`: each streamed file's version (device, inode, size, mtime and ctime), by argv index: the worker probes a version once. */
  versions: Record<string, string>;
  /** `storage.named`: the files the argv's filters read by name (a `subtitles=` file, each font of a `fontsdir=`), whole (base64), by Plex path; a folder as `path/` → ''. */
  named: Record<string, string>;
  /** The absolute paths the worker may read (the `-i` files, nothing else), and the loopback `-i` URLs as the argv writes them. */
  readable: ReadonlySet<string>;
  /** Of those, the loopback URLs (read from Plex by ranged GETs). */
  urls: ReadonlySet<string>;
  /** The output files the worker may ship back. */
  names: OutputNames;
}

/** Sidecar subtitles: sent whole, since Plex's burn-in filters name them as files. */
const SIDECAR_RE = /\.(srt|ass|ssa|vtt|smi|sub|idx)$/i;
/** Larger than this, a sidecar is streamed like any input (the worker's body limit is 1 MiB by default). */
const MAX_SIDECAR_BYTES = 512 * 1024;
/** The most the files sent whole may hold together (base64 adds a third: the request stays under the worker's 1 MiB default body limit). */
export const MAX_WHOLE_BYTES = 640 * 1024;

/** Plans stream mode for `argv` in `cwd`; throws when an input is not a readable file. */
export async function planStream(argv: readonly string[], cwd: string): Promise<StreamPlan> {
  const inputs: Record<string, number> = {};
  const readable = new Set<string>();
  const files: Record<string, string> = {};
  const versions: Record<string, string> = {};
  for (const index of fileInputIndices(argv)) {
    const path = inputPath(argv[index] as string, cwd);
    const info = await nodeFs().promises.stat(path, { bigint: true });
    if (!info.isFile()) throw new Error(`input ${path} is not a file`);
    if (SIDECAR_RE.test(path) && info.size <= BigInt(MAX_SIDECAR_BYTES)) {
      // A filter may read it by name (a burned-in subtitle): it goes whole, in the request.
      files[String(index)] = (await nodeFs().promises.readFile(path)).toString('base64');
      continue;
    }
    inputs[String(index)] = Number(info.size);
    versions[String(index)] = [info.dev, info.ino, info.size, info.mtimeNs, info.ctimeNs].join(':');
    readable.add(path);
  }
  // Plex's own loopback URLs: the worker cannot reach them; the cartridge reads them for it.
  const urls = new Set<string>();
  for (const index of loopbackInputIndices(argv)) {
    const url = argv[index] as string;
    inputs[String(index)] = await loopbackSize(url);
    readable.add(url);
    urls.add(url);
  }
  const named = await namedFiles(argv, cwd);
  const whole = [...Object.values(files), ...Object.values(named)].reduce((sum, data) => sum + (data.length * 3) / 4, 0);
  if (whole > MAX_WHOLE_BYTES) throw new Error(`the subtitles and fonts this job reads by name hold ${Math.round(whole)} bytes, more than the ${MAX_WHOLE_BYTES} stream mode sends with a job`);
  return { inputs, versions, files, named, readable, urls, names: outputNames(argv, cwd) };
}

/** The files the argv's filters name, read now: a folder's regular files (not its symlinks, nor its subfolders), a file as named. */
async function namedFiles(argv: readonly string[], cwd: string): Promise<Record<string, string>> {
  const fsp = nodeFs().promises;
  const named: Record<string, string> = {};
  for (const { path, folder } of filterFiles(argv, cwd)) {
    if (!folder) {
      const info = await fsp.stat(path);
      if (!info.isFile()) throw new Error(`${path}, which a filter reads, is not a file`);
      named[path] = (await fsp.readFile(path)).toString('base64');
      continue;
    }
    named[`${path.replace(/\/$/, '')}/`] = '';
    for (const entry of await fsp.readdir(path, { withFileTypes: true })) {
      if (entry.isFile()) named[join(path, entry.name)] = (await fsp.readFile(join(path, entry.name))).toString('base64');
    }
  }
  return named;
}
