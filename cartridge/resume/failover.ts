/**
 * Failover (docs/CARTRIDGE.md "When a worker is lost"): a job whose worker was lost, failed for
 * its own reasons, or handed it back (drain) after output began goes on from the first segment
 * Plex lacks, on the next-best worker or else on Plex's own transcoder, with the argv rewritten
 * the way Plex's seek-restarts write it (core/plex-argv/resume.ts). A job with no segments (an
 * Optimize mp4, thumbnails) starts again from the beginning, its partial file removed first.
 * Loaded by `import()` only when a job needs it: a play that never loses its worker never pays.
 */
import { posix, resolve } from 'node:path';
import { nodeFs } from '../../core/builtins.ts';
import { splitFfmpegArgv } from '../../core/ffmpeg-grammar/index.ts';
import { resumeArgv, resumeFactsOf, resumeSideFiles, segmentStart, type ResumeFacts, type ResumePoint } from '../../core/plex-argv/resume.ts';
import { resumeEvent, type ResumeDetails, type ResumeReason } from '../../core/resume-event.ts';
import type { AcceptedJob } from '../dispatch.ts';
import { requestJson } from '../http.ts';
import type { ListBody, ListLog } from '../list-log.ts';
import { realTranscoderPath, runReal, type ChildFate } from '../local.ts';
import type { RemoteOutcome } from '../remote.ts';
import type { StopSignals } from '../signals.ts';
import { lastListed, lastNamed } from './listed.ts';

/** The file names in `folder` ([] when it cannot be read). */
function folderNames(folder: string): string[] {
  try {
    return nodeFs().readdirSync(folder);
  } catch {
    return [];
  }
}

/** What failover needs of the invocation (cartridge/run.ts). */
export interface FailoverContext {
  /** Plex's argv, as Plex wrote it. */
  argv: readonly string[];
  cwd: string;
  plexEnv: Record<string, string>;
  shim: string | undefined;
  plexDir: string;
  fallbackToLocal: boolean;
  signals: StopSignals;
  lists: ListLog;
  sessionId: string;
  /** Writes an event to the session log (after the session row). */
  recordEvent(event: ReturnType<typeof resumeEvent>): void;
  /** Dispatches `argv` as the first dispatch did, never to a worker in `exclude` (URLs). */
  dispatch(argv: readonly string[], exclude: ReadonlySet<string>): Promise<AcceptedJob | null>;
  /** Relays an accepted job to its end, as the first one was. */
  relay(job: AcceptedJob, argv: readonly string[]): Promise<RemoteOutcome>;
}

/** How the transcode went on. */
export type Continuation =
  | { kind: 'remote'; job: AcceptedJob; outcome: RemoteOutcome }
  | { kind: 'local'; fate: ChildFate }
  | { kind: 'none'; why: string };

/** Resumes per invocation, at most (then the transcode fails as it would have). */
export const MAX_RESUMES = 2;

/** The worker's name, else its URL. */
const labelOf = (job: AcceptedJob) => job.worker.name || job.worker.url;

/** Where the resumed run starts: after the last segment Plex was told of (the first one when none was). */
function resumePoint(facts: ResumeFacts, lists: ListLog, cwd: string): { point: ResumePoint; lastAt: number | null } {
  const told = facts.listPath === null ? undefined : lists.last(facts.listPath);
  // No list reaches Plex (it reads the folder): the finished segments there say how far it got.
  const listed = facts.listPath === null ? lastNamed(facts, folderNames(resolve(cwd, facts.folder))) : told === undefined ? null : lastListed(facts, told.body);
  if (listed === null) return { point: { segment: facts.firstNumber, time: facts.seek }, lastAt: told?.at ?? null };
  const segment = listed.segment + 1;
  // Copied video is cut at the source's keyframes: the list's end time is where the next segment starts.
  const time = facts.videoCopy && listed.end !== null && listed.end > 0 ? listed.end : segmentStart(facts, segment);
  return { point: { segment, time }, lastAt: told?.at ?? null };
}

/** Resolves when Plex is told of segment `segment` (or later) through the relayed lists. */
function watchListed(facts: ResumeFacts, lists: ListLog, segment: number): { at: () => number | null; stop: () => void } {
  let at: number | null = null;
  const stop = lists.listen((body: ListBody) => {
    if (at !== null || body.path !== facts.listPath) return;
    const listed = lastListed(facts, body.body);
    if (listed !== null && listed.segment >= segment) at = body.at;
  });
  return { at: () => at, stop };
}

/** The file a local run writes for segment `segment` (HLS: the pattern; DASH: the first representation's chunk). */
export function segmentFile(facts: Pick<ResumeFacts, 'pattern' | 'folder'>, cwd: string, segment: number): string {
  const number = (width: string | undefined) => String(segment).padStart(Number(width || 0), '0');
  // A DASH template's `$Number%05d$` holds a printf width of its own: fill the template first.
  const name = /\$Number/.test(facts.pattern)
    ? facts.pattern
      .replace(/\$RepresentationID\$/g, '0')
      .replace(/\$Number(?:%0(\d+)d)?\$/g, (_, width?: string) => number(width))
      .replace(/\$ext\$/g, 'm4s')
    : facts.pattern.replace(/%0?(\d*)d/, (_, width: string) => number(width));
  return resolve(cwd, facts.folder, name);
}

/** Polls for `path` every 50 ms while a local run goes on (its callbacks go to Plex directly). */
function watchFile(path: string): { at: () => number | null; stop: () => void } {
  let at: number | null = null;
  const timer = setInterval(() => {
    try {
      nodeFs().lstatSync(path);
      at = Date.now();
      clearInterval(timer);
    } catch {
      // not yet
    }
  }, 50);
  timer.unref();
  return { at: () => at, stop: () => clearInterval(timer) };
}

