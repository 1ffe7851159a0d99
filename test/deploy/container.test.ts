/**
 * The worker image (deploy/container/Containerfile) with Podman: built from a local Debian root
 * (debootstrap, cached under /var/tmp/plexbeam-container), started, healthy by its HEALTHCHECK,
 * a corpus sample (02, Plex's HLS) through the installed shim into it, and SIGTERM stopping it
 * with exit 0 and its drain line. Also: without a way to build bubblewrap's sandbox it refuses
 * with the entrypoint's word, and with `PLEXBEAM_CONFINEMENT=unconfined` it runs from environment
 * variables alone. Slow (an image build): `npm run test:container` (PLEXBEAM_TEST_CONTAINER=1), as root.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { adaptCorpusArgv, ensureTestMedia, loadCorpus, startFakePms } from '../harness/index.ts';
import { API_KEY, ROOT, TOKEN, installShim, plexEnv, readSessions, runShim, sleep, writeConfig } from '../cartridge/helpers.ts';
import { fakeBinary, makePlexDir, md5 } from '../watchdog/fake-plex.ts';

const CACHE = '/var/tmp/plexbeam-container';
const BASE_ROOT = join(CACHE, 'base-bookworm');
const BASE_IMAGE = 'localhost/plexbeam-base:bookworm';
const IMAGE = 'localhost/plexbeam-worker:test';
const CONTAINERS_CONF = join(CACHE, 'containers.conf');

const onPath = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

/** Why this test cannot run here, or null. */
function reasonToSkip(): string | null {
  if (process.env.PLEXBEAM_TEST_CONTAINER !== '1') return 'the worker-image test runs with `npm run test:container`';
  if (process.getuid?.() !== 0) return 'needs root (podman with the runc runtime)';
  for (const tool of ['podman', 'runc']) if (!onPath(tool)) return `needs ${tool} (apt-get install podman runc)`;
  if (!existsSync(BASE_ROOT) && !onPath('debootstrap')) return 'needs debootstrap for the local Debian base (apt-get install debootstrap)';
  if (!existsSync(join(ROOT, '.runtime/node/bin/node'))) return 'the checkout has no .runtime/node (setup.sh used the system Node.js); the image carries its own';
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) return 'not built: run ./setup.sh (or npm run build)';
  return null;
}

/** podman as this machine runs it: runc, cgroupfs, no default ulimits. */
function podman(args: readonly string[], timeoutMs = 120_000): SpawnSyncReturns<string> {
  return spawnSync('podman', ['--runtime', 'runc', '--cgroup-manager=cgroupfs', ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, CONTAINERS_CONF },
    maxBuffer: 64 * 1024 * 1024,
  });
}

function mustPodman(args: readonly string[], timeoutMs?: number): string {
  const result = podman(args, timeoutMs);
  if (result.status !== 0) throw new Error(`podman ${args.join(' ')} failed (${result.status ?? result.signal}): ${(result.stderr + result.stdout).slice(-3000)}`);
  return result.stdout;
}

/** The Debian base image, from a debootstrap root built once (a few minutes) and kept under CACHE. */
function ensureBaseImage(): void {
  mkdirSync(CACHE, { recursive: true });
  writeFileSync(CONTAINERS_CONF, '[containers]\ndefault_ulimits = []\n');
  if (!existsSync(BASE_ROOT)) {
    const partial = `${BASE_ROOT}.partial-${process.pid}`;
    const made = spawnSync('debootstrap', ['--variant=minbase', 'bookworm', partial, 'http://deb.debian.org/debian'], { encoding: 'utf8', timeout: 900_000 });
    if (made.status !== 0) {
      rmSync(partial, { recursive: true, force: true });
      throw new Error(`debootstrap failed: ${(made.stderr + made.stdout).slice(-2000)}`);
    }
    renameSync(partial, BASE_ROOT);
  }
  if (podman(['image', 'exists', BASE_IMAGE]).status !== 0) {
    const imported = spawnSync('sh', ['-c', `tar -C '${BASE_ROOT}' -c . | podman --runtime runc --cgroup-manager=cgroupfs import - ${BASE_IMAGE}`], {
      encoding: 'utf8',
      env: { ...process.env, CONTAINERS_CONF },
      timeout: 300_000,
    });
    if (imported.status !== 0) throw new Error(`podman import failed: ${imported.stderr.slice(-2000)}`);
  }
}

/** A free TCP port on 127.0.0.1 (for podman's -p). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Waits for the container to exit; its exit code. */
function waitExit(name: string): number {
  return Number(mustPodman(['wait', name], 60_000).trim());
}

