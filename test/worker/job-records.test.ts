// Cleanup after a crash, through job-records.ts directly, with real process groups: which
// records it acts on, and which it must leave alone.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import t, { type Test } from 'tap';
import { createLogger } from '../../core/log.ts';
import { cleanLeftovers, createJobRecords } from '../../worker/job-records.ts';
import { processGroup } from './helpers.ts';

const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
const startTimeOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
};
const lines: Record<string, any>[] = [];
const stream = new PassThrough();
stream.on('data', (chunk: Buffer) => chunk.toString().split('\n').filter(Boolean).forEach((line) => lines.push(JSON.parse(line))));
const log = await createLogger({ name: 'worker', config: { logLevel: 'info', logFiles: false, logDir: '/nonexistent' }, destination: stream });
/** A detached process group; killed in teardown whatever happens. */
const group = (t: Test, script: string) => {
  const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  t.teardown(() => {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // gone
    }
  });
  return child.pid as number;
};
const until = async (check: () => boolean) => {
  for (const deadline = Date.now() + 5000; !check() && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 10));
};

t.test('records are written as the job goes and removed when it ends', async (t) => {
  const runDir = join(t.testdir({}), 'run');
  const records = createJobRecords(runDir, log);
  const id = randomUUID();
  records.save(id, {});
  records.save(id, { pgid: process.pid, pgid_start: startTimeOf(process.pid) });
  t.match(JSON.parse(readFileSync(join(runDir, `${id}.json`), 'utf8')), { job_id: id, boot_id: bootId, worker_pid: process.pid, pgid: process.pid, staging: [] });
  records.remove(id);
  t.same(readdirSync(runDir), []);
});

t.test("a group whose leader has exited but whose members live on is still the job's: killed", async (t) => {
  const dir = t.testdir({ scratch: { jobs: {} } });
  const runDir = join(dir, 'run');
  mkdirSync(runDir, { mode: 0o700 });
  const pgid = group(t, 'sleep 60 & sleep 0.5; exit 0');
  const leaderStart = startTimeOf(pgid);
  // The leader exits and is reaped; its group lives on in the sleep.
  await until(() => !existsSync(`/proc/${pgid}`));
  t.equal(processGroup(pgid).length, 1, 'only the sleep is left in the group');
  const id = randomUUID();
  mkdirSync(join(dir, 'scratch', 'jobs', id));
  writeFileSync(join(runDir, `${id}.json`), JSON.stringify({ job_id: id, boot_id: bootId, worker_pid: 999_999_999, worker_start: 1, pgid, pgid_start: leaderStart, staging: [] }));
  const found = await cleanLeftovers({ runDir, scratchRoot: join(dir, 'scratch'), transcodeRoots: [], log });
  t.match(found, [{ job_id: id, pgid, killed: 1, removed: [join(dir, 'scratch', 'jobs', id)] }]);
  t.same(processGroup(pgid), []);
});

t.test("a record whose worker still runs is another worker's: left alone", async (t) => {
  const dir = t.testdir({});
  const runDir = join(dir, 'run');
  mkdirSync(runDir, { mode: 0o700 });
  const otherWorker = group(t, 'exec sleep 60');
  const ffmpeg = group(t, 'exec sleep 60');
  await until(() => existsSync(`/proc/${ffmpeg}/stat`) && readFileSync(`/proc/${ffmpeg}/stat`, 'utf8').includes('(sleep)'));
  const id = randomUUID();
  writeFileSync(join(runDir, `${id}.json`), JSON.stringify({
    job_id: id, boot_id: bootId, worker_pid: otherWorker, worker_start: startTimeOf(otherWorker), pgid: ffmpeg, pgid_start: startTimeOf(ffmpeg), staging: [],
  }));
  t.same(await cleanLeftovers({ runDir, scratchRoot: dir, transcodeRoots: [], log }), []);
  t.equal(processGroup(ffmpeg).length, 1, "the live worker's ffmpeg runs on");
  t.ok(existsSync(join(runDir, `${id}.json`)), 'and its record stays');
});

t.test('a run folder others may write to is not trusted: no cleanup, and a warning', async (t) => {
  const dir = t.testdir({});
  const runDir = join(dir, 'run');
  mkdirSync(runDir);
  chmodSync(runDir, 0o777);
  const ffmpeg = group(t, 'exec sleep 60');
  await until(() => existsSync(`/proc/${ffmpeg}/stat`) && readFileSync(`/proc/${ffmpeg}/stat`, 'utf8').includes('(sleep)'));
  const id = randomUUID();
  writeFileSync(join(runDir, `${id}.json`), JSON.stringify({ job_id: id, boot_id: bootId, worker_pid: 999_999_999, worker_start: 1, pgid: ffmpeg, pgid_start: startTimeOf(ffmpeg), staging: [] }));
  t.same(await cleanLeftovers({ runDir, scratchRoot: dir, transcodeRoots: [], log }), []);
  t.equal(processGroup(ffmpeg).length, 1, 'nothing killed on the word of a planted record');
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.ok(lines.some((l) => l.level === 'warn' && /not private to the worker user/.test(l.msg)), 'the log says why');
});

t.test("a record of this very process (another server in it) is left alone; one of a dead worker that had this pid is not", async (t) => {
  const dir = t.testdir({});
  const runDir = join(dir, 'run');
  mkdirSync(runDir, { mode: 0o700 });
  const ours = randomUUID();
  const previous = randomUUID();
  const record = (id: string, workerStart: number) => JSON.stringify({ job_id: id, boot_id: bootId, worker_pid: process.pid, worker_start: workerStart, pgid: null, pgid_start: null, staging: [] });
  writeFileSync(join(runDir, `${ours}.json`), record(ours, startTimeOf(process.pid)));
  writeFileSync(join(runDir, `${previous}.json`), record(previous, startTimeOf(process.pid) - 1));
  t.match(await cleanLeftovers({ runDir, scratchRoot: dir, transcodeRoots: [], log }), [{ job_id: previous, killed: 0 }]);
  t.same(readdirSync(runDir), [`${ours}.json`]);
});
