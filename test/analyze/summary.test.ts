import t, { type Test } from 'tap';
import { openSessionLog } from '../../core/session-log/index.ts';
import { computeSummary } from '../../analyze/summary.ts';
import { listPatterns } from '../../analyze/patterns.ts';
import { listEventRows } from '../../analyze/events.ts';
import { T0, writeFixture } from './fixture.ts';

async function open(t: Test) {
  const log = openSessionLog(await writeFixture(t.testdir()), { readonly: true });
  t.teardown(() => log.close());
  return log;
}

t.test('summary: totals, decisions, outcomes and durations of the fixture', async (t) => {
  const log = await open(t);
  const s = computeSummary(log.db, { dbPath: log.path, since: null });
  t.equal(s.total, 16);
  t.same(s.by_decision, { remote: 4, local: 8, fallback: 3 });
  t.equal(s.undecided, 1);
  t.equal(s.first_started_at, new Date(T0 + 60_000).toISOString());
  t.equal(s.last_started_at, new Date(T0 + 10 * 86_400_000).toISOString());
  t.same(s.outcomes, { ok: 11, stopped: 2, failed: 1, worker_lost: 0, unfinished: 2, success_rate: 0.9286, failure_rate: 0.0714 });
  t.same(s.durations, { count: 14, total_s: 12562.1, mean_s: 897.3, max_s: 3600 });
  t.same(s.decisions.remote, {
    count: 4,
    outcomes: { ok: 2, stopped: 1, failed: 1, worker_lost: 0, unfinished: 0, success_rate: 0.75, failure_rate: 0.25 },
    durations: { count: 4, total_s: 3100, mean_s: 775, max_s: 1200 },
    first_segment: { count: 3, p50_ms: 2000, p90_ms: 3000, p95_ms: 3000, p99_ms: 3000, max_ms: 3000 },
  });
  t.same(s.decisions.fallback.outcomes, { ok: 2, stopped: 0, failed: 0, worker_lost: 0, unfinished: 1, success_rate: 1, failure_rate: 0 });
  t.same(s.decisions.fallback.first_segment, { count: 3, p50_ms: 2500, p90_ms: 4000, p95_ms: 4000, p99_ms: 4000, max_ms: 4000 });
  t.same(s.decisions.local.durations, { count: 8, total_s: 6762.1, mean_s: 845.3, max_s: 3600 });
  t.same(s.decisions.local.first_segment, { count: 4, p50_ms: 600, p90_ms: 800, p95_ms: 800, p99_ms: 800, max_ms: 800 });
});

t.test('summary: facets', async (t) => {
  const log = await open(t);
  const s = computeSummary(log.db, { dbPath: log.path, since: null });
  t.same(s.by_kind[0], { value: 'video-transcode', count: 10, share: 0.625, by_decision: { remote: 3, local: 3, fallback: 3 }, total_s: 8900 });
  t.same(Object.fromEntries(s.by_kind.map((f) => [f.value, f.count])), { 'video-transcode': 10, remux: 1, 'audio-only': 1, detection: 1, 'capability-query': 1, unknown: 1, optimize: 1 });
  t.same(Object.fromEntries(s.by_client.map((f) => [f.value, f.count])), { 'Plex for Android': 6 }, 'only sessions whose id names the client');
  t.same(s.by_client[0]?.by_decision, { remote: 2, local: 2, fallback: 2 }, 'Plex for Android: s01/s03 remote, s15/s16 local, s05/s06 fallback');
  t.same(Object.fromEntries(s.by_protocol.map((f) => [f.value, f.count])), { hls: 8, dash: 3, pipe: 2, none: 2, file: 1 });
  t.same(Object.fromEntries(s.resolutions.map((f) => [f.value, f.count])), { '720p': 5, '1080p': 4, '480p': 1, '2160p': 1 });
  t.same(s.video_codecs[0], { from: 'h264', to: 'libx264', count: 7, share: 0.4375 });
  t.same(s.video_codecs.map((p) => [p.from, p.to, p.count]).slice(1).sort(), [['h264', 'copy', 1], ['h264', 'hevc', 1], ['h264', null, 1], ['hevc', 'libx264', 2], ['mpeg2video', 'libx264', 1]].sort());
  t.same(s.audio_codecs.map((p) => [p.from, p.to, p.count]).sort(), [['ac3', 'aac', 1], ['eac3', 'aac', 1], ['flac', 'libmp3lame', 1]]);
  t.same(s.features, { subtitle_burn_in: 1, tone_mapping: 2 });
  t.same(s.fallback_reasons.map((r) => [r.code, r.count, r.share]).sort(), [
    ['no-healthy-worker', 1, 0.3333],
    ['worker-refused', 1, 0.3333],
    ['workers-full', 1, 0.3333],
  ]);
  t.match(s.fallback_reasons.find((r) => r.code === 'workers-full'), { text: 'every worker that could take it was full' });
  t.same(s.workers.map((w) => [w.worker, w.count, w.by_decision, w.outcomes.ok, w.outcomes.stopped, w.outcomes.failed]), [
    ['gpu-box', 4, { remote: 3, local: 0, fallback: 1 }, 3, 1, 0],
    ['nuc', 1, { remote: 1, local: 0, fallback: 0 }, 0, 0, 1],
  ]);
});

