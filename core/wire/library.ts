/**
 * The worker's library API (docs/WORKER.md "Library re-encode"): `POST /library/jobs` and the job
 * status the worker answers with. The Plex side (plexbeam-server's library queue) sends these and
 * reads these; the worker validates what it receives. Light: constants and types only.
 */

/** The codecs a library job re-encodes video to. */
export const LIBRARY_CODECS = ['av1', 'hevc'] as const;
export type LibraryCodec = (typeof LIBRARY_CODECS)[number];

/** `POST /library/jobs` body: worker-side paths; nothing else is accepted (the worker builds ffmpeg's argv itself). */
export interface LibraryJobRequestBody {
  /** Absolute worker-side path of the file to re-encode, inside a `worker.mediaRoots` folder. */
  input: string;
  /** Absolute worker-side path of the new file: beside the input, named by `libraryTempName`, not existing yet. */
  output: string;
  codec: LibraryCodec;
  /** Constant-quality level (CRF-like: lower is better and bigger): 0-51 for hevc, 0-63 for av1. */
  quality?: number;
}

/**
 * `POST /library/jobs` body in stream mode (the worker shares no storage with Plex): no paths;
 * the Plex side uploads the original (`PUT /library/jobs/:id/input?offset=N`) and downloads the
 * encode (`GET /library/jobs/:id/output`). `name` is the original's base name (its extension
 * picks the container); `size` its length in bytes.
 */
export interface LibraryStreamJobRequestBody {
  stream: { name: string; size: number };
  codec: LibraryCodec;
  quality?: number;
}

/** Bytes one `PUT /library/jobs/:id/input` chunk may carry at most (64 MiB). */
export const LIBRARY_CHUNK_BYTES = 64 << 20;

/** The `X-PlexBeam-SHA256` header of `GET /library/jobs/:id/output`: the encode's SHA-256, hex. */
export const LIBRARY_SHA256_HEADER = 'x-plexbeam-sha256';

export type LibraryJobState = 'queued' | 'running' | 'paused' | 'completed' | 'failed' | 'cancelled';

/** `GET /library/jobs/:id` (and each entry of `GET /library/jobs`'s `jobs`). */
export interface LibraryJobStatus {
  id: string;
  state: LibraryJobState;
  /** Share of the input's duration encoded, 0-100 (null before the first progress block). */
  percent: number | null;
  /** Encoding speed, × real time. */
  speed: number | null;
  /** Seconds left at the current speed (null while unknown or paused). */
  etaS: number | null;
  error: string | null;
  /** What the worker chose and was asked (beside the contract's fields above). */
  codec: LibraryCodec;
  encoder: string;
  input: string;
  output: string;
  /** An error code of core/errors.ts with `error` when the worker knows it (`LIBRARY_DISK_FULL`). */
  code?: string;
  /** Stream mode only: the upload (`received` of `size` bytes) and, once completed, the encode's size and SHA-256. */
  stream?: { size: number; received: number; outputSize: number | null; sha256: string | null };
}

/** The temporary name the output must have: `.NAME.plexbeam-TAG.EXT` for `NAME.EXT` (TAG: 4-32 letters or digits). */
export const LIBRARY_TEMP_NAME = /^\.(.+)\.plexbeam-([A-Za-z0-9]{4,32})(\.[A-Za-z0-9]+)$/;

/** The output name for `input`'s base name (`Film.mkv` → `.Film.plexbeam-TAG.mkv`); `tag` is 4-32 letters or digits. */
export function libraryTempName(inputName: string, tag: string): string {
  const dot = inputName.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [inputName.slice(0, dot), inputName.slice(dot)] : [inputName, ''];
  return `.${stem}.plexbeam-${tag}${ext}`;
}
