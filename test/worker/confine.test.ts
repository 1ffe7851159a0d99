// Kernel confinement: a real ffmpeg inside bubblewrap reads its input and writes its outputs, and
// nothing else — canaries in /root, /home, another job's folder and outside the roots, /etc/shadow,
// and a TCP listener on the host's loopback. Each refusal has a positive control: the same ffmpeg
// unconfined does reach the canary, so the test can fail.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { isPlexBeamError } from '../../core/errors.ts';
import { checkConfinement, createJobConfiner, type Confinement } from '../../worker/confine/index.ts';
import { runFfmpeg, type CommandWrapper } from '../../worker/ffmpeg.ts';
import { probeInputs } from '../../worker/input-probe.ts';
import { makeMedia } from './helpers.ts';

const PATH = '/usr/local/bin:/usr/bin:/bin';
const isRoot = process.getuid?.() === 0;
const bwrapWorks = spawnSync('bwrap', ['--unshare-all', '--ro-bind', '/', '/', 'true']).status === 0;
const skip = !isRoot ? 'needs root (canaries in /root and /etc/shadow)' : !bwrapWorks ? 'bubblewrap (bwrap) is missing or cannot create namespaces here' : false;

t.test('the start-up check', async (t) => {
  const empty = t.testdir({});
  const error = await checkConfinement({ setting: 'bubblewrap', pathVar: empty }).catch((e: unknown) => e);
  t.ok(isPlexBeamError(error, 'CONFINEMENT_UNAVAILABLE'), 'no bwrap on PATH: refuses');
  t.match((error as Error).message, /bubblewrap \(bwrap\) is not installed.*apt-get install bubblewrap.*"unconfined"/);
  t.equal((error as { exitCode: number }).exitCode, 2, 'exit 2: systemd does not restart-loop on it');
  t.match(await checkConfinement({ setting: 'unconfined', pathVar: empty }), { mode: 'unconfined', reason: /"unconfined"/ }, 'unconfined is accepted as asked');
  if (bwrapWorks) t.match(await checkConfinement({ setting: 'auto', pathVar: PATH }), { mode: 'bubblewrap', bwrapPath: /bwrap$/ });
});

