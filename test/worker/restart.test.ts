// A worker SIGKILLed mid-job: the next worker started on the same folders kills the ffmpeg
// process group it left behind (proved by its start time, never a recycled pid) and removes the
// job's scratch folder, saying so in its log.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { makeMedia, processGroup, startWorker } from './helpers.ts';

const dir = realpathSync(t.testdir({ media: {}, tx: { sess: {} } }));
makeMedia(join(dir, 'media', 'in.mkv'));
// Unconfined: a sandboxed ffmpeg dies with its worker (bubblewrap's --die-with-parent) unless it was
// stopped before bubblewrap set that up, a race this test would depend on. What a restart must
// clean up is what an unconfined worker's death leaves, as here.
const config = { hwaccel: 'software', maxJobs: 2, mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')], confinement: 'unconfined' };
// startWorker sets TMPDIR to `dir`: the scratch root is <dir>/plexbeam-worker, its records in run/.
const scratchRoot = join(dir, 'plexbeam-worker');
const runDir = join(scratchRoot, 'run');
const SLOW = ['-re', '-stream_loop', '-1', '-i', join(dir, 'media', 'in.mkv'), '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-f', 'segment', '-segment_time', '1', 'left-%05d.ts'];
const startTimeOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
};
const killGroup = (pgid: number) => {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
};

t.test('the old ffmpeg group is killed and its scratch removed; a record naming a recycled pid kills nothing', async (t) => {
  const first = await startWorker(dir, config);
  t.teardown(() => first.stop('SIGKILL'));
  const { status, json } = await first.request('POST', '/transcode', { session_id: 'left', argv: SLOW, env: {}, cwd: join(dir, 'tx', 'sess') });
  t.equal(status, 202);
  const jobId = json.job_id as string;
  const pgid = (await first.waitForLog((l) => l.job_id === jobId && l.msg === 'job started')).ffmpeg_pid as number;
  t.teardown(() => killGroup(pgid));
  t.ok(existsSync(join(scratchRoot, 'jobs', jobId)), 'the job has its scratch folder');
  t.ok(existsSync(join(runDir, `${jobId}.json`)), 'and a record of what was started');

  // An ffmpeg paused by Plex's throttle when its worker dies stays stopped for ever; a stopped one
  // also cannot die of its closed pipes. Stop it the way the throttle does, then kill the worker.
  process.kill(-pgid, 'SIGSTOP');
  await first.stop('SIGKILL');
  t.ok(processGroup(pgid).length >= 1, 'the dead worker left its ffmpeg behind');

  // A decoy: a record whose pid now names an unrelated process (another start time).
  const decoy = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
  t.teardown(() => killGroup(decoy.pid as number));
  const decoyJob = randomUUID();
  const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  writeFileSync(join(runDir, `${decoyJob}.json`), JSON.stringify({
    job_id: decoyJob, boot_id: bootId, worker_pid: 999_999_999, worker_start: 1, pgid: decoy.pid, pgid_start: startTimeOf(decoy.pid as number) - 1, staging: ['/etc'],
  }), { mode: 0o600 });

  const second = await startWorker(dir, config);
  t.teardown(() => second.stop());
  const cleaned = await second.waitForLog((l) => l.job_id === jobId && /^cleaned up after a previous worker/.test(l.msg ?? ''));
  t.match(cleaned, { level: 'warn', pgid, removed: [join(scratchRoot, 'jobs', jobId)] });
  t.ok((cleaned.killed as number) >= 1, `killed ${cleaned.killed} process(es)`);
  for (const deadline = Date.now() + 5000; processGroup(pgid).length > 0 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 20));
  t.same(processGroup(pgid), [], 'the old ffmpeg process group is gone');
  t.notOk(existsSync(join(scratchRoot, 'jobs', jobId)), 'its scratch folder is removed');

  t.ok(processGroup(decoy.pid as number).length === 1, 'the process behind the recycled pid still runs');
  t.ok(second.logs.some((l) => l.job_id === decoyJob && l.killed === 0), 'the decoy record is cleared, killing nothing');
  t.ok(existsSync('/etc/passwd'), 'a staging path outside the job (here /etc) is never removed');
  t.same(readdirSync(runDir), [], 'no record is left');
  t.equal((await second.request('GET', '/health', undefined, {})).json.jobs.running, 0);
});
