/**
 * One invocation of `Plex Transcoder`, start to end: read the config, classify the argv, then
 * pass it through, run it locally, or dispatch it to a worker and relay it (falling back to the
 * real transcoder when no worker takes it, or when its job fails before any output). Records
 * the session; resolves with the fate Plex sees.
 */
import { join } from 'node:path';
import { loadConfig, type Config } from '../core/config.ts';
import { parsePlexArgv, type PlexInvocation } from '../core/plex-argv/index.ts';
import type { EndedBy, SessionPatch } from '../core/session-log/types.ts';
import { randomUuid } from '../core/random-uuid.ts';
import { callbackOrigins } from './callback-origins.ts';
import type { Commitment } from './commitment.ts';
import { checkWorkers, rankWorkers, type HealthResult, type WorkerCandidate, type WorkerRejection } from './choose-worker.ts';
import { planInvocation } from './decide.ts';
import { dispatchJob, type AcceptedJob, type TranscodeRequest } from './dispatch.ts';
import { fallbackReasonOf } from './fallback-reason.ts';
import { restorePlexEnv, workerEnv } from './environment.ts';
import { watchFirstSegment } from './first-output.ts';
import { realTranscoderPath, runReal, type ChildFate, type RealRun } from './local.ts';
import { runRemote, type RemoteOutcome } from './remote.ts';
import { createListLog, type ListLog } from './list-log.ts';
import { helloSent } from './pinned-connections.ts';
import type { FailoverContext } from './resume/failover.ts';
import { sessionStartRow } from './session-facts.ts';
import { createSessionRecorder, endPatch, fallbackPatch, type SessionRecorder } from './session.ts';
import type { StopSignals } from './signals.ts';
import type { StreamPlan } from './stream/plan.ts';
import { chooseStorage, type StorageChoice } from './stream/storage-choice.ts';

export interface CartridgeInput {
  argv: readonly string[];
  /** This process's environment (the shim's: PLEXBEAM_ENV holds Plex's). */
  env: NodeJS.ProcessEnv;
  cwd: string;
  signals: StopSignals;
  /** What has started and reached Plex so far: main.ts's last resort reads it. */
  commitment: Commitment;
}

interface Invocation extends CartridgeInput {
  plexEnv: Record<string, string>;
  config: Config;
  inv: PlexInvocation;
  session: SessionRecorder;
}

/** How long the last session-log write may hold up the exit. */
const SESSION_FINISH_MS = 400;

/** Runs the invocation and resolves with how the transcode ended, as Plex must see it. */
export async function runCartridge(input: CartridgeInput): Promise<ChildFate> {
  const startedAt = Date.now();
  const plexEnv = restorePlexEnv(input.env);
  const shim = input.env.PLEXBEAM_SHIM;
  // No input, no transcode (a version or capability query): Plex's transcoder starts at once,
  // and the session is recorded while it runs.
  const early = shim && !input.argv.includes('-i') ? startReal(input, plexEnv, realTranscoderPath(shim, '')) : null;
  let config: Config;
  try {
    config = loadConfig({ env: plexEnv });
  } catch (error) {
    // A broken config must never break Plex: say so once, and run Plex's own transcoder.
    process.stderr.write(`plexbeam: ${(error as Error).message}; running Plex Transcoder.real\n`);
    const child = early ?? startReal(input, plexEnv, realTranscoderPath(shim, '/usr/lib/plexmediaserver'));
    return startFailure(child.path, await child.fate);
  }
  // Only a call with an input can be a transcode: its health checks go out before the parse.
  const health = config.workers.length > 0 && input.argv.includes('-i') ? checkWorkers(config.workers, config.healthTimeoutMs, config.server.fleetFile, config.dataDir) : null;
  // One turn of the event loop: the health requests connect and go out before the parse, which then overlaps their round trips.
  const known = health === null ? null : settledValue(health);
  if (health !== null) await new Promise((resolve) => setImmediate(resolve));
  // A pinned worker's connection opening (its health, or the dispatch's from the cache): its TLS hello goes out before the parse too.
  await helloSent();
  // Already known that no worker can take it (none configured; every one down, draining or full,
  // as the fleet cache or a refused connection tells at once): Plex's transcoder starts now, and
  // the parse (about 10 ms of a Plex argv), the session row and the watch follow while it runs.
  const nobody = early !== null ? null : config.workers.length === 0 ? fallbackPatch('no-worker-configured', 'no worker configured') : noTaker(known?.(), config.fallbackToLocal && input.signals.first === null);
  const started = nobody === null ? early : startReal(input, plexEnv, realTranscoderPath(shim, config.plexDir));
  const inv = parsePlexArgv(input.argv);
  const sessionId = randomUuid();
  const session = createSessionRecorder(join(config.dataDir, 'sessions.db'), () => sessionStartRow(sessionId, startedAt, input.argv, plexEnv, input.cwd, inv));
  const run: Invocation = { ...input, plexEnv, config, inv, session };
  const plan = planInvocation(inv.kind);
  if (plan.route === 'local' || early !== null) return runLocally(run, { decision: 'local', reason: plan.reason ?? 'local' }, !plan.passThrough, started);
  if (nobody !== null) return runLocally(run, nobody, true, started);
  return runRemotely(run, sessionId, health ?? checkWorkers(config.workers, config.healthTimeoutMs, config.server.fleetFile, config.dataDir));
}

