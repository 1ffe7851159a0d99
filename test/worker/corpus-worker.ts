/**
 * Corpus samples through a real worker process (software backend): adapted with the harness,
 * POSTed like the cartridge would, the link relayed to a fake PMS by the fake cartridge.
 */
import { mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { adaptCorpusArgv, ensureTestMedia, startFakePms, type FakePms, type RecordedRequest, type TestMedia } from '../harness/index.ts';
import { clipsDir, mediaClip } from '../translate/helpers/clips.ts';
import { loadSample } from '../translate/helpers/corpus.ts';
import { relayJob, type CartridgeRelay } from './fake-cartridge.ts';
import { startWorker, waitForEnd, type RunningWorker } from './helpers.ts';

/** A worker process with its fake PMS and media roots. */
export interface CorpusWorker {
  worker: RunningWorker;
  pms: FakePms;
  media: TestMedia;
  /** The worker's transcodeRoot (session folders go in it). */
  tx: string;
  /** A writable media root of the test (Optimize writes into its `Plex Versions/`). */
  library: string;
}

/**
 * Starts the fake PMS and a worker whose roots hold the harness media, their clips, a writable
 * library and a transcode folder; `/plex/media` and `/plex/transcode` map to the first and last.
 */
export async function startCorpusWorker(t: Test): Promise<CorpusWorker> {
  const dir = realpathSync(t.testdir({ tx: {}, library: {} }));
  const media = await ensureTestMedia();
  await mediaClip(media, 'av1Eac3', 1); // makes the clips folder, a media root
  const tx = join(dir, 'tx');
  const library = join(dir, 'library');
  const worker = await startWorker(dir, {
    hwaccel: 'software', maxJobs: 2, mediaRoots: [media.dir, clipsDir(media), library], transcodeRoots: [tx],
    pathMap: [{ from: '/plex/media', to: media.dir }, { from: '/plex/transcode', to: tx }],
  });
  const pms = await startFakePms();
  t.teardown(async () => {
    await worker.stop();
    await pms.close();
  });
  return { worker, pms, media, tx, library };
}

/** How one sample is run through the worker. */
export interface WorkerRunOptions {
  /** Session folder name under `tx`. */
  session: string;
  /** Replaces the input the harness picked (a short clip for 4K outputs). */
  input?: string;
  seekTo?: number;
  /** Last changes to the adapted argv (Plex-side paths, another output place), applied before the POST. */
  edit?: (argv: string[]) => string[];
  /** The `cwd` to send (default: the session folder). */
  cwd?: string;
}

/** A finished run through the worker. */
export interface WorkerRun {
  jobId: string;
  /** The job's final status (GET /status). */
  end: Record<string, any>;
  relay: CartridgeRelay;
  argv: string[];
  sessionDir: string;
  /** What the fake PMS got during this run, in arrival order. */
  requests: RecordedRequest[];
}

/** An `edit` that writes the worker paths of the argv the way Plex would see them (worker.pathMap maps them back). */
export function toPlexPaths(cw: CorpusWorker): (argv: string[]) => string[] {
  return (argv) => argv.map((a) => a.replaceAll(cw.tx, '/plex/transcode').replaceAll(cw.media.dir, '/plex/media'));
}

/** Adapts sample `id`, POSTs it, relays its link until the job ends. */
export async function runThroughWorker(cw: CorpusWorker, id: string, opts: WorkerRunOptions): Promise<WorkerRun> {
  const sessionDir = join(cw.tx, opts.session);
  mkdirSync(sessionDir, { recursive: true });
  const adapted = adaptCorpusArgv(loadSample(id), { media: cw.media, sessionDir, pmsUrl: cw.pms.url, ...(opts.seekTo === undefined ? {} : { seekTo: opts.seekTo }) });
  const withInput = opts.input === undefined ? adapted : adapted.map((a, i) => (adapted[i - 1] === '-i' && a.startsWith(cw.media.dir) ? opts.input as string : a));
  const argv = opts.edit?.(withInput) ?? withInput;
  const before = cw.pms.requests.length;
  const { status, json } = await cw.worker.request('POST', '/transcode', { session_id: `corpus-${id}`, argv, env: { X_PLEX_TOKEN: 'never-sent', LANG: 'C.UTF-8' }, cwd: opts.cwd ?? sessionDir });
  if (status !== 202) throw new Error(`sample ${id} refused (${status}): ${JSON.stringify(json)}`);
  const relay = relayJob(cw.worker.base, json.job_id, cw.pms.url);
  await relay.done;
  const end = await waitForEnd(cw.worker, json.job_id);
  return { jobId: json.job_id, end, relay, argv, sessionDir, requests: cw.pms.requests.slice(before) };
}

/** The link's callbacks arrived numbered in order and reached Plex in that order; the job completed cleanly. */
export async function checkRelayOrder(t: Test, cw: CorpusWorker, run: WorkerRun): Promise<void> {
  const callbacks = run.relay.link.messages.filter((m) => m.type === 'callback');
  t.same(callbacks.map((m) => m.seq), callbacks.map((_, i) => i + 1), 'callbacks numbered 1, 2, 3 … in arrival order');
  t.same(run.relay.replayed.map((r) => r.seq), callbacks.map((m) => m.seq), 'replayed to Plex in seq order');
  t.same(run.requests.map((r) => `${r.method} ${r.url}`), run.relay.replayed.map((r) => `${r.method} ${r.path}${r.query === '' ? '' : `?${r.query}`}`),
    'Plex got them in that order, path and query byte for byte');
  t.ok(run.requests.every((r) => r.headers['x-plex-token'] === 'cartridge-token'), 'with the token the cartridge adds');
  t.match(run.relay.link.messages.at(-1), { type: 'exit', state: 'completed', code: 0 }, 'the link ends with exit 0');
  const completed = await cw.worker.waitForLog((l) => l.job_id === run.jobId && l.msg === 'job completed');
  t.ok(completed.publish_warnings === undefined, `completed without publish warnings ${JSON.stringify(completed.publish_warnings ?? '')}`);
}
