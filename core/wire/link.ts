/**
 * A job's link (`GET /jobs/:id/link`, newline-delimited JSON, docs/WORKER.md): every message the
 * worker sends and the cartridge reads, and the reader of one line; and the cartridge's answer to
 * a callback (`POST /jobs/:id/callback-replies`), with the worker's validation of it.
 * Light (core/errors.ts only): on the cartridge's start-up path.
 */
import { PlexBeamError } from '../errors.ts';

/** The first line of every link. */
export interface HelloMessage { type: 'hello'; protocol: number; job_id: string; session_id: string; state: string }
/** A request to Plex began; `seq` numbers requests in arrival order; `end` when it has no body. */
export interface CallbackMessage {
  type: 'callback'; id: number; seq: number;
  /** e.g. `http://127.0.0.1:32400`. */
  origin: string; method: string; path: string; query: string;
  headers: Record<string, string | string[] | undefined>; end: boolean;
}
/** Body bytes of callback `seq`, as they arrive; the last has `end`; `aborted` if ffmpeg died mid-request. */
export interface CallbackDataMessage { type: 'callback_data'; id: number; seq: number; body_b64: string; end: boolean; aborted?: boolean }
/** ffmpeg's stderr text, as it comes. */
export interface StderrMessage { type: 'stderr'; id: number; data: string }
/** One ffmpeg `-progress` block. */
export interface ProgressMessage {
  type: 'progress'; id: number;
  out_time_s: number | null; speed: number | null; fps: number | null; frame: number | null; total_size: number | null; end: boolean;
}
/** The last message: how the job ended. */
export interface ExitMessage { type: 'exit'; id: number; state: string; code: number | null; signal: string | null; error: string | null }
/** Messages in `from`..`to` were dropped before this link read them. */
export interface GapMessage { type: 'gap'; from: number; to: number }
/** Every 5 s, so that a dead link is noticed. */
export interface PingMessage { type: 'ping' }
/**
 * Stream mode (docs/WORKER.md "Stream mode"): ffmpeg needs bytes `offset`..`offset+length` of
 * input `path` (as the argv names it on the Plex machine); the cartridge answers with
 * `PUT /jobs/:id/reads/<rid>`.
 */
export interface ReadMessage { type: 'read'; id: number; rid: number; path: string; offset: number; length: number }
/**
 * Stream mode: output `path` (Plex-side) is complete with `size` bytes; the cartridge fetches it
 * (`GET /jobs/:id/files?path=`) and renames it into place before it handles the next message.
 */
export interface FileMessage { type: 'file'; id: number; path: string; size: number }
/**
 * Stream mode: output `path` grows while ffmpeg writes it (an Optimize mp4); the cartridge may
 * follow it (`GET /jobs/:id/files?path=&follow=1`) so that little is left once ffmpeg exits.
 * Its `file` message still comes, and only then does the file go into place.
 */
export interface FollowMessage { type: 'follow'; id: number; path: string }

/** Every message a link carries (a reader skips types it does not know: later versions add some). */
export type LinkMessage = HelloMessage | CallbackMessage | CallbackDataMessage | StderrMessage | ProgressMessage | ExitMessage | GapMessage | PingMessage | ReadMessage | FileMessage | FollowMessage;
/** A message as the worker hands it to the link, which numbers it (`id`). */
export type OutgoingLinkMessage = LinkMessage extends infer M ? (M extends { id: number } ? Omit<M, 'id'> : M) : never;

/** One line read: a message, a type this reader does not know (with its id), or why it is malformed. */
export type LinkLine =
  | { message: LinkMessage; unknownType?: undefined; id?: undefined; problem?: undefined }
  | { message?: undefined; unknownType: string; id: number | undefined; problem?: undefined }
  | { message?: undefined; unknownType?: undefined; problem: string };

type FieldType = 'string' | 'number' | 'boolean' | 'object' | 'number|null' | 'string|null';
/**
 * The fields of each known type with their JSON types. A reader needs the ones without a
 * default; a missing one with a default (a field it does not act on) reads as that default.
 */
const FIELDS: Record<LinkMessage['type'], Record<string, [FieldType, unknown?]>> = {
  hello: { protocol: ['number'], job_id: ['string', ''], session_id: ['string', ''], state: ['string', ''] },
  callback: { id: ['number'], seq: ['number'], origin: ['string'], method: ['string'], path: ['string'], query: ['string', ''], headers: ['object', {}], end: ['boolean'] },
  callback_data: { id: ['number'], seq: ['number'], body_b64: ['string'], end: ['boolean'] },
  stderr: { id: ['number'], data: ['string'] },
  progress: { id: ['number'], out_time_s: ['number|null', null], speed: ['number|null', null], fps: ['number|null', null], frame: ['number|null', null], total_size: ['number|null', null], end: ['boolean', false] },
  exit: { id: ['number'], state: ['string'], code: ['number|null', null], signal: ['string|null', null], error: ['string|null', null] },
  gap: { from: ['number'], to: ['number'] },
  ping: {},
  read: { id: ['number'], rid: ['number'], path: ['string'], offset: ['number'], length: ['number'] },
  file: { id: ['number'], path: ['string'], size: ['number'] },
  follow: { id: ['number'], path: ['string'] },
};

function hasType(value: unknown, type: FieldType): boolean {
  if (type.endsWith('|null') && value === null) return true;
  const base = type.replace('|null', '');
  return base === 'object' ? typeof value === 'object' && value !== null && !Array.isArray(value) : typeof value === base;
}

/** Reads one line of a link (without its newline). */
export function readLinkLine(line: string): LinkLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { problem: `not JSON (${(error as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problem: 'not a JSON object' };
  const m = { ...(value as Record<string, unknown>) };
  if (typeof m.type !== 'string') return { problem: 'no message type' };
  const fields = Object.hasOwn(FIELDS, m.type) ? FIELDS[m.type as LinkMessage['type']] : undefined;
  if (fields === undefined) return { unknownType: m.type, id: typeof m.id === 'number' ? m.id : undefined };
  for (const [name, [type, ...fallback]] of Object.entries(fields)) {
    if (m[name] === undefined && fallback.length > 0) m[name] = fallback[0];
    else if (!hasType(m[name], type)) return { problem: `${m.type} message: ${name} is not a ${type}` };
  }
  return { message: m as unknown as LinkMessage };
}

/** The body of `POST /jobs/:id/callback-replies`: Plex's answer to callback `seq`. */
export interface CallbackReplyBody {
  seq: number;
  status: number;
  content_type?: string;
  body_b64?: string;
}

/** Plex's answer once validated, as the worker uses it. */
export interface CallbackReplyRequest {
  seq: number;
  status: number;
  contentType: string | null;
  body: Buffer;
}

/** Validates a received callback reply; throws WORKER_BAD_REQUEST. */
export function validateCallbackReply(body: unknown): CallbackReplyRequest {
  const { seq, status, content_type: contentType, body_b64: data } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (!Number.isInteger(seq) || !Number.isInteger(status) || (status as number) < 100 || (status as number) > 599 ||
    (contentType !== undefined && typeof contentType !== 'string') || (data !== undefined && typeof data !== 'string')) {
    throw new PlexBeamError('WORKER_BAD_REQUEST', 'expected { "seq": integer, "status": 100-599, "content_type"?: string, "body_b64"?: string }');
  }
  return { seq: seq as number, status: status as number, contentType: (contentType as string | undefined) ?? null, body: Buffer.from((data as string | undefined) ?? '', 'base64') };
}
