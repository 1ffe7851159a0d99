/**
 * `POST /transcode` (SPEC "Worker HTTP API", docs/WORKER.md): the body the cartridge sends, the
 * validation the worker applies to what it receives (a 400 names the field and what was
 * expected), and the 202 answer. Light (core/errors.ts only): the cartridge reads the answer.
 */
import { PlexBeamError, describeValue } from '../errors.ts';

/** The request body, as sent. */
export interface TranscodeRequestBody {
  session_id: string;
  argv: readonly string[];
  env: Record<string, string>;
  cwd: string;
  /** Stream mode (docs/WORKER.md): the worker shares no storage with Plex; the size of each streamed `-i` value, by argv index. */
  storage?: { mode: 'stream'; inputs: Record<string, number>; files?: Record<string, string>; named?: Record<string, string>; versions?: Record<string, string> };
}

/** A request body once validated, as the worker uses it. */
export interface TranscodeRequest {
  readonly sessionId: string;
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** Stream mode: the size in bytes of each streamed input, by its argv index (null: shared storage). */
  readonly stream?: { readonly inputs: ReadonlyMap<number, number>; readonly files?: ReadonlyMap<number, Buffer>; readonly named?: ReadonlyMap<string, Buffer>; readonly versions?: ReadonlyMap<number, string> } | null;
}

/** The 202 body: the job and where its link is. */
export interface TranscodeAccepted {
  job_id: string;
  state: string;
  /** `/jobs/<id>/link`. */
  link: string;
}

const MAX_ARGS = 4096;
const MAX_ARG_LENGTH = 65_536;
const MAX_ENV = 512;

function bad(message: string): PlexBeamError {
  return new PlexBeamError('WORKER_BAD_REQUEST', message);
}

/** A string without NUL bytes (they cannot reach exec, and would cut a path short). */
function isCleanString(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length <= max && !value.includes('\0');
}

/** Checks the shape of a received (parsed) request body; unknown fields are ignored for later versions. Throws WORKER_BAD_REQUEST. */
export function validateTranscodeRequest(body: unknown): TranscodeRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad(`expected a JSON object, got ${describeValue(body)}`);
  const { session_id: sessionId, argv, env = {}, cwd } = body as Record<string, unknown>;
  if (!isCleanString(sessionId, 256) || sessionId === '') throw bad(`session_id: expected a non-empty string, got ${describeValue(sessionId)}`);
  if (!Array.isArray(argv) || argv.length === 0 || argv.length > MAX_ARGS) {
    throw bad(`argv: expected an array of 1 to ${MAX_ARGS} strings, got ${describeValue(argv)}`);
  }
  const badArg = argv.findIndex((arg) => !isCleanString(arg, MAX_ARG_LENGTH));
  if (badArg !== -1) throw bad(`argv[${badArg}]: expected a string without NUL bytes, got ${describeValue(argv[badArg])}`);
  if (typeof env !== 'object' || env === null || Array.isArray(env)) throw bad(`env: expected an object of strings, got ${describeValue(env)}`);
  const entries = Object.entries(env);
  if (entries.length > MAX_ENV) throw bad(`env: more than ${MAX_ENV} variables`);
  for (const [name, value] of entries) {
    if (!isCleanString(value, MAX_ARG_LENGTH)) throw bad(`env.${name}: expected a string, got ${describeValue(value)}`);
  }
  if (!isCleanString(cwd, 4096) || !cwd.startsWith('/')) throw bad(`cwd: expected an absolute path, got ${describeValue(cwd)}`);
  const stream = validateStorage((body as Record<string, unknown>).storage, argv as string[]);
  return { sessionId, argv: argv as string[], env: Object.fromEntries(entries) as Record<string, string>, cwd, stream };
}

