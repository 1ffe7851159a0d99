// Fuzz (issue 18, Done when): thousands of argv mutated from the corpus — swapped options, escaped
// filter arguments, relative, `..` and symlinked paths, protocol prefixes, `file:`/`concat:`/URL
// values — go through the sandbox (prepareJob); a sample of the accepted ones runs in a real,
// confined ffmpeg for about a second. Nothing outside the roots may be opened, read or written
// (inotify on the canary folders, and a listing + content hash of them) and no connection may
// reach a listener the mutations aim at. Positive controls show both detectors do fire.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import t from 'tap';
import { checkConfinement, createJobConfiner } from '../../worker/confine/index.ts';
import { runFfmpeg, type CommandWrapper } from '../../worker/ffmpeg.ts';
import { prepareJob, type PreparedJob } from '../../worker/sandbox/index.ts';
import { createPathPolicy } from '../../worker/sandbox/path-policy.ts';
import { validateTranscodeRequest } from '../../worker/sandbox/request.ts';
import { adaptCorpusArgv, ensureTestMedia, loadCorpus } from '../harness/index.ts';

const PATH = '/usr/local/bin:/usr/bin:/bin';
const MUTANTS = 3000;
const RUNS = 30;
const has = (command: string, args: string[]) => spawnSync(command, args).status === 0;
const skip = process.getuid?.() !== 0 ? 'needs root (a canary folder in /root)'
  : !has('bwrap', ['--unshare-all', '--ro-bind', '/', '/', 'true']) ? 'bubblewrap (bwrap) is missing or cannot create namespaces here'
  : !has('inotifywait', ['--help']) && spawnSync('inotifywait', ['--help']).error !== undefined ? 'inotifywait is missing (apt-get install inotify-tools)'
  : false;

/** A small seeded PRNG (mulberry32): the same mutants on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** inotify on `dirs` (recursive): every open, read, write, create of anything in them. */
async function watch(dirs: string[]): Promise<{ events: string[]; proc: ChildProcess }> {
  const proc = spawn('inotifywait', ['-m', '-r', '--format', '%w%f %e', '-e', 'open,access,modify,attrib,close_write,create,delete,moved_to,moved_from', ...dirs], { stdio: ['ignore', 'pipe', 'pipe'] });
  const events: string[] = [];
  proc.stdout?.on('data', (chunk: Buffer) => events.push(...chunk.toString().split('\n').filter((line) => line !== '')));
  await new Promise<void>((resolve, reject) => {
    let said = '';
    proc.stderr?.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      if (said.includes('Watches established')) resolve();
    });
    proc.once('exit', () => reject(new Error(`inotifywait ended: ${said}`)));
  });
  return { events, proc };
}

/** Every file under `dir` with its content hash: what a missed inotify event would still change. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    out.push(`${name} ${stat?.isFile() ? createHash('sha256').update(readFileSync(path)).digest('hex') : 'dir'}`);
  }
  return out.sort();
}

/** A listener that counts connections (bound to every address: loopback and the LAN one). */
async function countingListener(): Promise<{ server: Server; port: number; count(): number; reset(): void }> {
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  return { server, port: (server.address() as { port: number }).port, count: () => connections, reset: () => (connections = 0) };
}