/** Polls the image's HEALTHCHECK (`podman healthcheck run`, no systemd timers here) until it passes. */
async function waitHealthy(name: string, timeoutMs = 90_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = podman(['healthcheck', 'run', name]);
    if (run.status === 0) return mustPodman(['inspect', '--format', '{{.State.Health.Status}}', name]).trim();
    if (Date.now() > deadline) throw new Error(`not healthy within ${timeoutMs} ms: ${run.stdout}${run.stderr}\n${podman(['logs', name]).stdout.slice(-3000)}`);
    await sleep(500);
  }
}

/** The container's JSON log lines (stdout). */
function jsonLogs(name: string): Record<string, any>[] {
  const out = podman(['logs', name]).stdout;
  return out.split('\n').flatMap((line) => {
    try {
      return line.startsWith('{') ? [JSON.parse(line)] : [];
    } catch {
      return [];
    }
  });
}

const skip = reasonToSkip();
if (skip !== null) {
  t.plan(0, skip);
} else {
  const names: string[] = [];
  t.teardown(() => {
    for (const name of names) podman(['rm', '-f', '-t', '0', name]);
  });
  const containerName = (what: string) => {
    const name = `plexbeam-test-${what}-${process.pid}`;
    podman(['rm', '-f', '-t', '0', name]);
    names.push(name);
    return name;
  };

  ensureBaseImage();
  const buildLog = join(CACHE, 'last-build.log');
  const build = podman(
    ['build', '--network=host', '--format', 'docker', '--build-arg', `BASE=${BASE_IMAGE}`, '-f', join(ROOT, 'deploy/container/Containerfile'), '-t', IMAGE, ROOT],
    1_200_000,
  );
  writeFileSync(buildLog, build.stdout + build.stderr);
  if (build.status !== 0) throw new Error(`podman build failed (${build.status ?? build.signal}; ${buildLog}): ${(build.stdout + build.stderr).slice(-3000)}`);

  t.test('the image: non-root, tini as PID 1, the config path of the SPEC, a HEALTHCHECK', async (t) => {
    const inspect = JSON.parse(mustPodman(['image', 'inspect', IMAGE]))[0];
    t.not(inspect.Config.User, '', 'runs as a named user');
    t.not(inspect.Config.User, 'root');
    t.same(inspect.Config.Entrypoint, ['/usr/bin/tini', '--', '/opt/plexbeam/deploy/container/entrypoint.sh']);
    t.ok((inspect.Healthcheck ?? inspect.Config.Healthcheck)?.Test?.join(' ').includes('healthcheck.mjs'), 'HEALTHCHECK kept (docker format)');
    const id = mustPodman(['run', '--rm', '--entrypoint', '/usr/bin/id', IMAGE, '-u']).trim();
    t.not(id, '0', `uid ${id}`);
    const tools = podman(['run', '--rm', '--entrypoint', '/bin/sh', IMAGE, '-c', 'command -v ffmpeg bwrap tini plexbeam']);
    t.equal(tools.status, 0, tools.stdout + tools.stderr);
  });

  t.test('without a way to build its sandbox, the worker refuses with what to do', async (t) => {
    const name = containerName('refused');
    mustPodman(['run', '-d', '--name', name, '-e', `PLEXBEAM_API_KEY=${API_KEY}`, '-e', 'PLEXBEAM_TRANSCODE_ROOTS=/tmp', IMAGE]);
    const code = waitExit(name);
    const logs = podman(['logs', name]);
    t.not(code, 0, `exit ${code}`);
    // podman's default masks parts of /proc, so bubblewrap cannot mount a fresh one.
    t.match(logs.stderr + logs.stdout, /bubblewrap cannot create its sandbox here/);
    t.match(logs.stderr + logs.stdout, /unmask=\/proc\/\*/);
    t.ok(jsonLogs(name).some((line) => line.level === 'fatal' && line.code === 'CONFINEMENT_UNAVAILABLE'), 'the JSON fatal line');
  });

  t.test('PLEXBEAM_CONFINEMENT=unconfined and no mounted file: it runs from environment variables', async (t) => {
    const name = containerName('env');
    const port = await freePort();
    mustPodman(['run', '-d', '--name', name, '-p', `127.0.0.1:${port}:8765`, '-e', `PLEXBEAM_API_KEY=${API_KEY}`, '-e', 'PLEXBEAM_TRANSCODE_ROOTS=/tmp', '-e', 'PLEXBEAM_CONFINEMENT=unconfined', IMAGE]);
    t.equal(await waitHealthy(name), 'healthy');
    const health = await (await fetch(`http://127.0.0.1:${port}/health`)).json();
    t.match(health, { status: 'ok', confinement: 'unconfined' });
    const denied = await fetch(`http://127.0.0.1:${port}/metrics`);
    t.ok([401, 403].includes(denied.status), `the key from PLEXBEAM_API_KEY is required (${denied.status})`);
    t.ok(jsonLogs(name).some((line) => line.level === 'warn' && line.confinement?.mode === 'unconfined'), 'a warning says ffmpeg runs unconfined');
    podman(['kill', '--signal', 'TERM', name]);
    t.equal(waitExit(name), 0);
  });

  t.test('Plex in a container: the init script at each start, a new image, docker exec, uninstall', async (t) => {
    // Two "Plex images": the Debian base with a stand-in Plex folder, as an image update ships a new one.
    const dir = realpathSync(t.testdir({ volume: {} }));
    const images = ['1.41.3', '1.41.4'].map((version) => {
      const context = join(dir, `plex-${version}`);
      makePlexDir(join(context, 'plexmediaserver'), fakeBinary(`plex-${version}`), `${version}.9314-a0bfb8370`);
      writeFileSync(join(context, 'Containerfile'), 'ARG BASE\nFROM ${BASE}\nCOPY plexmediaserver /usr/lib/plexmediaserver\n');
      const tag = `localhost/plexbeam-test-plex:${version}`;
      mustPodman(['build', '--build-arg', `BASE=${BASE_IMAGE}`, '-t', tag, context], 300_000);
      return { tag, transcoder: md5(fakeBinary(`plex-${version}`)) };
    });
    const script = join(ROOT, 'deploy/plex-container/plexbeam-init.sh');
    const PLEX = '/usr/lib/plexmediaserver/Plex Transcoder';
    const start = (image: string, name: string) => {
      mustPodman([
        'run', '-d', '--name', name, '-v', `${ROOT}:/plexbeam:ro`, '-v', `${script}:/custom-cont-init.d/90-plexbeam:ro`, '-v', `${join(dir, 'volume')}:/config`,
        image, '/bin/sh', '-c', '/custom-cont-init.d/90-plexbeam && exec sleep infinity',
      ]);
    };
    const exec = (name: string, command: string) => podman(['exec', name, '/bin/sh', '-c', command]);
    const md5In = (name: string, path: string) => exec(name, `md5sum '${path}' | cut -d' ' -f1`).stdout.trim();
    const waitStarted = async (name: string) => {
      for (let i = 0; i < 120 && !/watchdog started/.test(podman(['logs', name]).stdout); i += 1) await sleep(250);
      return podman(['logs', name]);
    };

    const first = containerName('plex-a');
    start(images[0]!.tag, first);
    const logs = await waitStarted(first);
    t.match(logs.stdout, /installed the shim; Plex Transcoder\.real is Plex's binary/, logs.stdout + logs.stderr);
    t.match(logs.stdout, /watchdog started/);
    t.equal(md5In(first, `${PLEX}.real`), images[0]!.transcoder, 'Plex Transcoder.real is the image binary, byte for byte');
    t.equal(exec(first, `grep -c plexbeam-cartridge-shim '${PLEX}'`).stdout.trim(), '1', 'Plex Transcoder is the shim');
    const status = exec(first, 'plexbeam cartridge status');
    t.match(status.stdout, /installed: Plex Transcoder is the PlexBeam shim/, `docker exec plexbeam status: ${status.stderr}`);
    // No workers configured: the shim runs Plex's binary (the mounted folder's Node.js inside Plex's image).
    const ran = exec(first, `'${PLEX}' -version`);
    t.equal(ran.status, 0, ran.stderr);
    t.match(ran.stdout, /plex-1\.41\.3/, 'a transcode through the shim reaches Plex Transcoder.real');
    t.ok(existsSync(join(dir, 'volume/plexbeam/config.json')), 'the config is on the volume');

    // docker pull + recreate: a fresh Plex folder from the new image, the same /config volume.
    podman(['rm', '-f', '-t', '0', first]);
    const second = containerName('plex-b');
    start(images[1]!.tag, second);
    await waitStarted(second);
    t.equal(md5In(second, `${PLEX}.real`), images[1]!.transcoder, "the new image's binary became .real");
    t.equal(exec(second, `grep -c plexbeam-cartridge-shim '${PLEX}'`).stdout.trim(), '1', 'the shim is back');
    t.match(exec(second, `'${PLEX}' -version`).stdout, /plex-1\.41\.4/);

    const uninstall = exec(second, '/custom-cont-init.d/90-plexbeam uninstall');
    t.equal(uninstall.status, 0, uninstall.stderr);
    t.match(uninstall.stdout, /stopped the watchdog/);
    t.equal(md5In(second, PLEX), images[1]!.transcoder, "Plex's binary restored byte-identical");
    t.not(exec(second, `test -e '${PLEX}.real'`).status, 0, 'no .real left');
  });

  t.test('confined, mounted config: healthy, a corpus sample through the shim, SIGTERM drains and exits 0', async (t) => {
    const media = await ensureTestMedia();
    const dir = realpathSync(t.testdir({ clips: {}, tx: {} }));
    // The container's user (uid 8765) writes the session folder; Plex and the worker share paths.
    for (const sub of ['', 'clips', 'tx']) chmodSync(join(dir, sub), 0o777);
    const workerConfig = join(dir, 'worker.json');
    writeFileSync(workerConfig, JSON.stringify({ logLevel: 'debug', worker: { apiKey: API_KEY, mediaRoots: [media.dir, join(dir, 'clips')], transcodeRoots: [join(dir, 'tx')] } }));
    chmodSync(workerConfig, 0o644);
    const port = await freePort();
    const name = containerName('worker');
    mustPodman([
      'run', '-d', '--name', name, '--security-opt', 'unmask=/proc/*', '-p', `127.0.0.1:${port}:8765`,
      '-v', `${workerConfig}:/etc/plexbeam/config.json:ro`, '-v', `${media.dir}:${media.dir}:ro`, '-v', `${dir}:${dir}`, IMAGE,
    ]);
    t.equal(await waitHealthy(name), 'healthy', 'HEALTHCHECK passes');
    const health = await (await fetch(`http://127.0.0.1:${port}/health`)).json();
    t.match(health, { status: 'ok', confinement: 'bubblewrap', draining: false });
    t.ok(jsonLogs(name).some((line) => line.msg === 'listening' && line.component === 'worker'), 'JSON log lines on stdout');

    const plex = await installShim(dir);
    const pms = await startFakePms({ mediaDir: media.dir });
    t.teardown(() => pms.close());
    const config = writeConfig(dir, { workers: [{ url: `http://127.0.0.1:${port}`, apiKey: API_KEY, name: 'container' }] });
    const session = join(dir, 'tx', '02');
    const sample = loadCorpus().find((s) => s.id === '02');
    if (sample === undefined) throw new Error('corpus sample 02 missing');
    const clip = join(dir, 'clips', 'clip.mkv');
    const cut = spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', media.files.av1Eac3.path, '-t', '2', '-map', '0', '-c', 'copy', clip]);
    if (cut.status !== 0) throw new Error(String(cut.stderr));
    const adapted = adaptCorpusArgv(sample.argv, { media, sessionDir: session, pmsUrl: pms.url });
    const argv = adapted.map((a, i) => (adapted[i - 1] === '-i' && a.startsWith(media.dir) ? clip : a));
    spawnSync('chmod', ['-R', 'a+rwX', dir]);
    const run = await runShim(plex, argv, { env: plexEnv({ PLEXBEAM_CONFIG: config }), cwd: session });
    t.equal(run.code, 0, run.stderr.slice(-2000));
    const row = (await readSessions(dir)).find((r) => r.cwd === session);
    t.match(row, { decision: 'remote', worker: 'container', exitCode: 0 }, 'the session log: run by the container');
    const files = (readdirSync(session, { recursive: true }) as string[]).filter((f) => statSync(join(session, f)).isFile());
    t.ok(files.some((f) => /^media-\d+\.ts$/.test(f)), `segments in the session folder: ${files.join(' ')}`);
    t.ok(pms.requests.length > 0 && pms.requests.every((r) => r.headers['x-plex-token'] === TOKEN), "Plex's callbacks relayed with the token");
    t.ok(jsonLogs(name).some((line) => typeof line.job_id === 'string'), 'the job is in the container log');

    const killed = podman(['kill', '--signal', 'TERM', name]);
    t.equal(killed.status, 0, killed.stderr);
    t.equal(waitExit(name), 0, 'SIGTERM: exit 0');
    const logs = jsonLogs(name);
    t.ok(logs.some((line) => line.signal === 'SIGTERM' && /refusing new jobs/.test(line.msg)), 'the drain line');
    t.ok(logs.some((line) => line.msg === 'stopped'), 'and "stopped"');
  });
}
