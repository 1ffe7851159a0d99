/**
 * `POST /library/jobs`'s body, checked strictly before anything is written: 400 for a malformed
 * body (an unknown field, a relative path, a codec or quality out of range), 403 for paths the
 * worker must not touch (outside `worker.mediaRoots`, a symlink, an output that is not the input's
 * hidden temporary sibling, or that exists already).
 */
import { lstatSync, realpathSync } from 'node:fs';
import { basename, dirname, extname, posix } from 'node:path';
import { PlexBeamError, describeValue } from '../../core/errors.ts';
import { findRoot } from '../../core/paths.ts';
import { LIBRARY_CODECS, LIBRARY_TEMP_NAME, type LibraryCodec } from '../../core/wire/library.ts';

/** The containers a library job keeps as they are, by extension, with the muxer that writes each. */
const CONTAINERS: Readonly<Record<string, 'matroska' | 'mp4' | 'mov'>> = { '.mkv': 'matroska', '.mp4': 'mp4', '.m4v': 'mp4', '.mov': 'mov' };

const FIELDS = new Set(['input', 'output', 'codec', 'quality']);
const STREAM_FIELDS = new Set(['stream', 'codec', 'quality']);
const MAX_QUALITY: Readonly<Record<LibraryCodec, number>> = { hevc: 51, av1: 63 };

/** A checked library job request. */
export interface LibraryRequest {
  /** The input's absolute path, as asked (its folder resolved inside a media root). */
  readonly input: string;
  readonly output: string;
  readonly codec: LibraryCodec;
  /** null: the encoder's default for the codec. */
  readonly quality: number | null;
  /** The output muxer (the input's container, kept). */
  readonly muxer: 'matroska' | 'mp4' | 'mov';
  /** Stream mode: the original's base name and size; `input`/`output` are then the job's scratch files (set by the manager). */
  readonly stream?: { readonly name: string; readonly size: number };
}

const bad = (message: string) => new PlexBeamError('WORKER_BAD_REQUEST', message);
const forbid = (message: string) => new PlexBeamError('WORKER_FORBIDDEN', message);

/** An absolute, normalized path (no `.`, `..`, `//` or trailing slash) or a 400 naming the field. */
function absolutePath(body: Record<string, unknown>, field: 'input' | 'output'): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') throw bad(`${field}: expected an absolute path, got ${describeValue(value)}`);
  if (!value.startsWith('/') || value.includes('\0') || posix.normalize(value) !== value || value.endsWith('/')) {
    throw bad(`${field}: expected an absolute path without ".", ".." or "//", got ${describeValue(value)}`);
  }
  return value;
}

/** Checks the body's shape (400); the paths are checked by `checkLibraryPaths`. */
export function parseLibraryRequest(body: unknown): LibraryRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad(`expected a JSON object, got ${describeValue(body)}`);
  const b = body as Record<string, unknown>;
  if ('stream' in b) return parseStreamRequest(b);
  const extra = Object.keys(b).filter((key) => !FIELDS.has(key));
  if (extra.length > 0) throw bad(`unknown field ${JSON.stringify(extra[0])}: a library job takes only input, output, codec and quality (the worker builds ffmpeg's command itself)`);
  const input = absolutePath(b, 'input');
  const output = absolutePath(b, 'output');
  const codec = parseCodec(b);
  const quality = parseQuality(b, codec);
  const muxer = CONTAINERS[extname(input).toLowerCase()];
  if (muxer === undefined) throw bad(`input: ${JSON.stringify(input)} is not a file a library job re-encodes (.mkv, .mp4, .m4v or .mov)`);
  return { input, output, codec, quality, muxer };
}

function parseCodec(b: Record<string, unknown>): LibraryCodec {
  if (!LIBRARY_CODECS.includes(b.codec as LibraryCodec)) throw bad(`codec: expected "av1" or "hevc", got ${describeValue(b.codec)}`);
  return b.codec as LibraryCodec;
}

function parseQuality(b: Record<string, unknown>, codec: LibraryCodec): number | null {
  let quality: number | null = null;
  if (b.quality !== undefined) {
    const max = MAX_QUALITY[codec];
    if (typeof b.quality !== 'number' || !Number.isInteger(b.quality) || b.quality < 0 || b.quality > max) {
      throw bad(`quality: expected a whole number from 0 to ${max} for ${codec}, got ${describeValue(b.quality)}`);
    }
    quality = b.quality;
  }
  return quality;
}