/**
 * Asks the lost worker to cancel the job every 2 s until it answers (it may come back: nothing of
 * this play may keep running there). Unref'd: the invocation's exit ends it.
 */
function keepCancelling(job: AcceptedJob): void {
  const url = new URL(`/jobs/${encodeURIComponent(job.jobId)}`, job.worker.url).href;
  const headers: Record<string, string> = job.worker.apiKey ? { 'x-api-key': job.worker.apiKey } : {};
  const attempt = () => {
    requestJson(url, { method: 'DELETE', headers, signal: AbortSignal.timeout(1500) }).then(
      (res) => (res.status === 200 || res.status === 404 || res.status === 401 ? undefined : again()),
      () => again(),
    );
  };
  const again = () => void setTimeout(attempt, 2000).unref();
  again();
}

/** The single files an argv writes (an Optimize mp4): removed before a run starts again from the beginning. */
function singleFileOutputs(argv: readonly string[], cwd: string): string[] {
  return splitFfmpegArgv(argv).files
    .filter((f) => f.kind === 'output' && !/%\d*d|^-$|^pipe:|^[a-z][a-z0-9+.-]*:\/\/|^nullfile$|^\/dev\//i.test(f.target))
    .map((f) => resolve(cwd, f.target));
}

function removeFiles(paths: readonly string[]): void {
  for (const path of paths) {
    try {
      if (nodeFs().lstatSync(path).isFile()) nodeFs().rmSync(path, { force: true });
    } catch {
      // not there
    }
  }
}

/**
 * Goes on with the transcode after `lost` ended its job for a reason that is the worker's
 * (`reason`): resume number `attempt` (1 or 2). `tried` holds the workers lost so far.
 */
export async function goOn(ctx: FailoverContext, lost: AcceptedJob, outcome: RemoteOutcome, reason: ResumeReason, attempt: number, tried: Set<string>): Promise<Continuation> {
  tried.add(lost.worker.url);
  keepCancelling(lost);
  // ffmpeg's own HLS muxer rewrites its playlist from its first segment: it cannot start mid-stream.
  if (splitFfmpegArgv(ctx.argv).files.some((f) => f.kind === 'output' && f.options.some((o) => o.info.base === 'f' && (o.value === 'hls' || o.value === 'applehttp')))) {
    return { kind: 'none', why: 'its output (-f hls) cannot start again mid-stream' };
  }
  const facts = resumeFactsOf(ctx.argv);
  let argv: string[];
  let point: ResumePoint | null = null;
  let lastAt: number | null = null;
  if (facts === null) {
    // Not segmented: a file Plex cannot use half-written; it is written again from the start.
    argv = [...ctx.argv];
    removeFiles(singleFileOutputs(ctx.argv, ctx.cwd));
  } else {
    ({ point, lastAt } = resumePoint(facts, ctx.lists, ctx.cwd));
    argv = resumeArgv(ctx.argv, facts, point, attempt);
  }
  const lostAt = Date.now();
  const from = labelOf(lost);
  const where = point === null ? 'from the beginning' : `from segment ${point.segment} (${point.time} s)`;
  process.stderr.write(`plexbeam: ${outcome.error ?? `${from} ended the job`}; going on ${where}\n`);
  const watch = facts === null || point === null ? null : watchListed(facts, ctx.lists, point.segment);
  const record = (to: string, gapAt: number | null) => {
    const details: ResumeDetails = {
      sessionId: ctx.sessionId, from, to, segment: point?.segment ?? 0, at: point?.time ?? 0, reason, error: outcome.error,
      gapMs: gapAt === null ? null : gapAt - (lastAt ?? lostAt),
    };
    ctx.recordEvent(resumeEvent(details));
  };
  const job = ctx.signals.first === null ? await ctx.dispatch(argv, tried) : null;
  if (job !== null) {
    const next = await ctx.relay(job, argv);
    watch?.stop();
    record(labelOf(job), watch?.at() ?? null);
    cleanSideFiles(argv, ctx.cwd);
    return { kind: 'remote', job, outcome: next };
  }
  watch?.stop();
  if (ctx.signals.first !== null) return { kind: 'none', why: `stopped by ${ctx.signals.first}` };
  if (!ctx.fallbackToLocal) return { kind: 'none', why: 'no other worker could take it, and fallbackToLocal is false' };
  const local = facts === null || point === null ? null : watchFile(segmentFile(facts, ctx.cwd, point.segment));
  const child = runReal(realTranscoderPath(ctx.shim, ctx.plexDir), argv, ctx.plexEnv, ctx.cwd, ctx.signals, ctx.shim);
  const fate = await child.fate;
  local?.stop();
  record('local', local?.at() ?? null);
  cleanSideFiles(argv, ctx.cwd);
  return { kind: 'local', fate };
}

/** Removes the header or init files a resumed run wrote beside Plex's own. */
function cleanSideFiles(argv: readonly string[], cwd: string): void {
  const facts = resumeFactsOf(argv);
  if (facts === null) return;
  removeFiles(resumeSideFiles(argv).map((name) => resolve(cwd, facts.folder, name.replace(/\$RepresentationID\$/g, '*'))).flatMap((path) => expandReps(path)));
}

/** A DASH init name with `*` for the representation: the files of representations 0 to 15. */
function expandReps(path: string): string[] {
  if (!path.includes('*')) return [path];
  const dir = posix.dirname(path);
  const base = posix.basename(path).replace(/\$ext\$/g, 'm4s');
  return Array.from({ length: 16 }, (_, rep) => posix.join(dir, base.replace('*', String(rep))));
}
