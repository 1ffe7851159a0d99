/**
 * The sandbox of one job, from its command line: media roots read-only, the job's folder and
 * scratch read-write, and of the rest of the transcode roots only what the argv names (never
 * another job's folder). This is the kernel's second line behind the allow-list: a path it
 * leaves out fails inside ffmpeg (ENOENT); it never widens what the allow-list accepted.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, sep } from 'node:path';
import { findRoot, isWithin, resolveReal } from '../../core/paths.ts';
import { networkNeed } from './network-need.ts';
import type { SandboxSpec } from './sandbox-spec.ts';

export interface JobSandboxFacts {
  /** The command's arguments (ffmpeg's or ffprobe's, after translation). */
  args: readonly string[];
  /** The job's working directory, worker side, resolved (inside a transcode root). */
  cwd: string;
  /** The job's `-i` values (worker side): named files outside the job's folder are bound read-only. */
  inputs: readonly string[];
  /** Resolved roots, as the path policy holds them. */
  mediaRoots: readonly string[];
  transcodeRoots: readonly string[];
  /** Per-job scratch (HOME, TMPDIR) and the shared font cache: read-write. */
  scratch: readonly string[];
  /** Device nodes the backend uses (none for software). */
  devices: readonly string[];
  /** false for ffprobe: it reads, it never writes (the job's folder is then read-only). */
  writes?: boolean;
}

const PLEX_VERSIONS = 'Plex Versions';

/** Absolute or `..`-bearing words of an argument: the whole value (less `file:`) and its `=`/`:`-separated parts. */
function pathCandidates(arg: string): string[] {
  const value = arg.startsWith('file:') ? arg.slice('file:'.length) : arg;
  const words = [value, ...value.split(/[=:,;|\s'"]+/)];
  return words.filter((word) => word.startsWith('/') || /(?:^|\/)\.\.(?:\/|$)/.test(word));
}

/** The nearest existing folder at or above `path`, never above `floor`; null when none exists down there. */
function existingFolder(path: string, floor: string): string | null {
  for (let dir = path; isWithin(dir, floor); dir = dirname(dir)) {
    try {
      if (statSync(dir).isDirectory()) return dir;
    } catch {
      // not there yet: ffmpeg creates it (HLS, DASH) inside its parent
    }
    if (dir === floor) break;
  }
  return null;
}

/** Where a write to `path` must be allowed: its folder inside the `Plex Versions` folder or transcode root it is in. */
function writeFolder(path: string, facts: JobSandboxFacts): string | null {
  const mediaRoot = findRoot(path, facts.mediaRoots);
  if (mediaRoot !== undefined) {
    const segments = relative(mediaRoot, path).split(sep);
    const at = segments.slice(0, -1).indexOf(PLEX_VERSIONS);
    if (at === -1) return null; // the rest of a media root stays read-only
    return existingFolder(dirname(path), `${mediaRoot}/${segments.slice(0, at + 1).join('/')}`);
  }
  const transcodeRoot = findRoot(path, facts.transcodeRoots);
  const folder = transcodeRoot === undefined ? null : existingFolder(dirname(path), transcodeRoot);
  // A folder holding the job's own parent (`Transcode/` above `Sessions/`) would expose every other job.
  return folder !== null && isWithin(dirname(facts.cwd), folder) ? null : folder;
}

/**
 * True inside a sibling of the job's folder (`Sessions/plex-transcode-B` beside the job's
 * `Sessions/plex-transcode-A`): other jobs' folders, never bound whatever the argv names. Paths
 * elsewhere in the transcode roots (`Transcode/Detection/<id>`) stay reachable.
 */
function isOtherJobs(path: string, facts: JobSandboxFacts): boolean {
  const parent = dirname(facts.cwd);
  return parent !== facts.cwd && facts.transcodeRoots.some((root) => isWithin(parent, root)) && isWithin(path, parent) && !isWithin(path, facts.cwd);
}

/** Drops paths inside another path of the list (a bind inside a bind adds nothing). */
function outermost(paths: readonly string[], covered: readonly string[] = []): string[] {
  const unique = [...new Set(paths)].sort((a, b) => a.length - b.length);
  const kept: string[] = [];
  for (const path of unique) if (![...covered, ...kept].some((outer) => isWithin(path, outer))) kept.push(path);
  return kept;
}

/** The job's sandbox: what its argv names, within the roots; the network only for a plain network URL. */
export function planJobSandbox(facts: JobSandboxFacts): SandboxSpec {
  const writes = facts.writes ?? true;
  const inputs = new Set(facts.inputs.filter((input) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(input)).map((input) => resolveReal(isAbsolute(input.replace(/^file:/, '')) ? input.replace(/^file:/, '') : `${facts.cwd}/${input.replace(/^file:/, '')}`)));
  const readWrite = writes ? [facts.cwd, ...facts.scratch] : [...facts.scratch];
  const readOnly: string[] = writes ? [] : [facts.cwd];
  for (const arg of facts.args) {
    for (const word of pathCandidates(arg)) {
      const path = resolveReal(isAbsolute(word) ? word : `${facts.cwd}/${word}`);
      if (isOtherJobs(path, facts)) continue;
      if (inputs.has(path) || !writes) {
        if (findRoot(path, facts.transcodeRoots) !== undefined && existsSync(path)) readOnly.push(path);
        continue;
      }
      const folder = writeFolder(path, facts);
      if (folder !== null) readWrite.push(folder);
    }
  }
  for (const input of inputs) if (findRoot(input, facts.transcodeRoots) !== undefined && !isOtherJobs(input, facts) && existsSync(input)) readOnly.push(input);
  const reason = networkNeed(facts.args);
  const rw = outermost(readWrite);
  const mediaRoots = outermost(facts.mediaRoots);
  return {
    cwd: facts.cwd,
    readOnlyTry: mediaRoots,
    readOnly: outermost(readOnly, [...rw, ...mediaRoots]),
    readWrite: rw,
    devices: [...facts.devices],
    network: reason !== null,
    networkReason: reason,
  };
}
