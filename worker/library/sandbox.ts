/** The kernel sandbox of a library job's ffprobe and ffmpeg: only its input readable, only its output file writable. */
import { dirname } from 'node:path';
import type { SandboxSpec } from '../confine/index.ts';

/**
 * bwrap binds the input read-only and the output file (already created, empty, by the worker)
 * read-write, nothing else of the media folders: siblings of the input are not even visible, and
 * the input cannot be written. Paths are real (their folder resolved), as bwrap binds them.
 */
export function librarySandboxSpec(input: string, output: string | null, devices: readonly string[]): SandboxSpec {
  return { cwd: dirname(input), readOnly: [input], readWrite: output === null ? [] : [output], devices: [...devices], network: false, networkReason: null };
}
