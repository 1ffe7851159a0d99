// A worker SIGKILLed in the middle of a library re-encode, then started again: its crash records
// (<scratch>/library/<id>.json) name the partial output, which the new worker removes, and the
// process group, which it kills when it outlived the worker (unconfined); the original stays
// byte-identical. Records that do not prove a file is the job's own leave it alone.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { libraryTempName } from '../../core/wire/library.ts';
import { readBootId, readProcStat } from '../../worker/proc-stat.ts';
import { processGroup, startWorker } from './helpers.ts';
import { startInProcessWorker, waitForLibraryStatus } from './library-helpers.ts';
import { makeLibraryClip, sha256 } from './library-media.ts';

const bwrapWorks = spawnSync('bwrap', ['--unshare-all', '--ro-bind', '/', '/', 'true']).status === 0;

for (const confinement of ['bubblewrap', 'unconfined'] as const) {
  t.test(`${confinement}: SIGKILLed mid-encode and restarted, the worker removes the partial output; the original is untouched`, { skip: confinement === 'bubblewrap' && !bwrapWorks ? 'bubblewrap (bwrap) is missing or cannot create namespaces here' : false }, async (t) => {
    const dir = realpathSync(t.testdir({ media: {}, tx: {} }));
    const media = join(dir, 'media');
    const input = await makeLibraryClip(join(media, 'Film.mkv'), 'h264-mkv', { seconds: 30, size: '320x240' });
    const before = sha256(input);
    const config = { mediaRoots: [media], transcodeRoots: [join(dir, 'tx')], confinement };
    const worker = await startWorker(dir, config);
    t.teardown(() => worker.stop('SIGKILL'));
    const output = join(media, libraryTempName('Film.mkv', 'crash1'));
    const { json } = await worker.request('POST', '/library/jobs', { input, output, codec: 'hevc' });
    const started = await worker.waitForLog((l) => l.library_job === json.id && l.msg === 'library job started');
    const group = started.ffmpeg_pid as number;
    t.teardown(() => {
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        // gone
      }
    });
    // Killed once ffmpeg has written some of the new file (its muxer buffers the first clusters).
    await waitForLibraryStatus(worker, json.id, (s) => s.percent > 0 && statSync(output).size > 0);
    const records = join(dir, 'plexbeam-worker', 'library');
    t.same(readdirSync(records), [`${json.id}.json`], 'a crash record names the running job');
    t.equal(statSync(records).mode & 0o777, 0o700, 'in a folder private to the worker user');
    t.match(JSON.parse(readFileSync(join(records, `${json.id}.json`), 'utf8')), { id: json.id, output, ino: statSync(output).ino, pgid: group });
    await worker.stop('SIGKILL');
    t.ok(statSync(output).size > 0, 'the dead worker left a partial output');
    if (confinement === 'unconfined') {
      t.ok(processGroup(group).length > 0, 'unconfined, its ffmpeg outlives it');
      // Held (SIGSTOP) so that the short clip cannot finish while the next worker starts: the orphan is still there to kill.
      process.kill(-group, 'SIGSTOP');
    }

    // Bubblewrap: the built CLI again, as systemd restarts it; unconfined: the same start-up
    // (createWorkerServer's listen cleans before it listens) in this process, where coverage sees it.
    const again = confinement === 'bubblewrap' ? await startWorker(dir, config) : await startInProcessWorker(dir, config);
    t.teardown(() => again.stop('SIGKILL'));
    const cleaned = again.logs.find((l) => l.library_job === json.id && /^cleaned up after a previous worker/.test(l.msg ?? ''));
    t.match(cleaned, { level: 'warn', removed: output, pgid: group }, 'one warn line says what it cleaned, before it listens');
    if (confinement === 'unconfined') t.ok((cleaned?.killed as number) > 0, `it killed the orphaned ffmpeg (${cleaned?.killed} process(es))`);
    t.same(processGroup(group), [], 'nothing of the job runs');
    t.notOk(existsSync(output), 'the partial output is gone');
    t.equal(sha256(input), before, 'the original is byte-identical');
    t.same(readdirSync(records), [], 'the record is gone');
    t.same(readdirSync(media).sort(), ['.chapters.txt', '.font.ttf', '.subs.srt', 'Film.mkv'].sort(), 'nothing else left in the folder');
  });
}

t.test('records that do not prove a file is the job\'s own leave it alone; a live worker\'s records are not touched', async (t) => {
  const dir = realpathSync(t.testdir({ media: { 'Precious.mkv': 'the original', '.Other.plexbeam-abcd.mkv': 'another job\'s file' }, tx: {} }));
  const records = join(dir, 'plexbeam-worker', 'library');
  mkdirSync(records, { recursive: true, mode: 0o700 });
  const boot = readBootId();
  const record = (id: string, fields: Record<string, unknown>) =>
    writeFileSync(join(records, `${id}.json`), JSON.stringify({ id, boot_id: boot, worker_pid: 999_999_999, worker_start: 1, output: '', ino: null, pgid: null, pgid_start: null, ...fields }));
  const precious = join(dir, 'media', 'Precious.mkv');
  const other = join(dir, 'media', '.Other.plexbeam-abcd.mkv');
  const ids = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000004', '00000000-0000-4000-8000-000000000005'];
  record(ids[0]!, { output: precious, ino: statSync(precious).ino });
  record(ids[1]!, { output: other, ino: statSync(other).ino + 1 });
  // This test process stands in for another worker that is alive: its records are its own.
  record(ids[2]!, { output: other, ino: statSync(other).ino, worker_pid: process.pid, worker_start: readProcStat(process.pid)?.startTime });
  writeFileSync(join(records, `${ids[3]}.json`), '{ not json');
  record(ids[4]!, { id: 'someone-else', output: other });
  record('00000000-0000-4000-8000-000000000006', { output: join(dir, 'media', '.Gone.plexbeam-abcd.mkv') });
  writeFileSync(join(records, 'README'), 'not a record');
  const worker = await startInProcessWorker(dir, { mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')], confinement: 'unconfined' });
  t.teardown(() => worker.stop());
  t.equal(readFileSync(precious, 'utf8'), 'the original', 'a record naming a file that is not a temporary name: the file stays');
  t.equal(readFileSync(other, 'utf8'), 'another job\'s file', 'a temporary name of another inode, or of a live worker\'s job: stays');
  t.same(readdirSync(records).sort(), [`${ids[2]}.json`, `${ids[4]}.json`, 'README'].sort(), "the dead worker's records are gone, the live one's and unknown files stay");
  t.ok(worker.logs.some((l) => l.library_job === ids[0] && l.removed === null), 'its line says no partial output was left');
});

t.test('a library folder not private to the worker user: records are off, with a warning', async (t) => {
  const dir = realpathSync(t.testdir({ tx: {} }));
  const records = join(dir, 'plexbeam-worker', 'library');
  mkdirSync(records, { recursive: true });
  chmodSync(records, 0o755);
  const worker = await startInProcessWorker(dir, { mediaRoots: [dir], transcodeRoots: [join(dir, 'tx')], confinement: 'unconfined' });
  t.teardown(() => worker.stop());
  t.ok(worker.logs.some((l) => l.level === 'warn' && /^library job records are off \(the folder is not private to the worker user\)/.test(l.msg ?? '')));
});