/** A promise's value once it has resolved (undefined before, or when it rejected). */
function settledValue<T>(promise: Promise<T>): () => T | undefined {
  let value: T | undefined;
  promise.then((v) => (value = v), () => undefined);
  return () => value;
}

/** The fallback patch when `found` (the health, if already known) leaves no worker with a free slot, for any codec; null otherwise, or when `mayFallBack` is false. */
function noTaker(found: readonly HealthResult[] | undefined, mayFallBack: boolean): SessionPatch | null {
  if (found === undefined || !mayFallBack) return null;
  // No codec: a worker that can take some job is a candidate; with none, the codec changes nothing.
  const { candidates, rejected } = rankWorkers(found, null);
  return candidates.length > 0 ? null : fallbackPatch(fallbackReasonOf(rejected), noWorkerReason(rejected));
}

/** The session log's and stderr's words for a job no worker took. */
function noWorkerReason(rejected: readonly WorkerRejection[]): string {
  return `no worker could take the job: ${rejected.map((r) => `${r.worker} ${r.reason}`).join('; ') || 'none answered'}`;
}

async function runRemotely(run: Invocation, sessionId: string, health: Promise<HealthResult[]>): Promise<ChildFate> {
  const { config, inv, session, signals } = run;
  const storage = new Map<string, StorageChoice & { plan?: StreamPlan }>();
  const dispatch = (argv: readonly string[], found: Promise<HealthResult[]>) => {
    const request = { session_id: sessionId, argv, env: workerEnv(run.plexEnv), cwd: run.cwd };
    return dispatchJob(found, request, { videoCodecOut: inv.video?.codec ?? null, stopped: () => signals.first !== null, requestFor: (worker) => storageRequest(run, argv, worker, request, storage) });
  };
  let outcome;
  try {
    outcome = await dispatch(run.argv, health);
  } catch (error) {
    outcome = { job: null, rejected: [{ worker: 'cartridge', reason: `dispatch error: ${(error as Error).message}`, code: 'dispatch-failed' as const }] };
  }
  const { job, rejected } = outcome;
  if (job === null) {
    const reason = noWorkerReason(rejected);
    const code = fallbackReasonOf(rejected);
    if (signals.first !== null) return finish(session, stopFate(signals.first), 'plex-stop', { ...fallbackPatch(code, reason), error: `stopped by ${signals.first} before dispatch` });
    if (config.fallbackToLocal) return runLocally(run, fallbackPatch(code, reason), true);
    process.stderr.write(`plexbeam: ${reason}; not running it locally because fallbackToLocal is false\n`);
    return finish(session, { code: 1, signal: null }, 'not-run', { ...fallbackPatch(code, `${reason}; fallbackToLocal is false: not run`), error: 'no worker' });
  }
  session.note({ decision: 'remote', reason: null, worker: job.worker.name || job.worker.url, dispatchAt: job.dispatchAt });
  const markFirst = once(() => {
    run.commitment.committed = true;
    session.note({ firstSegmentAt: Date.now() });
  });
  const unwatch = watchFirstSegment(inv, run.cwd, markFirst);
  const token = run.plexEnv.X_PLEX_TOKEN;
  const choice = storage.get(job.worker.url);
  if (choice !== undefined) session.note({ storage: choice.mode, storageReason: choice.reason });
  const lists = createListLog();
  const relayJob = async (accepted: AcceptedJob) => {
    const plan = storage.get(accepted.worker.url)?.plan;
    // Stream mode's code loads only for a job that streams (off the start-up path of the others).
    const stream = plan === undefined ? undefined : (await import('./stream/side.ts')).createStreamSide({ worker: accepted.worker, jobId: accepted.jobId, plan, warn: (text) => process.stderr.write(`plexbeam: ${text}\n`) });
    return runRemote(accepted, { origins: callbackOrigins(run.argv), token, signals, onFirstOutput: markFirst, commitment: run.commitment, lists, ...(stream === undefined ? {} : { stream }) });
  };
  const relay = relayJob(job);
  // The work is under way: now the session log may load SQLite.
  setImmediate(() => session.begin());
  let result = await relay;
  if (result.resumable !== null && signals.first === null) {
    // The worker is gone or gave the job back after output began: the transcode goes on elsewhere (cartridge/resume).
    const went = await failover(run, sessionId, job, result, lists, {
      dispatch: (argv, exclude) => dispatch(argv, checkWorkers(config.workers, config.healthTimeoutMs, undefined, config.dataDir).then((found) => found.filter((h) => !exclude.has(h.worker.url)))).then((o) => o.job),
      relay: relayJob,
    });
    if (went.local !== undefined) {
      unwatch();
      const endedBy: EndedBy = signals.first !== null ? 'plex-stop' : 'exit';
      return finish(session, went.local, endedBy, { error: went.local.error?.message ?? null });
    }
    result = went.outcome;
  }
  if (result.ending === 'lost') process.stderr.write(`plexbeam: ${result.error}; exiting so that Plex restarts the transcode\n`);
  unwatch();
  const early = result.ending === 'unlinked' || result.ending === 'no-output';
  if (early) {
    // Nothing reached Plex yet: a dispatch error before output begins, so it falls back.
    const reason = result.error ?? 'link failed';
    if (config.fallbackToLocal && signals.first === null) {
      // The worker's ffmpeg may have written to stderr already: say why a second run follows.
      if (result.ending === 'no-output') process.stderr.write(`plexbeam: ${reason}; running Plex Transcoder.real\n`);
      return runLocally(run, fallbackPatch(result.ending === 'unlinked' ? 'link-failed' : 'failed-before-output', reason), true);
    }
    process.stderr.write(`plexbeam: ${reason}${signals.first === null ? '; not running it locally because fallbackToLocal is false' : ''}\n`);
  }
  return finish(session, result.fate, REMOTE_ENDED_BY[signals.first !== null && early ? 'stopped' : result.ending], { error: result.error });
}

