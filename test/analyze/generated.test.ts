/**
 * A generated realistic log (20,000 sessions, bench/session-log/generate.ts): every view's numbers
 * are checked against the generator's own tally and against a plain recount of the rows in
 * JavaScript; and the generator's rows are checked against what the cartridge's recorder writes.
 */
import { join } from 'node:path';
import t from 'tap';
import { openSessionLog } from '../../core/session-log/index.ts';
import { computeFeasibility } from '../../core/feasibility/compute.ts';
import { DEFAULT_WORKERS, generateSessionLog } from '../../bench/session-log/generate.ts';
import { createInputCheck } from '../../core/feasibility/input-reach.ts';
import { nearestRank } from '../../analyze/latency.ts';
import { listPatterns } from '../../analyze/patterns.ts';
import { outcomeOf } from '../../analyze/detail.ts';
import { createSessionRecorder } from '../../cartridge/session.ts';
import { sessionStartRow } from '../../cartridge/session-facts.ts';
import { parsePlexArgv } from '../../core/plex-argv/index.ts';
import { SESSION_COLUMNS, toInsertParams } from '../../core/session-log/session-columns.ts';
import type { SessionStart } from '../../core/session-log/index.ts';
import { computeSummary } from '../../analyze/summary.ts';

const ROWS = 20_000;
const END = Date.UTC(2025, 5, 30);
const path = join(t.testdir(), 'sessions.db');
const tally = generateSessionLog(path, { rows: ROWS, seed: 42, endAt: END, days: 60 });
const log = openSessionLog(path, { readonly: true });
t.teardown(() => log.close());

interface Raw {
  kind: string; decision: string | null; client: string | null; protocol: string | null; height: number | null; worker: string | null;
  started_at: number; ended_at: number | null; first_segment_at: number | null; exit_code: number | null; signal: string | null; ended_by: string | null;
  fallback_reason: string | null;
  pattern_id: string | null; input_path: string | null; video_codec_in: string | null; video_codec_out: string | null;
  subtitle_burn_in: number; tone_mapping: number;
}
const rows = log.db.prepare<[], Raw>('SELECT * FROM sessions').all();
const countBy = <K>(items: readonly Raw[], key: (r: Raw) => K) => {
  const map = new Map<K, number>();
  for (const r of items) map.set(key(r), (map.get(key(r)) ?? 0) + 1);
  return map;
};
const durationMs = (items: readonly Raw[]) => items.reduce((sum, r) => sum + (r.ended_at === null ? 0 : r.ended_at - r.started_at), 0);

t.test('the generator wrote what it counted, with a realistic mix', async (t) => {
  t.equal(rows.length, ROWS);
  t.same(Object.fromEntries(countBy(rows, (r) => r.decision)), tally.byDecision);
  for (const kind of ['video-transcode', 'remux', 'audio-only', 'detection', 'capability-query', 'optimize', 'unknown']) t.ok((tally.byKind[kind] ?? 0) > 0, kind);
  for (const decision of ['remote', 'local', 'fallback']) t.ok((tally.byDecision[decision] ?? 0) > 0, decision);
  t.ok(rows.some((r) => r.subtitle_burn_in === 1) && rows.some((r) => r.tone_mapping === 1), 'burn-in and tone-mapping present');
  t.equal(log.listEvents().length, tally.events);
  t.same(log.listWorkerCapabilities().map((w) => w.worker), DEFAULT_WORKERS.map((w) => w.name).sort());
});

