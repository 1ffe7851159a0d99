/**
 * ffprobe of a job's inputs when it starts: the translation reads their streams (decoder hints
 * that do not match, subtitle indexes, pixel formats) and Plex's progress protocol reports them.
 */
import { execa } from 'execa';
import type { CommandWrapper } from './ffmpeg.ts';
import { identifyFile, type FileIdentity, type ProbeCache } from './probe-cache.ts';
import type { ReportedStream } from './plex-progress/index.ts';
import type { ProbedInput, ProbedStream } from './translate/index.ts';

/** One input as ffprobe saw it: what both the translation and the stream reports read. */
export interface InputFacts extends ProbedInput {
  streams: (ProbedStream & ReportedStream)[];
}

/** Where and how to run ffprobe: the job's cwd and environment, and its cancel signal. */
export interface ProbeInputsOptions {
  ffprobePath: string;
  /** The job's working directory (relative inputs resolve against it). */
  cwd: string;
  env: Record<string, string>;
  signal: AbortSignal;
  /** Per input; a probe that takes longer leaves that input without facts. */
  timeoutMs?: number;
  /** Wraps ffprobe in the job's sandbox (read-only: it writes nothing). */
  wrap?: CommandWrapper;
  /** Facts of files probed before (probe-cache.ts): a file unchanged since is not probed again. */
  cache?: ProbeCache;
  /** Counts, per input, a fact taken from `cache` or one ffprobe had to find (for the job's log). */
  stats?: { cached: number; probed: number };
  /** HTTP inputs that are files all the same (stream mode's input URLs for Plex's files, worker/stream): probed over HTTP, kept in `cache` by the version the cartridge saw. */
  httpFiles?: ReadonlyMap<string, FileIdentity | null>;
}

/** Probes every input at once; an input that cannot be probed (HTTP, unreadable, too slow) gets `undefined`. */
export function probeInputs(inputs: readonly string[], options: ProbeInputsOptions): Promise<(InputFacts | undefined)[]> {
  return Promise.all(inputs.map((input) => probeOne(input, options)));
}

async function probeOne(input: string, options: ProbeInputsOptions): Promise<InputFacts | undefined> {
  // Live HTTP inputs are read once, by ffmpeg; probing them would cost a second connection. A
  // streamed file is probed over its input URL (Range reads through the cartridge), as on shared storage.
  const http = /^https?:/i.test(input);
  if (http && options.httpFiles?.has(input) !== true) return undefined;
  const path = input.startsWith('file:') ? input.slice('file:'.length) : input;
  const file = options.cache === undefined ? null : http ? (options.httpFiles?.get(input) ?? null) : await identifyFile(path, options.cwd);
  const known = file === null ? undefined : options.cache?.get(file);
  if (known !== undefined) {
    if (options.stats) options.stats.cached += 1;
    return known;
  }
  if (options.stats) options.stats.probed += 1;
  const facts = await runFfprobe(path, options, http ? 'http,tcp' : 'file');
  // Kept only when the file did not change while ffprobe read it (the same version after as before;
  // a streamed file's version is the cartridge's, and its reads stop at the size that version had).
  if (facts !== undefined && file !== null && (http || (await identifyFile(path, options.cwd))?.version === file.version)) options.cache?.set(file, facts);
  return facts;
}

async function runFfprobe(path: string, options: ProbeInputsOptions, protocols = 'file'): Promise<InputFacts | undefined> {
  // The same whitelist ffmpeg gets: a "media file" that is really a playlist opens nothing else.
  const args = ['-v', 'error', '-protocol_whitelist', protocols, '-show_streams', '-show_format', '-of', 'json', '-i', path];
  const command = options.wrap?.(options.ffprobePath, args) ?? { file: options.ffprobePath, args };
  // stdout is a small JSON document (kept, up to 16 MiB); stderr is only `-v error` lines.
  const result = await execa(command.file, command.args, {
    cwd: options.cwd, env: options.env, extendEnv: false, stdin: 'ignore', reject: false, cancelSignal: options.signal,
    timeout: options.timeoutMs ?? 15_000, forceKillAfterDelay: 1000, maxBuffer: 16 << 20, encoding: 'utf8',
  });
  return result.exitCode === 0 ? parseFacts(String(result.stdout)) : undefined;
}

function parseFacts(stdout: string): InputFacts | undefined {
  try {
    const json = JSON.parse(stdout) as { streams?: InputFacts['streams']; format?: { duration?: string } };
    const duration = Number(json.format?.duration);
    return { streams: json.streams ?? [], ...(Number.isFinite(duration) ? { duration } : {}) };
  } catch {
    return undefined;
  }
}