/**
 * Goes on after `job` ended for the worker's reasons (at most MAX_RESUMES times): resolves with
 * the last remote job's outcome, or the fate of Plex's transcoder when it took over.
 */
async function failover(run: Invocation, sessionId: string, job: AcceptedJob, result: RemoteOutcome, lists: ListLog,
  jobs: { dispatch: FailoverContext['dispatch']; relay: (job: AcceptedJob) => Promise<RemoteOutcome> }): Promise<{ outcome: RemoteOutcome; local?: ChildFate }> {
  const { goOn, MAX_RESUMES } = await import('./resume/failover.ts');
  const ctx: FailoverContext = {
    argv: run.argv, cwd: run.cwd, plexEnv: run.plexEnv, shim: run.env.PLEXBEAM_SHIM, plexDir: run.config.plexDir, fallbackToLocal: run.config.fallbackToLocal,
    signals: run.signals, lists, sessionId, recordEvent: (event) => run.session.event(event), dispatch: jobs.dispatch, relay: (accepted) => jobs.relay(accepted),
  };
  const tried = new Set<string>();
  let current = job;
  let outcome = result;
  for (let attempt = 1; attempt <= MAX_RESUMES && outcome.resumable !== null && run.signals.first === null; attempt++) {
    const next = await goOn(ctx, current, outcome, outcome.resumable, attempt, tried);
    if (next.kind === 'local') return { outcome, local: next.fate };
    if (next.kind === 'none') {
      process.stderr.write(`plexbeam: cannot go on with the transcode: ${next.why}\n`);
      return { outcome: { ...outcome, resumable: null } };
    }
    current = next.job;
    // A resumed job whose link never opened is a lost worker too: Plex already has output.
    outcome = next.outcome.ending === 'unlinked' ? { ...next.outcome, ending: 'lost', resumable: 'worker-lost' } : next.outcome;
  }
  if (outcome.resumable !== null && run.signals.first === null) process.stderr.write(`plexbeam: the transcode lost its worker ${MAX_RESUMES + 1} times; giving up\n`);
  return { outcome };
}