/** `storage`: absent (shared), or `{ mode: "stream", inputs: { "<argv index of an -i value>": size }, files?: { "<argv index>": base64 }, named?: { "<Plex path a filter reads>": base64 }, versions?: { "<argv index of a streamed file>": "<version>" } }`. */
function validateStorage(storage: unknown, argv: readonly string[]): { inputs: Map<number, number>; files: Map<number, Buffer>; named: Map<string, Buffer>; versions: Map<number, string> } | null {
  if (storage === undefined) return null;
  const { mode, inputs } = (typeof storage === 'object' && storage !== null ? storage : {}) as Record<string, unknown>;
  if (mode !== 'stream' || typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) {
    throw bad(`storage: expected { "mode": "stream", "inputs": { "<argv index>": size } }, got ${describeValue(storage)}`);
  }
  const sizes = new Map<number, number>();
  for (const [key, size] of Object.entries(inputs)) {
    const index = Number(key);
    if (!Number.isInteger(index) || argv[index - 1] !== '-i') throw bad(`storage.inputs: ${key} is not the argv index of an -i value`);
    if (!Number.isSafeInteger(size) || (size as number) < 0) throw bad(`storage.inputs.${key}: expected a size in bytes, got ${describeValue(size)}`);
    sizes.set(index, size as number);
  }
  // Small sidecar files (a subtitle a filter reads by name) come whole, base64, by argv index.
  const { files = {} } = storage as Record<string, unknown>;
  if (typeof files !== 'object' || files === null || Array.isArray(files)) throw bad(`storage.files: expected an object, got ${describeValue(files)}`);
  const contents = new Map<number, Buffer>();
  for (const [key, data] of Object.entries(files)) {
    const index = Number(key);
    if (!Number.isInteger(index) || argv[index - 1] !== '-i' || sizes.has(index)) throw bad(`storage.files: ${key} is not the argv index of an -i value that is not streamed`);
    if (typeof data !== 'string') throw bad(`storage.files.${key}: expected base64 text, got ${describeValue(data)}`);
    contents.set(index, Buffer.from(data, 'base64'));
  }
  // Files the argv's filters read by name (subtitles, a fontsdir's fonts; a folder as "path/"), whole, by Plex path.
  const { named = {} } = storage as Record<string, unknown>;
  if (typeof named !== 'object' || named === null || Array.isArray(named)) throw bad(`storage.named: expected an object, got ${describeValue(named)}`);
  const byPath = new Map<string, Buffer>();
  for (const [path, data] of Object.entries(named)) {
    if (!isCleanString(path, 4096) || !path.startsWith('/') || path.split('/').some((part) => part === '..' || part === '.')) throw bad(`storage.named: ${JSON.stringify(path)} is not an absolute path without . or ..`);
    if (typeof data !== 'string') throw bad(`storage.named[${JSON.stringify(path)}]: expected base64 text, got ${describeValue(data)}`);
    byPath.set(path, Buffer.from(data, 'base64'));
  }
  // What tells this version of a streamed file from any other on the Plex machine (device, inode, size, times): the worker's probe cache key.
  const { versions = {} } = storage as Record<string, unknown>;
  if (typeof versions !== 'object' || versions === null || Array.isArray(versions)) throw bad(`storage.versions: expected an object, got ${describeValue(versions)}`);
  const tags = new Map<number, string>();
  for (const [key, version] of Object.entries(versions)) {
    const index = Number(key);
    if (!Number.isInteger(index) || !sizes.has(index)) throw bad(`storage.versions: ${key} is not the argv index of a streamed input`);
    if (typeof version !== 'string' || !/^[0-9:.]{1,120}$/.test(version)) throw bad(`storage.versions.${key}: expected digits, dots and colons (at most 120), got ${describeValue(version)}`);
    tags.set(index, version);
  }
  return { inputs: sizes, files: contents, named: byPath, versions: tags };
}

/** The job id of a received 202 body, or null when it is not one. */
export function acceptedJobId(body: unknown): string | null {
  const jobId = typeof body === 'object' && body !== null ? (body as Partial<TranscodeAccepted>).job_id : undefined;
  return typeof jobId === 'string' && jobId !== '' ? jobId : null;
}
