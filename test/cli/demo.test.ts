/**
 * `plexbeam demo` as a new user runs it: the built bin with a clean environment. It must exit 0,
 * print what a user wants to see, and leave nothing behind: no process of its own alive, no
 * temp folder, also when it is interrupted with Ctrl-C halfway.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, realpathSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { findOnPath } from '../../cli/demo/tools.ts';

const bin = fileURLToPath(new URL('../../bin/plexbeam', import.meta.url));
const PATH = process.env.PATH ?? '/usr/bin:/bin';
if (findOnPath('ffmpeg', PATH) === null || findOnPath('ffprobe', PATH) === null) {
  t.plan(0, 'ffmpeg and ffprobe are needed on PATH');
  process.exit(0);
}

// Four real demos, each a 10 s 720p encode: on a loaded 2-core machine that can pass tap's 180 s.
t.setTimeout(420_000);

/** Runs `plexbeam demo ARGS` with TMPDIR = `tmp`; `onLine` sees stdout lines as they come. */
function demo(args: string[], tmp: string, onLine?: (line: string, child: ReturnType<typeof spawn>) => void, path = PATH) {
  const child = spawn(bin, ['demo', ...args], { env: { PATH: path, TMPDIR: tmp }, cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const before = stdout.length;
    stdout += chunk.toString();
    for (const line of stdout.slice(stdout.lastIndexOf('\n', before) + 1).split('\n').slice(0, -1)) onLine?.(line, child);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  t.teardown(() => child.kill('SIGKILL'));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }));
}

/** Live processes whose command line mentions `needle` (zombies excluded). */
function processesWith(needle: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmdline.includes(needle)) found.push(`${name}: ${cmdline.replaceAll('\0', ' ')}`);
    } catch {
      // gone while we looked
    }
  }
  return found;
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

