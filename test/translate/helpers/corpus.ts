// Runs a corpus sample end to end the way the worker runs a job, minus HTTP and the sandbox:
// harness adaptation → ffprobe → translate (software) → publishers + progress emulation → ffmpeg.
import { fetchRequest } from '../../../worker/translate/post/http-request.ts';
import { createLogger } from '../../../core/log.ts';
import { runFfmpeg } from '../../../worker/ffmpeg.ts';
import { probeInputs } from '../../../worker/input-probe.ts';
import { startPlexEmulation } from '../../../worker/plex-emulation.ts';
import { translate, type Translation } from '../../../worker/translate/index.ts';
import { adaptCorpusArgv, loadCorpus, type FakePms, type RecordedRequest, type TestMedia } from '../../harness/index.ts';

const corpus = new Map(loadCorpus().map((s) => [s.id, s]));

/** The argv of corpus sample `id` ("01" …). */
export function loadSample(id: string): string[] {
  const sample = corpus.get(id);
  if (sample === undefined) throw new Error(`no corpus sample ${id}`);
  return [...sample.argv];
}

export interface SampleOptions {
  media: TestMedia;
  pms: FakePms;
  /** The session folder (ffmpeg's cwd). */
  session: string;
  /** Replaces the input the harness picked (a short clip for 4K outputs). */
  input?: string;
  seekTo?: number;
  /** Changes the sample before adaptation (documented in the test that uses it). */
  variant?: (argv: string[]) => string[];
}

/** A finished run. */
export interface SampleRun {
  code: number | null;
  stderr: string;
  /** The adapted argv (Plex's, pointing at test media). */
  argv: string[];
  result: Translation;
  /** What the fake PMS received during this run. */
  requests: RecordedRequest[];
  warnings: string[];
}

const log = await createLogger({ name: 'translate-test', config: { logLevel: 'silent', logFiles: false, logDir: '/tmp' } });

/** Adapts sample `id`, translates it for software and runs it in `session`. */
export async function runSample(id: string, opts: SampleOptions): Promise<SampleRun> {
  const adapted = adaptCorpusArgv((opts.variant ?? ((a) => a))(loadSample(id)), { media: opts.media, sessionDir: opts.session, pmsUrl: opts.pms.url, ...(opts.seekTo === undefined ? {} : { seekTo: opts.seekTo }) });
  const argv = opts.input === undefined ? adapted : adapted.map((a, i) => (adapted[i - 1] === '-i' && a.startsWith(opts.media.dir) ? opts.input as string : a));
  const inputs = argv.filter((_, i) => argv[i - 1] === '-i');
  const controller = new AbortController();
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };
  const facts = await probeInputs(inputs, { ffprobePath: 'ffprobe', cwd: opts.session, env, signal: controller.signal });
  const result = translate(argv, { backend: 'software', encoders: [], inputs: facts });
  const before = opts.pms.requests.length;
  const plex = startPlexEmulation({ translation: result, cwd: opts.session, inputs: facts, request: fetchRequest, signal: controller.signal, log, intervalMs: 100 });
  let stderr = '';
  const exit = await runFfmpeg({
    path: 'ffmpeg', argv: result.argv, cwd: opts.session, env, signal: controller.signal, forceKillAfterMs: 1000,
    onSpawn: (pid) => plex.spawned(pid),
    onStderr: (text) => (stderr += text),
    onProgressData: (text) => plex.progress(text),
    onProgress: () => undefined,
  });
  const warnings = await plex.finish();
  return { code: exit.code, stderr, argv, result, requests: opts.pms.requests.slice(before), warnings };
}

/** The path (no origin, no query) of a sample's Plex URL option (`-progressurl`, `-manifest_name`, `-segment_list`). */
export function plexPathOf(id: string, option: string): string {
  const argv = loadSample(id);
  const url = argv[argv.indexOf(option) + 1] ?? '';
  return url.replace(/^https?:\/\/[^/]+/, '').replace(/\?.*$/, '');
}
