/** `plexbeam analyze` end to end: the built CLI on the fixture log, JSON shapes and exit codes. */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { createSessionRecorder } from '../../cartridge/session.ts';
import { writeFixture } from './fixture.ts';

const bin = fileURLToPath(new URL('../../bin/plexbeam', import.meta.url));
const dir = t.testdir({});
const db = await writeFixture(dir);
const config = join(dir, 'config.json');
writeFileSync(config, JSON.stringify({ dataDir: dir, workers: [], worker: { mediaRoots: ['/mnt/media'], pathMap: [{ from: '/data/media', to: '/mnt/media' }] } }));
// A cartridge that recorded its start and nothing else (killed before it decided).
await createSessionRecorder(db, () => ({ id: '7f3a9c1e-0000-4000-8000-000000000001', startedAt: Date.UTC(2024, 0, 1), argv: ['-codecs'], envNames: [], cwd: '/', kind: 'capability-query' })).finish({}, 10_000);

/** Runs the built CLI with a scrubbed environment. */
function analyze(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(bin, ['analyze', '--config', config, ...args], { encoding: 'utf8', cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, json: () => JSON.parse(result.stdout) as Record<string, unknown> };
}

t.test('summary --json: total and by_decision with all three keys, and the documented fields', async (t) => {
  const run = analyze(['--db', db, '--json']);
  t.equal(run.code, 0, run.stderr);
  const summary = run.json();
  t.equal(summary.total, 17);
  t.same(summary.by_decision, { remote: 4, local: 8, fallback: 3 });
  t.same(Object.keys(summary), ['db', 'since', 'total', 'by_decision', 'undecided', 'first_started_at', 'last_started_at', 'outcomes', 'durations', 'decisions', 'by_kind', 'by_client', 'by_protocol', 'resolutions', 'video_codecs', 'audio_codecs', 'features', 'fallback_reasons', 'workers', 'resumes']);
  t.same(Object.keys(summary.decisions as object), ['remote', 'local', 'fallback']);
  t.same(Object.keys((summary.decisions as Record<string, object>).remote ?? {}), ['count', 'outcomes', 'durations', 'first_segment']);

  const empty = analyze(['--db', db, '--json', '--since', '2030-01-01']);
  t.equal(empty.code, 0);
  t.same(empty.json().by_decision, { remote: 0, local: 0, fallback: 0 }, 'all three keys even when none');
  t.equal(analyze(['--json', '--since', '2025-01-01T00:10:00Z']).json().total, 7, 'default --db is <dataDir>/sessions.db');
});

t.test('human output: aligned tables, no colour when not a terminal', async (t) => {
  const run = analyze(['--db', db]);
  t.equal(run.code, 0);
  t.match(run.stdout, /^17 sessions \(/);
  t.match(run.stdout, /decision\s+sessions\s+ok\s+stopped\s+failed/);
  t.notMatch(run.stdout, /\x1b\[/);
  const feasibility = analyze(['--db', db, '--remote-feasibility']);
  t.equal(feasibility.code, 0);
  t.match(feasibility.stdout, 'Recommendations');
  t.match(feasibility.stdout, 'add a worker');
  t.notMatch(feasibility.stdout + analyze(['--db', db, '--patterns']).stdout + analyze(['--db', db, '--events']).stdout, /\x1b\[/);
});

t.test('--patterns, --remote-feasibility, --detail and --events JSON shapes', async (t) => {
  const patterns = analyze(['--db', db, '--patterns', '--json']).json();
  t.same(Object.keys(patterns), ['db', 'since', 'total', 'patterns']);
  t.same(Object.keys((patterns.patterns as object[])[0] as object), ['pattern_id', 'pattern', 'kind', 'count', 'share', 'first_seen', 'last_seen', 'example_session', 'by_decision']);

  const feasibility = analyze(['--db', db, '--remote-feasibility', '--json']).json();
  t.same(Object.keys(feasibility), ['db', 'since', 'workers', 'input_check', 'total', 'transcode_s', 'remote_s', 'movable_s', 'remote_share', 'movable_share', 'feasible_sessions', 'blocked_sessions', 'classes', 'reasons', 'recommendations']);
  const klass = (feasibility.classes as Record<string, unknown>[])[0] as Record<string, unknown>;
  t.same(Object.keys(klass), ['class', 'kind', 'video_codec_in', 'video_codec_out', 'subtitle_burn_in', 'tone_mapping', 'input', 'count', 'transcode_s', 'share', 'by_decision', 'feasible', 'movable_s', 'reasons']);
  t.same(Object.keys((klass.reasons as object[])[0] as object), ['code', 'blocking', 'text']);
  t.match((feasibility.recommendations as object[])[0], { code: 'add-worker', text: String, sessions: Number, transcode_s: Number });

  const detail = analyze(['--db', db, '--detail', 's03', '--json']).json();
  t.match(detail.session, { id: 's03', kind: 'video-transcode', env_names: ['PATH', 'X_PLEX_TOKEN'], subtitle_burn_in: true, decision: 'remote', worker: 'nuc', exit_code: 1, ended_by: 'exit', outcome: 'failed', duration_ms: 300_000, first_segment_ms: 3000, dispatch_ms: 40 });
  const argv = (detail.session as { argv: string[] }).argv;
  t.equal(argv[argv.indexOf('-i') + 1], '/data/media/tv/Show/S01E01.mkv', 'the argv as recorded');
  t.match((detail.session as { facts: unknown }).facts, { kind: 'video-transcode', subtitleBurnIn: { kind: 'inlineass' } }, "the parser's facts");
  t.match(analyze(['--db', db, '--detail', '7f3a9c1e']).stdout, /id\s+7f3a9c1e-0000-4000-8000-000000000001/, 'a unique id prefix is enough');

  const events = analyze(['--db', db, '--events', '--json']).json();
  t.same(Object.keys(events), ['events']);
  t.same(Object.keys((events.events as object[])[0] as object), ['id', 'at', 'source', 'type', 'old_md5', 'new_md5', 'plex_version', 'old_plex_version', 'message', 'details']);
  t.equal((events.events as object[]).length, 3);
});

t.test('exit codes: missing log 1, unknown session 1, bad --since 2, conflicting views 2', async (t) => {
  const missing = analyze(['--db', join(dir, 'nope.db')]);
  t.equal(missing.code, 1);
  t.match(missing.stderr, `no session log at ${join(dir, 'nope.db')}: the cartridge creates it on the first play`);
  const unknown = analyze(['--db', db, '--detail', 'no-such-session']);
  t.equal(unknown.code, 1);
  t.match(unknown.stderr, 'no session "no-such-session"');
  for (const since of ['yesterday', '2025-02-30', '2025-13-01', '2025-01-01T25:00']) {
    const bad = analyze(['--db', db, '--since', since]);
    t.equal(bad.code, 2, since);
    t.match(bad.stderr, '--since: expected an ISO 8601 date or date-time');
  }
  t.equal(analyze(['--db', db, '--patterns', '--remote-feasibility']).code, 2);
});