t.test('summary: --since keeps later sessions only; an empty window has zeros everywhere', async (t) => {
  const log = await open(t);
  const s = computeSummary(log.db, { dbPath: log.path, since: T0 + 10 * 60_000 });
  t.equal(s.since, new Date(T0 + 10 * 60_000).toISOString());
  t.equal(s.total, 7);
  t.same(s.by_decision, { remote: 1, local: 5, fallback: 0 });
  t.equal(s.undecided, 1);
  t.same(s.decisions.local.first_segment, { count: 2, p50_ms: 600, p90_ms: 700, p95_ms: 700, p99_ms: 700, max_ms: 700 });
  t.same(s.fallback_reasons, []);

  const none = computeSummary(log.db, { dbPath: log.path, since: T0 + 365 * 86_400_000 });
  t.equal(none.total, 0);
  t.same(none.by_decision, { remote: 0, local: 0, fallback: 0 });
  t.same(none.decisions.remote.first_segment, { count: 0, p50_ms: null, p90_ms: null, p95_ms: null, p99_ms: null, max_ms: null });
  t.same(none.outcomes, { ok: 0, stopped: 0, failed: 0, worker_lost: 0, unfinished: 0, success_rate: null, failure_rate: null });
  t.equal(none.first_started_at, null);
  t.same(none.by_kind, []);
});

t.test('patterns: counts, first and last seen, the latest session as example', async (t) => {
  const log = await open(t);
  const report = listPatterns(log.db, { dbPath: log.path, since: null });
  t.equal(report.total, 16);
  // The cartridge's parser names each command line's shape: s06 and s16 share one (the same
  // HLS 720p H.264 without audio), every other session's differs (codecs, sizes, filters, inputs).
  t.equal(report.patterns.length, 15);
  const shared = report.patterns[0];
  t.match(shared, {
    pattern: /^-codec:0 h264 .*-filter_complex/,
    kind: 'video-transcode',
    count: 2,
    share: 0.125,
    first_seen: new Date(T0 + 6 * 60_000).toISOString(),
    last_seen: new Date(T0 + 16 * 60_000).toISOString(),
    example_session: 's16',
    by_decision: { remote: 0, local: 1, fallback: 1 },
  });
  t.match(shared?.pattern_id, /^[0-9a-f]{12}$/);
  t.ok(report.patterns.slice(1).every((p) => p.count === 1), 'the rest once each');
  t.match(report.patterns.find((p) => p.example_session === 's14'), { count: 1, by_decision: { remote: 0, local: 0, fallback: 0 } }, 'an undecided session counts 0 everywhere');
  t.match(report.patterns.find((p) => p.example_session === 's11'), { kind: 'capability-query', pattern: '-hide_banner -encoders' });
  t.same(listPatterns(log.db, { dbPath: log.path, since: T0 + 10 * 60_000 }).patterns.map((p) => p.example_session).sort(), ['s10', 's11', 's12', 's13', 's14', 's15', 's16']);
});

t.test('events: oldest first, --since filters', async (t) => {
  const log = await open(t);
  const all = listEventRows(log, null);
  t.same(all.events.map((e) => e.type), ['shim-installed', 'plex-updated', 'shim-restored']);
  t.same(all.events[1], {
    id: 2,
    at: new Date(T0 + 5 * 86_400_000).toISOString(),
    source: 'watchdog',
    type: 'plex-updated',
    old_md5: 'a'.repeat(32),
    new_md5: 'b'.repeat(32),
    plex_version: '1.41.1',
    old_plex_version: '1.41.0',
    message: 'Plex updated',
    details: null,
  });
  t.same(all.events[2]?.details, { settleMs: 300 });
  t.same(listEventRows(log, T0).events.map((e) => e.id), [2, 3]);
});