/** Largest input a stream-mode job takes (1 TiB): a bound on the scratch it may ask for. */
const MAX_STREAM_SIZE = 2 ** 40;

/**
 * A stream-mode body: `{ "stream": { "name", "size" }, "codec", "quality"? }`. `name` is a base
 * name only (no `/`, not hidden, at most 255 bytes): it is logged and its extension picks the
 * container, never used as a path (the scratch files have names of the worker's own).
 */
function parseStreamRequest(b: Record<string, unknown>): LibraryRequest {
  const extra = Object.keys(b).filter((key) => !STREAM_FIELDS.has(key));
  if (extra.length > 0) throw bad(`unknown field ${JSON.stringify(extra[0])}: a stream-mode library job takes only stream, codec and quality`);
  const stream = b.stream;
  if (typeof stream !== 'object' || stream === null || Array.isArray(stream)) throw bad(`stream: expected { "name", "size" }, got ${describeValue(stream)}`);
  const s = stream as Record<string, unknown>;
  const streamExtra = Object.keys(s).filter((key) => key !== 'name' && key !== 'size');
  if (streamExtra.length > 0) throw bad(`unknown field stream.${streamExtra[0]}: stream takes only name and size`);
  const { name, size } = s;
  if (typeof name !== 'string' || name === '' || name.includes('/') || name.includes('\0') || name.startsWith('.') || Buffer.byteLength(name) > 255) {
    throw bad(`stream.name: expected a file's base name (no "/", not hidden, at most 255 bytes), got ${describeValue(name)}`);
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size <= 0 || size > MAX_STREAM_SIZE) throw bad(`stream.size: expected a whole number of bytes from 1 to ${MAX_STREAM_SIZE}, got ${describeValue(size)}`);
  const codec = parseCodec(b);
  const quality = parseQuality(b, codec);
  const muxer = CONTAINERS[extname(name).toLowerCase()];
  if (muxer === undefined) throw bad(`stream.name: ${JSON.stringify(name)} is not a file a library job re-encodes (.mkv, .mp4, .m4v or .mov)`);
  return { input: '', output: '', codec, quality, muxer, stream: { name, size } };
}

/**
 * Throws 403 unless the input is a regular file (not a symlink) whose folder resolves inside a
 * media root, and the output is its hidden temporary sibling (`.NAME.plexbeam-TAG.EXT`, same
 * folder, same extension) that does not exist yet. Nothing is created here.
 */
export function checkLibraryPaths(request: LibraryRequest, mediaRoots: readonly string[]): void {
  const { input, output } = request;
  let folder: string;
  try {
    folder = realpathSync(dirname(input));
  } catch {
    throw forbid(`input ${JSON.stringify(input)} does not exist`);
  }
  if (findRoot(folder, mediaRoots) === undefined) throw forbid(`input ${JSON.stringify(input)} is outside the allowed folders (worker.mediaRoots)`);
  let stats;
  try {
    stats = lstatSync(input);
  } catch {
    throw forbid(`input ${JSON.stringify(input)} does not exist`);
  }
  if (stats.isSymbolicLink()) throw forbid(`input ${JSON.stringify(input)} is a symlink: name the file itself`);
  if (!stats.isFile()) throw forbid(`input ${JSON.stringify(input)} is not a regular file`);
  if (LIBRARY_TEMP_NAME.test(basename(input))) throw forbid(`input ${JSON.stringify(input)} is a library job's temporary file`);
  if (output === input) throw forbid('output is the input: a library job never writes over its input');
  if (dirname(output) !== dirname(input)) throw forbid(`output ${JSON.stringify(output)} must be in the input's folder (${JSON.stringify(dirname(input))})`);
  const ext = extname(input);
  const stem = basename(input, ext);
  const match = LIBRARY_TEMP_NAME.exec(basename(output));
  if (match === null || match[1] !== stem || match[3] !== ext) {
    throw forbid(`output ${JSON.stringify(output)} must be named ".${stem}.plexbeam-TAG${ext}" (TAG: 4-32 letters or digits)`);
  }
  let exists = true;
  try {
    lstatSync(output);
  } catch {
    exists = false;
  }
  if (exists) throw forbid(`output ${JSON.stringify(output)} exists: a library job never overwrites a file`);
}
