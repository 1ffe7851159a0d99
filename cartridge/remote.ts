/**
 * Runs an accepted job through its link: Plex's callbacks replayed here, ffmpeg's stderr
 * mirrored, the exit code taken over; a stop signal cancels the job, a lost worker ends it, and
 * a job that fails before any output leaves Plex's transcoder free to run it instead.
 */
import type { Commitment } from './commitment.ts';
import type { AcceptedJob } from './dispatch.ts';
import { requestJson } from './http.ts';
import { openLink, type LinkMessage } from './link-client.ts';
import type { ChildFate } from './local.ts';
import { createReplayer, type CallbackAnswer } from './replay.ts';
import type { StopSignals } from './signals.ts';
import type { StreamSide } from './stream/side.ts';
import type { ListLog } from './list-log.ts';
import type { ResumeReason } from '../core/resume-event.ts';

export interface RemoteOptions {
  /** Plex origins named in the argv: the only places callbacks are replayed to. */
  origins: ReadonlySet<string>;
  /** X_PLEX_TOKEN from Plex's environment. */
  token: string | undefined;
  signals: StopSignals;
  /** Called once with the time the first output showed (segment-list data). */
  onFirstOutput(): void;
  /**
   * Set `committed` once the job's output began (segment data for Plex, or ffmpeg's first
   * progress), read to tell a job that failed before any output; `cancelRemote` while it runs.
   */
  commitment: Commitment;
  /** Stream mode (cartridge/stream): answers the worker's reads, fetches its outputs in link order. */
  stream?: StreamSide;
  /** Told each complete body of a callback that is not a progress report (the segment list, the manifest), as it is relayed. */
  lists?: ListLog;
}

/** How a remote job ended: the transcode's fate as Plex must see it, and what happened. */
export interface RemoteOutcome {
  fate: ChildFate;
  /**
   * `exit` (the job ended), `stopped` (a signal cancelled it), `lost` (the worker went away
   * mid-transcode), `unlinked` (its link never opened) and `no-output` (it failed, or the worker
   * cancelled it, before ffmpeg made progress or output reached Plex): in the last two nothing
   * reached Plex, so Plex's transcoder may run it.
   */
  ending: 'exit' | 'stopped' | 'lost' | 'unlinked' | 'no-output';
  /** For the session log: the worker's error, why the worker was lost, or the signal. */
  error: string | null;
  /**
   * Set when the job ended for a reason that is the worker's, not the input's, after output
   * began: the transcode may go on elsewhere from the next segment (cartridge/resume).
   */
  resumable: ResumeReason | null;
}

/** Worker errors (`error_code` of the link's exit) that say nothing about the input: another worker may well finish the job. */
const WORKER_FAULTS = new Set(['JOB_STALLED', 'JOB_CANCELLED', 'JOB_LINK_LOST', 'WORKER_DRAINING']);

/** Why a job that ended with `exit` after output began may go on elsewhere, or null (it ended as the transcode would). */
function resumableExit(exit: LinkMessage): ResumeReason | null {
  if (exit.state === 'handed-back') return 'handed-back';
  if (exit.state === 'completed') return null;
  if (typeof exit.error_code === 'string' && WORKER_FAULTS.has(exit.error_code)) return 'worker-failed';
  // ffmpeg killed by a signal it was not sent by us (the OOM killer, a crashed device driver).
  return exit.code === null && typeof exit.signal === 'string' && exit.signal !== '' ? 'worker-failed' : null;
}

/** How long a cancel waits for the worker's answer: SIGTERM must end everything within a second. */
const CANCEL_WAIT_MS = 700;
/** How long the last callbacks may take to reach Plex after the job's exit. */
const DRAIN_MS = 2000;

