/**
 * Runs an accepted job through its link: Plex's callbacks replayed here, ffmpeg's stderr
 * mirrored, the exit code taken over; a stop signal cancels the job, a lost worker ends it.
 */
import type { AcceptedJob } from './dispatch.ts';
import { requestJson } from './http.ts';
import { openLink, type LinkMessage } from './link-client.ts';
import type { ChildFate } from './local.ts';
import { createReplayer, type CallbackAnswer } from './replay.ts';
import type { StopSignals } from './signals.ts';

export interface RemoteOptions {
  /** Plex origins named in the argv: the only places callbacks are replayed to. */
  origins: ReadonlySet<string>;
  /** X_PLEX_TOKEN from Plex's environment. */
  token: string | undefined;
  signals: StopSignals;
  /** Called once with the time the first output showed (segment-list data). */
  onFirstOutput(): void;
}

/** How a remote job ended: the transcode's fate as Plex must see it, and what happened. */
export interface RemoteOutcome {
  fate: ChildFate;
  /**
   * `exit` (the job ended), `stopped` (a signal cancelled it), `lost` (the worker went away
   * mid-transcode), `unlinked` (its link never opened: nothing reached Plex, another may run it).
   */
  ending: 'exit' | 'stopped' | 'lost' | 'unlinked';
  /** For the session log: the worker's error, why the worker was lost, or the signal. */
  error: string | null;
}

/** How long a cancel waits for the worker's answer: SIGTERM must end everything within a second. */
const CANCEL_WAIT_MS = 700;
/** How long the last callbacks may take to reach Plex after the job's exit. */
const DRAIN_MS = 2000;

/** Relays job `job` until it ends, is cancelled, or its worker is lost. */
export async function runRemote(job: AcceptedJob, options: RemoteOptions): Promise<RemoteOutcome> {
  const { worker, jobId } = job;
  const headers: Record<string, string> = worker.apiKey ? { 'x-api-key': worker.apiKey } : {};
  const api = (path: string) => new URL(path, worker.url).href;
  const answer = (reply: CallbackAnswer) =>
    requestJson(api(`/jobs/${jobId}/callback-replies`), { method: 'POST', headers, body: reply, signal: AbortSignal.timeout(5000) });
  const replayer = createReplayer({ origins: options.origins, token: options.token, answer, onFirstOutput: options.onFirstOutput });
  let heard = false;
  const onMessage = (message: LinkMessage) => {
    heard = true;
    if (message.type === 'callback' || message.type === 'callback_data') replayer.feed(message);
    else if (message.type === 'stderr') process.stderr.write(String(message.data ?? ''));
    else if (message.type === 'gap') process.stderr.write(`plexbeam: the worker dropped link messages ${message.from}-${message.to} before the cartridge read them\n`);
  };
  const link = openLink({ base: worker.url, jobId, apiKey: worker.apiKey, onMessage });
  const cancel = (timeoutMs: number) =>
    requestJson(api(`/jobs/${jobId}`), { method: 'DELETE', headers, signal: AbortSignal.timeout(timeoutMs) }).catch(() => undefined);

  let stopListening: () => unknown = () => undefined;
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    stopListening = options.signals.listen(resolve);
  });
  const first = await Promise.race([link.ended, stopped]);
  stopListening();

  if (typeof first === 'string') {
    // Cancelled: the worker answers DELETE once ffmpeg's whole process group is gone.
    replayer.abort();
    await cancel(CANCEL_WAIT_MS);
    link.close();
    // ffmpeg (and Plex's transcoder) exit 255 after SIGTERM or SIGINT; SIGHUP kills it outright.
    return { fate: first === 'SIGHUP' ? { code: null, signal: first } : { code: 255, signal: null }, ending: 'stopped', error: `cancelled by ${first}` };
  }
  if (first.kind === 'lost') {
    replayer.abort();
    await cancel(300);
    if (!heard) return { fate: { code: 1, signal: null }, ending: 'unlinked', error: `${worker.name || worker.url} accepted the job but its link failed: ${first.reason}` };
    const error = `lost the worker ${worker.name || worker.url} mid-transcode: ${first.reason}`;
    process.stderr.write(`plexbeam: ${error}; exiting so that Plex restarts the transcode\n`);
    return { fate: { code: 1, signal: null }, ending: 'lost', error };
  }
  // The job is over: its last callbacks get a moment to reach Plex, unless Plex says stop.
  let stopDrain: () => unknown = () => undefined;
  await Promise.race([replayer.drain(DRAIN_MS), new Promise((resolve) => (stopDrain = options.signals.listen(resolve)))]);
  stopDrain();
  const exit = first.message;
  const code = typeof exit.code === 'number' ? exit.code : null;
  const signal = typeof exit.signal === 'string' ? (exit.signal as NodeJS.Signals) : null;
  const error = typeof exit.error === 'string' ? exit.error : null;
  if (code === null && signal === null) {
    process.stderr.write(`plexbeam: the worker could not run the job: ${error ?? exit.state}\n`);
    return { fate: { code: 1, signal: null }, ending: 'exit', error: error ?? String(exit.state) };
  }
  return { fate: { code, signal }, ending: 'exit', error };
}
