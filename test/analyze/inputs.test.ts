/** --since parsing, input reachability, recommended folders, outcome rules. */
import t from 'tap';
import { outcomeOf } from '../../analyze/detail.ts';
import { codecFamily } from '../../core/feasibility/rules.ts';
import { createInputCheck, inputRoot, mergeRoots } from '../../core/feasibility/input-reach.ts';
import { nearestRank } from '../../analyze/latency.ts';
import { parseSince } from '../../analyze/since.ts';

t.test('--since takes ISO dates and date-times; anything else is a USAGE error', async (t) => {
  t.equal(parseSince(undefined), null);
  t.equal(parseSince('2025-01-31'), new Date(2025, 0, 31).getTime(), 'a date is local midnight');
  t.equal(parseSince('2025-01-31T18:30'), new Date(2025, 0, 31, 18, 30).getTime());
  t.equal(parseSince('2025-01-31 18:30:15'), new Date(2025, 0, 31, 18, 30, 15).getTime());
  t.equal(parseSince('2025-01-31T18:30:15.250Z'), Date.UTC(2025, 0, 31, 18, 30, 15, 250));
  t.equal(parseSince('2025-01-31T18:30:00+02:00'), Date.UTC(2025, 0, 31, 16, 30));
  t.equal(parseSince('2025-01-31T18:30:00-0130'), Date.UTC(2025, 0, 31, 20, 0));
  t.equal(parseSince('2024-02-29'), new Date(2024, 1, 29).getTime(), 'leap day');
  for (const bad of ['', 'yesterday', '2025-1-31', '2025-02-30', '2023-02-29', '2025-13-01', '2025-01-31T24:00', '2025-01-31T10:61', '2025-01-31T10:00+19:00', 1700000000000, true]) {
    t.throws(() => parseSince(bad), { code: 'USAGE', exitCode: 2 }, String(bad));
  }
});

t.test('inputs: roots after pathMap, pathMap alone, or unknown; URLs on Plex loopback are their own case', async (t) => {
  const roots = createInputCheck({ mediaRoots: ['/mnt/media'], transcodeRoots: ['/transcode'], pathMap: [{ from: '/data/media', to: '/mnt/media' }] });
  t.equal(roots.mode, 'roots');
  t.equal(roots.classify('/data/media/movies/a.mkv'), 'mapped');
  t.equal(roots.classify('/mnt/media/movies/a.mkv'), 'mapped', 'already a worker-side path');
  t.equal(roots.classify('/transcode/session/x.ts'), 'mapped', 'transcodeRoots are readable too');
  t.equal(roots.classify('/data/mediaX/a.mkv'), 'unmapped', 'prefixes match whole segments');
  t.equal(roots.classify('/data/media/../secret/a.mkv'), 'unmapped');
  t.equal(roots.classify('file:/data/media/a.mkv'), 'mapped');
  t.equal(roots.classify('http://127.0.0.1:32400/livetv/x'), 'loopback-url');
  t.equal(roots.classify('http://localhost/x'), 'loopback-url');
  t.equal(roots.classify('http://[::1]:32400/x'), 'loopback-url');
  t.equal(roots.classify('http://localhost.example.com/x'), 'url');
  t.equal(roots.classify('https://iptv.example.com/1.m3u8'), 'url');
  t.equal(roots.classify(null), 'none');
  t.equal(roots.classify('relative.mkv'), 'unknown');

  const map = createInputCheck({ mediaRoots: [], transcodeRoots: [], pathMap: [{ from: '/data/media/', to: '/m' }] });
  t.equal(map.mode, 'path-map');
  t.same(['/data/media/a.mkv', '/data/other/a.mkv'].map(map.classify), ['mapped', 'unmapped']);
  const none = createInputCheck({ mediaRoots: [], transcodeRoots: [], pathMap: [] });
  t.equal(none.mode, 'unknown');
  t.same(['/data/media/a.mkv', 'http://127.0.0.1/x'].map(none.classify), ['unknown', 'loopback-url']);
});

t.test('recommended folders: three segments deep, siblings merged into their parent', async (t) => {
  t.equal(inputRoot('/mnt/archive/4k/Dune/Dune.mkv'), '/mnt/archive/4k');
  t.equal(inputRoot('/movies/a.mkv'), '/movies');
  t.equal(inputRoot('/a.mkv'), '/');
  t.same(
    mergeRoots([{ root: '/data/tv/A', count: 2, durationMs: 20 }, { root: '/data/tv/B', count: 1, durationMs: 10 }, { root: '/mnt/archive/4k', count: 5, durationMs: 50 }]),
    [{ root: '/data/tv', count: 3, durationMs: 30, covers: ['/data/tv/A', '/data/tv/B'] }, { root: '/mnt/archive/4k', count: 5, durationMs: 50, covers: ['/mnt/archive/4k'] }],
  );
});

t.test('outcomes, codec families, nearest ranks', async (t) => {
  t.equal(outcomeOf({ endedAt: null, signal: null, exitCode: null, endedBy: null }), 'unfinished');
  t.equal(outcomeOf({ endedAt: 1, signal: null, exitCode: 255, endedBy: 'plex-stop' }), 'stopped', "Plex's SIGTERM: ffmpeg's 255 is a stop");
  t.equal(outcomeOf({ endedAt: 1, signal: null, exitCode: 1, endedBy: 'worker-lost' }), 'worker-lost');
  t.equal(outcomeOf({ endedAt: 1, signal: null, exitCode: 0, endedBy: 'exit' }), 'ok');
  t.equal(outcomeOf({ endedAt: 1, signal: 'SIGKILL', exitCode: null, endedBy: 'exit' }), 'failed', 'a kill Plex did not send (the OOM killer)');
  t.equal(outcomeOf({ endedAt: 1, signal: null, exitCode: 1, endedBy: 'not-run' }), 'failed');
  // Rows from before ended_by: the exit code and signal decide.
  t.equal(outcomeOf({ endedAt: 1, signal: 'SIGTERM', exitCode: null, endedBy: null }), 'stopped');
  t.equal(outcomeOf({ endedAt: 1, signal: 'SIGSEGV', exitCode: null, endedBy: null }), 'failed');
  t.equal(outcomeOf({ endedAt: 1, signal: null, exitCode: 0, endedBy: null }), 'ok');
  t.equal(outcomeOf({ endedAt: 1, signal: null, exitCode: 255, endedBy: null }), 'failed');
  t.same(['libx264', 'h264_vaapi', 'hevc', 'libx265', 'av1_nvenc', 'libsvtav1', 'copy', null].map(codecFamily), ['h264', 'h264', 'hevc', 'hevc', 'av1', 'av1', null, null]);
  t.same([nearestRank(0.9, 10), nearestRank(0.5, 3), nearestRank(0.99, 1), nearestRank(0.5, 1)], [9, 2, 1, 1]);
});