t.test('summary numbers equal a recount of the rows', async (t) => {
  const s = computeSummary(log.db, { dbPath: path, since: null });
  t.equal(s.total, ROWS);
  t.same(s.by_decision, { remote: tally.byDecision.remote, local: tally.byDecision.local, fallback: tally.byDecision.fallback });
  t.same(Object.fromEntries(s.by_kind.map((f) => [f.value, f.count])), tally.byKind);
  t.same(new Map(s.by_client.map((f) => [f.value, f.count])), new Map([...countBy(rows.filter((r) => r.client !== null), (r) => r.client)]));
  t.same(new Map(s.by_protocol.map((f) => [f.value, f.count])), countBy(rows.filter((r) => r.protocol !== null), (r) => r.protocol));
  t.same(new Map(s.resolutions.map((f) => [f.value, f.count])), countBy(rows.filter((r) => r.height !== null), (r) => `${r.height}p`));
  // The same rules in JavaScript (detail.ts), row by row.
  const outcome = countBy(rows, (r) => outcomeOf({ endedAt: r.ended_at, signal: r.signal, exitCode: r.exit_code, endedBy: r.ended_by as never }));
  const [ok, stopped, failed, lost] = ['ok', 'stopped', 'failed', 'worker-lost'].map((o) => outcome.get(o as never) ?? 0) as [number, number, number, number];
  const ended = ok + stopped + failed + lost;
  t.ok(stopped > 0 && lost > 0 && failed > 0, 'stops, lost workers and failures all present');
  t.same(s.outcomes, {
    ok,
    stopped,
    failed,
    worker_lost: lost,
    unfinished: ROWS - ended,
    success_rate: Math.round(((ok + stopped) / ended) * 10_000) / 10_000,
    failure_rate: Math.round(((failed + lost) / ended) * 10_000) / 10_000,
  });
  t.equal(rows.filter((r) => r.ended_by === 'plex-stop' && r.exit_code !== 255).length, 0, "Plex's stops exit 255, as the cartridge records them");
  t.equal(s.durations.total_s, Math.round(durationMs(rows) / 100) / 10);
  for (const decision of ['remote', 'local', 'fallback'] as const) {
    const latencies = rows.filter((r) => r.decision === decision && r.first_segment_at !== null).map((r) => (r.first_segment_at as number) - r.started_at).sort((a, b) => a - b);
    const at = (p: number) => latencies[nearestRank(p, latencies.length) - 1];
    t.same(s.decisions[decision].first_segment, { count: latencies.length, p50_ms: at(0.5), p90_ms: at(0.9), p95_ms: at(0.95), p99_ms: at(0.99), max_ms: latencies.at(-1) }, decision);
  }
  t.same(new Map(s.workers.map((w) => [w.worker, w.count])), countBy(rows.filter((r) => r.worker !== null), (r) => r.worker));
  t.equal(s.fallback_reasons.reduce((sum, r) => sum + r.count, 0), tally.byDecision.fallback);
  t.same(new Map(s.fallback_reasons.map((r) => [r.code, r.count])), countBy(rows.filter((r) => r.decision === 'fallback'), (r) => r.fallback_reason));
  t.notOk(s.fallback_reasons.some((r) => r.code === null), 'every generated fallback has a code');
  t.same(s.by_client.map((f) => f.value), ['Plex for Android'], 'only clients whose session id names them, as the cartridge learns them');

  const since = END - 7 * 86_400_000;
  const recent = computeSummary(log.db, { dbPath: path, since });
  t.equal(recent.total, rows.filter((r) => r.started_at >= since).length);
  t.same(recent.by_decision.remote, rows.filter((r) => r.started_at >= since && r.decision === 'remote').length);
});

t.test('patterns add up to the sessions, each with its own first and last time', async (t) => {
  const report = listPatterns(log.db, { dbPath: path, since: null });
  t.equal(report.patterns.reduce((sum, p) => sum + p.count, 0), ROWS);
  t.same(new Map(report.patterns.map((p) => [p.pattern_id, p.count])), countBy(rows, (r) => r.pattern_id));
  const first = report.patterns[0];
  const mine = rows.filter((r) => r.pattern_id === first?.pattern_id);
  t.equal(first?.first_seen, new Date(Math.min(...mine.map((r) => r.started_at))).toISOString());
  t.equal(first?.last_seen, new Date(Math.max(...mine.map((r) => r.started_at))).toISOString());
  t.ok(mine.some((r) => (r as unknown as { id: string }).id === first?.example_session));
});

t.test('feasibility classes add up, and the 4K archive outside the pathMap is the first recommendation', async (t) => {
  const capabilities = DEFAULT_WORKERS.map((w) => ({ worker: w.name, url: null, configured: true, source: 'last-known' as const, seen_at: null, hwaccel: w.hwaccel, encoders: w.encoders, error: null }));
  const inputCheck = createInputCheck({ mediaRoots: ['/mnt/media'], transcodeRoots: [], pathMap: [{ from: '/data/media', to: '/mnt/media' }] });
  const report = computeFeasibility(log.db, { dbPath: path, since: null, capabilities, inputCheck, allowHttpInputs: false, healthTimeoutMs: 500 });
  t.equal(report.total, ROWS);
  t.equal(report.classes.reduce((sum, c) => sum + c.count, 0), ROWS);
  t.equal(report.transcode_s, Math.round(durationMs(rows) / 100) / 10);
  t.equal(report.remote_s, Math.round(durationMs(rows.filter((r) => r.decision === 'remote')) / 100) / 10);
  const unmapped = rows.filter((r) => r.input_path?.startsWith('/mnt/archive/') && (r.kind === 'video-transcode' || r.kind === 'optimize'));
  t.match(report.recommendations[0], { code: 'map-path:/mnt/archive/4k', sessions: unmapped.length });
  t.equal(report.reasons.find((r) => r.code === 'input-unmapped')?.sessions, unmapped.length);
  t.equal(report.reasons.find((r) => r.code === 'input-loopback-url')?.sessions, rows.filter((r) => r.input_path?.startsWith('http://127.0.0.1')).length);
  t.equal(report.reasons.find((r) => r.code === 'not-worth-moving:audio-only')?.sessions, tally.byKind['audio-only']);
  t.ok(report.movable_share > 0 && report.movable_share < 1);
  t.notOk(report.reasons.some((r) => r.code.startsWith('codec-unsupported')), 'gpu-box encodes HEVC');
});

