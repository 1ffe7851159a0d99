// `plexbeam analyze` on resumes: events built by the cartridge's resumeEvent(), written through the
// session log's recordEvent into a real SQLite file, read by the built CLI (text and --json, the
// summary's Resumes section and --detail's per-session list). No resumes: no section, and
// `resumes.total` 0 in JSON.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { createSessionRecorder, endPatch } from '../../cartridge/session.ts';
import { resumeEvent } from '../../core/resume-event.ts';
import { openSessionLog } from '../../core/session-log/index.ts';

const bin = fileURLToPath(new URL('../../bin/plexbeam', import.meta.url));
const dir = t.testdir({});
const config = join(dir, 'config.json');
writeFileSync(config, JSON.stringify({ dataDir: dir, workers: [] }));
const T0 = Date.UTC(2025, 0, 1);
const A = 'aaaa1111-0000-4000-8000-000000000001';
const B = 'bbbb2222-0000-4000-8000-000000000002';
const C = 'cccc3333-0000-4000-8000-000000000003';

/** A session log with sessions `ids` (remote on gpu-box), as the cartridge records them. */
async function writeSessions(db: string, ids: readonly string[]): Promise<void> {
  for (const [i, id] of ids.entries()) {
    await createSessionRecorder(db, () => ({ id, startedAt: T0 + i, argv: ['-i', '/m/a.mkv', 'out.m3u8'], envNames: [], cwd: '/', kind: 'video-transcode' }))
      .finish({ decision: 'remote', worker: 'gpu-box', ...endPatch({ endedBy: 'exit', code: 0, signal: null }, T0 + 60_000) }, 10_000);
  }
}

const db = join(dir, 'sessions.db');
await writeSessions(db, [A, B, C]);
const log = openSessionLog(db);
log.recordEvent(resumeEvent({ sessionId: A, from: 'gpu-box', to: 'nuc', segment: 12, at: 24, reason: 'worker-lost', error: 'link silent for 3 s', gapMs: 1800 }, T0 + 1000));
log.recordEvent(resumeEvent({ sessionId: A, from: 'nuc', to: 'local', segment: 30, at: 60, reason: 'worker-failed', error: 'JOB_STALLED', gapMs: 2500 }, T0 + 2000));
log.recordEvent(resumeEvent({ sessionId: B, from: 'gpu-box', to: 'local', segment: 5, at: 10, reason: 'handed-back', error: null, gapMs: null }, T0 + 3000));
log.recordEvent(resumeEvent({ sessionId: B, from: 'gpu-box', to: 'nuc', segment: 8, at: 16, reason: 'worker-lost', error: 'connection reset', gapMs: 900 }, T0 + 4000));
// Not resumes, or not readable as one: left out.
log.recordEvent({ at: T0 + 5000, source: 'watchdog', type: 'plex-updated', message: 'Plex updated' });
log.recordEvent({ at: T0 + 6000, source: 'cartridge', type: 'resume', details: { from: 'gpu-box' } });
log.close();

/** Runs the built CLI with a scrubbed environment. */
function analyze(args: string[]) {
  const result = spawnSync(bin, ['analyze', '--config', config, ...args], { encoding: 'utf8', cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, json: () => JSON.parse(result.stdout) as Record<string, unknown> };
}

t.test('summary --json: resumes per worker lost, by reason, worst gap, where they went', async (t) => {
  const run = analyze(['--db', db, '--json']);
  t.equal(run.code, 0, run.stderr);
  t.same(run.json().resumes, {
    total: 4,
    sessions: 2,
    worst_gap_ms: 2500,
    by_worker: [
      { worker: 'gpu-box', resumes: 3, sessions: 2, by_reason: { 'worker-lost': 2, 'worker-failed': 0, 'handed-back': 1 }, worst_gap_ms: 1800, to: [{ to: 'nuc', count: 2 }, { to: 'local', count: 1 }] },
      { worker: 'nuc', resumes: 1, sessions: 1, by_reason: { 'worker-lost': 0, 'worker-failed': 1, 'handed-back': 0 }, worst_gap_ms: 2500, to: [{ to: 'local', count: 1 }] },
    ],
  });
  const later = analyze(['--db', db, '--json', '--since', new Date(T0 + 2500).toISOString()]).json().resumes;
  t.match(later, { total: 2, sessions: 1, worst_gap_ms: 900, by_worker: [{ worker: 'gpu-box', resumes: 2, worst_gap_ms: 900 }] }, '--since filters the events by time');
});

t.test('summary text: a Resumes section, one row per worker lost', async (t) => {
  const run = analyze(['--db', db]);
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, /^Resumes {2}4 in 2 sessions, worst gap 2,500 ms$/m);
  t.match(run.stdout, /worker lost\s+resumes\s+sessions\s+lost\s+failed\s+handed back\s+worst gap\s+went to/);
  t.match(run.stdout, /^gpu-box\s+3\s+2\s+2\s+0\s+1\s+1,800 ms\s+nuc 2, local 1$/m);
  t.match(run.stdout, /^nuc\s+1\s+1\s+0\s+1\s+0\s+2,500 ms\s+local 1$/m);
  t.ok(run.stdout.indexOf('Resumes') < run.stdout.indexOf('More: '), 'before the closing hint');
});