t.test('the demo prints the worker, encoder, first segment, segments, callbacks and speed, and exits 0', async (t) => {
  const tmp = realpathSync(t.testdir({}));
  const { code, stdout, stderr } = await demo([], tmp);
  t.equal(code, 0, stderr);
  t.match(stdout, /^worker: loopback at http:\/\/127\.0\.0\.1:\d+ \(pid \d+\), hardware (software|nvenc|qsv|vaapi)/m);
  // Where bubblewrap cannot work (no user namespaces), the demo says so and runs unconfined.
  if (stdout.includes('kernel confinement cannot work here')) t.match(stdout, /ffmpeg UNCONFINED$/m);
  else t.match(stdout, /ffmpeg confined \(bubblewrap\)$/m);
  t.match(stdout, /^encoder: (libx264|h264_\w+)$/m);
  t.match(stdout, /^first segment in \d+ ms$/m);
  const segments = Number(/^(\d+) segments written, media-00000\.ts reads back \(h264 \+ aac\)$/m.exec(stdout)?.[1]);
  t.ok(segments >= 2, `${segments} segments written and one read back`);
  const callbacks = Number(/^callbacks relayed to Plex: (\d+) \(\d+ progress, [1-9]\d* segment list/m.exec(stdout)?.[1]);
  t.ok(callbacks > 0, `${callbacks} callbacks relayed, segment lists among them`);
  t.match(stdout, /^speed \d+\.\d× realtime/m);
  t.match(stdout, /^cleaned up: every process stopped, temp folder removed$/m);
  t.same(readdirSync(tmp), [], 'its temp folder is gone');
  t.same(processesWith(tmp), [], 'nothing of it is running');
});

t.test('--json, on a machine where bubblewrap cannot confine: it says so, runs unconfined, and every pid it started is gone', async (t) => {
  // A bwrap that fails as it does where user namespaces are refused.
  const tmp = realpathSync(t.testdir({ fakebin: { bwrap: '#!/bin/sh\necho "bwrap: No permissions to create new namespace" >&2\nexit 1\n' } }));
  chmodSync(join(tmp, 'fakebin', 'bwrap'), 0o755);
  const { code, stdout, stderr } = await demo(['--json'], tmp, undefined, `${join(tmp, 'fakebin')}:${PATH}`);
  t.equal(code, 0, stderr);
  const result = JSON.parse(stdout);
  t.match(result.notes, [/kernel confinement cannot work here \(bwrap: No permissions to create new namespace\); the demo worker runs with worker.confinement "unconfined"/]);
  t.equal(result.worker.confinement, 'unconfined');
  t.match(result, { ok: true, error: null, cleanedUp: true, worker: { name: 'loopback', url: /^http:\/\/127\.0\.0\.1:\d+$/ }, encoder: String });
  t.match(result.transcode, { ok: true, firstSegmentMs: Number, probe: { ok: true, codecs: ['h264', 'aac'] }, speed: Number });
  t.ok(result.transcode.segments.length >= 2);
  t.ok(result.transcode.callbacks.progress > 0 && result.transcode.callbacks.segmentList > 0);
  t.ok(result.pids.length >= 4, `pids of the clip's ffmpeg, the worker, the cartridge install and the shim: ${result.pids}`);
  t.same(result.pids.filter(isAlive), [], 'none alive');
  t.notOk(existsSync(result.tempDir));
  t.same(readdirSync(tmp), ['fakebin']);
  t.same(processesWith(tmp), []);
});

t.test('Ctrl-C during the transcode: it stops everything, removes its folder and exits 130', async (t) => {
  const tmp = realpathSync(t.testdir({}));
  let sent = false;
  const { code, stdout, stderr } = await demo([], tmp, (line, child) => {
    if (!sent && line.includes('running a Plex-shaped HLS transcode')) {
      sent = true;
      // After a moment, so the shim and the worker's ffmpeg are running.
      setTimeout(() => child.kill('SIGINT'), 300);
    }
  });
  t.ok(sent, 'the transcode began');
  t.equal(code, 130, `${stdout}\n${stderr}`);
  t.match(stderr, /demo failed: interrupted by SIGINT/);
  t.match(stdout, /cleaned up: every process stopped, temp folder removed/);
  t.notMatch(stdout, /realtime/, 'no speed for a transcode cut short');
  t.same(readdirSync(tmp), []);
  t.same(processesWith(tmp), []);
});

const setpriv = existsSync('/usr/bin/setpriv') || existsSync('/bin/setpriv');
t.test('the demo killed outright (SIGKILL) mid-transcode: what it started stops by itself', { skip: setpriv ? false : 'needs util-linux setpriv (parent-death signal)' }, async (t) => {
  const tmp = realpathSync(t.testdir({}));
  let sent = false;
  await demo([], tmp, (line, child) => {
    if (!sent && line.includes('running a Plex-shaped HLS transcode')) {
      sent = true;
      setTimeout(() => child.kill('SIGKILL'), 300);
    }
  });
  t.ok(sent, 'the transcode began');
  // The worker and the shim get SIGTERM from the kernel and end their jobs; give them a moment.
  let left = processesWith(tmp);
  for (let i = 0; i < 300 && left.length > 0; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    left = processesWith(tmp);
  }
  t.teardown(() => {
    for (const entry of processesWith(tmp)) process.kill(Number(entry.split(':')[0]), 'SIGKILL');
  });
  t.same(left, [], 'no process of it left (its temp folder stays: nothing was there to remove it)');
});

t.test('without ffmpeg it fails at once, saying what to install, and leaves nothing', async (t) => {
  const tmp = realpathSync(t.testdir({ bin: {} }));
  // A PATH with what the bin's launcher needs (dirname, and node unless the checkout has its own) and no ffmpeg.
  for (const tool of ['dirname', 'node']) {
    const found = findOnPath(tool, PATH);
    if (found !== null) symlinkSync(found, join(tmp, 'bin', tool));
  }
  const { code, stdout, stderr } = await demo([], tmp, undefined, join(tmp, 'bin'));
  t.equal(code, 1);
  t.match(stderr, /demo failed: ffmpeg is not on PATH: .*apt-get install -y ffmpeg/);
  t.match(stdout, /cleaned up: every process stopped, temp folder removed/);
  t.same(readdirSync(tmp), ['bin']);
});
