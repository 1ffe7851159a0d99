// The worker's probe cache: a file probed once is not probed again while it is the same file
// (same path, device, inode, size, mtime, ctime); a rewritten, touched or replaced file is
// probed again, a failed probe is not kept, and the cache holds at most its bound, least
// recently used out first. ffprobe is a tiny executable fixture that counts its runs.
import { chmodSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync, appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { probeInputs, type InputFacts } from '../../worker/input-probe.ts';
import { createProbeCache, identifyFile } from '../../worker/probe-cache.ts';

const PATH = '/usr/local/bin:/usr/bin:/bin';

/** A stand-in ffprobe: appends its input to `runs` and prints facts (exit 1 for a name with "bad" or no such file; a "growing" file grows while it is read). */
function fakeFfprobe(dir: string): { path: string; runs: () => string[] } {
  const path = join(dir, 'ffprobe');
  const runs = join(dir, 'runs.txt');
  writeFileSync(path, `#!/bin/sh
for last; do :; done
echo "$last" >> '${runs}'
case "$last" in *bad*) exit 1 ;; *growing*) echo more >> "$last" ;; esac
[ -f "$last" ] || exit 1
echo '{"streams":[{"index":0,"codec_type":"video","codec_name":"h264"}],"format":{"duration":"10.5"}}'
`);
  chmodSync(path, 0o755);
  return { path, runs: () => (existsSync(runs) ? readFileSync(runs, 'utf8').trim().split('\n') : []) };
}

const FACTS: InputFacts = { streams: [{ index: 0, codec_type: 'video', codec_name: 'h264' }], duration: 10.5 };

t.test('a file unchanged since its probe is not probed again; a changed one is', async (t) => {
  const dir = t.testdir({ 'film.mkv': 'original bytes', 'other.mkv': 'other bytes', 'bad.mkv': 'unreadable', 'growing.mkv': 'being written' });
  const ffprobe = fakeFfprobe(dir);
  const cache = createProbeCache();
  const probe = async (inputs: string[]) => {
    const stats = { cached: 0, probed: 0 };
    const facts = await probeInputs(inputs, { ffprobePath: ffprobe.path, cwd: dir, env: { PATH }, signal: new AbortController().signal, cache, stats });
    return { facts, stats };
  };
  const film = join(dir, 'film.mkv');

  const first = await probe([film]);
  t.same(first.facts, [FACTS], 'the first play probes');
  t.same(first.stats, { cached: 0, probed: 1 });
  const again = await probe(['film.mkv', `file:${film}`]);
  t.same(again.facts, [FACTS, FACTS], 'a relative name and a file: URL of the same file: the same facts');
  t.same(again.stats, { cached: 2, probed: 0 }, 'from the cache');
  t.equal(ffprobe.runs().length, 1, 'ffprobe ran once in all');

  appendFileSync(film, ' and more');
  t.same((await probe([film])).stats, { cached: 0, probed: 1 }, 'rewritten (another size): probed again');
  const { atime, mtime } = statSync(film);
  utimesSync(film, atime, new Date(mtime.getTime() + 5000));
  t.same((await probe([film])).stats, { cached: 0, probed: 1 }, 'touched (another mtime): probed again');

  const before = statSync(film);
  writeFileSync(join(dir, 'new.mkv'), readFileSync(film));
  utimesSync(join(dir, 'new.mkv'), before.atime, before.mtime);
  renameSync(join(dir, 'new.mkv'), film);
  t.equal(statSync(film).size, before.size, 'the replacement has the same size and mtime…');
  t.same((await probe([film])).stats, { cached: 0, probed: 1 }, '…but another inode: probed again');
  t.same((await probe([film])).stats, { cached: 1, probed: 0 }, 'and kept from then on');
  t.same((await probe([join(dir, 'other.mkv')])).stats, { cached: 0, probed: 1 }, 'another file has its own facts');

  t.same((await probe(['bad.mkv'])).facts, [undefined], 'a failed probe leaves the input without facts');
  t.same((await probe(['bad.mkv'])).stats, { cached: 0, probed: 1 }, 'and is not kept: the next play probes again');
  t.same((await probe(['growing.mkv'])).facts, [FACTS], 'a file written to while ffprobe read it: its facts are used…');
  t.same((await probe(['growing.mkv'])).stats, { cached: 0, probed: 1 }, '…but not kept');
  t.same((await probe(['http://127.0.0.1:1/live.ts', join(dir, 'missing.mkv')])).facts, [undefined, undefined], 'HTTP is never probed; a missing file gets no facts');
  t.notOk(ffprobe.runs().includes('http://127.0.0.1:1/live.ts'), 'ffprobe never saw the HTTP input');
  t.equal(cache.size, 2, 'two files known: film.mkv as it is now (its new facts replaced the old), other.mkv');
});

t.test('without a cache every job probes (as before)', async (t) => {
  const dir = t.testdir({ 'film.mkv': 'bytes' });
  const ffprobe = fakeFfprobe(dir);
  const options = { ffprobePath: ffprobe.path, cwd: dir, env: { PATH }, signal: new AbortController().signal };
  await probeInputs(['film.mkv'], options);
  await probeInputs(['film.mkv'], options);
  t.equal(ffprobe.runs().length, 2);
});

t.test('the cache is bounded: the least recently used file goes first', async (t) => {
  const cache = createProbeCache(2);
  const facts = (duration: number): InputFacts => ({ streams: [], duration });
  const file = (path: string, version = 'v1') => ({ path, version });
  cache.set(file('/a'), facts(1));
  cache.set(file('/b'), facts(2));
  t.same(cache.get(file('/a')), facts(1), 'a is used again');
  cache.set(file('/c'), facts(3));
  t.equal(cache.size, 2, 'never more than its bound');
  t.equal(cache.get(file('/b')), undefined, 'b, the least recently used, went');
  t.same([cache.get(file('/a')), cache.get(file('/c'))], [facts(1), facts(3)]);
  t.equal(cache.get(file('/c', 'v2')), undefined, 'another version of a known path: no facts');
  cache.set(file('/c', 'v2'), facts(4));
  t.same(cache.get(file('/c', 'v2')), facts(4), 'its probe replaces the old facts');
  t.equal(cache.get(file('/c')), undefined, 'the old version is gone');
  t.equal(cache.size, 2);
  t.throws(() => createProbeCache(0), /Expected maxEntries to be a positive integer, got `0` \(number\)/);
});

t.test('identifyFile: only regular files that exist have an identity', async (t) => {
  const dir = t.testdir({ 'a.mkv': 'x', sub: {} });
  t.match(await identifyFile('a.mkv', dir), { path: join(dir, 'a.mkv'), version: /^\d+:\d+:1:\d+:\d+$/ }, 'device, inode, size, mtime, ctime');
  t.same(await identifyFile('a.mkv', dir), await identifyFile(join(dir, 'a.mkv'), '/'), 'relative to cwd or absolute: the same');
  t.equal(await identifyFile('sub', dir), null, 'a folder: none');
  t.equal(await identifyFile('missing.mkv', dir), null, 'missing: none');
});
