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
  /** The absolute paths the worker may read (the `-i` files, nothing else). */
  readable: ReadonlySet<string>;
  /** The output files the worker may ship back. */
  names: OutputNames;
}

/** Plans stream mode for `argv` in `cwd`; throws when an input is not a readable file. */
export async function planStream(argv: readonly string[], cwd: string): Promise<StreamPlan> {
  const inputs: Record<string, number> = {};
  const readable = new Set<string>();
  for (const index of fileInputIndices(argv)) {
    const path = inputPath(argv[index] as string, cwd);
    const info = await nodeFs().promises.stat(path);
    if (!info.isFile()) throw new Error(`input ${path} is not a file`);
    inputs[String(index)] = info.size;
    readable.add(path);
  }
  return { inputs, readable, names: outputNames(argv, cwd) };
}
