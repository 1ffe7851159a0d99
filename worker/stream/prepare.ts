/**
 * Stream mode's request rewrite (docs/WORKER.md "Stream mode"): each streamed `-i` becomes the
 * capture server's input URL, and every Plex-side output folder (the cwd first) moves under the
 * job's mirror folder, which is the only root the job's path policy then has.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { applyPathMap, resolveReal } from '../../core/paths.ts';
import { inputPath, outputNames } from '../../core/stream/output-names.ts';
import type { TranscodeRequest } from '../../core/wire/transcode.ts';
import type { PathPolicy } from '../sandbox/path-policy.ts';
import { mapPathsInValue } from '../sandbox/path-policy.ts';
import type { StreamInput } from './job-stream.ts';

export interface StreamedRequest {
  /** The request ffmpeg's argv is prepared from: inputs as URLs, outputs in the mirror. */
  request: TranscodeRequest;
  /** The job's only roots: the mirror (read-write), no media root. */
  policy: PathPolicy;
  inputs: StreamInput[];
  /** Prefix of the input URLs (`http://127.0.0.1:<port>/in/<job>/<token>/`). */
  inputBase: string;
}

/** Rewrites a stream-mode request for the mirror folder `mirror` (created here, with the output folders). */
export function streamedRequest(request: TranscodeRequest, mirror: string, inputBase: string): StreamedRequest {
  const sizes = request.stream?.inputs ?? new Map<number, number>();
  mkdirSync(mirror, { recursive: true, mode: 0o700 });
  const root = resolveReal(mirror);
  const pushed = request.stream?.files ?? new Map<number, Buffer>();
  const pushedPaths = [...pushed.keys()].map((index) => inputPath(request.argv[index] as string, request.cwd));
  // Files the filters read by name (a subtitle, a fontsdir's fonts): their folders are mirrored too.
  const named = request.stream?.named ?? new Map<string, Buffer>();
  const namedFolders = [...named.keys()].map((path) => (path.endsWith('/') ? path.replace(/\/+$/, '') || '/' : dirname(path)));
  const folders = [request.cwd, ...outputNames(request.argv, request.cwd).folders, ...pushedPaths.map((path) => dirname(path)), ...namedFolders];
  const pathMap = [...new Set(folders)].map((from) => ({ from, to: `${root}${from}` }));
  for (const { to } of pathMap) mkdirSync(to, { recursive: true, mode: 0o700 });
  // A sidecar sent whole (a subtitle a filter reads by name) is written where the argv, mapped, names it.
  [...pushed.values()].forEach((data, i) => writeFileSync(`${root}${pushedPaths[i] as string}`, data, { mode: 0o600 }));
  for (const [path, data] of named) if (!path.endsWith('/')) writeFileSync(`${root}${path}`, data, { mode: 0o600 });
  const inputs: StreamInput[] = [];
  const argv = request.argv.map((value, index) => {
    const size = sizes.get(index);
    if (size === undefined) return mapPathsInValue(value, pathMap);
    // A loopback URL of the Plex machine (its own media URL) is asked for as the argv writes it.
    const version = request.stream?.versions?.get(index);
    inputs.push({ path: /^https?:\/\//i.test(value) ? value : inputPath(value, request.cwd), size, ...(version === undefined ? {} : { version }) });
    return `${inputBase}${inputs.length - 1}`;
  });
  return {
    request: { ...request, argv, cwd: applyPathMap(request.cwd, pathMap) },
    policy: { mediaRoots: [], transcodeRoots: [root], pathMap: [] },
    inputs,
    inputBase,
  };
}