/** Relays job `job` until it ends, is cancelled, or its worker is lost. */
export async function runRemote(job: AcceptedJob, options: RemoteOptions): Promise<RemoteOutcome> {
  const { worker, jobId } = job;
  const label = worker.name || worker.url;
  const { commitment } = options;
  const headers: Record<string, string> = worker.apiKey ? { 'x-api-key': worker.apiKey } : {};
  const api = (path: string) => new URL(path, worker.url).href;
  const answer = (reply: CallbackAnswer) =>
    requestJson(api(`/jobs/${jobId}/callback-replies`), { method: 'POST', headers, body: reply, signal: AbortSignal.timeout(5000) });
  const onFirstOutput = () => {
    commitment.committed = true;
    options.onFirstOutput();
  };
  const replayer = createReplayer({ origins: options.origins, token: options.token, answer, onFirstOutput });
  let heard = false;
  const { stream } = options;
  /** Stream mode: messages are handled in order, each announced file in place before the next (the callback naming it). */
  let inOrder: Promise<void> = Promise.resolve();
  const onMessage = (message: LinkMessage) => {
    heard = true;
    if (stream === undefined) return handle(message);
    if (message.type === 'read') return stream.read(message);
    if (message.type === 'follow') return stream.follow(message);
    inOrder = inOrder.then(() => (message.type === 'file' ? stream.fetch(message) : handle(message)));
  };
  const handle = (message: LinkMessage) => {
    if (message.type === 'callback' || message.type === 'callback_data') {
      options.lists?.feed(message);
      replayer.feed(message);
    }
    else if (message.type === 'stderr') process.stderr.write(String(message.data ?? ''));
    // ffmpeg is transcoding: from here on a failure is the transcode's own, as Plex would see it.
    else if (message.type === 'progress') commitment.committed = true;
    else if (message.type === 'gap') {
      options.lists?.feed(message);
      process.stderr.write(`plexbeam: the worker dropped link messages ${message.from}-${message.to} before the cartridge read them\n`);
    }
  };
  const link = openLink({ base: worker.url, jobId, apiKey: worker.apiKey, onMessage, warn: (text) => process.stderr.write(`plexbeam: ${text}\n`) });
  let cancelReported = false;
  /** `DELETE /jobs/:id`; a failure is said once (the worker still ends the job once the link closes). */
  const cancel = async (timeoutMs: number, quiet = false): Promise<void> => {
    const why = await requestJson(api(`/jobs/${jobId}`), { method: 'DELETE', headers, signal: AbortSignal.timeout(timeoutMs) }).then(
      (res) => (res.status === 200 || res.status === 404 ? null : `HTTP ${res.status}`),
      (error: NodeJS.ErrnoException) => error.code ?? error.name ?? error.message,
    );
    if (why === null || quiet || cancelReported) return;
    cancelReported = true;
    process.stderr.write(`plexbeam: could not cancel job ${jobId} on ${label} (${why}); the worker ends it once the link is closed\n`);
  };
  commitment.cancelRemote = async () => {
    replayer.abort();
    await cancel(CANCEL_WAIT_MS);
    link.close();
  };

  let stopListening: () => unknown = () => undefined;
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    stopListening = options.signals.listen(resolve);
  });
  let first = await Promise.race([link.ended, stopped]);
  // Stream mode: the outputs announced before the exit are in place before it counts.
  if (stream !== undefined && typeof first !== 'string' && first.kind === 'exit') first = await Promise.race([inOrder.then(() => first as Exclude<typeof first, string>), stopped]);
  stopListening();
  commitment.cancelRemote = null;
  if (stream !== undefined && (typeof first === 'string' || first.kind === 'lost')) await stream.close();

  if (typeof first === 'string') {
    // Cancelled: the worker answers DELETE once ffmpeg's whole process group is gone.
    replayer.abort();
    await cancel(CANCEL_WAIT_MS);
    link.close();
    // ffmpeg (and Plex's transcoder) exit 255 after SIGTERM or SIGINT; SIGHUP kills it outright.
    return { fate: first === 'SIGHUP' ? { code: null, signal: first } : { code: 255, signal: null }, ending: 'stopped', error: `cancelled by ${first}`, resumable: null };
  }
  if (first.kind === 'lost') {
    replayer.abort();
    // The worker is unreachable or forgot the job: the line below says so, a failed cancel adds nothing.
    await cancel(300, true);
    if (!heard) return { fate: { code: 1, signal: null }, ending: 'unlinked', error: `${label} accepted the job but its link failed: ${first.reason}`, resumable: null };
    const error = `lost the worker ${label} mid-transcode: ${first.reason}`;
    return { fate: { code: 1, signal: null }, ending: 'lost', error, resumable: 'worker-lost' };
  }
  // The job is over: its last callbacks get a moment to reach Plex, unless Plex says stop.
  let stopDrain: () => unknown = () => undefined;
  await Promise.race([replayer.drain(DRAIN_MS), new Promise((resolve) => (stopDrain = options.signals.listen(resolve)))]);
  stopDrain();
  const exit = first.message;
  const code = typeof exit.code === 'number' ? exit.code : null;
  const signal = typeof exit.signal === 'string' ? (exit.signal as NodeJS.Signals) : null;
  const error = typeof exit.error === 'string' ? exit.error : null;
  if (exit.state !== 'completed' && !commitment.committed) {
    // Translation with the probed inputs, ffmpeg's start, or ffmpeg itself failed before any
    // output: Plex saw nothing of this job, and its own transcoder may well manage it.
    const fate = code === null && signal === null ? { code: 1, signal: null } : { code, signal };
    return { fate, ending: 'no-output', error: `${label} failed the job before any output: ${error ?? String(exit.state)}`, resumable: null };
  }
  const resumable = resumableExit(exit);
  if (code === null && signal === null) {
    if (resumable === null) process.stderr.write(`plexbeam: the worker could not run the job: ${error ?? exit.state}\n`);
    return { fate: { code: 1, signal: null }, ending: 'exit', error: error ?? String(exit.state), resumable };
  }
  return { fate: { code, signal }, ending: 'exit', error, resumable };
}
