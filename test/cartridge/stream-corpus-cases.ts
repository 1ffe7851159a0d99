/**
 * Every runnable corpus sample through the installed shim twice: once on shared storage (a worker
 * whose roots hold the media and the session folders) and once streamed (a worker whose roots hold
 * none of the Plex machine's paths, `storage: "stream"`), with the same checks on both: exit 0, the
 * session log's storage, the same files in the session folder, each media file read by ffprobe
 * with the same streams and packet counts (a headerless segment read after its `header`), text
 * files byte for byte, the same callbacks at the fake PMS and the same last segment list or
 * manifest. Used by stream-corpus-*.test.ts (four files of about 45 s each here: the 4K encodes
 * of 01, 02, 07 and 20 take most of it, so they go one to a file).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Test } from 'tap';
import t from 'tap';
import { adaptCorpusArgv, ensureTestMedia, loadCorpus, startFakePms, type RecordedRequest } from '../harness/index.ts';
import { API_KEY, installShim, plexEnv, readSessions, runShim, writeConfig } from './helpers.ts';
import { startRealWorker } from './workers.ts';

const MEDIA_EXT = /\.(ts|m4s|mp4|mkv|m4a|mov|webm|flac|aac|mp3)(\.\d+)?$/;
const TEXT_EXT = /\.(srt|vtt|ass|m3u8|csv|mpd|txt|json|xml)$/;

/** What one run left on the Plex machine. */
interface Run {
  code: number | null;
  stderr: string;
  session: string;
  files: string[];
  requests: RecordedRequest[];
  storage: string | null | undefined;
  decision: string | null | undefined;
  reason: string | null | undefined;
}

/** Codec and packet count of every stream of `bytes` (a file, or a headerless segment after its header). */
function streamsOf(path: string, header?: string): string {
  let target = path;
  if (header !== undefined) {
    target = `${path}.with-header`;
    writeFileSync(target, Buffer.concat([readFileSync(header), readFileSync(path)]));
  }
  const probe = spawnSync('ffprobe', ['-v', 'error', '-count_packets', '-show_entries', 'stream=codec_type,codec_name,nb_read_packets', '-of', 'csv=p=0', target], { encoding: 'utf8' });
  if (probe.status !== 0) return `unreadable: ${(probe.stderr.trim().split('\n')[0] ?? '').replace(/ @ 0x[0-9a-f]+/, '')}`;
  return probe.stdout.trim().split('\n').sort().join(' | ');
}

/** `METHOD path` of a callback (no query), and its body text. */
const callbackOf = (r: RecordedRequest) => `${r.method} ${r.path.replace(/\?.*$/, '')}`;
const isProgress = (key: string) => /\/progress($|\/)/.test(key);