/** `workers[].storage` of `worker` (default auto). */
function storageSetting(run: Invocation, worker: WorkerCandidate): 'auto' | 'shared' | 'stream' {
  const entry = run.config.workers.find((w) => w.url === worker.url || (w.name !== '' && w.name === worker.name));
  const mode = (worker as { storage?: string }).storage ?? entry?.storage ?? 'auto';
  return mode === 'stream' || mode === 'shared' ? mode : 'auto';
}

/** The request for one worker: as given on shared storage; with the streamed inputs' sizes in stream mode (the choice kept for the session log). */
async function storageRequest(run: Invocation, argv: readonly string[], worker: WorkerCandidate, request: TranscodeRequest, choices: Map<string, StorageChoice & { plan?: StreamPlan }>): Promise<TranscodeRequest> {
  const choice = await chooseStorage({ argv, cwd: run.cwd, worker, setting: storageSetting(run, worker), cacheDir: run.config.dataDir, timeoutMs: Math.max(run.config.healthTimeoutMs, 1000) });
  if (choice.mode !== 'stream') {
    choices.set(worker.url, choice);
    return request;
  }
  const { planStream } = await import('./stream/plan.ts');
  const plan = await planStream(argv, run.cwd);
  choices.set(worker.url, { ...choice, plan });
  return { ...request, storage: { mode: 'stream', inputs: plan.inputs, versions: plan.versions, ...(Object.keys(plan.files).length > 0 ? { files: plan.files } : {}), ...(Object.keys(plan.named).length > 0 ? { named: plan.named } : {}) } };
}

/** Starts Plex's transcoder with the identical argv, env and cwd. */
function startReal(input: CartridgeInput, plexEnv: Record<string, string>, path: string): RealRun & { path: string } {
  input.commitment.committed = true;
  return { ...runReal(path, input.argv, plexEnv, input.cwd, input.signals, input.env.PLEXBEAM_SHIM), path };
}

/** `decision` holds the decision and reason columns (fallbackPatch for a fallback). */
async function runLocally(run: Invocation, decision: SessionPatch, watch: boolean, started: (RealRun & { path: string }) | null = null): Promise<ChildFate> {
  const child = started ?? startReal(run, run.plexEnv, realTranscoderPath(run.env.PLEXBEAM_SHIM, run.config.plexDir));
  run.session.note(decision);
  const unwatch = watch ? watchFirstSegment(run.inv, run.cwd, once(() => run.session.note({ firstSegmentAt: Date.now() }))) : () => undefined;
  setImmediate(() => run.session.begin());
  const fate = startFailure(child.path, await child.fate);
  unwatch();
  // Plex's stop reaches the real transcoder too (forwarded): it exits 255 then, and that is a stop.
  const endedBy: EndedBy = fate.error !== undefined ? 'start-failed' : run.signals.first !== null ? 'plex-stop' : 'exit';
  return finish(run.session, fate, endedBy, { error: fate.error?.message ?? null });
}

/** A remote job's ending (remote.ts) as the session log's `ended_by`. */
const REMOTE_ENDED_BY = { exit: 'exit', stopped: 'plex-stop', lost: 'worker-lost', unlinked: 'error', 'no-output': 'error' } as const satisfies Record<string, EndedBy>;

/** Records the end (why, the exit code and signal Plex sees, `patch`) and returns `fate`. */
async function finish(session: SessionRecorder, fate: ChildFate, endedBy: EndedBy, patch: SessionPatch): Promise<ChildFate> {
  await session.finish({ ...patch, ...endPatch({ endedBy, code: fate.code, signal: fate.signal, error: patch.error }, Date.now()) }, SESSION_FINISH_MS);
  return fate;
}

/** A real transcoder that could not start: one line on stderr, and the shell's exit codes (127, 126). */
function startFailure(real: string, fate: ChildFate): ChildFate {
  if (fate.error === undefined) return fate;
  process.stderr.write(`plexbeam: cannot run ${real}: ${fate.error.message}\n`);
  return { ...fate, code: (fate.error as NodeJS.ErrnoException).code === 'ENOENT' ? 127 : 126 };
}

/** How a transcode stopped by `signal` ends: ffmpeg exits 255 after SIGTERM/SIGINT and dies of SIGHUP. */
export function stopFate(signal: NodeJS.Signals): ChildFate {
  return signal === 'SIGHUP' ? { code: null, signal } : { code: 255, signal: null };
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (!done) fn();
    done = true;
  };
}