t.test('a confined job', { skip }, async (t) => {
  const dir = realpathSync(t.testdir({ media: {}, tx: { job1: {}, job2: { 'canary.txt': 'job2 secret\n' } }, outside: { 'canary.txt': 'outside secret\n' }, scratch: {} }));
  const media = join(dir, 'media');
  const input = makeMedia(join(media, 'in.mkv'), 2);
  const cwd = join(dir, 'tx', 'job1');
  const tag = `plexbeam-confine-${process.pid}`;
  const rootCanary = `/root/${tag}.txt`;
  const homeCanary = `/home/${tag}.txt`;
  writeFileSync(rootCanary, 'root secret\n');
  writeFileSync(homeCanary, 'home secret\n');
  t.teardown(() => {
    rmSync(rootCanary, { force: true });
    rmSync(homeCanary, { force: true });
  });
  const confinement: Confinement = await checkConfinement({ setting: 'bubblewrap', pathVar: PATH });
  const sandboxFor = (inputs: string[]) =>
    createJobConfiner({ confinement, config: { mediaRoots: [media], transcodeRoots: [join(dir, 'tx')] }, devices: [] })({ cwd, inputs, scratch: [join(dir, 'scratch')], pathVar: PATH });
  const run = async (argv: string[], wrap?: CommandWrapper) => {
    let stderr = '';
    let blocks = 0;
    const exit = await runFfmpeg({
      path: 'ffmpeg', argv: ['-hide_banner', '-y', ...argv], cwd, env: { PATH, HOME: join(dir, 'scratch') }, signal: new AbortController().signal, forceKillAfterMs: 1000,
      onProgress: () => (blocks += 1), onStderr: (text) => (stderr += text), ...(wrap === undefined ? {} : { wrap }),
    });
    return { ...exit, stderr, blocks };
  };
  const copyData = (from: string, to: string) => ['-f', 'data', '-i', from, '-map', '0', '-c', 'copy', '-f', 'data', to];

  await t.test('reads its input, writes its output folder, reports progress on pipe:3', async (t) => {
    const sandbox = sandboxFor([input]);
    const result = await run(['-i', input, '-t', '1', '-c', 'copy', 'out.mkv'], sandbox.ffmpeg);
    t.equal(result.code, 0, result.stderr);
    t.ok(existsSync(join(cwd, 'out.mkv')), 'the output is in the job folder');
    t.ok(result.blocks > 0, 'progress blocks arrived through fd 3');
    t.match(sandbox.note(), { mode: 'bubblewrap', network: 'private' });
    const [facts] = await probeInputs([input], { ffprobePath: 'ffprobe', cwd, env: { PATH }, signal: new AbortController().signal, wrap: sandbox.ffprobe });
    t.match(facts, { streams: [{ codec_type: 'video' }, { codec_type: 'audio' }] }, 'a confined ffprobe reads it too');
  });

  await t.test('cannot read /root, /home, another job, outside the roots, /etc/shadow', async (t) => {
    for (const canary of [rootCanary, homeCanary, join(dir, 'tx', 'job2', 'canary.txt'), join(dir, 'outside', 'canary.txt'), '/etc/shadow']) {
      const control = await run(copyData(canary, join(cwd, 'control.bin')));
      t.equal(control.code, 0, `control: unconfined ffmpeg reads ${canary}`);
      rmSync(join(cwd, 'control.bin'), { force: true });
      const confined = await run(copyData(canary, join(cwd, 'leak.bin')), sandboxFor([canary]).ffmpeg);
      t.not(confined.code, 0, `confined ffmpeg cannot read ${canary}`);
      t.match(confined.stderr, /No such file or directory/, 'it is not even there');
      t.notOk(existsSync(join(cwd, 'leak.bin')) && readFileSync(join(cwd, 'leak.bin')).length > 0, 'nothing of it was copied');
    }
  });

  await t.test('cannot write outside its folders: media root, another job, outside, /root', async (t) => {
    const source = join(cwd, 'source.txt');
    writeFileSync(source, 'x\n');
    for (const target of [join(media, 'evil.bin'), join(dir, 'tx', 'job2', 'evil.bin'), join(dir, 'outside', 'evil.bin'), `/root/${tag}-evil.bin`]) {
      t.teardown(() => rmSync(target, { force: true }));
      const confined = await run(copyData(source, target), sandboxFor([source]).ffmpeg);
      t.not(confined.code, 0, `confined ffmpeg cannot write ${target}`);
      t.notOk(existsSync(target), `${target} was not created`);
      const control = await run(copyData(source, target));
      t.equal(control.code, 0, `control: unconfined ffmpeg writes ${target}`);
      rmSync(target, { force: true });
    }
  });

  await t.test('no network without a URL in the argv: a host loopback listener sees no connection', async (t) => {
    let connections = 0;
    const listener: Server = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    t.teardown(() => listener.close());
    const port = (listener.address() as { port: number }).port;
    // The URL hides in a concat list inside the media root: the argv itself names no network.
    const playlist = join(media, 'list.ffconcat');
    writeFileSync(playlist, `ffconcat version 1.0\nfile 'tcp://127.0.0.1:${port}'\n`);
    const argv = ['-protocol_whitelist', 'file,tcp', '-f', 'concat', '-safe', '0', '-i', playlist, '-f', 'null', '-'];
    await run(argv);
    t.ok(connections > 0, 'control: unconfined ffmpeg connects to the listener');
    connections = 0;
    const sandbox = sandboxFor([playlist]);
    await run(argv, sandbox.ffmpeg);
    t.equal(connections, 0, 'confined: no connection reached the host');
    t.match(sandbox.note(), { network: 'private' });
    const shared = sandboxFor([input]);
    shared.ffmpeg('ffmpeg', ['-i', input, '-f', 'mpegts', `http://127.0.0.1:${port}/x`]);
    t.match(shared.note(), { network: 'shared', network_reason: /argument 4 is a http:\/\/ URL/ }, 'an argv with a URL shares the network, and says why');
  });
});