/** Runs the samples `ids` in one tap file. */
export async function streamCorpus(ids: readonly string[]): Promise<void> {
  const samples = new Map(loadCorpus().map((s) => [s.id, s.argv]));
  const media = await ensureTestMedia();
  const dir = realpathSync(t.testdir({ clips: {}, tx: {}, 'shared-worker': {}, 'stream-worker': {}, 'stream-worker-media': {}, 'stream-worker-tx': {} }));
  const plex = await installShim(dir);
  const pms = await startFakePms({ mediaDir: media.dir });
  t.teardown(() => pms.close());
  const shared = await startRealWorker(join(dir, 'shared-worker'), { mediaRoots: [media.dir, join(dir, 'clips')], transcodeRoots: [join(dir, 'tx')] });
  t.teardown(() => shared.stop());
  // Its roots are its own empty folders: no Plex path is under them, nothing can be shared.
  const streamed = await startRealWorker(join(dir, 'stream-worker'), { mediaRoots: [join(dir, 'stream-worker-media')], transcodeRoots: [join(dir, 'stream-worker-tx')] });
  t.teardown(() => streamed.stop());
  const configs = {
    shared: writeConfig(dir, { workers: [{ url: shared.url, apiKey: API_KEY, name: 'shared', storage: 'shared' }] }),
    stream: writeConfig(dir, { workers: [{ url: streamed.url, apiKey: API_KEY, name: 'stream', storage: 'stream' }] }),
  };
  const clips = new Map<string, string>();
  /** A 2-second stream copy of a test medium (the samples ask for 4K and 1080p encodes). */
  const clipOf = (path: string) => {
    let out = clips.get(path);
    if (out !== undefined) return out;
    out = join(dir, 'clips', basename(path));
    const made = spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', path, '-t', '2', '-map', '0', '-c', 'copy', out]);
    if (made.status !== 0) throw new Error(`could not clip ${path}: ${String(made.stderr)}`);
    clips.set(path, out);
    return out;
  };

  const run = async (id: string, mode: 'shared' | 'stream'): Promise<Run> => {
    const session = join(dir, 'tx', `${id}-${mode}`);
    mkdirSync(session, { recursive: true });
    // Seeks land 1 s into the 2 s clips (the harness moves later ones there, renumbering the segments).
    const adapted = adaptCorpusArgv(samples.get(id) as string[], { media, sessionDir: session, pmsUrl: pms.url, seekTo: 1 });
    const argv = adapted.map((a, i) => (adapted[i - 1] === '-i' && a.startsWith(`${media.dir}/`) && /\.(mkv|mp4|ts|m2ts|avi|mov|webm)$/.test(a) ? clipOf(a) : a));
    const first = pms.requests.length;
    const shim = await runShim(plex, argv, { env: plexEnv({ PLEXBEAM_CONFIG: configs[mode] }), cwd: session });
    const files = (readdirSync(session, { recursive: true }) as string[]).filter((f) => statSync(join(session, f)).isFile()).sort();
    const row = (await readSessions(dir)).find((r) => r.cwd === session);
    return { code: shim.code, stderr: shim.stderr, session, files, requests: pms.requests.slice(first), storage: row?.storage, decision: row?.decision, reason: row?.fallbackReason };
  };

  for (const id of ids) {
    t.test(`${id}: streamed (the worker sees no Plex path) as on shared storage`, async (t: Test) => {
      const a = await run(id, 'shared');
      t.equal(a.code, 0, `shared: ${a.stderr.slice(-2000)}`);
      const b = await run(id, 'stream');
      t.equal(b.code, 0, `stream: ${b.stderr.slice(-2000)}`);
      t.equal(b.decision, a.decision, `the same decision: ${a.decision ?? 'none'} ${a.reason ?? ''}`);
      if (a.decision !== 'remote') {
        // A job the cartridge keeps on Plex's transcoder (the stand-in writes nothing) never reaches a worker.
        t.not(a.decision, undefined, 'the session log has the play');
        t.same(b.files, a.files, 'nothing the worker wrote');
        return;
      }
      t.equal(a.storage, 'shared', 'the session log: shared');
      t.equal(b.storage, 'stream', 'the session log: stream');
      t.ok(a.files.length > 0, `shared mode wrote files: ${a.files.join(' ')}`);
      t.same(b.files, a.files, 'the same files on the Plex machine, named and numbered as Plex asked');
      t.notOk(b.files.some((f) => f.includes('.plexbeam-')), 'no temp file left');
      // An ssegment segment without its header (`-segment_header_filename`) is read after it, a DASH
      // chunk after its stream's init file, as a player reads them.
      const header = (run: Run, file: string) => {
        const dash = /^(.*\/)?chunk-stream(\d+)-\d+\.m4s$/.exec(file);
        const name = dash === null ? join(dirname(file), 'header') : `${dash[1] ?? ''}init-stream${dash[2]}.m4s`;
        return (/\.ts$/.test(file) || dash !== null) && run.files.includes(name) && name !== file ? join(run.session, name) : undefined;
      };
      for (const file of a.files.filter((f) => b.files.includes(f))) {
        // A header or init file is read with the segments after it.
        if (/(^|\/)(header|init[^/]*)$/.test(file)) continue;
        if (MEDIA_EXT.test(file)) {
          const left = streamsOf(join(a.session, file), header(a, file));
          const right = streamsOf(join(b.session, file), header(b, file));
          t.notMatch(right, /^unreadable/, `${file}: ffprobe reads the streamed one`);
          t.equal(right, left, `${file}: the same streams and packets`);
        } else if (TEXT_EXT.test(file)) {
          t.equal(readFileSync(join(b.session, file), 'utf8'), readFileSync(join(a.session, file), 'utf8'), `${file}: the same text`);
        } else {
          t.equal(statSync(join(b.session, file)).size, statSync(join(a.session, file)).size, `${file}: the same size`);
        }
      }
      const keys = (r: Run) => [...new Set(r.requests.map(callbackOf))].sort();
      t.ok(keys(a).length > 0, `callbacks reached the fake PMS: ${keys(a).join(', ')}`);
      t.same(keys(b), keys(a), 'the same callbacks reached Plex');
      for (const key of keys(a).filter((k) => !isProgress(k))) {
        const last = (r: Run) => r.requests.filter((q) => callbackOf(q) === key).at(-1)?.bodyText.split(`${r.session}/`).join('') ?? '';
        t.equal(last(b), last(a), `${key}: the same last body (segment list or manifest)`);
      }
    });
  }
}