t.test("each generated row's facts are what the cartridge makes of its argv, env and cwd", async (t) => {
  // The generator parses each shape of command line once (with stand-ins); here every sampled
  // row is parsed on its own, as the cartridge does at each invocation.
  const columns = Object.values(SESSION_COLUMNS).slice(0, Object.values(SESSION_COLUMNS).indexOf('decision'));
  const sample = log.db.prepare<[], Record<string, unknown>>('SELECT * FROM sessions WHERE rowid % 40 = 0').all();
  t.ok(sample.length >= 400);
  let same = 0;
  for (const raw of sample) {
    const argv = JSON.parse(String(raw.argv)) as string[];
    const env = Object.fromEntries((JSON.parse(String(raw.env_names)) as string[]).map((name) => [name, 'x']));
    const made = toInsertParams(sessionStartRow(String(raw.id), Number(raw.started_at), argv, env, String(raw.cwd), parsePlexArgv(argv)));
    const differs = columns.filter((c) => made[c] !== raw[c]);
    if (differs.length === 0) same += 1;
    else t.fail(`${raw.id}: ${differs.map((c) => `${c}: generated ${String(raw[c]).slice(0, 120)}, cartridge ${String(made[c]).slice(0, 120)}`).join('; ')}`);
  }
  t.equal(same, sample.length, 'every sampled row');
  // And its decision is the cartridge's for that kind (a pass-through or not-worth-moving kind runs locally).
  const wrong = log.db.prepare<[], number>("SELECT COUNT(*) FROM sessions WHERE kind IN ('capability-query', 'unknown', 'audio-only', 'detection', 'remux') AND decision <> 'local'").pluck().get();
  t.equal(wrong, 0);
});

t.test("generated rows equal what the cartridge's recorder writes for the same session", async (t) => {
  // Replay a sample of generated rows through createSessionRecorder (the cartridge's writer):
  // start columns as the start row, the rest as the notes and end patch, into a fresh log.
  const fields = Object.entries(SESSION_COLUMNS) as [string, string][];
  const sample = log.db.prepare<[], Record<string, unknown>>("SELECT * FROM sessions WHERE ended_by IN ('plex-stop', 'worker-lost') OR decision = 'fallback' OR rowid % 997 = 0 ORDER BY rowid LIMIT 300").all();
  t.ok(sample.some((r) => r.ended_by === 'plex-stop') && sample.some((r) => r.ended_by === 'worker-lost') && sample.some((r) => r.decision === 'fallback'));
  const replay = join(t.testdir(), 'replayed.db');
  for (const raw of sample) {
    const row = log.getSession(String(raw.id));
    if (row === undefined) throw new Error(`no row ${raw.id}`);
    const { decision, reason, fallbackReason, worker, dispatchAt, firstSegmentAt, endedAt, exitCode, signal, endedBy, error, ...start } = row;
    const recorder = createSessionRecorder(replay, () => start as SessionStart);
    recorder.note({ decision, reason, fallbackReason, worker, dispatchAt, firstSegmentAt });
    recorder.begin();
    await recorder.finish({ endedAt, exitCode, signal, endedBy, error }, 10_000);
  }
  const replayed = openSessionLog(replay, { readonly: true });
  t.teardown(() => replayed.close());
  const columns = fields.map(([, column]) => column).join(', ');
  const ids = sample.map((r) => r.id as string);
  const read = (db: typeof log.db) => ids.map((id) => db.prepare(`SELECT ${columns} FROM sessions WHERE id = ?`).get(id));
  t.same(read(replayed.db), read(log.db), 'every column, byte for byte');
});
