/**
 * `GET /health`, the worker's status (SPEC "Worker HTTP API", docs/WORKER.md): the body the
 * worker sends, and the one reader the cartridge, doctor and analyze use on what they receive.
 * Light (no imports): on the cartridge's start-up path.
 */

/** Jobs the worker holds now, and how many it takes at once. */
export interface WorkerJobCounts {
  running: number;
  queued: number;
  max: number;
}

/** What the worker's API offers beyond SPEC's minimum. */
export interface WorkerCapabilities {
  /** The link protocol version (`hello.protocol`). */
  link: number;
  callbacks: boolean;
  ws_progress: boolean;
  paths_stat: boolean;
}

/** One job the worker runs or queues now, by the cartridge session it serves (`plexbeam status` joins it to the session log). */
export interface HealthSession {
  session_id: string;
  state: 'queued' | 'running';
  /** ffmpeg's speed (1 = real time) and output position, from its last progress block; null before the first. */
  speed: number | null;
  out_time_s: number | null;
  /** Plex's number of the last segment (HLS) or chunk (DASH) published; null before the first and for other outputs. */
  segment: number | null;
}

/** The 200 body. SPEC fixes status, version, hwaccel, encoders and jobs; the rest is the worker's own. */
export interface HealthBody {
  status: 'ok';
  version: string;
  /** The hardware path jobs use (`nvenc`, `vaapi`, `qsv`, `software` …). */
  hwaccel: string;
  /** Encoders that passed a test encode. */
  encoders: string[];
  jobs: WorkerJobCounts;
  /** Decoding methods ffmpeg lists (unverified). */
  hwaccels?: string[];
  /** ffmpeg's version line. */
  ffmpeg?: string;
  capabilities?: WorkerCapabilities;
  /** How the worker confines ffmpeg: `bubblewrap`, or `unconfined` (its config accepts that). */
  confinement?: 'bubblewrap' | 'unconfined';
  /** True while the worker refuses new jobs (`plexbeam worker drain`) and lets running ones finish. */
  draining?: boolean;
  /** Library re-encodes (`/library/jobs`): encoding, paused while live transcodes run, waiting, and how many run at once. */
  library?: { running: number; paused: number; queued: number; max: number };
  /** The live jobs (no secrets: the session id, never the job id, argv or paths). */
  sessions?: HealthSession[];
}

/** The 503 body while the worker shuts down. */
export interface StoppingHealthBody {
  status: 'stopping';
}

/** A received body as health, or in words why it is not one ("jobs.max: expected a number, got "4""). */
export type HealthReading = { health: HealthBody; problem?: undefined } | { health?: undefined; problem: string };

const shown = (value: unknown) => (value === undefined ? 'nothing' : JSON.stringify(value)?.slice(0, 60) ?? String(value));
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;
const orNull = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

/** Reads a `/health` body as received (parsed JSON): the fields SPEC fixes must be there with their types. */
export function readHealth(body: unknown): HealthReading {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { problem: `expected a JSON object, got ${shown(body)}` };
  const b = body as Record<string, unknown>;
  if (b.status === 'stopping') return { problem: 'the worker is stopping' };
  if (b.status !== 'ok') return { problem: `status: expected "ok", got ${shown(b.status)}` };
  if (typeof b.version !== 'string') return { problem: `version: expected a string, got ${shown(b.version)}` };
  if (typeof b.hwaccel !== 'string') return { problem: `hwaccel: expected a string, got ${shown(b.hwaccel)}` };
  if (!isStrings(b.encoders)) return { problem: `encoders: expected an array of strings, got ${shown(b.encoders)}` };
  const jobs = b.jobs as Record<string, unknown> | null | undefined;
  if (typeof jobs !== 'object' || jobs === null) return { problem: `jobs: expected an object, got ${shown(jobs)}` };
  for (const key of ['running', 'queued', 'max'] as const) {
    if (!isCount(jobs[key])) return { problem: `jobs.${key}: expected a whole number, got ${shown(jobs[key])}` };
  }
  const health: HealthBody = {
    status: 'ok', version: b.version, hwaccel: b.hwaccel, encoders: [...b.encoders],
    jobs: { running: jobs.running as number, queued: jobs.queued as number, max: jobs.max as number },
  };
  if (isStrings(b.hwaccels)) health.hwaccels = [...b.hwaccels];
  if (typeof b.ffmpeg === 'string') health.ffmpeg = b.ffmpeg;
  const caps = b.capabilities as Record<string, unknown> | null | undefined;
  if (typeof caps === 'object' && caps !== null) {
    health.capabilities = { link: typeof caps.link === 'number' ? caps.link : 0, callbacks: caps.callbacks === true, ws_progress: caps.ws_progress === true, paths_stat: caps.paths_stat === true };
  }
  if (b.confinement === 'bubblewrap' || b.confinement === 'unconfined') health.confinement = b.confinement;
  if (typeof b.draining === 'boolean') health.draining = b.draining;
  const library = b.library as Record<string, unknown> | null | undefined;
  if (typeof library === 'object' && library !== null && ['running', 'paused', 'queued', 'max'].every((key) => isCount(library[key]))) {
    health.library = { running: library.running as number, paused: library.paused as number, queued: library.queued as number, max: library.max as number };
  }
  if (Array.isArray(b.sessions)) {
    health.sessions = (b.sessions as Record<string, unknown>[])
      .filter((s) => typeof s === 'object' && s !== null && typeof s.session_id === 'string' && (s.state === 'queued' || s.state === 'running'))
      .map((s) => ({ session_id: s.session_id as string, state: s.state as HealthSession['state'], speed: orNull(s.speed), out_time_s: orNull(s.out_time_s), segment: orNull(s.segment) }));
  }
  return { health };
}