t.test('--detail lists the session\'s own resumes, oldest first', async (t) => {
  const detail = analyze(['--db', db, '--detail', A, '--json']).json();
  t.same(detail.resumes, [
    { at: new Date(T0 + 1000).toISOString(), from: 'gpu-box', to: 'nuc', segment: 12, media_s: 24, reason: 'worker-lost', error: 'link silent for 3 s', gap_ms: 1800 },
    { at: new Date(T0 + 2000).toISOString(), from: 'nuc', to: 'local', segment: 30, media_s: 60, reason: 'worker-failed', error: 'JOB_STALLED', gap_ms: 2500 },
  ]);
  const text = analyze(['--db', db, '--detail', 'bbbb2222']);
  t.equal(text.code, 0, text.stderr);
  t.match(text.stdout, /^resumes$/m);
  t.match(text.stdout, /gpu-box → local at segment 5 \(media 10\.0 s\), handed-back; gap -$/m);
  t.match(text.stdout, /gpu-box → nuc at segment 8 \(media 16\.0 s\), worker-lost: connection reset; gap 900 ms$/m);
  const none = analyze(['--db', db, '--detail', C, '--json']).json();
  t.same(none.resumes, [], 'a session with none: an empty list');
  t.notMatch(analyze(['--db', db, '--detail', C]).stdout, /^resumes$/m, 'and no resumes block in text');
});

t.test('no resumes: no section in text, total 0 in JSON', async (t) => {
  const quiet = join(t.testdir({}), 'sessions.db');
  await writeSessions(quiet, [A]);
  const json = analyze(['--db', quiet, '--json']);
  t.equal(json.code, 0, json.stderr);
  t.same(json.json().resumes, { total: 0, sessions: 0, worst_gap_ms: null, by_worker: [] });
  const text = analyze(['--db', quiet]);
  t.match(text.stdout, /^1 sessions/);
  t.notMatch(text.stdout, /Resumes/);
});

t.test('in process: the same figures; a details text that is not JSON is left out', async (t) => {
  const { summarizeResumes, sessionResumes } = await import('../../analyze/resumes.ts');
  const copy = join(t.testdir({}), 'sessions.db');
  await writeSessions(copy, [A]);
  const writer = openSessionLog(copy);
  writer.recordEvent(resumeEvent({ sessionId: A, from: 'gpu-box', to: 'local', segment: 3, at: 6, reason: 'worker-lost', error: null, gapMs: 700 }, T0 + 1000));
  writer.db.prepare(`INSERT INTO events (at, source, type, details) VALUES (?, 'cartridge', 'resume', '{not json')`).run(T0 + 2000);
  writer.db.prepare(`INSERT INTO events (at, source, type, details) VALUES (?, 'cartridge', 'resume', NULL)`).run(T0 + 3000);
  t.match(summarizeResumes(writer.db, null), { total: 1, sessions: 1, worst_gap_ms: 700, by_worker: [{ worker: 'gpu-box', to: [{ to: 'local', count: 1 }] }] });
  t.same(summarizeResumes(writer.db, T0 + 5000), { total: 0, sessions: 0, worst_gap_ms: null, by_worker: [] });
  t.match(sessionResumes(writer.db, A), [{ segment: 3, gap_ms: 700 }]);
  t.same(sessionResumes(writer.db, B), []);
  writer.close();
});