t.test('fuzzed argv: the sandbox, then a confined ffmpeg, never reach outside the roots', { skip }, async (t) => {
  const dir = realpathSync(t.testdir({ tx: { job: {}, other: { 'canary.txt': 'other job\n' } }, outside: { 'canary.txt': 'outside\n' } }));
  const media = await ensureTestMedia();
  const session = join(dir, 'tx', 'job');
  const outside = join(dir, 'outside');
  const other = join(dir, 'tx', 'other');
  const rootCanaries = `/root/plexbeam-fuzz-${process.pid}`;
  mkdirSync(rootCanaries, { recursive: true });
  writeFileSync(join(rootCanaries, 'canary.txt'), 'root\n');
  t.teardown(() => rmSync(rootCanaries, { recursive: true, force: true }));
  const video = Object.values(media.files).find((file) => file.path.endsWith('.mkv'))?.path ?? (Object.values(media.files)[0]?.path as string);
  copyFileSync(video, join(outside, 'canary.mkv'));
  copyFileSync(video, join(rootCanaries, 'canary.mkv'));
  symlinkSync(join(outside, 'canary.mkv'), join(session, 'link.mkv'));
  symlinkSync(outside, join(session, 'linkdir'));
  const evilList = join(session, 'list.ffconcat');

  const listener = await countingListener();
  const capture = await countingListener(); // the job's callback port: rewritten callbacks may go here
  t.teardown(() => (listener.server.close(), capture.server.close()));
  const lan = Object.values(networkInterfaces()).flat().find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address ?? '127.0.0.2';
  const P = listener.port;
  writeFileSync(evilList, `ffconcat version 1.0\nfile '${join(outside, 'canary.mkv')}'\nfile 'tcp://127.0.0.1:${P}'\n`);

  const watched = [outside, other, rootCanaries];
  const before = watched.map(snapshot);
  const watcher = await watch(watched);
  t.teardown(() => watcher.proc.kill('SIGKILL'));

  // Positive controls: an unconfined ffmpeg that reads a canary and dials the listener is seen.
  const run = (argv: readonly string[], cwd: string, signal: AbortSignal, wrap?: CommandWrapper) =>
    runFfmpeg({ path: 'ffmpeg', argv: ['-hide_banner', '-v', 'error', '-y', ...argv], cwd, env: { PATH, HOME: session }, signal, forceKillAfterMs: 500, onProgress: () => {}, onStderr: () => {}, ...(wrap === undefined ? {} : { wrap }) });
  await run(['-i', join(outside, 'canary.mkv'), '-t', '0.1', '-f', 'null', '-'], session, new AbortController().signal);
  await run(['-i', `tcp://127.0.0.1:${P}`, '-f', 'null', '-'], session, AbortSignal.timeout(2000));
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.ok(watcher.events.some((e) => e.includes('canary.mkv') && /OPEN|ACCESS/.test(e)), 'control: inotify sees an unconfined read of the canary');
  t.ok(listener.count() > 0, 'control: the listener sees an unconfined connection');
  watcher.events.length = 0;
  listener.reset();

  // The mutants.
  const rand = random(18);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const evilPaths = [
    join(outside, 'canary.mkv'), join(outside, 'canary.txt'), join(other, 'canary.txt'), join(rootCanaries, 'canary.mkv'), '../outside/canary.mkv', '../../outside/canary.mkv',
    `${media.dir}/../../outside/canary.mkv`, 'link.mkv', 'linkdir/canary.mkv', join(session, 'linkdir', 'canary.txt'), `file:${join(outside, 'canary.mkv')}`, `file:../other/canary.txt`,
    `concat:${video}|${join(outside, 'canary.mkv')}`, `subfile,,start,0,end,0,,:${join(outside, 'canary.txt')}`, `cache:${join(outside, 'canary.mkv')}`, 'list.ffconcat',
    `http://127.0.0.1:${P}/x.ts`, `http://${lan}:${P}/x.ts`, `tcp://127.0.0.1:${P}`, `tcp://${lan}:${P}`, `http://localhost:${P}/x`, `udp://${lan}:${P}`, `rtmp://127.0.0.1:${P}/a`,
  ];
  const evilOutputs = [join(outside, 'evil.ts'), join(other, 'evil.ts'), '../other/evil.ts', '../../outside/evil.ts', 'linkdir/evil.ts', `file:${join(outside, 'evil.ts')}`, join(rootCanaries, 'evil.ts'), `http://${lan}:${P}/up`, `tcp://127.0.0.1:${P}`];
  const escape = (path: string) => pick([path, path.replaceAll('/', '\\/'), path.replaceAll('/', '\\\\/'), `'${path}'`, path.replaceAll(':', '\\:'), path.replaceAll(':', '\\\\:')]);
  const filters = (path: string) => [
    `drawtext=textfile=${escape(path)}`, `movie=${escape(path)}`, `subtitles=filename=${escape(path)}`, `subtitles=${escape(path)}`, `amovie=${escape(path)}`,
    `metadata=mode=print:file=${escape(path)}`, `deshake=filename=${escape(path)}`, `ass=${escape(path)}`, `sendcmd=f=${escape(path)}`,
  ];
  const mutate = (argv: string[]): string[] => {
    const out = [...argv];
    for (let n = 1 + Math.floor(rand() * 3); n > 0; n -= 1) {
      const options = out.map((a, i) => (a.startsWith('-') && i + 1 < out.length ? i : -1)).filter((i) => i >= 0);
      const inputs = out.map((a, i) => (a === '-i' ? i + 1 : -1)).filter((i) => i > 0);
      switch (Math.floor(rand() * 8)) {
        case 0: { // swap two options with their values
          const [a, b] = [pick(options), pick(options)];
          if (a === undefined || b === undefined) break;
          [out[a], out[a + 1], out[b], out[b + 1]] = [out[b] as string, out[b + 1] as string, out[a] as string, out[a + 1] as string];
          break;
        }
        case 1: if (inputs.length > 0) out[pick(inputs)] = pick(evilPaths); break;
        case 2: out[out.length - 1] = pick(evilOutputs); break;
        case 3: out.splice(pick(inputs) ?? 0, 0, '-vf', pick(filters(pick(evilPaths)))); break;
        case 4: out.splice(out.length - 1, 0, pick(['-attach', '-vstats_file', '-passlogfile', '-sdp_file', '-hls_segment_filename', '-segment_list', '-progress', '-dump_attachment:t', '-filter_complex_script']), pick([...evilPaths, ...evilOutputs])); break;
        case 5: if (inputs.length > 0) out[pick(inputs)] = `${pick(['file:', 'subfile,,start,0,end,0,,:', 'cache:', 'async:', 'crypto:', 'concat:'])}${out[pick(inputs)]}`; break;
        case 6: if (inputs.length > 0) out[pick(inputs)] = (out[pick(inputs)] as string).replace(/\/([^/]+)$/, '/../$1/../$1').replace(/^\//, `${media.dir}/../../`); break;
        default: out.splice(0, 0, pick(['-protocol_whitelist', '-f', '-safe', '-pattern_type', '-autorotate']), pick(['file,tcp,http,udp', 'concat', '0', 'glob', '-protocol_whitelist'])); break;
      }
    }
    return out;
  };

  const policy = createPathPolicy({ mediaRoots: [media.dir], transcodeRoots: [join(dir, 'tx')], pathMap: [] });
  const accepted: { argv: string[]; job: PreparedJob }[] = [];
  const samples = loadCorpus().map((sample) => adaptCorpusArgv(sample.argv, { media, sessionDir: session, pmsUrl: 'http://127.0.0.1:32400' }));
  for (let i = 0; i < MUTANTS; i += 1) {
    const argv = mutate(pick(samples));
    try {
      const job = prepareJob(validateTranscodeRequest({ session_id: 's', argv, env: {}, cwd: session }), {
        policy, allowHttpInputs: false, translate: { backend: 'software', encoders: ['libx264'] }, callbacks: { port: capture.port, jobId: `fuzz${i}`, token: 'tok' },
      });
      accepted.push({ argv, job });
    } catch {
      // refused (403/422/400): the sandbox's answer; the fuzz is about what it lets through
    }
  }
  t.ok(accepted.length > 0, `${accepted.length} of ${MUTANTS} mutants accepted by the sandbox`);
  const marks = [outside, other, rootCanaries, 'canary', 'linkdir', 'link.mkv', 'list.ffconcat', String(P), lan];
  const suspicious = accepted.filter(({ job }) => marks.some((mark) => job.command.argv.join(' ').includes(mark)));
  const chosen = [...suspicious.slice(0, RUNS), ...accepted.filter((a) => !suspicious.includes(a))].slice(0, RUNS);
  t.comment(`running ${chosen.length} accepted mutants confined (${suspicious.length} name a canary, the listener or a symlink)`);

  const confinement = await checkConfinement({ setting: 'bubblewrap', pathVar: PATH });
  const confiner = createJobConfiner({ confinement, config: { mediaRoots: [media.dir], transcodeRoots: [join(dir, 'tx')] }, devices: [] });
  const runOne = async ({ job }: { job: PreparedJob }) => {
    // As the runner's Plex emulation does, the staging folders exist before ffmpeg writes into them
    // (only inside the job's folder here: the canary folders stay untouched by this test's own hand).
    for (const desc of job.command.translation.postProcess) {
      const stage = resolve(job.cwd, desc.stageDir);
      if (stage.startsWith(`${session}/`)) mkdirSync(stage, { recursive: true });
    }
    const sandbox = confiner({ cwd: job.cwd, inputs: job.inputs, scratch: [], pathVar: PATH });
    await run(job.command.argv, job.cwd, AbortSignal.timeout(1200), sandbox.ffmpeg);
  };
  for (let i = 0; i < chosen.length; i += 3) await Promise.all(chosen.slice(i, i + 3).map(runOne));
  await new Promise((resolve) => setTimeout(resolve, 300));

  t.same(watcher.events, [], 'inotify: nothing outside the roots was opened, read or written');
  t.same(watched.map(snapshot), before, 'the canary folders hold the same files with the same contents');
  t.equal(listener.count(), 0, 'no connection reached the listener the mutants aim at (loopback or LAN address)');

  // What the kernel held back: the same sample unconfined (informational, the allow-list changes).
  if (process.env.PLEXBEAM_FUZZ_UNCONFINED === '1') {
    for (const { argv, job } of suspicious.slice(0, RUNS)) {
      const seen = watcher.events.length;
      const connections = listener.count();
      await run(job.command.argv, job.cwd, AbortSignal.timeout(1200));
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (watcher.events.length > seen || listener.count() > connections) {
        t.comment(`unconfined escape: ${JSON.stringify(argv.filter((a) => marks.some((mark) => a.includes(mark))))} -> ${watcher.events.slice(seen, seen + 2).join('; ')} connections +${listener.count() - connections}`);
      }
    }
  }
});
