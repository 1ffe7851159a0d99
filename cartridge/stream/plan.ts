/**
 * Stream mode on the cartridge (docs/CARTRIDGE.md "Stream mode"): what a job may read and write
 * on the Plex machine when its worker shares no storage: exactly the files its argv names as
 * inputs (read-only), and exactly the names its output patterns produce. Loaded only when a job streams.
 */
import { nodeFs } from '../../core/builtins.ts';
import { fileInputIndices, inputPath, outputNames, type OutputNames } from '../../core/stream/output-names.ts';

export interface StreamPlan {
  /** `POST /transcode`'s `storage.inputs`: each streamed `-i` value's argv index → its size. */
  inputs: Record<string, number>;
  /** `storage.files`: small sidecar subtitles, whole (base64), by argv index. */
  files: Record<string, string>;
  /** The absolute paths the worker may read (the `-i` files, nothing else). */
  readable: ReadonlySet<string>;
  /** The output files the worker may ship back. */
  names: OutputNames;
}

/** Sidecar subtitles: sent whole, since Plex's burn-in filters name them as files. */
const SIDECAR_RE = /\.(srt|ass|ssa|vtt|smi|sub|idx)$/i;
/** Larger than this, a sidecar is streamed like any input (the worker's body limit is 1 MiB by default). */
const MAX_SIDECAR_BYTES = 512 * 1024;

/** Plans stream mode for `argv` in `cwd`; throws when an input is not a readable file. */
export async function planStream(argv: readonly string[], cwd: string): Promise<StreamPlan> {
  const inputs: Record<string, number> = {};
  const readable = new Set<string>();
  const files: Record<string, string> = {};
  for (const index of fileInputIndices(argv)) {
    const path = inputPath(argv[index] as string, cwd);
    const info = await nodeFs().promises.stat(path);
    if (!info.isFile()) throw new Error(`input ${path} is not a file`);
    if (SIDECAR_RE.test(path) && info.size <= MAX_SIDECAR_BYTES) {
      // A filter may read it by name (a burned-in subtitle): it goes whole, in the request.
      files[String(index)] = (await nodeFs().promises.readFile(path)).toString('base64');
      continue;
    }
    inputs[String(index)] = info.size;
    readable.add(path);
  }
  return { inputs, files, readable, names: outputNames(argv, cwd) };
}
